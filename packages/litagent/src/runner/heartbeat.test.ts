// Worker heartbeats (runtime contract §7.7, checklist #129-#131) against a real in-memory store.
import { InMemoryLightningStore } from "@agentlightning/store";
import { OtelTracer } from "@agentlightning/tracer";
import type { JsonObject, Worker } from "@agentlightning/types";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RecordingLogger } from "../../test/support/recording-logger.js";
import { sleep, waitUntil } from "../../test/support/stores.js";
import { ExecutionEvent } from "../execution-event.js";
import { rollout } from "../functional-agent.js";
import { emitHeartbeat, type HeartbeatOptions, startHeartbeatLoop } from "./heartbeat.js";
import { LitAgentRunner } from "./lit-agent-runner.js";
import { systemSnapshot } from "./system-snapshot.js";

let store: InMemoryLightningStore;
let logger: RecordingLogger;
beforeEach(() => {
  store = new InMemoryLightningStore();
  logger = new RecordingLogger();
});
afterEach(async () => {
  await store.close();
});

const SNAPSHOT: JsonObject = { host: "test", cpu_usage_pct: 1 };

function options(overrides: Partial<HeartbeatOptions> = {}): HeartbeatOptions {
  return {
    store,
    workerIds: () => ["Worker-0"],
    interval: 0.05,
    jitter: 0,
    includeGpu: false,
    snapshot: () => SNAPSHOT,
    logger,
    ...overrides,
  };
}

/** The in-memory store with a slow updateWorker (the real one, called after `ms`). */
class SlowHeartbeatStore extends InMemoryLightningStore {
  constructor(private readonly ms: number) {
    super();
  }
  override async updateWorker(id: string, opts?: { heartbeatStats?: JsonObject }): Promise<Worker> {
    await sleep(this.ms);
    return super.updateWorker(id, opts);
  }
}

describe("heartbeats (runtime checklist #129-#131)", () => {
  it("#129 a beat updates the worker: heartbeat_stats = the snapshot, a last_heartbeat_time; the GPU flag reaches the snapshot", async () => {
    const flags: boolean[] = [];
    const ok = await emitHeartbeat(
      options({
        includeGpu: true,
        snapshot: (gpu) => {
          flags.push(gpu);
          return SNAPSHOT;
        },
      }),
    );
    expect(ok).toBe(1);
    expect(flags).toEqual([true]);
    const worker = await store.getWorkerById("Worker-0");
    expect(worker?.heartbeat_stats).toEqual(SNAPSHOT);
    expect(worker?.last_heartbeat_time).toEqual(expect.any(Number));
  });

  it("#130 a snapshot slower than the interval: no update; an updateWorker slower than it: skipped", async () => {
    await emitHeartbeat(options({ interval: 0.02, snapshot: () => sleep(200).then(() => SNAPSHOT) }));
    expect(await store.getWorkerById("Worker-0")).toBeNull();
    expect(logger.has("warn", "snapshot took longer")).toBe(true);

    const slow = new SlowHeartbeatStore(200);
    await expect(emitHeartbeat(options({ store: slow, interval: 0.02 }))).resolves.toBe(0);
    expect(logger.has("warn", "updateWorker took longer")).toBe(true);
    await slow.close();
  });

  it("#131 the loop beats within two intervals and never after stop(); interval 0 or no worker id: no loop", async () => {
    const stop = startHeartbeatLoop(options());
    expect(stop).not.toBeNull();
    await waitUntil(async () => (await store.getWorkerById("Worker-0")) !== null);
    await stop?.();
    const last = (await store.getWorkerById("Worker-0"))?.last_heartbeat_time;
    await sleep(150);
    expect((await store.getWorkerById("Worker-0"))?.last_heartbeat_time).toBe(last);

    expect(startHeartbeatLoop(options({ interval: 0 }))).toBeNull();
    expect(startHeartbeatLoop(options({ workerIds: () => [] }))).toBeNull();
    expect(logger.has("warn", "Cannot start heartbeat loop without worker_id")).toBe(true);
  });

  it("#131 a failing beat is logged and the loop goes on", async () => {
    let calls = 0;
    const stop = startHeartbeatLoop(
      options({
        snapshot: () => {
          calls++;
          if (calls === 1) throw new Error("no snapshot");
          return SNAPSHOT;
        },
      }),
    );
    await waitUntil(async () => (await store.getWorkerById("Worker-0")) !== null);
    await stop?.();
    expect(logger.has("error", "system snapshot failed")).toBe(true);
    expect(calls).toBeGreaterThanOrEqual(2);
  });

  it("a beat for hundreds of slots under a stop signal adds one abort listener, not one per update", async () => {
    const warn = vi.spyOn(process, "emitWarning");
    const controller = new AbortController();
    const ids = Array.from({ length: 64 }, (_, i) => `Worker-0-${i}`);
    try {
      for (let beat = 0; beat < 12; beat++) {
        await emitHeartbeat(options({ workerIds: () => ids, signal: controller.signal }));
      }
      expect(
        warn.mock.calls.filter(
          (c) => String(c[0]).includes("MaxListeners") || String(c[1]).includes("MaxListeners"),
        ),
      ).toEqual([]);
    } finally {
      warn.mockRestore();
    }
    expect((await store.queryWorkers()).total).toBe(64);
  });

  it("a runner beats for each slot's worker id while it iterates", async () => {
    const runner = new LitAgentRunner({
      tracer: new OtelTracer(),
      concurrency: 3,
      heartbeatInterval: 0.05,
      intervalJitter: 0,
      systemSnapshot: () => SNAPSHOT,
    });
    await runner.runContext({ agent: rollout(() => 1), store }, async () => {
      const event = new ExecutionEvent();
      const iterating = runner.iter({ event });
      await waitUntil(async () =>
        (await store.queryWorkers()).items.every((w) => w.heartbeat_stats !== null),
      );
      event.set();
      await iterating;
    });
    const workers = (await store.queryWorkers()).items;
    expect(workers.map((w) => w.worker_id).sort()).toEqual(["Worker-0-0", "Worker-0-1", "Worker-0-2"]);
    expect(workers.every((w) => w.last_heartbeat_time !== null)).toBe(true);
  });

  it("the default snapshot has the keys of the Python runner that Node can supply", async () => {
    const snapshot = await systemSnapshot(true);
    for (const key of [
      "timestamp",
      "host",
      "os",
      "cpu_name",
      "cpu_cores",
      "cpu_threads",
      "cpu_usage_pct",
      "mem_used_gb",
      "mem_total_gb",
      "mem_pct",
      "gpus",
    ]) {
      expect(snapshot).toHaveProperty(key);
    }
    expect(snapshot.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect("gpus" in (await systemSnapshot(false))).toBe(false);
  });
});
