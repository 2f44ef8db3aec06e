import type { RolloutMode } from "@agentlightning/types";
import { describe, expect } from "vitest";
import type { LightningStore } from "../../store.js";
import { attempted, dequeueOne, enqueueId, expectAglError, readRollout, type StoreTest } from "../harness.js";
import { makeSpan } from "../make-span.js";

/** Creates rollouts A..E (mixing enqueue and start_rollout) at the same clock time; returns their ids. */
async function fiveRollouts(store: LightningStore): Promise<string[]> {
  return [
    await enqueueId(store, "A"),
    (await store.startRollout({ input: "B" })).rollout_id,
    await enqueueId(store, "C"),
    (await store.startRollout({ input: "D" })).rollout_id,
    await enqueueId(store, "E"),
  ];
}

function ids(items: { rollout_id: string }[]): string[] {
  return items.map((r) => r.rollout_id);
}

/** §6 "Reading rollouts" (items 33–46 at store level) and §2.5–2.6. */
export function readingTests(test: StoreTest): void {
  describe("Reading rollouts", () => {
    test("#33 a queued rollout is read without an attempt key", async ({ store }) => {
      const id = await enqueueId(store, 1);
      const read = await readRollout(store, id);
      expect(read).not.toHaveProperty("attempt");
      expect(read.status).toBe("queuing");
      const page = await store.queryRollouts();
      expect(page.items[0]).not.toHaveProperty("attempt");
    });

    test("#34 a rollout is read with its latest attempt", async ({ store }) => {
      const id = await enqueueId(store, 1);
      await dequeueOne(store);
      const manual = await store.startAttempt(id);
      const read = attempted(await store.getRolloutById(id));
      expect(read.attempt.sequence_id).toBe(2);
      expect(read.attempt.attempt_id).toBe(manual.attempt.attempt_id);
      const item = attempted((await store.queryRollouts({ rolloutIdIn: [id] })).items[0]);
      expect(item.attempt.attempt_id).toBe(manual.attempt.attempt_id);
    });

    test("#35 an unknown rollout reads as null", async ({ store }) => {
      expect(await store.getRolloutById("ro-000000000000")).toBeNull();
    });

    test("#36 query_rollouts without options returns all in creation order", async ({ store }) => {
      const created = await fiveRollouts(store);
      const page = await store.queryRollouts();
      expect(ids(page.items)).toEqual(created);
      expect(page.limit).toBe(-1);
      expect(page.offset).toBe(0);
      expect(page.total).toBe(5);
      expect(ids((await store.queryRollouts({})).items)).toEqual(created);
    });

    test("#37 limit and offset page the result; total counts every match", async ({ store }) => {
      const created = await fiveRollouts(store);
      const page = await store.queryRollouts({ limit: 2, offset: 4 });
      expect(ids(page.items)).toEqual([created[4]]);
      expect(page).toMatchObject({ total: 5, limit: 2, offset: 4 });
      const middle = await store.queryRollouts({ limit: 2, offset: 1 });
      expect(ids(middle.items)).toEqual(created.slice(1, 3));
      const beyond = await store.queryRollouts({ offset: 10 });
      expect(beyond.items).toEqual([]);
      expect(beyond.total).toBe(5);
    });

    test("#38 (store level) limit 0 returns no items but still reports the total", async ({ store }) => {
      await fiveRollouts(store);
      const page = await store.queryRollouts({ limit: 0 });
      expect(page.items).toEqual([]);
      expect(page).toMatchObject({ total: 5, limit: 0, offset: 0 });
    });

    test("#39 (store level) sorting by an undeclared field rejects with invalid_argument naming it", async ({
      store,
    }) => {
      await fiveRollouts(store);
      await expectAglError(
        store.queryRollouts({ sortBy: "nonexistent_field" }),
        "invalid_argument",
        "nonexistent_field",
      );
    });

    test("#40 (store level) an unknown sort order, filter logic or status is invalid_argument", async ({
      store,
    }) => {
      await fiveRollouts(store);
      // The message names the field (as sortOrder or sort_order, filterLogic or filter_logic).
      const order = await expectAglError(
        store.queryRollouts({ sortBy: "start_time", sortOrder: "sideways" as never }),
        "invalid_argument",
      );
      expect(order.message).toMatch(/sort_?order/i);
      const logic = await expectAglError(
        store.queryRollouts({ filterLogic: "xor" as never }),
        "invalid_argument",
      );
      expect(logic.message).toMatch(/filter_?logic/i);
      await expectAglError(
        store.queryRollouts({ statusIn: ["bogus" as never] }),
        "invalid_argument",
        "status",
      );
      await expectAglError(
        store.queryWorkers({ statusIn: ["bogus" as never] }),
        "invalid_argument",
        "status",
      );
    });

    test("#41 status_in returns exactly the rollouts in those statuses", async ({ store }) => {
      const [a, b, c, d] = await fiveRollouts(store);
      await store.updateRollout(a as string, { status: "failed" });
      await store.updateRollout(b as string, { status: "succeeded" });
      await store.updateRollout(c as string, { status: "cancelled" });
      await store.updateRollout(d as string, { status: "succeeded" });
      const page = await store.queryRollouts({ statusIn: ["failed", "succeeded"] });
      expect(ids(page.items)).toEqual([a, b, d]);
      expect(page.total).toBe(3);
      expect(page.items.map((r) => r.status)).toEqual(["failed", "succeeded", "succeeded"]);
    });

    test("#42 filter_logic or unions the conditions; and intersects them", async ({ store }) => {
      const [a, b, c, d] = (await fiveRollouts(store)) as [string, string, string, string, string];
      await store.updateRollout(a, { status: "succeeded" });
      await store.updateRollout(d, { status: "succeeded" });
      const or = await store.queryRollouts({ statusIn: ["succeeded"], rolloutIdIn: [c], filterLogic: "or" });
      expect(ids(or.items)).toEqual([a, c, d]);
      const and = await store.queryRollouts({
        statusIn: ["succeeded"],
        rolloutIdIn: [c],
        filterLogic: "and",
      });
      expect(and.items).toEqual([]);
      expect(and.total).toBe(0);
      const both = await store.queryRollouts({ statusIn: ["succeeded"], rolloutIdIn: [d, b] });
      expect(ids(both.items)).toEqual([d]);
    });

    test("#43 status_in [] matches nothing; null or absent matches everything", async ({ store }) => {
      await fiveRollouts(store);
      expect((await store.queryRollouts({ statusIn: [] })).total).toBe(0);
      expect((await store.queryRollouts({ statusIn: [] })).items).toEqual([]);
      expect((await store.queryRollouts({ statusIn: null })).total).toBe(5);
      expect((await store.queryRollouts({})).total).toBe(5);
      expect((await store.queryRollouts({ rolloutIdIn: [] })).total).toBe(0);
    });

    test("#44 sort by mode puts null modes first in asc and last in desc, stably", async ({ store }) => {
      const modes: (RolloutMode | null)[] = ["train", null, "val", null, "test"];
      const created: string[] = [];
      for (const mode of modes) created.push(await enqueueId(store, 1, { mode }));
      const [train, n1, val, n2, testMode] = created;
      const asc = await store.queryRollouts({ sortBy: "mode", sortOrder: "asc" });
      expect(ids(asc.items)).toEqual([n1, n2, testMode, train, val]);
      const desc = await store.queryRollouts({ sortBy: "mode", sortOrder: "desc" });
      expect(ids(desc.items)).toEqual([val, train, testMode, n1, n2]);
    });

    test("#45 sort by end_time puts null end times last in asc and first in desc", async ({
      store,
      clock,
    }) => {
      const created = await fiveRollouts(store);
      const [a, b, c, d, e] = created as [string, string, string, string, string];
      clock.advance(10);
      await store.updateRollout(d, { status: "succeeded" });
      clock.advance(10);
      await store.updateRollout(b, { status: "failed" });
      clock.advance(10);
      await store.updateRollout(e, { status: "cancelled" });
      const asc = await store.queryRollouts({ sortBy: "end_time", sortOrder: "asc" });
      expect(ids(asc.items)).toEqual([d, b, e, a, c]);
      const desc = await store.queryRollouts({ sortBy: "end_time", sortOrder: "desc" });
      expect(ids(desc.items)).toEqual([a, c, e, b, d]);
    });

    test("#46 sort by rollout_id desc with limit 1 offset 1 gives the second-largest id", async ({
      store,
    }) => {
      const created = await fiveRollouts(store);
      const sorted = [...created].sort();
      const page = await store.queryRollouts({
        sortBy: "rollout_id",
        sortOrder: "desc",
        limit: 1,
        offset: 1,
      });
      expect(ids(page.items)).toEqual([sorted[3]]);
      expect(page.total).toBe(5);
      const asc = await store.queryRollouts({ sortBy: "rollout_id" });
      expect(ids(asc.items)).toEqual(sorted);
    });

    test("§2.5 rollout_id_contains filters by substring; rollout_id_in imposes no order", async ({
      store,
    }) => {
      const created = await fiveRollouts(store);
      const target = created[2] as string;
      const byPart = await store.queryRollouts({ rolloutIdContains: target.slice(5, 12) });
      expect(ids(byPart.items)).toContain(target);
      expect(byPart.items.every((r) => r.rollout_id.includes(target.slice(5, 12)))).toBe(true);
      expect((await store.queryRollouts({ rolloutIdContains: "" })).total).toBe(5);
      expect((await store.queryRollouts({ rolloutIdContains: "zz-none" })).total).toBe(0);
      const reversed = [...created].reverse();
      const within = await store.queryRollouts({ rolloutIdIn: reversed });
      expect(ids(within.items)).toEqual(created);
    });

    test("§2.14 sorting keeps equal keys in creation order in both directions", async ({ store, clock }) => {
      const first = await fiveRollouts(store);
      clock.advance(1);
      const second = [await enqueueId(store, "F"), await enqueueId(store, "G")];
      const asc = await store.queryRollouts({ sortBy: "start_time", sortOrder: "asc" });
      expect(ids(asc.items)).toEqual([...first, ...second]);
      const desc = await store.queryRollouts({ sortBy: "start_time", sortOrder: "desc" });
      expect(ids(desc.items)).toEqual([...second, ...first]);
      const byStatus = await store.queryRollouts({ sortBy: "status", sortOrder: "desc" });
      // queuing (A, C, E, F, G) sorts after preparing (B, D) by code point; ties keep creation order.
      expect(ids(byStatus.items)).toEqual([first[0], first[2], first[4], ...second, first[1], first[3]]);
    });

    test("§2.14 spans tied on sequence_id keep their insertion order in both directions", async ({
      store,
    }) => {
      const { rollout_id: r, attempt } = await store.startRollout({ input: 1 });
      await store.addSpan(makeSpan(r, attempt.attempt_id, 3));
      await store.addSpan(makeSpan(r, attempt.attempt_id, 1));
      await store.addSpan(makeSpan(r, attempt.attempt_id, 2, { span_id: "b".repeat(16) }));
      await store.addSpan(makeSpan(r, attempt.attempt_id, 2, { span_id: "c".repeat(16) }));
      const asc = await store.querySpans({ rolloutId: r });
      expect(asc.items.map((s) => [s.sequence_id, s.span_id[0]])).toEqual([
        [1, "0"],
        [2, "b"],
        [2, "c"],
        [3, "0"],
      ]);
      const desc = await store.querySpans({ rolloutId: r, sortOrder: "desc" });
      expect(desc.items.map((s) => [s.sequence_id, s.span_id[0]])).toEqual([
        [3, "0"],
        [2, "b"],
        [2, "c"],
        [1, "0"],
      ]);
    });

    test("§2.6 query_attempts pages and sorts attempts; unknown rollouts give an empty page", async ({
      store,
    }) => {
      const started = await store.startRollout({ input: 1 });
      const id = started.rollout_id;
      await store.startAttempt(id);
      await store.startAttempt(id);
      const all = await store.queryAttempts(id);
      expect(all).toMatchObject({ total: 3, limit: -1, offset: 0 });
      expect(all.items.map((a) => a.sequence_id)).toEqual([1, 2, 3]);
      const desc = await store.queryAttempts(id, { sortBy: "sequence_id", sortOrder: "desc", limit: 2 });
      expect(desc.items.map((a) => a.sequence_id)).toEqual([3, 2]);
      expect(desc.total).toBe(3);
      const paged = await store.queryAttempts(id, { offset: 2 });
      expect(paged.items.map((a) => a.sequence_id)).toEqual([3]);
      const unknown = await store.queryAttempts("ro-000000000000", { limit: 5, offset: 1 });
      expect(unknown).toEqual({ items: [], limit: 5, offset: 1, total: 0 });
    });

    test("§2.6 get_latest_attempt returns the highest sequence, or null", async ({ store }) => {
      const queued = await enqueueId(store, 1);
      expect(await store.getLatestAttempt(queued)).toBeNull();
      expect(await store.getLatestAttempt("ro-000000000000")).toBeNull();
      await dequeueOne(store);
      const manual = await store.startAttempt(queued);
      const latest = await store.getLatestAttempt(queued);
      expect(latest?.sequence_id).toBe(2);
      expect(latest?.attempt_id).toBe(manual.attempt.attempt_id);
    });
  });
}
