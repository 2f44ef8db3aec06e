import { AglError, type Span } from "@agentlightning/types";
import { afterEach, describe, expect, it } from "vitest";
import { LightningStoreClient } from "../client/store-client.js";
import { LightningStoreServer } from "../http/server.js";
import { expectRejection } from "../testing/harness.js";
import { makeSpan } from "../testing/make-span.js";
import { TestClock } from "../testing/test-clock.js";
import { InMemoryLightningStore, type InMemoryLightningStoreSettings } from "./memory-store.js";

// Span eviction of the in-memory store (docs/store-contract.md §2.16), through the store interface.

/** A span of about 4 KB, so that the entry overhead is small beside it and sizes are stable. */
function bigSpan(rolloutId: string, attemptId: string, sequenceId: number): Span {
  return makeSpan(rolloutId, attemptId, sequenceId, { attributes: { payload: "x".repeat(4000) } });
}

/** Estimated bytes of one `bigSpan`, as the store counts them. */
async function spanSize(): Promise<number> {
  const store = new InMemoryLightningStore({ spanMemoryBudgetBytes: null });
  const started = await store.startRollout({ input: "measure" });
  await store.addSpan(bigSpan(started.rollout_id, started.attempt.attempt_id, 1));
  const stats = await store.statistics();
  return stats.total_span_bytes as number;
}

async function storeWithRoomFor(
  spans: number,
  safeSpans: number,
  extra: InMemoryLightningStoreSettings = {},
) {
  const size = await spanSize();
  const clock = new TestClock(1_000);
  const store = new InMemoryLightningStore({
    now: () => clock.now(),
    scanDebounceSeconds: 0,
    spanMemoryBudgetBytes: Math.floor(spans * size),
    spanMemorySafeBytes: Math.floor(safeSpans * size),
    ...extra,
  });
  return { store, clock, size };
}

async function gone(promise: Promise<unknown>): Promise<void> {
  const error = await expectRejection(promise);
  expect(error.code).toBe("gone");
}

describe("span eviction", () => {
  it("evicts the finished rollout with the oldest start_time first, down to the safe level", async () => {
    const { store, clock, size } = await storeWithRoomFor(4.5, 4.2);
    const r1 = await store.startRollout({ input: 1 });
    clock.advance(1);
    const r2 = await store.startRollout({ input: 2 });
    // r2's span is stored before r1's: the order is by start_time, not by first span.
    await store.addSpan(bigSpan(r2.rollout_id, r2.attempt.attempt_id, 1));
    await store.addSpan(bigSpan(r1.rollout_id, r1.attempt.attempt_id, 1));
    await store.updateAttempt(r1.rollout_id, "latest", { status: "succeeded" });
    await store.updateAttempt(r2.rollout_id, "latest", { status: "succeeded" });
    clock.advance(1);
    const running = await store.startRollout({ input: 3 });
    await store.addSpan(bigSpan(running.rollout_id, running.attempt.attempt_id, 1));
    await store.addSpan(bigSpan(running.rollout_id, running.attempt.attempt_id, 2));
    expect((await store.statistics()).total_spans).toBe(4);

    // A fifth span crosses 4.5 spans: r1 goes, which brings the total to 4 ≤ 4.2.
    await store.addSpan(bigSpan(running.rollout_id, running.attempt.attempt_id, 3));
    await gone(store.querySpans({ rolloutId: r1.rollout_id }));
    await gone(store.querySpans({ rolloutId: r1.rollout_id, attemptId: "latest" }));
    expect((await store.querySpans({ rolloutId: r2.rollout_id })).total).toBe(1);
    expect((await store.querySpans({ rolloutId: running.rollout_id })).total).toBe(3);
    const stats = await store.statistics();
    expect(stats.total_spans).toBe(4);
    expect(stats.total_span_bytes).toBe(4 * size);
    expect(stats.eviction_threshold_bytes).toBe(Math.floor(4.5 * size));
    expect(stats.safe_threshold_bytes).toBe(Math.floor(4.2 * size));
    // Only the spans went: the rollout and its attempt are still there.
    expect((await store.getRolloutById(r1.rollout_id))?.status).toBe("succeeded");
    expect((await store.queryAttempts(r1.rollout_id)).total).toBe(1);
  });

  it("never evicts the spans of queued or running rollouts, which keep working", async () => {
    const { store } = await storeWithRoomFor(2.5, 1.5);
    // A rollout that failed once and waits in the queue for its retry, with the first attempt's span.
    const retried = await store.startRollout({
      input: "retry",
      config: { max_attempts: 2, retry_condition: ["failed"] },
    });
    await store.addSpan(bigSpan(retried.rollout_id, retried.attempt.attempt_id, 1));
    await store.updateAttempt(retried.rollout_id, "latest", { status: "failed" });
    expect((await store.getRolloutById(retried.rollout_id))?.status).toBe("requeuing");
    const running = await store.startRollout({ input: "run" });
    for (let n = 1; n <= 4; n++)
      await store.addSpan(bigSpan(running.rollout_id, running.attempt.attempt_id, n));

    // Over the budget, but nothing is finished: everything is kept and readable.
    const stats = await store.statistics();
    expect(stats.total_spans).toBe(5);
    expect(stats.total_span_bytes as number).toBeGreaterThan(stats.eviction_threshold_bytes as number);
    expect((await store.querySpans({ rolloutId: retried.rollout_id })).total).toBe(1);
    expect((await store.querySpans({ rolloutId: running.rollout_id })).total).toBe(4);

    // Their lifecycle is untouched: the queued one is dequeued, spans heartbeat, completion works.
    const claimed = await store.dequeueRollout({ workerId: "w1" });
    expect(claimed?.rollout_id).toBe(retried.rollout_id);
    await store.addSpan(bigSpan(retried.rollout_id, claimed!.attempt.attempt_id, 2));
    expect((await store.getRolloutById(retried.rollout_id))?.status).toBe("running");
    await store.updateAttempt(running.rollout_id, "latest", { status: "succeeded" });

    // Once finished, the running one is the oldest finished rollout and its spans go next.
    await store.updateAttempt(retried.rollout_id, "latest", { status: "succeeded" });
    const late = await store.startRollout({ input: "late" });
    await store.addSpan(bigSpan(late.rollout_id, late.attempt.attempt_id, 1));
    // Both are finished now and both must go to get down to the safe level; `late` runs and stays.
    await gone(store.querySpans({ rolloutId: retried.rollout_id }));
    await gone(store.querySpans({ rolloutId: running.rollout_id }));
    expect((await store.querySpans({ rolloutId: late.rollout_id })).total).toBe(1);
    expect((await store.statistics()).total_spans).toBe(1);
  });

  it("accepts later spans of an evicted rollout without keeping them", async () => {
    const { store, size } = await storeWithRoomFor(1.5, 0.5);
    const old = await store.startRollout({ input: "old" });
    await store.addSpan(bigSpan(old.rollout_id, old.attempt.attempt_id, 1));
    await store.updateAttempt(old.rollout_id, "latest", { status: "succeeded" });
    const next = await store.startRollout({ input: "next" });
    await store.addSpan(bigSpan(next.rollout_id, next.attempt.attempt_id, 1));
    await gone(store.querySpans({ rolloutId: old.rollout_id }));

    // Revived and run again: the new attempt's spans heartbeat as usual but are not stored.
    await store.updateRollout(old.rollout_id, { status: "queuing" });
    const again = await store.dequeueRollout();
    expect(again?.rollout_id).toBe(old.rollout_id);
    const late = bigSpan(old.rollout_id, again!.attempt.attempt_id, 2);
    expect((await store.addSpan(late))?.span_id).toBe(late.span_id);
    expect((await store.getLatestAttempt(old.rollout_id))?.status).toBe("running");
    expect(await store.addManySpans([bigSpan(old.rollout_id, again!.attempt.attempt_id, 3)])).toHaveLength(1);
    await gone(store.querySpans({ rolloutId: old.rollout_id }));
    const stats = await store.statistics();
    // Only `next` is held: it runs, so the total stays above the safe level.
    expect(stats.total_spans).toBe(1);
    expect(stats.total_span_bytes).toBe(size);
  });

  it("evicts after addManySpans too, and never on a store without a budget", async () => {
    const bounded = await storeWithRoomFor(2.5, 1.5);
    const unbounded = new InMemoryLightningStore({ spanMemoryBudgetBytes: null });
    for (const store of [bounded.store, unbounded]) {
      const done = await store.startRollout({ input: "done" });
      await store.addManySpans([1, 2].map((n) => bigSpan(done.rollout_id, done.attempt.attempt_id, n)));
      await store.updateAttempt(done.rollout_id, "latest", { status: "succeeded" });
      const active = await store.startRollout({ input: "active" });
      await store.addManySpans([1, 2].map((n) => bigSpan(active.rollout_id, active.attempt.attempt_id, n)));
    }
    expect((await bounded.store.statistics()).total_spans).toBe(2);
    const stats = await unbounded.statistics();
    expect(stats.total_spans).toBe(4);
    expect(stats.eviction_threshold_bytes).toBeNull();
    expect(stats.safe_threshold_bytes).toBeNull();
  });

  it("defaults to half the memory capacity, with the safe level at 80 % of it", async () => {
    const store = new InMemoryLightningStore({ memoryCapacityBytes: 10_000_000 });
    const stats = await store.statistics();
    expect(stats.memory_capacity_bytes).toBe(10_000_000);
    expect(stats.eviction_threshold_bytes).toBe(5_000_000);
    expect(stats.safe_threshold_bytes).toBe(4_000_000);
    expect(stats.total_span_bytes).toBe(0);
    // Without a given capacity, the detected one is bounded by the V8 heap limit.
    const detected = await new InMemoryLightningStore().statistics();
    expect(detected.memory_capacity_bytes as number).toBeGreaterThan(0);
    expect(detected.eviction_threshold_bytes).toBe(
      Math.floor((detected.memory_capacity_bytes as number) / 2),
    );
  });

  it("refuses budgets that are not whole byte counts or a safe level at or above the budget", () => {
    const bad: InMemoryLightningStoreSettings[] = [
      { spanMemoryBudgetBytes: 0 },
      { spanMemoryBudgetBytes: 1.5 },
      { spanMemoryBudgetBytes: 1000, spanMemorySafeBytes: 1000 },
      { spanMemoryBudgetBytes: 1000, spanMemorySafeBytes: -1 },
      { spanMemoryBudgetBytes: null, spanMemorySafeBytes: 10 },
      { memoryCapacityBytes: 0 },
    ];
    for (const settings of bad) {
      let caught: unknown;
      try {
        new InMemoryLightningStore(settings);
      } catch (error) {
        caught = error;
      }
      expect(AglError.isInstance(caught) && caught.code, JSON.stringify(settings)).toBe("invalid_argument");
    }
  });
});

describe("span eviction over HTTP", () => {
  const servers: LightningStoreServer[] = [];
  afterEach(async () => {
    while (servers.length > 0) await servers.pop()?.stop({ graceMs: 500 });
  });

  it("answers 410 RuntimeError for the spans of an evicted rollout, and the client raises gone", async () => {
    const { store } = await storeWithRoomFor(1.5, 0.5);
    const server = new LightningStoreServer({ store, port: 0 });
    await server.start();
    servers.push(server);
    const client = new LightningStoreClient({ url: server.url, retryDelays: [] });
    const old = await client.startRollout({ input: "old" });
    await client.addSpan(bigSpan(old.rollout_id, old.attempt.attempt_id, 1));
    await client.updateAttempt(old.rollout_id, "latest", { status: "succeeded" });
    const next = await client.startRollout({ input: "next" });
    await client.addSpan(bigSpan(next.rollout_id, next.attempt.attempt_id, 1));

    const res = await fetch(`${server.url}/v1/agl/spans?rollout_id=${old.rollout_id}`);
    expect(res.status).toBe(410);
    expect(await res.json()).toEqual({
      detail: `Spans for rollout ${old.rollout_id} have been evicted`,
      error_type: "RuntimeError",
    });
    await gone(client.querySpans({ rolloutId: old.rollout_id }));
    expect((await client.querySpans({ rolloutId: next.rollout_id })).total).toBe(1);
    const stats = await client.statistics();
    expect(stats.total_spans).toBe(1);
    expect(typeof stats.total_span_bytes).toBe("number");
    await client.close();
  });
});
