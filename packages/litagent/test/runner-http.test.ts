// The runner against a live store server through LightningStoreClient (the way runners on other
// machines run): rollouts, spans and rewards over HTTP, and a client closed under a running runner.
import { InMemoryLightningStore, LightningStoreClient } from "@agentlightning/store";
import { LightningStoreServer } from "@agentlightning/store/server";
import { OtelTracer } from "@agentlightning/tracer";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ExecutionEvent } from "../src/execution-event.js";
import { rollout } from "../src/functional-agent.js";
import { LitAgentRunner } from "../src/runner/lit-agent-runner.js";
import { RecordingLogger } from "./support/recording-logger.js";
import { sleep, waitUntil } from "./support/stores.js";

let backing: InMemoryLightningStore;
let server: LightningStoreServer;
let client: LightningStoreClient;
let logger: RecordingLogger;

beforeEach(async () => {
  backing = new InMemoryLightningStore({ scanDebounceSeconds: 0 });
  server = new LightningStoreServer({ store: backing, port: 0 });
  await server.start();
  client = new LightningStoreClient({ url: server.url, retryDelays: [] });
  logger = new RecordingLogger();
});
afterEach(async () => {
  await client.close();
  await server.stop();
  await backing.close();
});

describe("LitAgentRunner over HTTP", () => {
  it("runs queued rollouts concurrently; spans and rewards reach the store", async () => {
    const tracer = new OtelTracer();
    const agent = rollout(async (task: number) => {
      await tracer.operation("work", { task }, async () => {
        tracer.createSpan("tool", { task });
      });
      return task % 2;
    });
    const runner = new LitAgentRunner({
      tracer,
      concurrency: 8,
      maxRollouts: 40,
      heartbeatInterval: 0,
      logger,
    });
    await backing.enqueueManyRollouts(Array.from({ length: 40 }, (_, i) => ({ input: i })));
    await expect(runner.runContext({ agent, store: client }, () => runner.iter())).resolves.toBe(40);
    for (const r of (await backing.queryRollouts()).items) {
      expect(r.status).toBe("succeeded");
      const spans = (await backing.querySpans({ rolloutId: r.rollout_id })).items;
      expect(spans.map((s) => s.name).sort()).toEqual(["agentlightning.annotation", "tool", "work"]);
      const reward = spans.find((s) => s.name === "agentlightning.annotation");
      expect(reward?.attributes["agentlightning.reward.0.value"]).toBe((r.input as number) % 2);
    }
  });

  it("a client closed under the runner stops it: iter resolves, the running rollout's report failure is logged", async () => {
    let started = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const agent = rollout(async () => {
      started++;
      await gate;
      return 1;
    });
    const runner = new LitAgentRunner({
      tracer: new OtelTracer(),
      concurrency: 4,
      heartbeatInterval: 0,
      logger,
    });
    await backing.enqueueRollout({ input: 0 });
    const iterating = runner.runContext({ agent, store: client }, () =>
      runner.iter({ event: new ExecutionEvent() }),
    );
    await waitUntil(() => started === 1);
    await sleep(50); // let the idle slots reach the store and wait
    await client.close();
    release();
    await expect(iterating).resolves.toBe(1);
    expect(logger.has("info", "The store was closed; stopping")).toBe(true);
    expect(logger.has("error", "Could not set the attempt's final status")).toBe(true);
    // The claim stays with the store's watchdog and lease: the attempt was never reported.
    const [only] = (await backing.queryRollouts()).items;
    expect(only?.status).not.toBe("succeeded");
  });
});
