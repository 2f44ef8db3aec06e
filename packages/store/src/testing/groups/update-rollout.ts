import { describe, expect } from "vitest";
import type { RolloutPatch } from "../../store.js";
import {
  DEFAULT_CONFIG,
  dequeueOne,
  enqueueId,
  expectAglError,
  expectTime,
  readAttempts,
  readRollout,
  readWorker,
  type StoreTest,
} from "../harness.js";

/** §6 "update_rollout" (items 48–57) and §2.7. */
export function updateRolloutTests(test: StoreTest): void {
  describe("update_rollout", () => {
    test("#48 metadata is replaced, not merged; the result carries no attempt", async ({ store }) => {
      const id = await enqueueId(store, { in: 1 }, { metadata: { a: 1, b: 2 }, mode: "train" });
      await dequeueOne(store);
      const before = await readRollout(store, id);
      const updated = await store.updateRollout(id, { metadata: { k: 1 } });
      expect(updated.metadata).toEqual({ k: 1 });
      expect(updated).not.toHaveProperty("attempt");
      const { attempt: _attempt, ...beforeRollout } = before as typeof before & { attempt?: unknown };
      expect(updated).toEqual({ ...beforeRollout, metadata: { k: 1 } });
      expect((await readRollout(store, id)).metadata).toEqual({ k: 1 });
    });

    test("#49 status null or config null is rejected with invalid_argument; the rollout is unchanged", async ({
      store,
    }) => {
      const id = await enqueueId(store, 1, { config: { max_attempts: 2 } });
      const before = await readRollout(store, id);
      await expectAglError(
        store.updateRollout(id, { status: null } as unknown as RolloutPatch),
        "invalid_argument",
        "status",
      );
      await expectAglError(
        store.updateRollout(id, { config: null } as unknown as RolloutPatch),
        "invalid_argument",
        "config",
      );
      await expectAglError(
        store.updateRollout(id, { metadata: { ok: true }, status: null } as unknown as RolloutPatch),
        "invalid_argument",
        "status",
      );
      expect(await readRollout(store, id)).toEqual(before);
    });

    test("#50 mode, input, resources_id and metadata may be set to null", async ({ store }) => {
      const id = await enqueueId(store, { x: 1 }, { mode: "val", resourcesId: "rs-x", metadata: { m: 1 } });
      const updated = await store.updateRollout(id, {
        mode: null,
        input: null,
        resources_id: null,
        metadata: null,
      });
      expect(updated).toMatchObject({ mode: null, input: null, resources_id: null, metadata: null });
      expect(await readRollout(store, id)).toMatchObject({
        mode: null,
        input: null,
        resources_id: null,
        metadata: null,
      });
    });

    test("#51 a finished status stamps end_time, and every such update re-stamps it", async ({
      store,
      clock,
    }) => {
      const id = await enqueueId(store, 1);
      clock.advance(5);
      const first = await store.updateRollout(id, { status: "succeeded" });
      expectTime(first.end_time, clock.now());
      expect(first.end_time as number).toBeGreaterThanOrEqual(first.start_time);
      clock.advance(5);
      const second = await store.updateRollout(id, { status: "succeeded" });
      expectTime(second.end_time, clock.now());
      expect(second.end_time as number).toBeGreaterThan(first.end_time as number);
    });

    test("#52 an invalid status is rejected with invalid_argument; the rollout is unchanged", async ({
      store,
    }) => {
      const id = await enqueueId(store, 1);
      const before = await readRollout(store, id);
      await expectAglError(
        store.updateRollout(id, { status: "bogus" } as unknown as RolloutPatch),
        "invalid_argument",
        "status",
      );
      expect(await readRollout(store, id)).toEqual(before);
    });

    test("#53 updating an unknown rollout rejects with not_found naming the id", async ({ store }) => {
      await expectAglError(
        store.updateRollout("ro-000000000000", { status: "failed" }),
        "not_found",
        "ro-000000000000",
      );
      await expectAglError(store.updateRollout("ro-000000000000", {}), "not_found", "ro-000000000000");
    });

    test("#54 a config replaces the stored config as a whole", async ({ store }) => {
      const id = await enqueueId(store, 1, {
        config: { timeout_seconds: 5, unresponsive_seconds: 2, max_attempts: 2, retry_condition: ["failed"] },
      });
      const updated = await store.updateRollout(id, { config: { max_attempts: 3 } });
      expect(updated.config).toEqual({ ...DEFAULT_CONFIG, max_attempts: 3 });
      expect((await readRollout(store, id)).config).toEqual({ ...DEFAULT_CONFIG, max_attempts: 3 });
    });

    test("#55 an empty patch changes nothing and returns the rollout", async ({ store, clock }) => {
      const id = await enqueueId(store, { x: 1 }, { metadata: { a: 1 } });
      const before = await readRollout(store, id);
      clock.advance(3);
      const updated = await store.updateRollout(id, {});
      expect(updated).toEqual(before);
      expect(await readRollout(store, id)).toEqual(before);
      expect((await dequeueOne(store)).rollout_id).toBe(id);
      expect(await store.dequeueRollout()).toBeNull();
    });

    test("#56 a preparing rollout set to requeuing is dequeued again as attempt 2", async ({ store }) => {
      const id = await enqueueId(store, 1);
      const first = await dequeueOne(store);
      const updated = await store.updateRollout(id, { status: "requeuing" });
      expect(updated.status).toBe("requeuing");
      expect(updated.end_time).toBeNull();
      const again = await dequeueOne(store);
      expect(again.rollout_id).toBe(id);
      expect(again.attempt.sequence_id).toBe(2);
      const attempts = await readAttempts(store, id);
      expect(attempts[0]?.attempt_id).toBe(first.attempt.attempt_id);
      expect(attempts[0]?.status).toBe("preparing");
    });

    test("#57 a still-queued rollout set to requeuing or queuing is dequeued exactly once", async ({
      store,
    }) => {
      const a = await enqueueId(store, "a");
      const b = await enqueueId(store, "b");
      await store.updateRollout(a, { status: "requeuing" });
      await store.updateRollout(b, { status: "queuing" });
      await store.updateRollout(a, { status: "queuing" });
      expect((await dequeueOne(store)).rollout_id).toBe(a);
      expect((await dequeueOne(store)).rollout_id).toBe(b);
      expect(await store.dequeueRollout()).toBeNull();
    });

    test("§2.7 cancelling does not touch attempts or workers", async ({ store }) => {
      const id = await enqueueId(store, 1);
      const claimed = await dequeueOne(store, "w1");
      const cancelled = await store.updateRollout(id, { status: "cancelled" });
      expect(cancelled.status).toBe("cancelled");
      expect(cancelled.end_time).not.toBeNull();
      const attempts = await readAttempts(store, id);
      expect(attempts.map((a) => a.status)).toEqual(["preparing"]);
      expect(attempts[0]?.end_time).toBeNull();
      const worker = await readWorker(store, "w1");
      expect(worker.status).toBe("busy");
      expect(worker.current_attempt_id).toBe(claimed.attempt.attempt_id);
    });

    test("§2.7 a queuing-like status on a rollout out of the queue appends it to the tail", async ({
      store,
    }) => {
      const a = await enqueueId(store, "a");
      await dequeueOne(store);
      const b = await enqueueId(store, "b");
      await store.updateRollout(a, { status: "queuing" });
      expect((await dequeueOne(store)).rollout_id).toBe(b);
      const again = await dequeueOne(store);
      expect(again.rollout_id).toBe(a);
      expect(again.attempt.sequence_id).toBe(2);
      expect(await store.dequeueRollout()).toBeNull();
    });

    test("§2.7 input, mode and resources_id are replaced; other fields are left as they were", async ({
      store,
    }) => {
      const id = await enqueueId(store, { x: 1 }, { metadata: { keep: true } });
      const updated = await store.updateRollout(id, { input: [1, 2], mode: "test", resources_id: "rs-new" });
      expect(updated).toMatchObject({
        input: [1, 2],
        mode: "test",
        resources_id: "rs-new",
        metadata: { keep: true },
        status: "queuing",
        end_time: null,
        config: DEFAULT_CONFIG,
      });
    });
  });
}
