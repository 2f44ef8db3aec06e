import { describe, expect } from "vitest";
import {
  ATTEMPT_KEYS,
  counts,
  dequeueOne,
  expectTime,
  keysOf,
  RESOURCES_KEYS,
  ROLLOUT_KEYS,
  readAttempts,
  readWorker,
  type StoreTest,
  sleep,
  WORKER_KEYS,
} from "../harness.js";
import { makeSpan } from "../make-span.js";

/** §6 "Basics and errors" (store level: statistics) and §1.14 response shapes. */
export function basicsTests(test: StoreTest): void {
  describe("Basics", () => {
    test("#4 a fresh store reports zero counts, a numeric uptime and a name", async ({ store }) => {
      const stats = await store.statistics();
      expect(stats).toMatchObject({
        total_rollouts: 0,
        total_attempts: 0,
        total_spans: 0,
        total_resources: 0,
        total_workers: 0,
      });
      expect(typeof stats.uptime).toBe("number");
      expect(stats.uptime).toBeGreaterThanOrEqual(0);
      expect(typeof stats.name).toBe("string");
      expect(stats.name.length).toBeGreaterThan(0);
    });

    test("#5 one rollout, span, resources snapshot and worker make every total 1; uptime grows", async ({
      store,
      clock,
    }) => {
      const before = await store.statistics();
      const rollout = await store.startRollout({ input: { x: 1 } });
      await store.addSpan(makeSpan(rollout.rollout_id, rollout.attempt.attempt_id, 1));
      await store.addResources({});
      await store.updateWorker("w");
      // Uptime may come from the injected clock or a monotonic wall clock: move both.
      clock.advance(2);
      await sleep(20);
      const after = await store.statistics();
      expect(after).toMatchObject({
        total_rollouts: 1,
        total_attempts: 1,
        total_spans: 1,
        total_resources: 1,
        total_workers: 1,
      });
      expect(after.uptime).toBeGreaterThan(before.uptime);
    });

    test("§1.14 returned objects carry every declared field and nothing else", async ({ store }) => {
      const queued = await store.enqueueRollout({ input: 1 });
      expect(keysOf(queued)).toEqual([...ROLLOUT_KEYS]);
      const claimed = await dequeueOne(store, "w1");
      expect(keysOf(claimed)).toEqual([...ROLLOUT_KEYS, "attempt"].sort());
      expect(keysOf(claimed.attempt)).toEqual([...ATTEMPT_KEYS]);
      const attempts = await readAttempts(store, claimed.rollout_id);
      expect(keysOf(must1(attempts))).toEqual([...ATTEMPT_KEYS]);
      expect(keysOf(await readWorker(store, "w1"))).toEqual([...WORKER_KEYS]);
      expect(keysOf(await store.addResources({}))).toEqual([...RESOURCES_KEYS]);
      const page = await store.queryRollouts();
      expect(keysOf(page)).toEqual(["items", "limit", "offset", "total"]);
    });

    test("§2.0 timestamps come from the injected clock", async ({ store, clock }) => {
      const queued = await store.enqueueRollout({ input: 1 });
      expectTime(queued.start_time, clock.now());
      clock.advance(7.5);
      const claimed = await store.dequeueRollout();
      expectTime(claimed?.attempt.start_time, clock.now());
      expectTime(claimed?.start_time, queued.start_time);
    });

    test("§2.1 stored values are copies: mutating inputs or results later changes nothing", async ({
      store,
    }) => {
      const metadata = { tags: ["a"] };
      const config = { max_attempts: 2, retry_condition: ["failed" as const] };
      const input = { nested: { v: 1 } };
      const rollout = await store.enqueueRollout({ input, metadata, config });
      metadata.tags.push("mutated");
      config.retry_condition.push("timeout" as never);
      input.nested.v = 99;
      (rollout.metadata as { tags: string[] }).tags.push("mutated-result");
      rollout.config.max_attempts = 7;
      const read = await store.getRolloutById(rollout.rollout_id);
      expect(read?.metadata).toEqual({ tags: ["a"] });
      expect(read?.input).toEqual({ nested: { v: 1 } });
      expect(read?.config).toEqual({
        timeout_seconds: null,
        unresponsive_seconds: null,
        max_attempts: 2,
        retry_condition: ["failed"],
      });
      expect(await counts(store)).toMatchObject({ total_rollouts: 1 });
    });
  });
}

function must1<T>(items: T[]): T {
  expect(items.length).toBeGreaterThan(0);
  return items[0] as T;
}
