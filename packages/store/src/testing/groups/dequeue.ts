import { ID_PATTERNS } from "@agentlightning/types";
import { describe, expect } from "vitest";
import {
  counts,
  dequeueOne,
  enqueueId,
  expectTime,
  readAttempts,
  readRollout,
  readWorker,
  type StoreTest,
} from "../harness.js";

/** §6 "Dequeue" (items 15–25, except the HTTP-only 24; 21 is in Concurrency) and §2.3. */
export function dequeueTests(test: StoreTest): void {
  describe("Dequeue", () => {
    test("#15 dequeue on an empty queue returns null / []", async ({ store }) => {
      expect(await store.dequeueRollout()).toBeNull();
      expect(await store.dequeueRollout({})).toBeNull();
      expect(await store.dequeueManyRollouts({ limit: 1 })).toEqual([]);
      expect(await store.dequeueManyRollouts({ limit: 5 })).toEqual([]);
    });

    test("#16 rollouts come out in FIFO order; then the queue is empty", async ({ store }) => {
      const ids = [await enqueueId(store, "A"), await enqueueId(store, "B"), await enqueueId(store, "C")];
      const got: string[] = [];
      for (let i = 0; i < 3; i++) {
        const batch = await store.dequeueManyRollouts({ limit: 1 });
        expect(batch).toHaveLength(1);
        got.push(batch[0]?.rollout_id ?? "");
      }
      expect(got).toEqual(ids);
      expect(await store.dequeueManyRollouts({ limit: 1 })).toEqual([]);
      expect(await store.dequeueRollout()).toBeNull();
    });

    test("#17 the dequeued item is preparing with a fresh preparing attempt", async ({ store, clock }) => {
      const id = await enqueueId(store, { q: 1 });
      clock.advance(3);
      const item = await dequeueOne(store);
      expect(item.rollout_id).toBe(id);
      expect(item.status).toBe("preparing");
      expect(item.input).toEqual({ q: 1 });
      expect(item.attempt.sequence_id).toBe(1);
      expect(item.attempt.status).toBe("preparing");
      expect(item.attempt.attempt_id).toMatch(ID_PATTERNS.attempt);
      expect(item.attempt.rollout_id).toBe(id);
      expect(item.attempt.end_time).toBeNull();
      expect(item.attempt.last_heartbeat_time).toBeNull();
      expect(item.attempt.metadata).toBeNull();
      expect(item.attempt.worker_id).toBeNull();
      expect(item.attempt.start_time).toBeGreaterThanOrEqual(item.start_time);
      expectTime(item.attempt.start_time, clock.now());
      expect(item.end_time).toBeNull();
      const stored = await readRollout(store, id);
      expect(stored).toEqual(item);
    });

    test("#18 limit 0 and negative limits return [] and leave the queue alone", async ({ store }) => {
      const id = await enqueueId(store);
      expect(await store.dequeueManyRollouts({ limit: 0 })).toEqual([]);
      expect(await store.dequeueManyRollouts({ limit: -3 })).toEqual([]);
      expect(await store.dequeueManyRollouts({ limit: 0, workerId: "w0" })).toEqual([]);
      expect((await counts(store)).total_attempts).toBe(0);
      expect((await readRollout(store, id)).status).toBe("queuing");
      expect((await dequeueOne(store)).rollout_id).toBe(id);
    });

    test("#19 a multi-claim larger than the queue returns everything in FIFO order", async ({ store }) => {
      const ids = [await enqueueId(store, 1), await enqueueId(store, 2)];
      const got = await store.dequeueManyRollouts({ limit: 5 });
      expect(got.map((r) => r.rollout_id)).toEqual(ids);
      expect(got.map((r) => r.attempt.sequence_id)).toEqual([1, 1]);
      expect(got.every((r) => r.status === "preparing")).toBe(true);
      expect(await store.dequeueRollout()).toBeNull();
    });

    test("#20 queued rollouts moved to another status are skipped; later ones still come out", async ({
      store,
    }) => {
      const skipped: string[] = [];
      for (const status of ["succeeded", "cancelled", "running", "preparing"] as const) {
        const id = await enqueueId(store, status);
        await store.updateRollout(id, { status });
        skipped.push(id);
      }
      const kept = await enqueueId(store, "kept");
      const first = await dequeueOne(store);
      expect(first.rollout_id).toBe(kept);
      expect(await store.dequeueRollout()).toBeNull();
      for (const id of skipped) expect((await store.queryAttempts(id)).total).toBe(0);
      expect((await counts(store)).total_attempts).toBe(1);
    });

    test("#22 a dequeue with a worker id marks that worker busy with the claim", async ({ store, clock }) => {
      await enqueueId(store);
      clock.advance(1);
      const item = await dequeueOne(store, "w1");
      expect(item.attempt.worker_id).toBe("w1");
      const worker = await readWorker(store, "w1");
      expect(worker.status).toBe("busy");
      expect(worker.current_rollout_id).toBe(item.rollout_id);
      expect(worker.current_attempt_id).toBe(item.attempt.attempt_id);
      expectTime(worker.last_dequeue_time, clock.now());
      expectTime(worker.last_busy_time, clock.now());
      expect(worker.last_heartbeat_time).toBeNull();
      expect(worker.heartbeat_stats).toBeNull();
    });

    test("#23 an empty dequeue with a worker id marks the worker idle", async ({ store, clock }) => {
      expect(await store.dequeueRollout({ workerId: "w2" })).toBeNull();
      const worker = await readWorker(store, "w2");
      expect(worker.status).toBe("idle");
      expectTime(worker.last_idle_time, clock.now());
      expectTime(worker.last_dequeue_time, clock.now());
      expect(worker.current_rollout_id).toBeNull();
      expect(worker.last_busy_time).toBeNull();
      expect(await store.dequeueManyRollouts({ limit: 3, workerId: "w3" })).toEqual([]);
      expect((await readWorker(store, "w3")).status).toBe("idle");
    });

    test("#25 a multi-claim gives every attempt the worker id; the worker points at the last one", async ({
      store,
      clock,
    }) => {
      for (const n of [1, 2, 3, 4]) await enqueueId(store, n);
      clock.advance(1);
      const got = await store.dequeueManyRollouts({ limit: 3, workerId: "wm" });
      expect(got).toHaveLength(3);
      expect(got.map((r) => r.attempt.worker_id)).toEqual(["wm", "wm", "wm"]);
      const worker = await readWorker(store, "wm");
      expect(worker.status).toBe("busy");
      expect(worker.current_rollout_id).toBe(got[2]?.rollout_id);
      expect(worker.current_attempt_id).toBe(got[2]?.attempt.attempt_id);
      expectTime(worker.last_dequeue_time, clock.now());
    });

    test("§2.3 (B5) an empty dequeue by a busy worker makes it idle but keeps its current ids", async ({
      store,
      clock,
    }) => {
      await enqueueId(store);
      const item = await dequeueOne(store, "w1");
      clock.advance(2);
      expect(await store.dequeueRollout({ workerId: "w1" })).toBeNull();
      const worker = await readWorker(store, "w1");
      expect(worker.status).toBe("idle");
      expect(worker.current_rollout_id).toBe(item.rollout_id);
      expect(worker.current_attempt_id).toBe(item.attempt.attempt_id);
      expectTime(worker.last_idle_time, clock.now());
      expectTime(worker.last_dequeue_time, clock.now());
    });

    test("§2.3 an empty dequeue by an already idle worker only stamps last_dequeue_time", async ({
      store,
      clock,
    }) => {
      expect(await store.dequeueRollout({ workerId: "w1" })).toBeNull();
      const idleSince = clock.now();
      clock.advance(5);
      expect(await store.dequeueRollout({ workerId: "w1" })).toBeNull();
      const worker = await readWorker(store, "w1");
      expect(worker.status).toBe("idle");
      expectTime(worker.last_idle_time, idleSince);
      expectTime(worker.last_dequeue_time, clock.now());
    });

    test("§2.3 dequeue ignores max_attempts: a rollout requeued by update_rollout is claimed again", async ({
      store,
    }) => {
      const id = await enqueueId(store, 1);
      await dequeueOne(store);
      await store.updateRollout(id, { status: "requeuing" });
      const again = await dequeueOne(store);
      expect(again.rollout_id).toBe(id);
      expect(again.attempt.sequence_id).toBe(2);
      expect((await readAttempts(store, id)).map((a) => a.sequence_id)).toEqual([1, 2]);
    });

    test("§2.3 (E2) an empty worker id on dequeue creates or touches no worker", async ({ store }) => {
      await enqueueId(store);
      const item = await dequeueOne(store, "");
      expect([null, ""]).toContain(item.attempt.worker_id);
      expect(await store.dequeueRollout({ workerId: "" })).toBeNull();
      expect(await store.getWorkerById("")).toBeNull();
      expect((await counts(store)).total_workers).toBe(0);
    });
  });
}
