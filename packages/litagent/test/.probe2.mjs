import { addSpansAllocating, InMemoryLightningStore, LightningStoreClient } from "@agentlightning/store";
import { LightningStoreServer } from "@agentlightning/store/server";
import { OtelTracer } from "@agentlightning/tracer";

const backing = new InMemoryLightningStore();
const server = new LightningStoreServer({ store: backing, port: 0 });
await server.start();
const store = new LightningStoreClient({ url: server.url });
const tracer = new OtelTracer();
await tracer.initWorker(0, store);
await backing.enqueueManyRollouts(Array.from({ length: 5 }, (_, i) => ({ input: i })));
for (let i = 0; i < 5; i++) {
  let t = performance.now();
  const lap = (l) => {
    const n = performance.now();
    console.log(l, (n - t).toFixed(1));
    t = n;
  };
  const r = await store.dequeueRollout({ workerId: "w" });
  lap("dequeue");
  await store.getResourcesById("x").catch(() => {});
  lap("resources");
  await tracer.trace({ rolloutId: r.rollout_id, attemptId: r.attempt.attempt_id }, async () => {
    tracer.createSpan("a");
  });
  lap("trace");
  await addSpansAllocating(store, [{ ...tracer.getLastTrace()[0], span_id: "1234567890abcdef" }]);
  lap("addSpansAllocating");
  await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "succeeded" });
  lap("update");
}
await store.close();
await server.stop();
