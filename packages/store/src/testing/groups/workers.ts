import { describe, expect } from "vitest";
import { dequeueOne, enqueueId, expectTime, readWorker, type StoreTest } from "../harness.js";

/** §6 "Workers" (items 104–108) and §2.12. */
export function workerTests(test: StoreTest): void {
  describe("Workers", () => {
    test("#104 a heartbeat creates an unknown worker with null stats and a heartbeat time", async ({
      store,
      clock,
    }) => {
      const worker = await store.updateWorker("w9");
      expect(worker).toEqual({
        worker_id: "w9",
        status: "unknown",
        heartbeat_stats: null,
        last_heartbeat_time: worker.last_heartbeat_time,
        last_dequeue_time: null,
        last_busy_time: null,
        last_idle_time: null,
        current_rollout_id: null,
        current_attempt_id: null,
      });
      expectTime(worker.last_heartbeat_time, clock.now());
      expect(await store.getWorkerById("w9")).toEqual(worker);
    });

    test("#105 heartbeat stats are replaced when given and kept when not", async ({ store, clock }) => {
      const first = await store.updateWorker("w", { heartbeatStats: { cpu: 0.4, mem: 1 } });
      expect(first.heartbeat_stats).toEqual({ cpu: 0.4, mem: 1 });
      clock.advance(3);
      const second = await store.updateWorker("w");
      expect(second.heartbeat_stats).toEqual({ cpu: 0.4, mem: 1 });
      expect(second.last_heartbeat_time as number).toBeGreaterThan(first.last_heartbeat_time as number);
      const third = await store.updateWorker("w", { heartbeatStats: { gpu: 2 } });
      expect(third.heartbeat_stats).toEqual({ gpu: 2 });
      expect((await readWorker(store, "w")).heartbeat_stats).toEqual({ gpu: 2 });
    });

    test("#106 heartbeats never change status, current ids or activity times", async ({ store, clock }) => {
      await enqueueId(store, 1);
      await dequeueOne(store, "w1");
      const before = await readWorker(store, "w1");
      clock.advance(4);
      const after = await store.updateWorker("w1", { heartbeatStats: { load: 1 } });
      expect(after).toEqual({
        ...before,
        heartbeat_stats: { load: 1 },
        last_heartbeat_time: after.last_heartbeat_time,
      });
      expectTime(after.last_heartbeat_time, clock.now());
      expect(await store.dequeueRollout({ workerId: "w2" })).toBeNull();
      const idle = await readWorker(store, "w2");
      expect((await store.updateWorker("w2")).status).toBe("idle");
      expect((await readWorker(store, "w2")).last_idle_time).toBe(idle.last_idle_time);
    });

    test("#107 an unknown worker reads as null", async ({ store }) => {
      expect(await store.getWorkerById("unknown")).toBeNull();
    });

    test("#108 query_workers filters by status and id substring and sorts", async ({ store }) => {
      await enqueueId(store, 1);
      await enqueueId(store, 2);
      await dequeueOne(store, "worker-a");
      await dequeueOne(store, "worker-b");
      expect(await store.dequeueRollout({ workerId: "worker-c" })).toBeNull();
      await store.startRollout({ input: 3, workerId: "other-x" });
      await store.updateWorker("worker-d");
      const page = await store.queryWorkers({
        statusIn: ["busy"],
        workerIdContains: "worker",
        sortBy: "worker_id",
        sortOrder: "desc",
      });
      expect(page.items.map((w) => w.worker_id)).toEqual(["worker-b", "worker-a"]);
      expect(page.total).toBe(2);
      const all = await store.queryWorkers();
      expect(all.items.map((w) => w.worker_id)).toEqual([
        "worker-a",
        "worker-b",
        "worker-c",
        "other-x",
        "worker-d",
      ]);
      expect(all).toMatchObject({ total: 5, limit: -1, offset: 0 });
      const or = await store.queryWorkers({
        statusIn: ["idle"],
        workerIdContains: "other",
        filterLogic: "or",
      });
      expect(or.items.map((w) => w.worker_id)).toEqual(["worker-c", "other-x"]);
      const none = await store.queryWorkers({ statusIn: [] });
      expect(none.total).toBe(0);
      const paged = await store.queryWorkers({ sortBy: "worker_id", limit: 2, offset: 1 });
      expect(paged.items.map((w) => w.worker_id)).toEqual(["worker-a", "worker-b"]);
      expect(paged.total).toBe(5);
    });
  });
}
