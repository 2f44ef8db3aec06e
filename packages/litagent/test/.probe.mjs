import { LitAgentRunner, rollout } from "@agentlightning/litagent";
import { InMemoryLightningStore, LightningStoreClient } from "@agentlightning/store";
import { LightningStoreServer } from "@agentlightning/store/server";
import { OtelTracer } from "@agentlightning/tracer";

const mode = process.argv[2] ?? "memory";
const conc = Number(process.argv[3] ?? 8);
const n = Number(process.argv[4] ?? 200);
const backing = new InMemoryLightningStore();
let store = backing,
  server;
if (mode === "http") {
  server = new LightningStoreServer({ store: backing, port: 0 });
  await server.start();
  store = new LightningStoreClient({ url: server.url });
}
const tracer = new OtelTracer();
const agent = rollout(async (task) => {
  await tracer.operation("work", { task }, async () => {
    tracer.createSpan("tool", { task });
  });
  return 1;
});
await backing.enqueueManyRollouts(Array.from({ length: n }, (_, i) => ({ input: i })));
const runner = new LitAgentRunner({ tracer, concurrency: conc, maxRollouts: n, heartbeatInterval: 0 });
const t0 = performance.now();
await runner.runContext({ agent, store }, () => runner.iter());
const s = (performance.now() - t0) / 1000;
console.log(mode, conc, n, (n / s).toFixed(1), "rollouts/s");
if (server) {
  await store.close();
  await server.stop();
}
