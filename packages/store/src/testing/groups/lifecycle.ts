import { describe, expect } from "vitest";
import {
  attempted,
  claimedRollout,
  dequeueOne,
  enqueueId,
  expectTime,
  readAttempt,
  readAttempts,
  readRollout,
  readWorker,
  type StoreTest,
  withoutAttempt,
} from "../harness.js";
import { makeSpan } from "../make-span.js";

/** §3.5 (the worked retry timeline) and §3.7 (late data, non-sticky finished states), end to end. */
export function lifecycleTests(test: StoreTest): void {
  describe("§3.5 worked retry timeline", () => {
    test("§3.5 failed → requeued, timeout → requeued, failed on the last attempt → failed", async ({
      store,
      clock,
    }) => {
      // 1. enqueue
      const enqueuedAt = clock.now();
      const id = await enqueueId(
        store,
        { task: "timeline" },
        {
          config: { max_attempts: 3, retry_condition: ["failed", "timeout"], timeout_seconds: 10 },
        },
      );
      expect((await readRollout(store, id)).status).toBe("queuing");
      // 2. dequeue(w1)
      const first = await dequeueOne(store, "w1");
      expect(first.rollout_id).toBe(id);
      expect([first.status, first.attempt.status, first.attempt.sequence_id]).toEqual([
        "preparing",
        "preparing",
        1,
      ]);
      // 3. span
      clock.advance(1);
      await store.addSpan(makeSpan(id, first.attempt.attempt_id, 1));
      expect((await readAttempt(store, id, first.attempt.attempt_id)).status).toBe("running");
      expect((await readRollout(store, id)).status).toBe("running");
      // 4. update_attempt #1 failed
      clock.advance(1);
      const failed1 = await store.updateAttempt(id, first.attempt.attempt_id, { status: "failed" });
      expectTime(failed1.end_time, clock.now());
      const afterFail = await readRollout(store, id);
      expect(afterFail.status).toBe("requeuing");
      expect(afterFail.end_time).toBeNull();
      expect((await readWorker(store, "w1")).status).toBe("idle");
      // 5. dequeue(w2)
      clock.advance(1);
      const second = await dequeueOne(store, "w2");
      expect([second.rollout_id, second.status, second.attempt.sequence_id]).toEqual([id, "preparing", 2]);
      // 6. watchdog: now − #2.start_time > timeout_seconds
      clock.advance(10.5);
      const afterTimeout = attempted(await store.getRolloutById(id));
      expect(afterTimeout.status).toBe("requeuing");
      expect(afterTimeout.attempt.attempt_id).toBe(second.attempt.attempt_id);
      expect(afterTimeout.attempt.status).toBe("timeout");
      expect(afterTimeout.attempt.end_time).toBeNull();
      expect((await readWorker(store, "w2")).status).toBe("unknown");
      // 7. dequeue(w3)
      const third = await dequeueOne(store, "w3");
      expect([third.rollout_id, third.status, third.attempt.sequence_id]).toEqual([id, "preparing", 3]);
      // 8. update_attempt #3 failed: 3 is not < 3, so the rollout fails
      clock.advance(1);
      await store.updateAttempt(id, third.attempt.attempt_id, { status: "failed" });
      const final = await readRollout(store, id);
      expect(final.status).toBe("failed");
      expectTime(final.end_time, clock.now());
      // 9. dequeue: no attempt #4
      expect(await store.dequeueRollout()).toBeNull();
      const attempts = await readAttempts(store, id);
      expect(attempts.map((a) => [a.sequence_id, a.status, a.worker_id])).toEqual([
        [1, "failed", "w1"],
        [2, "timeout", "w2"],
        [3, "failed", "w3"],
      ]);
      expect(attempts.map((a) => a.end_time === null)).toEqual([false, true, false]);
      // start_time is set once at enqueue and never reset by retries.
      expectTime(final.start_time, enqueuedAt);
    });
  });

  describe("§3.7 late data and non-sticky finished states", () => {
    for (const status of ["succeeded", "failed", "timeout"] as const) {
      test(`§3.7 a span for a ${status} attempt is stored and refreshes the heartbeat only`, async ({
        store,
        clock,
      }) => {
        const r = await claimedRollout(store);
        await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status });
        const rolloutBefore = await readRollout(store, r.rollout_id);
        const attemptBefore = await readAttempt(store, r.rollout_id, r.attempt.attempt_id);
        clock.advance(3);
        expect(await store.addSpan(makeSpan(r.rollout_id, r.attempt.attempt_id, 1))).not.toBeNull();
        const attemptAfter = await readAttempt(store, r.rollout_id, r.attempt.attempt_id);
        expect(attemptAfter).toEqual({
          ...attemptBefore,
          last_heartbeat_time: attemptAfter.last_heartbeat_time,
        });
        expectTime(attemptAfter.last_heartbeat_time, clock.now());
        expect(withoutAttempt(await readRollout(store, r.rollout_id))).toEqual(withoutAttempt(rolloutBefore));
        expect((await store.querySpans({ rolloutId: r.rollout_id })).total).toBe(1);
      });
    }

    for (const status of ["cancelled", "succeeded", "failed"] as const) {
      test(`§3.7 a span for a ${status} rollout is stored; the rollout is unchanged`, async ({ store }) => {
        const r = await claimedRollout(store);
        await store.updateRollout(r.rollout_id, { status });
        const before = await readRollout(store, r.rollout_id);
        expect(await store.addSpan(makeSpan(r.rollout_id, r.attempt.attempt_id, 1))).not.toBeNull();
        const after = await readRollout(store, r.rollout_id);
        expect(withoutAttempt(after)).toEqual(withoutAttempt(before));
        expect(after.status).toBe(status);
        expect((await store.querySpans({ rolloutId: r.rollout_id })).total).toBe(1);
      });
    }

    test("§3.7 update_attempt(succeeded) on the latest attempt of a cancelled rollout finishes it", async ({
      store,
    }) => {
      const r = await claimedRollout(store);
      await store.updateRollout(r.rollout_id, { status: "cancelled" });
      await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "succeeded" });
      expect((await readRollout(store, r.rollout_id)).status).toBe("succeeded");
    });

    test("§3.7 update_rollout(queuing/requeuing) re-enqueues a finished rollout; end_time is kept", async ({
      store,
      clock,
    }) => {
      for (const status of ["queuing", "requeuing"] as const) {
        const r = await claimedRollout(store);
        await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "failed" });
        const failed = await readRollout(store, r.rollout_id);
        clock.advance(2);
        const requeued = await store.updateRollout(r.rollout_id, { status });
        expect(requeued.status).toBe(status);
        expect(requeued.end_time).toBe(failed.end_time);
        const again = await dequeueOne(store);
        expect(again.rollout_id).toBe(r.rollout_id);
        expect(again.attempt.sequence_id).toBe(2);
        expect(again.end_time).toBe(failed.end_time);
        expect(await store.dequeueRollout()).toBeNull();
      }
    });

    test("§3.7 start_attempt on a finished rollout makes it preparing and keeps end_time", async ({
      store,
      clock,
    }) => {
      const r = await claimedRollout(store);
      await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "succeeded" });
      const done = await readRollout(store, r.rollout_id);
      clock.advance(2);
      const retried = await store.startAttempt(r.rollout_id);
      expect(retried.status).toBe("preparing");
      expect(retried.attempt.sequence_id).toBe(2);
      expect(retried.end_time).toBe(done.end_time);
      expect((await readRollout(store, r.rollout_id)).end_time).toBe(done.end_time);
    });

    test("§3.7 a span revives an unresponsive attempt whose rollout failed; the rollout stays failed", async ({
      store,
      clock,
    }) => {
      const r = await claimedRollout(store, { unresponsive_seconds: 5 });
      await store.addSpan(makeSpan(r.rollout_id, r.attempt.attempt_id, 1));
      clock.advance(5.5);
      expect((await store.getLatestAttempt(r.rollout_id))?.status).toBe("unresponsive");
      const failed = await readRollout(store, r.rollout_id);
      expect(failed.status).toBe("failed");
      clock.advance(1);
      await store.addSpan(makeSpan(r.rollout_id, r.attempt.attempt_id, 2));
      const revived = await readAttempt(store, r.rollout_id, r.attempt.attempt_id);
      expect(revived.status).toBe("running");
      expectTime(revived.last_heartbeat_time, clock.now());
      expect(withoutAttempt(await readRollout(store, r.rollout_id))).toEqual(withoutAttempt(failed));
    });

    test("§3.4 invariant: a rollout's end_time stays non-null once it has finished", async ({
      store,
      clock,
    }) => {
      const r = await claimedRollout(store);
      await store.updateRollout(r.rollout_id, { status: "cancelled" });
      const cancelled = await readRollout(store, r.rollout_id);
      expect(cancelled.end_time).not.toBeNull();
      clock.advance(1);
      await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "running" });
      await store.updateRollout(r.rollout_id, { status: "preparing" });
      await store.startAttempt(r.rollout_id);
      const revived = await readRollout(store, r.rollout_id);
      expect(revived.status).toBe("preparing");
      expect(revived.end_time).toBe(cancelled.end_time);
    });
  });
}
