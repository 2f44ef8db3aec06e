import { describe, expect } from "vitest";
import type { AttemptPatch, LightningStore } from "../../store.js";
import {
  claimedRollout,
  dequeueOne,
  enqueueId,
  expectAglError,
  expectTime,
  readAttempt,
  readAttempts,
  readRollout,
  readWorker,
  type StoreTest,
} from "../harness.js";
import { makeSpan } from "../make-span.js";

/** A rollout started directly with attempts 1..n (all preparing); returns rollout id and attempt ids. */
async function rolloutWithAttempts(
  store: LightningStore,
  n: number,
): Promise<{ id: string; attempts: string[] }> {
  const started = await store.startRollout({ input: 1 });
  const attempts = [started.attempt.attempt_id];
  for (let i = 1; i < n; i++)
    attempts.push((await store.startAttempt(started.rollout_id)).attempt.attempt_id);
  return { id: started.rollout_id, attempts };
}

/** §6 "update_attempt and propagation" (items 58–73), §2.8, §3.3. */
export function updateAttemptTests(test: StoreTest): void {
  describe("update_attempt and propagation", () => {
    test("#58 running on the latest attempt makes the rollout running", async ({ store }) => {
      const r = await claimedRollout(store);
      const attempt = await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "running" });
      expect(attempt.status).toBe("running");
      expect(attempt.end_time).toBeNull();
      expect(attempt.attempt_id).toBe(r.attempt.attempt_id);
      const rollout = await readRollout(store, r.rollout_id);
      expect(rollout.status).toBe("running");
      expect(rollout.end_time).toBeNull();
    });

    test("#59 succeeded stamps the attempt's end_time and finishes the rollout", async ({ store, clock }) => {
      const r = await claimedRollout(store);
      clock.advance(2);
      const attempt = await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "succeeded" });
      expect(attempt.status).toBe("succeeded");
      expectTime(attempt.end_time, clock.now());
      const rollout = await readRollout(store, r.rollout_id);
      expect(rollout.status).toBe("succeeded");
      expectTime(rollout.end_time, clock.now());
    });

    test("#60 failed with the default config fails the rollout; nothing is requeued", async ({
      store,
      clock,
    }) => {
      const r = await claimedRollout(store);
      clock.advance(1);
      const attempt = await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "failed" });
      expectTime(attempt.end_time, clock.now());
      const rollout = await readRollout(store, r.rollout_id);
      expect(rollout.status).toBe("failed");
      expectTime(rollout.end_time, clock.now());
      expect(await store.dequeueRollout()).toBeNull();
    });

    test("#61 timeout leaves the attempt's end_time null and fails the rollout (default config)", async ({
      store,
    }) => {
      const r = await claimedRollout(store);
      const attempt = await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "timeout" });
      expect(attempt.status).toBe("timeout");
      expect(attempt.end_time).toBeNull();
      const rollout = await readRollout(store, r.rollout_id);
      expect(rollout.status).toBe("failed");
      expect(rollout.end_time).not.toBeNull();
      const unresponsive = await claimedRollout(store);
      const u = await store.updateAttempt(unresponsive.rollout_id, "latest", { status: "unresponsive" });
      expect(u.end_time).toBeNull();
      expect((await readRollout(store, unresponsive.rollout_id)).status).toBe("failed");
    });

    test("#62 failures requeue while attempts remain, then fail the rollout", async ({ store }) => {
      const id = await enqueueId(store, 1, { config: { max_attempts: 3, retry_condition: ["failed"] } });
      for (const seq of [1, 2, 3]) {
        const claimed = await dequeueOne(store);
        expect(claimed.rollout_id).toBe(id);
        expect(claimed.attempt.sequence_id).toBe(seq);
        await store.updateAttempt(id, claimed.attempt.attempt_id, { status: "failed" });
        const rollout = await readRollout(store, id);
        expect(rollout.status).toBe(seq < 3 ? "requeuing" : "failed");
        expect(rollout.end_time === null).toBe(seq < 3);
      }
      expect(await store.dequeueRollout()).toBeNull();
    });

    test("#63 a status outside retry_condition fails the rollout at once", async ({ store }) => {
      const r = await claimedRollout(store, { max_attempts: 3, retry_condition: ["timeout"] });
      await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "failed" });
      expect((await readRollout(store, r.rollout_id)).status).toBe("failed");
      expect(await store.dequeueRollout()).toBeNull();
    });

    test("#64 updates of a non-latest attempt never change the rollout", async ({ store }) => {
      const { id, attempts } = await rolloutWithAttempts(store, 3);
      const [first, , third] = attempts as [string, string, string];
      await store.updateAttempt(id, first, { status: "succeeded" });
      expect((await readRollout(store, id)).status).toBe("preparing");
      expect((await readAttempt(store, id, first)).status).toBe("succeeded");
      await store.updateAttempt(id, first, { status: "failed" });
      expect((await readRollout(store, id)).status).toBe("preparing");
      await store.updateAttempt(id, third, { status: "succeeded" });
      expect((await readRollout(store, id)).status).toBe("succeeded");
    });

    test('#65 attempt id "latest" targets the highest sequence', async ({ store }) => {
      const { id, attempts } = await rolloutWithAttempts(store, 3);
      const updated = await store.updateAttempt(id, "latest", { status: "running" });
      expect(updated.attempt_id).toBe(attempts[2]);
      expect(updated.sequence_id).toBe(3);
      expect((await readAttempts(store, id)).map((a) => a.status)).toEqual([
        "preparing",
        "preparing",
        "running",
      ]);
      expect((await readRollout(store, id)).status).toBe("running");
    });

    test("#66 null for status, worker_id, last_heartbeat_time or metadata is invalid_argument; nothing changes", async ({
      store,
    }) => {
      const r = await claimedRollout(store, null, "w1");
      const beforeAttempts = await readAttempts(store, r.rollout_id);
      const beforeRollout = await readRollout(store, r.rollout_id);
      const beforeWorker = await readWorker(store, "w1");
      for (const field of ["status", "worker_id", "last_heartbeat_time", "metadata"]) {
        await expectAglError(
          store.updateAttempt(r.rollout_id, r.attempt.attempt_id, {
            [field]: null,
          } as unknown as AttemptPatch),
          "invalid_argument",
          field,
        );
      }
      expect(await readAttempts(store, r.rollout_id)).toEqual(beforeAttempts);
      expect(await readRollout(store, r.rollout_id)).toEqual(beforeRollout);
      expect(await readWorker(store, "w1")).toEqual(beforeWorker);
    });

    test("#67 rollout-only statuses (cancelled, queuing, requeuing) are rejected for attempts", async ({
      store,
    }) => {
      const r = await claimedRollout(store);
      for (const status of ["cancelled", "queuing", "requeuing", "bogus"]) {
        await expectAglError(
          store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status } as unknown as AttemptPatch),
          "invalid_argument",
          "status",
        );
      }
      expect((await readAttempts(store, r.rollout_id)).map((a) => a.status)).toEqual(["preparing"]);
      expect((await readRollout(store, r.rollout_id)).status).toBe("preparing");
    });

    test("#68 unknown attempt, rollout without attempts and unknown rollout reject with not_found", async ({
      store,
    }) => {
      const r = await claimedRollout(store);
      await expectAglError(
        store.updateAttempt(r.rollout_id, "at-00000000", { status: "failed" }),
        "not_found",
        "at-00000000",
      );
      const queued = await enqueueId(store, 1);
      await expectAglError(store.updateAttempt(queued, "latest", { status: "failed" }), "not_found", queued);
      await expectAglError(store.updateAttempt(queued, "at-00000000", {}), "not_found", queued);
      await expectAglError(
        store.updateAttempt("ro-000000000000", "latest", { status: "failed" }),
        "not_found",
        "ro-000000000000",
      );
      expect((await readRollout(store, r.rollout_id)).status).toBe("preparing");
      expect((await readRollout(store, queued)).status).toBe("queuing");
    });

    test("#69 worker_id makes the worker busy; succeeded then makes it idle with cleared ids", async ({
      store,
      clock,
    }) => {
      const r = await claimedRollout(store);
      await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { worker_id: "wa" });
      const busy = await readWorker(store, "wa");
      expect(busy.status).toBe("busy");
      expect(busy.current_rollout_id).toBe(r.rollout_id);
      expect(busy.current_attempt_id).toBe(r.attempt.attempt_id);
      expectTime(busy.last_busy_time, clock.now());
      clock.advance(3);
      await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "succeeded" });
      const idle = await readWorker(store, "wa");
      expect(idle.status).toBe("idle");
      expect(idle.current_rollout_id).toBeNull();
      expect(idle.current_attempt_id).toBeNull();
      expectTime(idle.last_idle_time, clock.now());
      expect(idle.last_idle_time as number).toBeGreaterThanOrEqual(idle.last_busy_time as number);
    });

    test('#70 worker_id "" is stored on the attempt but names no worker', async ({ store }) => {
      const r = await claimedRollout(store, null, "w1");
      const attempt = await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { worker_id: "" });
      expect(attempt.worker_id).toBe("");
      await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "running" });
      expect(await store.getWorkerById("")).toBeNull();
      const workers = await store.queryWorkers();
      expect(workers.items.map((w) => w.worker_id)).toEqual(["w1"]);
    });

    test("#71 metadata and last_heartbeat_time are stored verbatim without a status change", async ({
      store,
    }) => {
      const r = await claimedRollout(store);
      const attempt = await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, {
        metadata: { m: 1 },
        last_heartbeat_time: 123.5,
      });
      expect(attempt).toMatchObject({ metadata: { m: 1 }, last_heartbeat_time: 123.5, status: "preparing" });
      expect(await readAttempt(store, r.rollout_id, r.attempt.attempt_id)).toMatchObject({
        metadata: { m: 1 },
        last_heartbeat_time: 123.5,
        status: "preparing",
      });
      expect((await readRollout(store, r.rollout_id)).status).toBe("preparing");
    });

    test("#72 an empty update of the latest attempt re-derives the rollout status", async ({ store }) => {
      const r = await claimedRollout(store);
      await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "running" });
      await store.updateRollout(r.rollout_id, { status: "succeeded" });
      expect((await readRollout(store, r.rollout_id)).status).toBe("succeeded");
      await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, {});
      expect((await readRollout(store, r.rollout_id)).status).toBe("running");
    });

    test("#73 running on the latest attempt revives a failed rollout; end_time stays set", async ({
      store,
      clock,
    }) => {
      const r = await claimedRollout(store);
      await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "failed" });
      const failed = await readRollout(store, r.rollout_id);
      expect(failed.status).toBe("failed");
      clock.advance(5);
      await store.updateAttempt(r.rollout_id, "latest", { status: "running" });
      const revived = await readRollout(store, r.rollout_id);
      expect(revived.status).toBe("running");
      expect(revived.end_time).toBe(failed.end_time);
    });

    test("§2.8 a finished attempt set back to running keeps its old end_time", async ({ store, clock }) => {
      const r = await claimedRollout(store);
      const done = await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "succeeded" });
      clock.advance(5);
      const again = await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "running" });
      expect(again.end_time).toBe(done.end_time);
      clock.advance(5);
      const failed = await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "failed" });
      expectTime(failed.end_time, clock.now());
    });

    test("§2.12 timeout or unresponsive makes the attempt's worker unknown", async ({ store, clock }) => {
      const r = await claimedRollout(store, null, "w1");
      clock.advance(1);
      await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "unresponsive" });
      const worker = await readWorker(store, "w1");
      expect(worker.status).toBe("unknown");
      expect(worker.current_rollout_id).toBeNull();
      expect(worker.current_attempt_id).toBeNull();
      expectTime(worker.last_idle_time, clock.now());
    });

    test("§2.12 reassigning an attempt to another worker updates only the new worker", async ({ store }) => {
      const r = await claimedRollout(store, null, "wA");
      const before = await readWorker(store, "wA");
      await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { worker_id: "wB" });
      expect(await readWorker(store, "wA")).toEqual(before);
      const b = await readWorker(store, "wB");
      expect(b.status).toBe("busy");
      expect(b.current_attempt_id).toBe(r.attempt.attempt_id);
      await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "failed" });
      expect((await readWorker(store, "wB")).status).toBe("idle");
      expect(await readWorker(store, "wA")).toEqual(before);
    });

    test("§2.8 a heartbeat-only or metadata-only update does not touch the attempt's worker", async ({
      store,
      clock,
    }) => {
      const r = await claimedRollout(store, null, "w1");
      const before = await readWorker(store, "w1");
      clock.advance(2);
      await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, {
        metadata: { x: 1 },
        last_heartbeat_time: clock.now(),
      });
      expect(await readWorker(store, "w1")).toEqual(before);
    });

    test("§2.8 propagation with a span-started attempt: failure of the running attempt requeues it", async ({
      store,
    }) => {
      const r = await claimedRollout(store, { max_attempts: 2, retry_condition: ["failed"] });
      await store.addSpan(makeSpan(r.rollout_id, r.attempt.attempt_id, 1));
      expect((await readRollout(store, r.rollout_id)).status).toBe("running");
      await store.updateAttempt(r.rollout_id, "latest", { status: "failed" });
      const rollout = await readRollout(store, r.rollout_id);
      expect(rollout.status).toBe("requeuing");
      expect(rollout.end_time).toBeNull();
      expect((await dequeueOne(store)).attempt.sequence_id).toBe(2);
    });
  });
}
