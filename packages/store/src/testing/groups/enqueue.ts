import { ID_PATTERNS } from "@agentlightning/types";
import { describe, expect } from "vitest";
import type { EnqueueRolloutOptions, LightningStore } from "../../store.js";
import {
  counts,
  DEFAULT_CONFIG,
  expectAglError,
  expectTime,
  keysOf,
  ROLLOUT_KEYS,
  readRollout,
  type StoreTest,
} from "../harness.js";

/** §6 "Enqueue" (items 6–14), store level. */
export function enqueueTests(test: StoreTest): void {
  describe("Enqueue", () => {
    test("#6 an enqueued rollout is queuing with every default filled in and no attempt", async ({
      store,
      clock,
    }) => {
      for (const rollout of [
        await store.enqueueRollout({ input: { a: 1 } }),
        ...(await store.enqueueManyRollouts([{ input: { a: 1 } }])),
      ]) {
        expect(rollout.rollout_id).toMatch(ID_PATTERNS.rollout);
        expect(rollout).toEqual({
          rollout_id: rollout.rollout_id,
          input: { a: 1 },
          start_time: rollout.start_time,
          end_time: null,
          mode: null,
          resources_id: null,
          status: "queuing",
          config: DEFAULT_CONFIG,
          metadata: {},
        });
        expect(rollout).not.toHaveProperty("attempt");
        expectTime(rollout.start_time, clock.now());
        const stored = await readRollout(store, rollout.rollout_id);
        expect(stored).toEqual(rollout);
      }
    });

    test("#8 an empty batch returns [] and stores nothing", async ({ store }) => {
      expect(await store.enqueueManyRollouts([])).toEqual([]);
      expect((await counts(store)).total_rollouts).toBe(0);
      expect(await store.dequeueRollout()).toBeNull();
    });

    test("#9 a batch of 3 keeps request order, distinct ids and per-element fields", async ({ store }) => {
      const rollouts = await store.enqueueManyRollouts([
        { input: "first" },
        {
          input: 2,
          mode: "train",
          metadata: { k: 1 },
          config: { max_attempts: 2, retry_condition: ["failed"] },
        },
        { input: [3], mode: "val", config: { timeout_seconds: 30 } },
      ]);
      expect(rollouts.map((r) => r.input)).toEqual(["first", 2, [3]]);
      expect(new Set(rollouts.map((r) => r.rollout_id)).size).toBe(3);
      expect(rollouts.map((r) => r.mode)).toEqual([null, "train", "val"]);
      expect(rollouts.map((r) => r.metadata)).toEqual([{}, { k: 1 }, {}]);
      expect(rollouts.map((r) => r.config)).toEqual([
        DEFAULT_CONFIG,
        { ...DEFAULT_CONFIG, max_attempts: 2, retry_condition: ["failed"] },
        { ...DEFAULT_CONFIG, timeout_seconds: 30 },
      ]);
      expect(rollouts.every((r) => r.status === "queuing")).toBe(true);
      const dequeued = await store.dequeueManyRollouts({ limit: 3 });
      expect(dequeued.map((r) => r.rollout_id)).toEqual(rollouts.map((r) => r.rollout_id));
    });

    test("#10 a batch with an element lacking input is rejected whole (invalid_argument, nothing stored)", async ({
      store,
    }) => {
      const batch = [{ input: 1 }, { mode: "train" }, { input: 3 }] as unknown as EnqueueRolloutOptions[];
      await expectAglError(store.enqueueManyRollouts(batch), "invalid_argument", "input");
      expect((await counts(store)).total_rollouts).toBe(0);
      expect(await store.dequeueRollout()).toBeNull();
    });

    test("#11 input null is accepted and stored as null", async ({ store }) => {
      const rollout = await store.enqueueRollout({ input: null });
      expect(rollout.input).toBeNull();
      const stored = await readRollout(store, rollout.rollout_id);
      expect(stored).toHaveProperty("input", null);
    });

    test("#12 invalid config or mode is rejected with invalid_argument naming the field; nothing stored", async ({
      store,
    }) => {
      await expectAglError(
        store.enqueueRollout({ input: 1, config: { max_attempts: 0 } }),
        "invalid_argument",
        "max_attempts",
      );
      await expectAglError(
        store.enqueueRollout({ input: 1, config: { retry_condition: ["cancelled" as never] } }),
        "invalid_argument",
        "retry_condition",
      );
      await expectAglError(
        store.enqueueRollout({ input: 1, mode: "prod" as never }),
        "invalid_argument",
        "mode",
      );
      await expectAglError(
        store.startRollout({ input: 1, config: { max_attempts: 0 } }),
        "invalid_argument",
        "max_attempts",
      );
      await expectAglError(
        store.enqueueManyRollouts([{ input: 1 }, { input: 2, config: { max_attempts: 0 } }]),
        "invalid_argument",
        "max_attempts",
      );
      expect(await counts(store)).toMatchObject({ total_rollouts: 0, total_attempts: 0 });
      expect(await store.dequeueRollout()).toBeNull();
    });

    test("#13 resources_id defaults to the latest snapshot and is never validated", async ({ store }) => {
      const first = await enqueueResourcesId(store, {});
      expect(first).toBeNull();
      const snapshot = await store.addResources({});
      expect(await enqueueResourcesId(store, {})).toBe(snapshot.resources_id);
      expect(await enqueueResourcesId(store, { resourcesId: "nope" })).toBe("nope");
      const started = await store.startRollout({ input: 1 });
      expect(started.resources_id).toBe(snapshot.resources_id);
      const batch = await store.enqueueManyRollouts([{ input: 1 }, { input: 2, resourcesId: "other" }]);
      expect(batch.map((r) => r.resources_id)).toEqual([snapshot.resources_id, "other"]);
      await store.updateResources("custom", {});
      expect(await enqueueResourcesId(store, { resourcesId: null })).toBe("custom");
    });

    test("#14 unknown keys in an enqueue request are neither stored nor echoed", async ({ store }) => {
      const options = { input: 1, foo: 1, rollout_id: "ro-ffffffffffff" } as unknown as EnqueueRolloutOptions;
      const rollout = await store.enqueueRollout(options);
      expect(rollout).not.toHaveProperty("foo");
      expect(rollout.rollout_id).not.toBe("ro-ffffffffffff");
      const stored = await readRollout(store, rollout.rollout_id);
      expect(keysOf(stored)).toEqual([...ROLLOUT_KEYS]);
    });

    test("§2.2 metadata null or absent is stored as {}; config null means the default", async ({ store }) => {
      const a = await store.enqueueRollout({ input: 1, metadata: null, config: null, mode: null });
      const b = await store.startRollout({ input: 1, metadata: null, config: null, workerId: null });
      for (const r of [a, b]) {
        expect(r.metadata).toEqual({});
        expect(r.config).toEqual(DEFAULT_CONFIG);
        expect(r.mode).toBeNull();
      }
    });

    test("§1.3 a partial config fills the missing keys with their defaults", async ({ store }) => {
      const rollout = await store.enqueueRollout({ input: 1, config: { unresponsive_seconds: 4 } });
      expect(rollout.config).toEqual({ ...DEFAULT_CONFIG, unresponsive_seconds: 4 });
      expect((await readRollout(store, rollout.rollout_id)).config).toEqual(rollout.config);
    });
  });
}

async function enqueueResourcesId(
  store: LightningStore,
  options: Omit<EnqueueRolloutOptions, "input">,
): Promise<string | null> {
  return (await store.enqueueRollout({ input: 1, ...options })).resources_id;
}
