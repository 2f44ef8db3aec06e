import type { Span } from "@agentlightning/types";
import { describe, expect } from "vitest";
import { storeOtlpSpans } from "../../http/otlp/store-spans.js";
import type { LightningStore } from "../../store.js";
import {
  claimedRollout,
  counts,
  dequeueOne,
  enqueueId,
  expectAglError,
  expectTime,
  readAttempt,
  readAttempts,
  readRollout,
  type StoreTest,
  withoutAttempt,
} from "../harness.js";
import { makeSpan } from "../make-span.js";
import { otlpExportOf, SPAN_PATHS, storeThrough } from "../span-paths.js";

function byRolloutThenSeq(a: (string | number)[], b: (string | number)[]): number {
  return String(a[0]).localeCompare(String(b[0])) || Number(a[1]) - Number(b[1]);
}

function seqs(spans: Span[]): number[] {
  return spans.map((s) => s.sequence_id);
}

async function spanTotal(store: LightningStore, rolloutId: string): Promise<number> {
  return (await store.querySpans({ rolloutId })).total;
}

/**
 * §6 "Spans and sequence ids" (items 74–90 at store level) and §2.9. Items 75, 76, 78 and 87–90
 * run through every span path, in {@link spanPathTests}.
 */
export function spanTests(test: StoreTest): void {
  describe("Spans and sequence ids", () => {
    test("#74 extra keys on a span (and on its status, context, events, links) are kept", async ({
      store,
    }) => {
      const r = await store.startRollout({ input: 1 });
      const context = {
        trace_id: "t".repeat(32),
        span_id: "c".repeat(16),
        is_remote: false,
        trace_state: {},
      };
      const span = makeSpan(r.rollout_id, r.attempt.attempt_id, 1, {
        custom: { x: 1 },
        status: { status_code: "ERROR", description: "boom", extra_status: 1 },
        context: { ...context, extra_ctx: "y" },
        events: [{ name: "e", attributes: { k: "v" }, timestamp: 1.5, extra_event: true }],
        links: [{ context, attributes: null, extra_link: [1] }],
      } as Partial<Span> & Record<string, unknown>);
      const stored = must(await store.addSpan(span));
      expect(stored).toHaveProperty("custom", { x: 1 });
      const [queried] = (await store.querySpans({ rolloutId: r.rollout_id })).items;
      for (const s of [stored, queried]) {
        expect(s).toHaveProperty("custom", { x: 1 });
        expect(s?.status).toMatchObject({ status_code: "ERROR", description: "boom", extra_status: 1 });
        expect(s?.context).toMatchObject({ extra_ctx: "y" });
        expect(s?.events[0]).toMatchObject({ name: "e", extra_event: true });
        expect(s?.links[0]).toMatchObject({ extra_link: [1] });
      }
    });

    test("#74 a stored span echoes every field it was given", async ({ store }) => {
      const r = await store.startRollout({ input: 1 });
      const span = makeSpan(r.rollout_id, r.attempt.attempt_id, 7, {
        parent_id: "00000000000000aa",
        attributes: { str: "s", num: 1.5, int: 2, bool: true, list: ["a", "b"], nums: [1, 2] },
        start_time: 1_700_000_000.25,
        end_time: 1_700_000_001.5,
        resource: { attributes: { "service.name": "svc" }, schema_url: "https://schema" },
      });
      const stored = must(await store.addSpan(span));
      expect(stored).toMatchObject(span as Record<string, unknown>);
      const [queried] = (await store.querySpans({ rolloutId: r.rollout_id })).items;
      expect(queried).toMatchObject(span as Record<string, unknown>);
    });

    test("§1.10 unknown keys of a span's resource are dropped", async ({ store }) => {
      const r = await store.startRollout({ input: 1 });
      const span = makeSpan(r.rollout_id, r.attempt.attempt_id, 1, {
        resource: { attributes: {}, schema_url: "", extra: 1 } as Span["resource"],
      });
      await store.addSpan(span);
      const [queried] = (await store.querySpans({ rolloutId: r.rollout_id })).items;
      expect(queried?.resource).toEqual({ attributes: {}, schema_url: "" });
    });

    test("#77 the same span id under another attempt is a different span", async ({ store }) => {
      const r = await store.startRollout({ input: 1 });
      const second = await store.startAttempt(r.rollout_id);
      expect(await store.addSpan(makeSpan(r.rollout_id, r.attempt.attempt_id, 1))).not.toBeNull();
      expect(await store.addSpan(makeSpan(r.rollout_id, second.attempt.attempt_id, 1))).not.toBeNull();
      expect(await spanTotal(store, r.rollout_id)).toBe(2);
    });

    test("#79 a span missing a required key or with a bad attribute value is invalid_argument", async ({
      store,
    }) => {
      const r = await store.startRollout({ input: 1 });
      const good = makeSpan(r.rollout_id, r.attempt.attempt_id, 1);
      for (const key of ["parent_id", "context", "start_time", "end_time", "parent", "resource", "status"]) {
        const { [key]: _dropped, ...rest } = good;
        await expectAglError(store.addSpan(rest as Span), "invalid_argument", key);
      }
      for (const value of [{ a: 1 }, null, [1, "a"]]) {
        await expectAglError(
          store.addSpan({ ...good, attributes: { bad: value } } as unknown as Span),
          "invalid_argument",
          "attributes",
        );
      }
      await expectAglError(
        store.addSpan({ ...good, status: { status_code: "MAYBE" } } as unknown as Span),
        "invalid_argument",
        "status_code",
      );
      expect((await counts(store)).total_spans).toBe(0);
      expect((await readAttempt(store, r.rollout_id, r.attempt.attempt_id)).status).toBe("preparing");
    });

    test("#80 sequence ids count per rollout, jump past explicit ids and need no existing rollout", async ({
      store,
    }) => {
      const r = await store.startRollout({ input: 1 });
      const second = await store.startAttempt(r.rollout_id);
      const a = r.attempt.attempt_id;
      expect(await store.getNextSpanSequenceId(r.rollout_id, a)).toBe(1);
      expect(await store.getNextSpanSequenceId(r.rollout_id, a)).toBe(2);
      await store.addSpan(makeSpan(r.rollout_id, a, 100));
      expect(await store.getNextSpanSequenceId(r.rollout_id, a)).toBe(101);
      expect(await store.getNextSpanSequenceId(r.rollout_id, second.attempt.attempt_id)).toBe(102);
      expect(await store.getNextSpanSequenceId("unknown", "x")).toBe(1);
      expect(await store.getNextSpanSequenceId("unknown", "y")).toBe(2);
      expect((await counts(store)).total_rollouts).toBe(1);
    });

    test("§2.9 a smaller explicit sequence id is stored as is and does not lower the counter", async ({
      store,
    }) => {
      const r = await store.startRollout({ input: 1 });
      const a = r.attempt.attempt_id;
      await store.addSpan(makeSpan(r.rollout_id, a, 10));
      const low = must(await store.addSpan(makeSpan(r.rollout_id, a, 3)));
      expect(low.sequence_id).toBe(3);
      const dup = must(await store.addSpan(makeSpan(r.rollout_id, a, 3, { span_id: "00000000000000ff" })));
      expect(dup.sequence_id).toBe(3);
      expect(await store.getNextSpanSequenceId(r.rollout_id, a)).toBe(11);
    });

    test("§2.9 bulk sequence ids are handed out per rollout in list order", async ({ store }) => {
      const got = await store.getManySpanSequenceIds([
        ["A", "a1"],
        ["B", "b1"],
        ["A", "a2"],
        ["A", "a1"],
      ]);
      expect(got).toEqual([1, 1, 2, 3]);
      expect(await store.getNextSpanSequenceId("A", "a9")).toBe(4);
      expect(await store.getManySpanSequenceIds([])).toEqual([]);
    });

    test("#82 spans are ordered by sequence id (asc by default, desc on request)", async ({ store }) => {
      const r = await store.startRollout({ input: 1 });
      for (const n of [3, 1, 2]) await store.addSpan(makeSpan(r.rollout_id, r.attempt.attempt_id, n));
      expect(seqs((await store.querySpans({ rolloutId: r.rollout_id })).items)).toEqual([1, 2, 3]);
      const desc = await store.querySpans({ rolloutId: r.rollout_id, sortOrder: "desc" });
      expect(seqs(desc.items)).toEqual([3, 2, 1]);
      const byId = await store.querySpans({
        rolloutId: r.rollout_id,
        sortBy: "sequence_id",
        sortOrder: "desc",
      });
      expect(seqs(byId.items)).toEqual([3, 2, 1]);
    });

    test('#83 attempt_id "latest", an unknown attempt and an unknown rollout scope the query', async ({
      store,
    }) => {
      const r = await store.startRollout({ input: 1 });
      await store.addSpan(makeSpan(r.rollout_id, r.attempt.attempt_id, 1));
      const second = await store.startAttempt(r.rollout_id);
      await store.addSpan(makeSpan(r.rollout_id, second.attempt.attempt_id, 2));
      await store.addSpan(makeSpan(r.rollout_id, second.attempt.attempt_id, 3));
      const latest = await store.querySpans({ rolloutId: r.rollout_id, attemptId: "latest" });
      expect(seqs(latest.items)).toEqual([2, 3]);
      expect(latest.items.every((s) => s.attempt_id === second.attempt.attempt_id)).toBe(true);
      const first = await store.querySpans({ rolloutId: r.rollout_id, attemptId: r.attempt.attempt_id });
      expect(seqs(first.items)).toEqual([1]);
      const all = await store.querySpans({ rolloutId: r.rollout_id });
      expect(all.total).toBe(3);
      const unknownAttempt = await store.querySpans({ rolloutId: r.rollout_id, attemptId: "at-00000000" });
      expect(unknownAttempt.items).toEqual([]);
      expect(unknownAttempt.total).toBe(0);
      expect(await store.querySpans({ rolloutId: "ro-000000000000" })).toEqual({
        items: [],
        limit: -1,
        offset: 0,
        total: 0,
      });
      const queued = await enqueueId(store, 1);
      expect(await store.querySpans({ rolloutId: queued, attemptId: "latest", limit: 3 })).toEqual({
        items: [],
        limit: 3,
        offset: 0,
        total: 0,
      });
    });

    test("#85 filter_logic or without any optional filter matches nothing (Quirk B3); and matches all", async ({
      store,
    }) => {
      const r = await store.startRollout({ input: 1 });
      for (const n of [1, 2]) await store.addSpan(makeSpan(r.rollout_id, r.attempt.attempt_id, n));
      const or = await store.querySpans({ rolloutId: r.rollout_id, filterLogic: "or" });
      expect(or.total).toBe(0);
      expect(or.items).toEqual([]);
      const and = await store.querySpans({ rolloutId: r.rollout_id, filterLogic: "and" });
      expect(and.total).toBe(2);
    });

    test("#86 or-combined filters match either condition but never escape the rollout scope", async ({
      store,
    }) => {
      const r = await store.startRollout({ input: 1 });
      const other = await store.startRollout({ input: 2 });
      const a = r.attempt.attempt_id;
      await store.addSpan(makeSpan(r.rollout_id, a, 1, { name: "call-api" }));
      await store.addSpan(makeSpan(r.rollout_id, a, 2, { name: "tool" }));
      await store.addSpan(makeSpan(r.rollout_id, a, 3, { name: "llm" }));
      await store.addSpan(makeSpan(other.rollout_id, other.attempt.attempt_id, 2, { name: "api-too" }));
      const t2 = makeSpan("", "", 2).trace_id;
      const or = await store.querySpans({
        rolloutId: r.rollout_id,
        nameContains: "api",
        traceId: t2,
        filterLogic: "or",
      });
      expect(seqs(or.items)).toEqual([1, 2]);
      expect(or.items.every((s) => s.rollout_id === r.rollout_id)).toBe(true);
      const and = await store.querySpans({ rolloutId: r.rollout_id, nameContains: "api", traceId: t2 });
      expect(and.total).toBe(0);
    });

    test("§2.9 each span filter matches exactly (or by substring) and pagination applies after it", async ({
      store,
    }) => {
      const r = await store.startRollout({ input: 1 });
      const a = r.attempt.attempt_id;
      await store.addSpan(makeSpan(r.rollout_id, a, 1, { name: "root" }));
      await store.addSpan(makeSpan(r.rollout_id, a, 2, { name: "child-1", parent_id: "0000000000000001" }));
      await store.addSpan(makeSpan(r.rollout_id, a, 3, { name: "child-2", parent_id: "0000000000000001" }));
      const q = (extra: Record<string, unknown>) => store.querySpans({ rolloutId: r.rollout_id, ...extra });
      expect(seqs((await q({ name: "root" })).items)).toEqual([1]);
      expect(seqs((await q({ nameContains: "child" })).items)).toEqual([2, 3]);
      expect(seqs((await q({ spanId: "0000000000000003" })).items)).toEqual([3]);
      expect(seqs((await q({ spanIdContains: "02" })).items)).toEqual([2]);
      expect(seqs((await q({ traceIdContains: "0001" })).items)).toEqual([1]);
      expect(seqs((await q({ parentId: "0000000000000001" })).items)).toEqual([2, 3]);
      expect(seqs((await q({ parentIdContains: "" })).items)).toEqual([2, 3]);
      const paged = await q({ nameContains: "child", limit: 1, offset: 1 });
      expect(seqs(paged.items)).toEqual([3]);
      expect(paged).toMatchObject({ total: 2, limit: 1, offset: 1 });
    });

    test("§2.9 add_many_spans skips duplicates (stored or within the batch) and heartbeats each group", async ({
      store,
      clock,
    }) => {
      const r1 = await claimedRollout(store);
      const r2 = await claimedRollout(store);
      const a1 = r1.attempt.attempt_id;
      const a2 = r2.attempt.attempt_id;
      await store.addSpan(makeSpan(r1.rollout_id, a1, 1));
      clock.advance(2);
      const stored = await store.addManySpans([
        makeSpan(r1.rollout_id, a1, 1),
        makeSpan(r1.rollout_id, a1, 2),
        makeSpan(r2.rollout_id, a2, 5),
        makeSpan(r1.rollout_id, a1, 2, { name: "dup-in-batch" }),
        makeSpan(r1.rollout_id, a1, 3),
      ]);
      // The order of the returned spans is not pinned by §2.9 (upstream: grouped by attempt).
      expect(stored.map((s) => [s.rollout_id, s.sequence_id]).sort(byRolloutThenSeq)).toEqual(
        [
          [r1.rollout_id, 2],
          [r1.rollout_id, 3],
          [r2.rollout_id, 5],
        ].sort(byRolloutThenSeq),
      );
      expect(stored.find((s) => s.name === "dup-in-batch")).toBeUndefined();
      expect((await counts(store)).total_spans).toBe(4);
      for (const r of [r1, r2]) {
        const attempt = await readAttempt(store, r.rollout_id, r.attempt.attempt_id);
        expect(attempt.status).toBe("running");
        expectTime(attempt.last_heartbeat_time, clock.now());
        expect((await readRollout(store, r.rollout_id)).status).toBe("running");
      }
      expect(await store.getNextSpanSequenceId(r2.rollout_id, a2)).toBe(6);
      expect(await store.addManySpans([])).toEqual([]);
    });
  });
}

/**
 * The span edge cases of §2.9 and §3.7 (items 75, 76, 78 and 87–90) through each way spans reach a
 * store (`addSpan`, `addManySpans`, OTLP ingestion): the heartbeat, duplicates, unknown targets,
 * late spans.
 */
export function spanPathTests(test: StoreTest): void {
  describe.each(SPAN_PATHS.map((path) => ({ path })))("Span edge cases through $path", ({ path }) => {
    test("#75 the first span makes a preparing attempt running (heartbeat) and the rollout running", async ({
      store,
      clock,
    }) => {
      const r = await claimedRollout(store);
      clock.advance(2);
      expect(await storeThrough(store, path, [makeSpan(r.rollout_id, r.attempt.attempt_id, 1)])).toBe(1);
      const attempt = await readAttempt(store, r.rollout_id, r.attempt.attempt_id);
      expect(attempt.status).toBe("running");
      expectTime(attempt.last_heartbeat_time, clock.now());
      expect(attempt.end_time).toBeNull();
      expect((await readRollout(store, r.rollout_id)).status).toBe("running");
    });

    test("#76 a span stored before (even renamed, under a new sequence id) is not stored again and is no heartbeat", async ({
      store,
      clock,
    }) => {
      const r = await claimedRollout(store);
      const span = makeSpan(r.rollout_id, r.attempt.attempt_id, 1);
      expect(await store.addSpan(span)).not.toBeNull();
      const beat = clock.now();
      clock.advance(3);
      expect(await storeThrough(store, path, [span])).toBe(0);
      expect(await storeThrough(store, path, [{ ...span, name: "renamed", sequence_id: 2 }])).toBe(0);
      expect(await spanTotal(store, r.rollout_id)).toBe(1);
      expect((await counts(store)).total_spans).toBe(1);
      expectTime((await readAttempt(store, r.rollout_id, r.attempt.attempt_id)).last_heartbeat_time, beat);
      const [kept] = (await store.querySpans({ rolloutId: r.rollout_id })).items;
      expect(kept?.name).toBe("s1");
    });

    test("#78 an unknown rollout or attempt rejects with not_found; nothing changes", async ({ store }) => {
      const r = await claimedRollout(store);
      const good = makeSpan(r.rollout_id, r.attempt.attempt_id, 1);
      const unknownRollout = makeSpan("ro-000000000000", r.attempt.attempt_id, 2);
      const unknownAttempt = makeSpan(r.rollout_id, "at-00000000", 3);
      for (const [bad, id] of [
        [unknownRollout, "ro-000000000000"],
        [unknownAttempt, "at-00000000"],
      ] as const) {
        // OTLP gets a valid span too: all or nothing (Appendix B14). Not addManySpans: over HTTP,
        // LightningStoreClient sends one request per span, as the Python client does.
        const spans = path === "otlp" ? [good, bad] : [bad];
        await expectAglError(storeThrough(store, path, spans), "not_found", id);
      }
      expect((await counts(store)).total_spans).toBe(0);
      expect((await readAttempt(store, r.rollout_id, r.attempt.attempt_id)).status).toBe("preparing");
      expect((await readRollout(store, r.rollout_id)).status).toBe("preparing");
      expect(await store.getNextSpanSequenceId(r.rollout_id, r.attempt.attempt_id)).toBe(1);
    });

    test("#87 a span on a timeout attempt of a failed rollout is stored and refreshes the heartbeat only", async ({
      store,
      clock,
    }) => {
      const r = await claimedRollout(store);
      await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "timeout" });
      const before = await readRollout(store, r.rollout_id);
      expect(before.status).toBe("failed");
      clock.advance(4);
      expect(await storeThrough(store, path, [makeSpan(r.rollout_id, r.attempt.attempt_id, 1)])).toBe(1);
      const attempt = await readAttempt(store, r.rollout_id, r.attempt.attempt_id);
      expect([attempt.status, attempt.end_time]).toEqual(["timeout", null]);
      expectTime(attempt.last_heartbeat_time, clock.now());
      expect(withoutAttempt(await readRollout(store, r.rollout_id))).toEqual(withoutAttempt(before));
      expect(await spanTotal(store, r.rollout_id)).toBe(1);
    });

    test("§3.7 a span on a succeeded attempt of a succeeded rollout changes neither", async ({ store }) => {
      const r = await claimedRollout(store);
      await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "succeeded" });
      expect(await storeThrough(store, path, [makeSpan(r.rollout_id, r.attempt.attempt_id, 1)])).toBe(1);
      expect((await readAttempt(store, r.rollout_id, r.attempt.attempt_id)).status).toBe("succeeded");
      expect((await readRollout(store, r.rollout_id)).status).toBe("succeeded");
    });

    test("#88 a span revives an unresponsive latest attempt of a requeuing rollout; its queue entry goes stale", async ({
      store,
    }) => {
      const r = await claimedRollout(store, { max_attempts: 2, retry_condition: ["unresponsive"] });
      await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "unresponsive" });
      expect((await readRollout(store, r.rollout_id)).status).toBe("requeuing");
      await storeThrough(store, path, [makeSpan(r.rollout_id, r.attempt.attempt_id, 1)]);
      expect((await readAttempt(store, r.rollout_id, r.attempt.attempt_id)).status).toBe("running");
      expect((await readRollout(store, r.rollout_id)).status).toBe("running");
      expect(await store.dequeueRollout()).toBeNull();
      expect((await store.queryAttempts(r.rollout_id)).total).toBe(1);
    });

    test("#89 a span on an old unresponsive attempt revives it without touching the rollout", async ({
      store,
    }) => {
      const r = await claimedRollout(store, { max_attempts: 3, retry_condition: ["unresponsive"] });
      await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "unresponsive" });
      expect((await dequeueOne(store)).attempt.sequence_id).toBe(2);
      await storeThrough(store, path, [makeSpan(r.rollout_id, r.attempt.attempt_id, 1)]);
      expect((await readAttempts(store, r.rollout_id)).map((a) => a.status)).toEqual([
        "running",
        "preparing",
      ]);
      expect((await readRollout(store, r.rollout_id)).status).toBe("preparing");
    });

    test("#90 a span on the latest attempt of a rollout set to queuing leaves it queuing (Quirk B4)", async ({
      store,
    }) => {
      const r = await claimedRollout(store);
      await store.updateRollout(r.rollout_id, { status: "queuing" });
      await storeThrough(store, path, [makeSpan(r.rollout_id, r.attempt.attempt_id, 1)]);
      expect((await readAttempt(store, r.rollout_id, r.attempt.attempt_id)).status).toBe("running");
      expect((await readRollout(store, r.rollout_id)).status).toBe("queuing");
    });

    test("§2.9 one batch for two attempts of a rollout heartbeats both; only the latest moves the rollout", async ({
      store,
      clock,
    }) => {
      const r = await claimedRollout(store, { max_attempts: 3, retry_condition: ["unresponsive"] });
      await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "unresponsive" });
      const second = await dequeueOne(store);
      clock.advance(1);
      const spans = [
        makeSpan(r.rollout_id, r.attempt.attempt_id, 1),
        makeSpan(r.rollout_id, second.attempt.attempt_id, 2),
      ];
      expect(await storeThrough(store, path, spans)).toBe(2);
      const attempts = await readAttempts(store, r.rollout_id);
      expect(attempts.map((a) => a.status)).toEqual(["running", "running"]);
      for (const a of attempts) expectTime(a.last_heartbeat_time, clock.now());
      expect((await readRollout(store, r.rollout_id)).status).toBe("running");
    });
  });

  describe("OTLP ingestion", () => {
    test("§4.7 spans without a sequence id get the rollout's next numbers in payload order, in one batch", async ({
      store,
    }) => {
      const r = await claimedRollout(store);
      const a = r.attempt.attempt_id;
      await store.addSpan(makeSpan(r.rollout_id, a, 5));
      const spans = [
        makeSpan(r.rollout_id, a, 0, { span_id: "00000000000000a1" }),
        makeSpan(r.rollout_id, a, 0, { span_id: "00000000000000a2" }),
      ];
      const result = await storeOtlpSpans(store, otlpExportOf(spans, false));
      expect(result).toEqual({ stored: 2, duplicates: 0, skipped: 0 });
      const stored = (await store.querySpans({ rolloutId: r.rollout_id })).items;
      expect(stored.map((s) => [s.span_id, s.sequence_id])).toEqual([
        ["0000000000000005", 5],
        ["00000000000000a1", 6],
        ["00000000000000a2", 7],
      ]);
      expect(await store.getNextSpanSequenceId(r.rollout_id, a)).toBe(8);
    });

    test("§4.7 an export naming an unknown attempt stores nothing and allocates nothing", async ({
      store,
    }) => {
      const r = await claimedRollout(store);
      const spans = [
        makeSpan(r.rollout_id, r.attempt.attempt_id, 0),
        makeSpan(r.rollout_id, "at-00000000", 0),
      ];
      await expectAglError(storeOtlpSpans(store, otlpExportOf(spans, false)), "not_found", "at-00000000");
      expect((await counts(store)).total_spans).toBe(0);
      expect(await store.getNextSpanSequenceId(r.rollout_id, r.attempt.attempt_id)).toBe(1);
    });
  });
}

function must<T>(value: T | null): T {
  expect(value).not.toBeNull();
  return value as T;
}
