import type { Span } from "@agentlightning/types";
import { describe, expect, it } from "vitest";
import { expectRejection } from "../testing/harness.js";
import { makeSpan } from "../testing/make-span.js";
import { InMemoryLightningStore } from "./memory-store.js";

/** A controllable clock in float seconds. */
function fakeClock(start = 1_000) {
  let t = start;
  return {
    now: () => t,
    advance: (seconds: number) => {
      t += seconds;
    },
  };
}

const span = makeSpan;

const rejection = expectRejection;

describe("retry timeline (docs/store-contract.md §3.5)", () => {
  it("requeues on failed and timeout while attempts remain, then fails", async () => {
    const clock = fakeClock();
    const store = new InMemoryLightningStore({ now: clock.now, scanDebounceSeconds: 0 });
    const config = { max_attempts: 3, retry_condition: ["failed", "timeout"] as const, timeout_seconds: 60 };
    const [queued] = await store.enqueueManyRollouts([
      { input: "task", config: { ...config, retry_condition: [...config.retry_condition] } },
    ]);
    const id = queued!.rollout_id;
    expect(queued!.status).toBe("queuing");

    // 2: dequeue(w1)
    const first = (await store.dequeueRollout({ workerId: "w1" }))!;
    expect(first.status).toBe("preparing");
    expect(first.attempt.sequence_id).toBe(1);
    // 3: span → running
    clock.advance(1);
    await store.addSpan(span(id, first.attempt.attempt_id, 1));
    expect((await store.getRolloutById(id))!.status).toBe("running");
    // 4: attempt #1 failed → requeuing, re-queued
    clock.advance(1);
    const failed = await store.updateAttempt(id, first.attempt.attempt_id, { status: "failed" });
    expect(failed.end_time).toBe(clock.now());
    expect((await store.getRolloutById(id))!.status).toBe("requeuing");
    expect((await store.getWorkerById("w1"))!.status).toBe("idle");

    // 5: dequeue(w2)
    clock.advance(1);
    const second = (await store.dequeueRollout({ workerId: "w2" }))!;
    expect(second.rollout_id).toBe(id);
    expect(second.attempt.sequence_id).toBe(2);
    expect(second.attempt.start_time).toBe(clock.now());
    // 6: watchdog: now − #2.start_time > timeout_seconds (strictly)
    clock.advance(60);
    expect((await store.getLatestAttempt(id))!.status).toBe("preparing");
    clock.advance(0.5);
    const afterTimeout = (await store.getRolloutById(id))!;
    expect(afterTimeout.status).toBe("requeuing");
    expect("attempt" in afterTimeout && afterTimeout.attempt.status).toBe("timeout");
    expect("attempt" in afterTimeout && afterTimeout.attempt.end_time).toBeNull();
    const w2 = (await store.getWorkerById("w2"))!;
    expect(w2.status).toBe("unknown");
    expect(w2.current_rollout_id).toBeNull();

    // 7: dequeue(w3); 8: attempt #3 failed → failed (3 ≮ 3)
    const third = (await store.dequeueRollout({ workerId: "w3" }))!;
    expect(third.attempt.sequence_id).toBe(3);
    clock.advance(1);
    await store.updateAttempt(id, "latest", { status: "failed" });
    const done = (await store.getRolloutById(id))!;
    expect(done.status).toBe("failed");
    expect(done.end_time).toBe(clock.now());
    // start_time is not reset by retries
    expect(done.start_time).toBe(queued!.start_time);

    // 9: no attempt #4
    expect(await store.dequeueManyRollouts({ limit: 5 })).toEqual([]);
    expect((await store.queryAttempts(id)).items.map((a) => a.status)).toEqual([
      "failed",
      "timeout",
      "failed",
    ]);
  });
});

describe("health scan", () => {
  it("marks a never-heartbeating attempt unresponsive from its start, strictly after the limit", async () => {
    const clock = fakeClock();
    const store = new InMemoryLightningStore({ now: clock.now, scanDebounceSeconds: 0 });
    const started = await store.startRollout({
      input: 1,
      config: { unresponsive_seconds: 5 },
      workerId: "w",
    });
    clock.advance(5);
    expect((await store.getLatestAttempt(started.rollout_id))!.status).toBe("preparing");
    clock.advance(0.001);
    const attempt = (await store.getLatestAttempt(started.rollout_id))!;
    expect(attempt.status).toBe("unresponsive");
    expect(attempt.end_time).toBeNull();
    const rollout = (await store.getRolloutById(started.rollout_id))!;
    expect(rollout.status).toBe("failed");
    expect(rollout.end_time).toBe(clock.now());
    expect((await store.getWorkerById("w"))!.status).toBe("unknown");
  });

  it("counts liveness from the last heartbeat once spans arrive", async () => {
    const clock = fakeClock();
    const store = new InMemoryLightningStore({ now: clock.now, scanDebounceSeconds: 0 });
    const started = await store.startRollout({ input: 1, config: { unresponsive_seconds: 5 } });
    const attemptId = started.attempt.attempt_id;
    for (let n = 1; n <= 5; n++) {
      clock.advance(4);
      await store.addSpan(span(started.rollout_id, attemptId, n));
      expect((await store.getRolloutById(started.rollout_id))!.status).toBe("running");
    }
    clock.advance(5.5);
    expect((await store.getLatestAttempt(started.rollout_id))!.status).toBe("unresponsive");
    // Revival: a late span brings the attempt back, but the failed rollout stays failed.
    await store.addSpan(span(started.rollout_id, attemptId, 6));
    expect((await store.getLatestAttempt(started.rollout_id))!.status).toBe("running");
    expect((await store.getRolloutById(started.rollout_id))!.status).toBe("failed");
  });

  it("never judges queued rollouts and respects the debounce window", async () => {
    const clock = fakeClock();
    const store = new InMemoryLightningStore({ now: clock.now, scanDebounceSeconds: 10 });
    const queued = await store.enqueueRollout({ input: 1, config: { timeout_seconds: 0.1 } });
    const running = await store.startRollout({ input: 2, config: { timeout_seconds: 1 } });
    clock.advance(2);
    // The first scan ran at enqueue (t = 1000); the window stays closed until t = 1010.
    expect((await store.getLatestAttempt(running.rollout_id))!.status).toBe("preparing");
    clock.advance(8);
    expect((await store.getLatestAttempt(running.rollout_id))!.status).toBe("timeout");
    expect((await store.getRolloutById(queued.rollout_id))!.status).toBe("queuing");
  });

  it("does not scan on statistics, addSpan, resources or worker reads", async () => {
    const clock = fakeClock();
    const store = new InMemoryLightningStore({ now: clock.now, scanDebounceSeconds: 0 });
    const started = await store.startRollout({ input: 1, config: { timeout_seconds: 1 }, workerId: "w" });
    clock.advance(2);
    await store.statistics();
    await store.addSpan(span(started.rollout_id, started.attempt.attempt_id, 1));
    await store.addResources({});
    await store.queryResources();
    await store.updateWorker("w");
    // A scan would have marked the attempt timed out and the worker unknown.
    expect((await store.getWorkerById("w"))!.status).toBe("busy");
    expect((await store.getLatestAttempt(started.rollout_id))!.status).toBe("timeout");
    expect((await store.getWorkerById("w"))!.status).toBe("unknown");
  });
});

describe("propagation", () => {
  it("changes the rollout only for the latest attempt", async () => {
    const store = new InMemoryLightningStore({ scanDebounceSeconds: 0 });
    const started = await store.startRollout({ input: 1 });
    const id = started.rollout_id;
    await store.startAttempt(id);
    const third = await store.startAttempt(id);
    expect(third.attempt.sequence_id).toBe(3);

    const old = await store.updateAttempt(id, started.attempt.attempt_id, { status: "succeeded" });
    expect(old.end_time).not.toBeNull();
    expect((await store.getRolloutById(id))!.status).toBe("preparing");

    await store.updateAttempt(id, "latest", { status: "running" });
    expect((await store.getRolloutById(id))!.status).toBe("running");
    await store.updateAttempt(id, third.attempt.attempt_id, { status: "succeeded" });
    const rollout = (await store.getRolloutById(id))!;
    expect(rollout.status).toBe("succeeded");
    expect(rollout.end_time).not.toBeNull();
  });

  it("re-derives on every update of the latest attempt and finished states are not sticky", async () => {
    const store = new InMemoryLightningStore({ scanDebounceSeconds: 0 });
    const started = await store.startRollout({ input: 1 });
    const id = started.rollout_id;
    await store.updateAttempt(id, "latest", { status: "running" });
    await store.updateRollout(id, { status: "succeeded" });
    const endTime = (await store.getRolloutById(id))!.end_time;
    expect(endTime).not.toBeNull();
    // No status in the patch, yet the rollout is re-derived from the running attempt.
    await store.updateAttempt(id, "latest", { metadata: { note: 1 } });
    const rollout = (await store.getRolloutById(id))!;
    expect(rollout.status).toBe("running");
    expect(rollout.end_time).toBe(endTime);
  });

  it("uses the attempt's sequence id against max_attempts and the retry condition", async () => {
    const store = new InMemoryLightningStore({ scanDebounceSeconds: 0 });
    const [r] = await store.enqueueManyRollouts([
      { input: 1, config: { max_attempts: 3, retry_condition: ["timeout"] } },
    ]);
    await store.dequeueRollout();
    await store.updateAttempt(r!.rollout_id, "latest", { status: "failed" });
    expect((await store.getRolloutById(r!.rollout_id))!.status).toBe("failed");
  });

  it("syncs the worker on status updates and on a named worker", async () => {
    const store = new InMemoryLightningStore({ scanDebounceSeconds: 0 });
    const started = await store.startRollout({ input: 1 });
    await store.updateAttempt(started.rollout_id, "latest", { worker_id: "wa" });
    const busy = (await store.getWorkerById("wa"))!;
    expect(busy.status).toBe("busy");
    expect(busy.current_attempt_id).toBe(started.attempt.attempt_id);
    await store.updateAttempt(started.rollout_id, "latest", { status: "succeeded" });
    const idle = (await store.getWorkerById("wa"))!;
    expect(idle.status).toBe("idle");
    expect(idle.current_rollout_id).toBeNull();
    await store.updateAttempt(started.rollout_id, "latest", { worker_id: "" });
    expect((await store.queryWorkers()).items.map((w) => w.worker_id)).toEqual(["wa"]);
  });
});

describe("quirks", () => {
  it("B4: a span on the latest attempt does not promote a queuing rollout", async () => {
    const store = new InMemoryLightningStore({ scanDebounceSeconds: 0 });
    const started = await store.startRollout({ input: 1 });
    await store.updateRollout(started.rollout_id, { status: "queuing" });
    await store.addSpan(span(started.rollout_id, started.attempt.attempt_id, 1));
    expect((await store.getLatestAttempt(started.rollout_id))!.status).toBe("running");
    expect((await store.getRolloutById(started.rollout_id))!.status).toBe("queuing");
  });

  it("B4 counterpart: a span revives a requeuing rollout and leaves a stale queue entry", async () => {
    const store = new InMemoryLightningStore({ scanDebounceSeconds: 0 });
    const [r] = await store.enqueueManyRollouts([
      { input: 1, config: { max_attempts: 2, retry_condition: ["unresponsive"] } },
    ]);
    const claimed = (await store.dequeueRollout())!;
    await store.updateAttempt(r!.rollout_id, "latest", { status: "unresponsive" });
    expect((await store.getRolloutById(r!.rollout_id))!.status).toBe("requeuing");
    await store.addSpan(span(r!.rollout_id, claimed.attempt.attempt_id, 1));
    expect((await store.getRolloutById(r!.rollout_id))!.status).toBe("running");
    expect(await store.dequeueRollout()).toBeNull();
  });

  it("B5: an empty dequeue marks the worker idle but keeps its current ids", async () => {
    const clock = fakeClock();
    const store = new InMemoryLightningStore({ now: clock.now, scanDebounceSeconds: 0 });
    await store.enqueueRollout({ input: 1 });
    const claimed = (await store.dequeueRollout({ workerId: "w" }))!;
    clock.advance(1);
    expect(await store.dequeueRollout({ workerId: "w" })).toBeNull();
    const worker = (await store.getWorkerById("w"))!;
    expect(worker.status).toBe("idle");
    expect(worker.current_rollout_id).toBe(claimed.rollout_id);
    expect(worker.current_attempt_id).toBe(claimed.attempt.attempt_id);
    expect(worker.last_idle_time).toBe(clock.now());
    clock.advance(1);
    await store.dequeueManyRollouts({ limit: 0, workerId: "w" });
    const again = (await store.getWorkerById("w"))!;
    expect(again.last_idle_time).toBe(clock.now() - 1);
    expect(again.last_dequeue_time).toBe(clock.now());
  });

  it("B3: `or` without optional conditions finds no span; `and` finds all", async () => {
    const store = new InMemoryLightningStore();
    const started = await store.startRollout({ input: 1 });
    await store.addSpan(span(started.rollout_id, started.attempt.attempt_id, 1));
    expect((await store.querySpans({ rolloutId: started.rollout_id, filterLogic: "or" })).total).toBe(0);
    expect((await store.querySpans({ rolloutId: started.rollout_id, filterLogic: "and" })).total).toBe(1);
    expect((await store.querySpans({ rolloutId: "ro-000000000000" })).items).toEqual([]);
    expect((await store.querySpans({ rolloutId: started.rollout_id, attemptId: "at-nope" })).total).toBe(0);
  });
});

describe("waitForRollouts", () => {
  it("wakes within milliseconds when another call finishes a rollout", async () => {
    const store = new InMemoryLightningStore();
    const a = await store.startRollout({ input: "a" });
    const b = await store.enqueueRollout({ input: "b" });
    const waiting = store.waitForRollouts([a.rollout_id, "ro-unknown", a.rollout_id, b.rollout_id], {
      timeout: 30,
    });
    await store.updateAttempt(a.rollout_id, "latest", { status: "succeeded" });
    setTimeout(() => void store.updateRollout(b.rollout_id, { status: "cancelled" }), 20);
    const startedAt = performance.now();
    const result = await waiting;
    const elapsed = performance.now() - startedAt;
    expect(result.map((r) => r.rollout_id)).toEqual([a.rollout_id, a.rollout_id, b.rollout_id]);
    expect(result.every((r) => !("attempt" in r))).toBe(true);
    // Generous bound: event-driven wake-up, nowhere near the 30 s timeout.
    expect(elapsed).toBeLessThan(2_000);
  });

  it("returns at once for timeout <= 0 and after the timeout with the finished subset", async () => {
    const store = new InMemoryLightningStore();
    const a = await store.enqueueRollout({ input: "a" });
    const b = await store.enqueueRollout({ input: "b" });
    await store.updateRollout(b.rollout_id, { status: "failed" });
    expect((await store.waitForRollouts([a.rollout_id], { timeout: 0 })).length).toBe(0);
    const result = await store.waitForRollouts([a.rollout_id, b.rollout_id], { timeout: 0.05 });
    expect(result.map((r) => r.rollout_id)).toEqual([b.rollout_id]);
  });

  it("ends early when the signal aborts", async () => {
    const store = new InMemoryLightningStore();
    const a = await store.enqueueRollout({ input: "a" });
    const b = await store.enqueueRollout({ input: "b" });
    await store.updateRollout(b.rollout_id, { status: "succeeded" });
    const controller = new AbortController();
    const waiting = store.waitForRollouts([a.rollout_id, b.rollout_id], {
      timeout: 30,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 10);
    expect((await waiting).map((r) => r.rollout_id)).toEqual([b.rollout_id]);
    const already = await store.waitForRollouts([a.rollout_id], { timeout: null, signal: controller.signal });
    expect(already).toEqual([]);
  });

  it("is released by close() and returns at once afterwards", async () => {
    const store = new InMemoryLightningStore();
    const a = await store.enqueueRollout({ input: "a" });
    const waiting = store.waitForRollouts([a.rollout_id], { timeout: null });
    await store.close();
    await store.close();
    expect(await waiting).toEqual([]);
    expect(await store.waitForRollouts([a.rollout_id])).toEqual([]);
  });
});

describe("queue", () => {
  it("hands each of 1,000 rollouts to exactly one of 64 concurrent dequeuers", async () => {
    const store = new InMemoryLightningStore({ scanDebounceSeconds: 0 });
    const queued = await store.enqueueManyRollouts(Array.from({ length: 1_000 }, (_, i) => ({ input: i })));
    const seen: string[] = [];
    await Promise.all(
      Array.from({ length: 64 }, async (_, worker) => {
        for (;;) {
          const claimed = await store.dequeueRollout({ workerId: `w${worker}` });
          if (claimed === null) return;
          seen.push(claimed.rollout_id);
          await new Promise((resolve) => setImmediate(resolve));
        }
      }),
    );
    expect(seen.length).toBe(1_000);
    expect(new Set(seen).size).toBe(1_000);
    expect(new Set(seen)).toEqual(new Set(queued.map((r) => r.rollout_id)));
    expect((await store.statistics()).total_attempts).toBe(1_000);
  });

  it("keeps FIFO order and never duplicates a queue entry", async () => {
    const store = new InMemoryLightningStore({ scanDebounceSeconds: 0 });
    const [a, b, c] = await store.enqueueManyRollouts([{ input: "a" }, { input: "b" }, { input: "c" }]);
    await store.updateRollout(a!.rollout_id, { status: "requeuing" });
    await store.updateRollout(b!.rollout_id, { status: "cancelled" });
    const claimed = await store.dequeueManyRollouts({ limit: 10 });
    expect(claimed.map((r) => r.rollout_id)).toEqual([a!.rollout_id, c!.rollout_id]);
    expect(await store.dequeueRollout()).toBeNull();
  });

  it("validates a whole batch before storing any of it", async () => {
    const store = new InMemoryLightningStore();
    const bad = [{ input: 1 }, { mode: "prod" } as never, { input: 3 }];
    const error = await rejection(store.enqueueManyRollouts(bad));
    expect(error.code).toBe("invalid_argument");
    expect((await store.statistics()).total_rollouts).toBe(0);
  });
});

describe("queries", () => {
  it("sorts stably in both directions", async () => {
    const store = new InMemoryLightningStore();
    const rollouts = await store.enqueueManyRollouts([
      { input: 0, mode: "train" },
      { input: 1, mode: null },
      { input: 2, mode: "train" },
      { input: 3, mode: "val" },
      { input: 4, mode: null },
    ]);
    const ids = rollouts.map((r) => r.rollout_id);
    const asc = await store.queryRollouts({ sortBy: "mode", sortOrder: "asc" });
    expect(asc.items.map((r) => r.rollout_id)).toEqual([ids[1], ids[4], ids[0], ids[2], ids[3]]);
    const desc = await store.queryRollouts({ sortBy: "mode", sortOrder: "desc" });
    expect(desc.items.map((r) => r.rollout_id)).toEqual([ids[3], ids[0], ids[2], ids[1], ids[4]]);
    const page = await store.queryRollouts({ sortBy: "mode", sortOrder: "desc", limit: 2, offset: 1 });
    expect(page).toMatchObject({ limit: 2, offset: 1, total: 5 });
    expect(page.items.map((r) => r.rollout_id)).toEqual([ids[0], ids[2]]);
  });

  it("orders spans by sequence id with ties in insertion order", async () => {
    const store = new InMemoryLightningStore();
    const started = await store.startRollout({ input: 1 });
    const { rollout_id: r, attempt } = started;
    await store.addSpan(span(r, attempt.attempt_id, 3));
    await store.addSpan(span(r, attempt.attempt_id, 1));
    await store.addSpan(span(r, attempt.attempt_id, 2, { span_id: "b".repeat(16) }));
    await store.addSpan(span(r, attempt.attempt_id, 2));
    const desc = await store.querySpans({ rolloutId: r, sortOrder: "desc" });
    expect(desc.items.map((s) => [s.sequence_id, s.span_id[0]])).toEqual([
      [3, "0"],
      [2, "b"],
      [2, "0"],
      [1, "0"],
    ]);
  });

  it("rejects bad sort fields and pages before changing anything", async () => {
    const clock = fakeClock();
    const store = new InMemoryLightningStore({ now: clock.now, scanDebounceSeconds: 0 });
    const started = await store.startRollout({ input: 1, config: { timeout_seconds: 1 }, workerId: "w" });
    clock.advance(2);
    expect((await rejection(store.queryRollouts({ sortBy: "nonexistent_field" }))).message).toMatch(
      /^Invalid sort_by: nonexistent_field, allowed fields are: rollout_id, input, start_time/,
    );
    expect((await rejection(store.queryRollouts({ sortBy: "metadata" }))).code).toBe("invalid_argument");
    expect((await rejection(store.queryRollouts({ limit: -2 }))).code).toBe("invalid_argument");
    expect((await rejection(store.queryWorkers({ offset: -1 }))).code).toBe("invalid_argument");
    expect(
      (await rejection(store.updateRollout(started.rollout_id, { status: "bogus" } as never))).code,
    ).toBe("invalid_argument");
    // None of the failed calls ran the scan (it would have made the worker unknown).
    expect((await store.getWorkerById("w"))!.status).toBe("busy");
    expect((await store.getLatestAttempt(started.rollout_id))!.status).toBe("timeout");
  });
});

describe("updates", () => {
  it("refuses null status/config and keeps absent fields", async () => {
    const store = new InMemoryLightningStore();
    const r = await store.enqueueRollout({ input: { a: 1 }, mode: "train", metadata: { k: 1 } });
    const error = await rejection(store.updateRollout(r.rollout_id, { status: null } as never));
    expect(error.code).toBe("invalid_argument");
    expect(error.message).toBe("status is invalid; it cannot be a null value.");
    expect((await rejection(store.updateRollout(r.rollout_id, { config: null } as never))).message).toMatch(
      /^config is invalid; it cannot be a null value\./,
    );
    const updated = await store.updateRollout(r.rollout_id, { mode: null, config: { max_attempts: 3 } });
    expect(updated).toMatchObject({ mode: null, input: { a: 1 }, metadata: { k: 1 }, status: "queuing" });
    expect(updated.config).toEqual({
      timeout_seconds: null,
      unresponsive_seconds: null,
      max_attempts: 3,
      retry_condition: [],
    });
    expect((await rejection(store.updateRollout("ro-000000000000", {}))).code).toBe("not_found");
  });

  it("returns copies that cannot change stored state", async () => {
    const store = new InMemoryLightningStore();
    const input = { nested: { x: 1 } };
    const r = await store.enqueueRollout({ input, metadata: { tags: ["a"] } });
    input.nested.x = 2;
    (r.input as { nested: { x: number } }).nested.x = 3;
    r.metadata!.tags = ["changed"];
    r.config.retry_condition.push("failed");
    const stored = (await store.getRolloutById(r.rollout_id))!;
    expect(stored.input).toEqual({ nested: { x: 1 } });
    expect(stored.metadata).toEqual({ tags: ["a"] });
    expect(stored.config.retry_condition).toEqual([]);
  });
});

describe("spans", () => {
  it("returns null for a duplicate and keeps per-rollout sequence counters", async () => {
    const store = new InMemoryLightningStore();
    const started = await store.startRollout({ input: 1 });
    const { rollout_id: r, attempt } = started;
    expect(await store.getNextSpanSequenceId(r, attempt.attempt_id)).toBe(1);
    const stored = await store.addSpan(
      span(r, attempt.attempt_id, 100, { custom: { x: 1 } } as Partial<Span>),
    );
    expect(stored).toMatchObject({ custom: { x: 1 } });
    expect(await store.addSpan(span(r, attempt.attempt_id, 100))).toBeNull();
    expect(await store.getNextSpanSequenceId(r, "any")).toBe(101);
    expect(
      await store.getManySpanSequenceIds([
        [r, "a"],
        ["ro-x", "b"],
        [r, "c"],
      ]),
    ).toEqual([102, 1, 103]);
    expect((await store.statistics()).total_spans).toBe(1);
  });

  it("addManySpans stores nothing when any group's attempt is unknown", async () => {
    const store = new InMemoryLightningStore();
    const started = await store.startRollout({ input: 1 });
    const { rollout_id: r, attempt } = started;
    const batch = [span(r, attempt.attempt_id, 1), span(r, "at-00000000", 2), span(r, attempt.attempt_id, 3)];
    const error = await rejection(store.addManySpans(batch));
    expect(error.code).toBe("not_found");
    expect((await store.statistics()).total_spans).toBe(0);
    expect((await store.getLatestAttempt(r))!.status).toBe("preparing");
    expect(await store.getNextSpanSequenceId(r, attempt.attempt_id)).toBe(1);

    const invalid = [
      span(r, attempt.attempt_id, 1),
      { ...span(r, attempt.attempt_id, 2), parent_id: undefined },
    ];
    expect((await rejection(store.addManySpans(invalid as Span[]))).code).toBe("invalid_argument");
    expect((await store.statistics()).total_spans).toBe(0);
  });

  it("addManySpans groups by attempt, skips duplicates and heartbeats once per group", async () => {
    const store = new InMemoryLightningStore();
    const first = await store.startRollout({ input: 1 });
    const second = await store.startAttempt(first.rollout_id);
    const r = first.rollout_id;
    const a1 = first.attempt.attempt_id;
    const a2 = second.attempt.attempt_id;
    const stored = await store.addManySpans([span(r, a1, 1), span(r, a2, 1), span(r, a1, 1), span(r, a1, 2)]);
    expect(stored.map((s) => [s.attempt_id, s.sequence_id])).toEqual([
      [a1, 1],
      [a1, 2],
      [a2, 1],
    ]);
    const attempts = (await store.queryAttempts(r)).items;
    expect(attempts.map((a) => a.status)).toEqual(["running", "running"]);
    expect((await store.getRolloutById(r))!.status).toBe("running");
  });
});
