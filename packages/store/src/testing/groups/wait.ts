import type { Rollout } from "@agentlightning/types";
import { describe, expect } from "vitest";
import type { LightningStore } from "../../store.js";
import { claimedRollout, counts, enqueueId, readRollout, type StoreTest, sleep } from "../harness.js";

/**
 * A wait whose timeout no test reaches: if it ends, something else ended it. An implementation
 * that only returns at its timeout hangs the test until vitest's limit, which fails it.
 */
const NEVER_REACHED_SECONDS = 3_600;

/** A wait plus a flag that tells whether it has settled yet. */
function pendingWait(
  store: LightningStore,
  ids: string[],
  timeout: number | null,
): { result: Promise<Rollout[]>; settled: () => boolean } {
  let settled = false;
  const result = store.waitForRollouts(ids, { timeout }).finally(() => {
    settled = true;
  });
  return { result, settled: () => settled };
}

/**
 * §6 "wait_for_rollouts" (items 91–96) and §2.10. Waits run on real time (the store clock is fake
 * and frozen). Tests assert what a wait returns and in which order things happen, never how long
 * it took: a wait that must end early gets a timeout no test reaches.
 */
export function waitTests(test: StoreTest): void {
  describe("wait_for_rollouts", () => {
    test("#91 an already finished rollout is returned at once, without an attempt", async ({ store }) => {
      const r = await claimedRollout(store);
      await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "succeeded" });
      const done = await store.waitForRollouts([r.rollout_id], { timeout: NEVER_REACHED_SECONDS });
      expect(done).toHaveLength(1);
      expect(done[0]?.rollout_id).toBe(r.rollout_id);
      expect(done[0]?.status).toBe("succeeded");
      expect(done[0]).not.toHaveProperty("attempt");
    });

    test("#92 timeout 0 (or negative) on an unfinished rollout returns [] at once", async ({ store }) => {
      const id = await enqueueId(store, 1);
      expect(await store.waitForRollouts([id], { timeout: 0 })).toEqual([]);
      expect(await store.waitForRollouts([id], { timeout: -1 })).toEqual([]);
    });

    test("#93 a pending wait is released promptly when another call finishes the rollout", async ({
      store,
    }) => {
      const id = await enqueueId(store, 1);
      const waiting = pendingWait(store, [id], NEVER_REACHED_SECONDS);
      await sleep(100);
      expect(waiting.settled()).toBe(false);
      await store.updateRollout(id, { status: "failed" });
      const done = await waiting.result;
      expect(done.map((r) => [r.rollout_id, r.status])).toEqual([[id, "failed"]]);
      expect(done[0]).not.toHaveProperty("attempt");
    });

    test("#93 a wait is also released by attempt propagation", async ({ store }) => {
      const r = await claimedRollout(store);
      const waiting = pendingWait(store, [r.rollout_id], NEVER_REACHED_SECONDS);
      await sleep(50);
      expect(waiting.settled()).toBe(false);
      await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "succeeded" });
      const done = await waiting.result;
      expect(done.map((x) => x.status)).toEqual(["succeeded"]);
    });

    test("#94 with only some rollouts finished, the wait runs to its timeout and returns those", async ({
      store,
    }) => {
      const ids = [await enqueueId(store, 1), await enqueueId(store, 2), await enqueueId(store, 3)];
      // Not released by the first finish: it waits for every rollout...
      const waiting = pendingWait(store, ids, NEVER_REACHED_SECONDS);
      await sleep(50);
      await store.updateRollout(ids[1] as string, { status: "succeeded" });
      await store.statistics();
      expect(waiting.settled()).toBe(false);
      await store.updateRollout(ids[0] as string, { status: "failed" });
      await store.updateRollout(ids[2] as string, { status: "cancelled" });
      expect((await waiting.result).map((r) => r.rollout_id)).toEqual(ids);
      // ...or for its timeout, and then returns the finished ones only.
      const more = [await enqueueId(store, 4), await enqueueId(store, 5)];
      await store.updateRollout(more[1] as string, { status: "succeeded" });
      const partial = await store.waitForRollouts(more, { timeout: 0.2 });
      expect(partial.map((r) => r.rollout_id)).toEqual([more[1]]);
    });

    test("#95 unknown ids are ignored; [] returns []; results follow the requested order", async ({
      store,
    }) => {
      const a = await enqueueId(store, "a");
      const b = await enqueueId(store, "b");
      await store.updateRollout(b, { status: "cancelled" });
      await store.updateRollout(a, { status: "succeeded" });
      expect(await store.waitForRollouts([], { timeout: NEVER_REACHED_SECONDS })).toEqual([]);
      const done = await store.waitForRollouts(["ro-000000000000", b, a, b], {
        timeout: NEVER_REACHED_SECONDS,
      });
      expect(done.map((r) => r.rollout_id)).toEqual([b, a, b]);
      expect(done.map((r) => r.status)).toEqual(["cancelled", "succeeded", "cancelled"]);
      expect(await store.waitForRollouts(["ro-000000000000"], { timeout: NEVER_REACHED_SECONDS })).toEqual(
        [],
      );
    });

    test("#96 other operations answer promptly while a wait is pending", async ({ store }) => {
      const id = await enqueueId(store, 1);
      const waiting = pendingWait(store, [id], NEVER_REACHED_SECONDS);
      await sleep(20);
      const other = await store.enqueueRollout({ input: 2 });
      await store.statistics();
      expect(await store.getRolloutById(other.rollout_id)).toMatchObject({ status: "queuing" });
      // All three answered while the wait was still pending.
      expect(waiting.settled()).toBe(false);
      await store.updateRollout(id, { status: "succeeded" });
      expect((await waiting.result).map((r) => r.rollout_id)).toEqual([id]);
    });

    test("§2.10 a wait without timeout returns once every rollout has finished", async ({ store }) => {
      const a = await enqueueId(store, "a");
      const b = await enqueueId(store, "b");
      const waiting = pendingWait(store, [a, b], null);
      await sleep(50);
      await store.updateRollout(a, { status: "succeeded" });
      await sleep(100);
      expect(waiting.settled()).toBe(false);
      await store.updateRollout(b, { status: "failed" });
      const done = await waiting.result;
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
