import { ID_PATTERNS } from "@agentlightning/types";
import { describe, expect } from "vitest";
import type { StartRolloutOptions } from "../../store.js";
import {
  counts,
  dequeueOne,
  enqueueId,
  expectAglError,
  expectTime,
  readAttempts,
  readRollout,
  readWorker,
  type StoreTest,
} from "../harness.js";
import { makeSpan } from "../make-span.js";

/** §6 "start_rollout / start_attempt" (items 26–32) and §2.1, §2.4. */
export function startTests(test: StoreTest): void {
  describe("start_rollout / start_attempt", () => {
    test("#26 start_rollout creates a preparing rollout with attempt 1 and bypasses the queue", async ({
      store,
      clock,
    }) => {
      const started = await store.startRollout({ input: { x: 1 } });
      expect(started.rollout_id).toMatch(ID_PATTERNS.rollout);
      expect(started.status).toBe("preparing");
      expect(started.input).toEqual({ x: 1 });
      expect(started.metadata).toEqual({});
      expect(started.end_time).toBeNull();
      expect(started.attempt.sequence_id).toBe(1);
      expect(started.attempt.status).toBe("preparing");
      expect(started.attempt.attempt_id).toMatch(ID_PATTERNS.attempt);
      expect(started.attempt.rollout_id).toBe(started.rollout_id);
      expect(started.attempt.worker_id).toBeNull();
      expect(started.attempt.start_time).toBe(started.start_time);
      expectTime(started.start_time, clock.now());
      expect(await store.dequeueRollout()).toBeNull();
      expect(await readRollout(store, started.rollout_id)).toEqual(started);
    });

    test("#27 start_rollout without input is rejected with invalid_argument; nothing stored", async ({
      store,
    }) => {
      await expectAglError(store.startRollout({} as StartRolloutOptions), "invalid_argument", "input");
      await expectAglError(
        store.startRollout({ workerId: "w" } as StartRolloutOptions),
        "invalid_argument",
        "input",
      );
      expect(await counts(store)).toMatchObject({ total_rollouts: 0, total_attempts: 0, total_workers: 0 });
    });

    test("#28 start_rollout with a worker id makes that worker busy with the new ids", async ({
      store,
      clock,
    }) => {
      const started = await store.startRollout({ input: 1, workerId: "ws" });
      expect(started.attempt.worker_id).toBe("ws");
      const worker = await readWorker(store, "ws");
      expect(worker.status).toBe("busy");
      expect(worker.current_rollout_id).toBe(started.rollout_id);
      expect(worker.current_attempt_id).toBe(started.attempt.attempt_id);
      expectTime(worker.last_busy_time, clock.now());
      expect(worker.last_dequeue_time).toBeNull();
    });

    test("#29 start_attempt adds attempt 2 (preparing) and sets the rollout preparing", async ({
      store,
      clock,
    }) => {
      const started = await store.startRollout({ input: 1 });
      await store.addSpan(makeSpan(started.rollout_id, started.attempt.attempt_id, 1));
      expect((await readRollout(store, started.rollout_id)).status).toBe("running");
      clock.advance(4);
      const retried = await store.startAttempt(started.rollout_id);
      expect(retried.rollout_id).toBe(started.rollout_id);
      expect(retried.status).toBe("preparing");
      expect(retried.attempt.sequence_id).toBe(2);
      expect(retried.attempt.status).toBe("preparing");
      expect(retried.attempt.attempt_id).not.toBe(started.attempt.attempt_id);
      expectTime(retried.attempt.start_time, clock.now());
      expectTime(retried.start_time, started.start_time);
      const attempts = await readAttempts(store, started.rollout_id);
      expect(attempts.map((a) => [a.sequence_id, a.status])).toEqual([
        [1, "running"],
        [2, "preparing"],
      ]);
    });

    test("#30 start_attempt ignores the retry budget (max_attempts 1 → attempts 2, 3, 4)", async ({
      store,
    }) => {
      const started = await store.startRollout({ input: 1 });
      const seqs: number[] = [];
      for (let i = 0; i < 3; i++)
        seqs.push((await store.startAttempt(started.rollout_id)).attempt.sequence_id);
      expect(seqs).toEqual([2, 3, 4]);
      const page = await store.queryAttempts(started.rollout_id);
      expect(page.total).toBe(4);
      expect(page.items.map((a) => a.sequence_id)).toEqual([1, 2, 3, 4]);
    });

    test("#31 start_attempt on an unknown rollout rejects with not_found naming the id", async ({
      store,
    }) => {
      await expectAglError(store.startAttempt("ro-000000000000"), "not_found", "ro-000000000000");
      await expectAglError(
        store.startAttempt("ro-000000000000", { workerId: "w" }),
        "not_found",
        "ro-000000000000",
      );
      expect(await counts(store)).toMatchObject({ total_rollouts: 0, total_attempts: 0, total_workers: 0 });
    });

    test("#32 start_attempt accepts no options, {}, workerId null and a worker id", async ({ store }) => {
      const started = await store.startRollout({ input: 1 });
      const id = started.rollout_id;
      const a = await store.startAttempt(id);
      const b = await store.startAttempt(id, {});
      const c = await store.startAttempt(id, { workerId: null });
      const d = await store.startAttempt(id, { workerId: "wx" });
      expect([a, b, c, d].map((r) => r.attempt.sequence_id)).toEqual([2, 3, 4, 5]);
      expect([a, b, c].map((r) => r.attempt.worker_id)).toEqual([null, null, null]);
      expect(d.attempt.worker_id).toBe("wx");
      const worker = await readWorker(store, "wx");
      expect(worker.status).toBe("busy");
      expect(worker.current_attempt_id).toBe(d.attempt.attempt_id);
    });

    test("§2.4 start_attempt on a queued rollout leaves a stale queue entry that dequeue discards", async ({
      store,
    }) => {
      const first = await enqueueId(store, "first");
      const second = await enqueueId(store, "second");
      const manual = await store.startAttempt(first);
      expect(manual.status).toBe("preparing");
      expect(manual.attempt.sequence_id).toBe(1);
      const claimed = await dequeueOne(store);
      expect(claimed.rollout_id).toBe(second);
      expect(await store.dequeueRollout()).toBeNull();
      expect((await store.queryAttempts(first)).total).toBe(1);
    });

    test("§2.1 start_rollout stores mode, metadata, config and resources_id as given", async ({ store }) => {
      const started = await store.startRollout({
        input: "x",
        mode: "test",
        metadata: { k: "v" },
        config: { max_attempts: 4, retry_condition: ["timeout"] },
        resourcesId: "rs-given",
      });
      const stored = await readRollout(store, started.rollout_id);
      expect(stored).toMatchObject({
        mode: "test",
        metadata: { k: "v" },
        resources_id: "rs-given",
        config: {
          timeout_seconds: null,
          unresponsive_seconds: null,
          max_attempts: 4,
          retry_condition: ["timeout"],
        },
      });
    });
  });
}
