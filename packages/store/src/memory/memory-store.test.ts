import { describe, expect, it } from "vitest";
import { InMemoryLightningStore } from "./memory-store.js";

// What only the in-memory store promises. The contract itself (every rule, on every backend) is
// the conformance suite in src/testing, run on this store by test/conformance-memory.test.ts.

describe("InMemoryLightningStore identity", () => {
  it("reports its name and capabilities", async () => {
    const store = new InMemoryLightningStore();
    expect((await store.statistics()).name).toBe("InMemoryLightningStore");
    expect(store.capabilities).toEqual({
      thread_safe: false,
      async_safe: true,
      zero_copy: false,
      otlp_traces: false,
    });
  });
});

describe("InMemoryLightningStore waits", () => {
  it("ends a wait early when its signal aborts, with what is finished", async () => {
    const store = new InMemoryLightningStore();
    const a = await store.enqueueRollout({ input: "a" });
    const b = await store.enqueueRollout({ input: "b" });
    await store.updateRollout(b.rollout_id, { status: "succeeded" });
    const controller = new AbortController();
    // A timeout no test reaches: only the abort can end this wait.
    const waiting = store.waitForRollouts([a.rollout_id, b.rollout_id], {
      timeout: 3_600,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 10);
    expect((await waiting).map((r) => r.rollout_id)).toEqual([b.rollout_id]);
    const already = await store.waitForRollouts([a.rollout_id], { timeout: null, signal: controller.signal });
    expect(already).toEqual([]);
  });

  it("releases pending waits on close() (idempotent); later waits return at once", async () => {
    const store = new InMemoryLightningStore();
    const a = await store.enqueueRollout({ input: "a" });
    const waiting = store.waitForRollouts([a.rollout_id], { timeout: null });
    await store.close();
    await store.close();
    expect(await waiting).toEqual([]);
    expect(await store.waitForRollouts([a.rollout_id])).toEqual([]);
  });
});

describe("InMemoryLightningStore dequeue", () => {
  it("a multi-claim of limit 0 by an idle worker only stamps its last_dequeue_time", async () => {
    let t = 1_000;
    const store = new InMemoryLightningStore({ now: () => t, scanDebounceSeconds: 0 });
    expect(await store.dequeueRollout({ workerId: "w" })).toBeNull();
    const idle = await store.getWorkerById("w");
    t += 1;
    expect(await store.dequeueManyRollouts({ limit: 0, workerId: "w" })).toEqual([]);
    const again = await store.getWorkerById("w");
    expect(again?.status).toBe("idle");
    expect(again?.last_idle_time).toBe(idle?.last_idle_time);
    expect(again?.last_dequeue_time).toBe(t);
  });
});
