import { describe, expect } from "vitest";
import {
  claimedRollout,
  counts,
  enqueueId,
  msSince,
  readRollout,
  type StoreTest,
  sleep,
} from "../harness.js";

/**
 * §6 "wait_for_rollouts" (items 91–96) and §2.10. Waits run on real time (the store clock is fake
 * and frozen), with the spec's scenarios shrunk; bounds are generous (< 1 s where the spec says
 * 0.2 s).
 */
export function waitTests(test: StoreTest): void {
  describe("wait_for_rollouts", () => {
    test("#91 an already finished rollout is returned at once, without an attempt", async ({ store }) => {
      const r = await claimedRollout(store);
      await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "succeeded" });
      const start = performance.now();
      const done = await store.waitForRollouts([r.rollout_id], { timeout: 5 });
      expect(msSince(start)).toBeLessThan(1000);
      expect(done).toHaveLength(1);
      expect(done[0]?.rollout_id).toBe(r.rollout_id);
      expect(done[0]?.status).toBe("succeeded");
      expect(done[0]).not.toHaveProperty("attempt");
    });

    test("#92 timeout 0 (or negative) on an unfinished rollout returns [] at once", async ({ store }) => {
      const id = await enqueueId(store, 1);
      const start = performance.now();
      expect(await store.waitForRollouts([id], { timeout: 0 })).toEqual([]);
      expect(await store.waitForRollouts([id], { timeout: -1 })).toEqual([]);
      expect(msSince(start)).toBeLessThan(1000);
    });

    test("#93 a pending wait is released promptly when another call finishes the rollout", async ({
      store,
    }) => {
      const id = await enqueueId(store, 1);
      const start = performance.now();
      const waiting = store.waitForRollouts([id], { timeout: 5 });
      await sleep(100);
      await store.updateRollout(id, { status: "failed" });
      const done = await waiting;
      expect(msSince(start)).toBeLessThan(2000);
      expect(done.map((r) => [r.rollout_id, r.status])).toEqual([[id, "failed"]]);
      expect(done[0]).not.toHaveProperty("attempt");
    });

    test("#93 a wait is also released by attempt propagation", async ({ store }) => {
      const r = await claimedRollout(store);
      const start = performance.now();
      const waiting = store.waitForRollouts([r.rollout_id], { timeout: 5 });
      await sleep(50);
      await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "succeeded" });
      const done = await waiting;
      expect(msSince(start)).toBeLessThan(2000);
      expect(done.map((x) => x.status)).toEqual(["succeeded"]);
    });

    test("#94 with only some rollouts finished, the wait runs to its timeout and returns those", async ({
      store,
    }) => {
      const ids = [await enqueueId(store, 1), await enqueueId(store, 2), await enqueueId(store, 3)];
      const start = performance.now();
      const waiting = store.waitForRollouts(ids, { timeout: 0.6 });
      await sleep(100);
      await store.updateRollout(ids[1] as string, { status: "succeeded" });
      const done = await waiting;
      const elapsed = msSince(start);
      expect(done.map((r) => r.rollout_id)).toEqual([ids[1]]);
      // It must keep waiting for the other two until the timeout, not return at the first finish.
      expect(elapsed).toBeGreaterThanOrEqual(450);
      expect(elapsed).toBeLessThan(3000);
    });

    test("#95 unknown ids are ignored; [] returns []; results follow the requested order", async ({
      store,
    }) => {
      const a = await enqueueId(store, "a");
      const b = await enqueueId(store, "b");
      await store.updateRollout(b, { status: "cancelled" });
      await store.updateRollout(a, { status: "succeeded" });
      const start = performance.now();
      expect(await store.waitForRollouts([], { timeout: 5 })).toEqual([]);
      const done = await store.waitForRollouts(["ro-000000000000", b, a, b], { timeout: 5 });
      expect(msSince(start)).toBeLessThan(1000);
      expect(done.map((r) => r.rollout_id)).toEqual([b, a, b]);
      expect(done.map((r) => r.status)).toEqual(["cancelled", "succeeded", "cancelled"]);
      expect(await store.waitForRollouts(["ro-000000000000"], { timeout: 5 })).toEqual([]);
    });

    test("#96 other operations answer promptly while a wait is pending", async ({ store }) => {
      const id = await enqueueId(store, 1);
      const waiting = store.waitForRollouts([id], { timeout: 3 });
      await sleep(20);
      const start = performance.now();
      const other = await store.enqueueRollout({ input: 2 });
      await store.statistics();
      await store.getRolloutById(other.rollout_id);
      expect(msSince(start)).toBeLessThan(1000);
      await store.updateRollout(id, { status: "succeeded" });
      expect((await waiting).map((r) => r.rollout_id)).toEqual([id]);
    });

    test("§2.10 a wait without timeout returns once every rollout has finished", async ({ store }) => {
      const a = await enqueueId(store, "a");
      const b = await enqueueId(store, "b");
      let settled = false;
      const waiting = store.waitForRollouts([a, b], { timeout: null }).then((rs) => {
        settled = true;
        return rs;
      });
      await sleep(50);
      await store.updateRollout(a, { status: "succeeded" });
      await sleep(100);
      expect(settled).toBe(false);
      await store.updateRollout(b, { status: "failed" });
      const done = await waiting;
      expect(done.map((r) => r.rollout_id)).toEqual([a, b]);
    });

    test("§2.10 a wait changes no state", async ({ store }) => {
      const id = await enqueueId(store, 1);
      const before = await readRollout(store, id);
      const countsBefore = await counts(store);
      expect(await store.waitForRollouts([id], { timeout: 0.05 })).toEqual([]);
      expect(await readRollout(store, id)).toEqual(before);
      expect(await counts(store)).toEqual(countsBefore);
    });
  });
}
