import { describe, expect } from "vitest";
import type { ConformanceOptions } from "../describe-lightning-store.js";
import {
  claimedRollout,
  counts,
  expectAglError,
  readAttempt,
  readRollout,
  type StoreTest,
} from "../harness.js";
import { makeSpan } from "../make-span.js";

/** `addManySpans` beyond the edge cases of §2.9: atomicity (B14) and large batches. */
export function spanBatchTests(test: StoreTest, options: ConformanceOptions = {}): void {
  describe("Span batches", () => {
    if (!options.nonAtomicSpanBatches) {
      test("B14 a batch naming an unknown attempt after valid groups stores nothing and consumes no sequence id", async ({
        store,
      }) => {
        const a = await store.startRollout({ input: 1 });
        const b = await store.startRollout({ input: 2 });
        const before = await counts(store);
        await expectAglError(
          store.addManySpans([
            makeSpan(a.rollout_id, a.attempt.attempt_id, 7),
            makeSpan(b.rollout_id, "at-00000000", 8),
            makeSpan(a.rollout_id, a.attempt.attempt_id, 9),
          ]),
          "not_found",
          "at-00000000",
        );
        expect(await counts(store)).toEqual(before);
        // No heartbeat either: the attempt is still preparing, the counter untouched.
        expect((await readAttempt(store, a.rollout_id, a.attempt.attempt_id)).status).toBe("preparing");
        expect(await store.getNextSpanSequenceId(a.rollout_id, a.attempt.attempt_id)).toBe(1);
      });

      test("§2.9 a repeat of a span within one batch is dropped whole: first one wins, its number does not lift the counter", async ({
        store,
      }) => {
        const r = await claimedRollout(store);
        const first = makeSpan(r.rollout_id, r.attempt.attempt_id, 1);
        const stored = await store.addManySpans([first, { ...first, sequence_id: 50, name: "again" }]);
        expect(stored.map((s) => [s.sequence_id, s.name])).toEqual([[1, first.name]]);
        expect(await store.getNextSpanSequenceId(r.rollout_id, r.attempt.attempt_id)).toBe(2);
      });
    }

    test("§2.9 a batch of 500 spans over two rollouts stores every span with its extra keys, lifts both counters and heartbeats both attempts", async ({
      store,
    }) => {
      const a = await claimedRollout(store);
      const b = await claimedRollout(store);
      const spans = Array.from({ length: 500 }, (_, i) => {
        const r = i % 2 ? a : b;
        return makeSpan(r.rollout_id, r.attempt.attempt_id, i + 2, {
          attributes: { i },
          custom: { kept: i },
        });
      });
      const stored = await store.addManySpans(spans);
      expect(stored).toHaveLength(500);
      expect((await counts(store)).total_spans).toBe(500);
      const lastOfA = (await store.querySpans({ rolloutId: a.rollout_id, limit: 1, offset: 249 })).items[0];
      expect(lastOfA).toMatchObject({ sequence_id: 501, attributes: { i: 499 }, custom: { kept: 499 } });
      expect(await store.getNextSpanSequenceId(a.rollout_id, "any")).toBe(502);
      expect(await store.getNextSpanSequenceId(b.rollout_id, "any")).toBe(501);
      for (const r of [a, b]) {
        expect((await readAttempt(store, r.rollout_id, r.attempt.attempt_id)).status).toBe("running");
        expect((await readRollout(store, r.rollout_id)).status).toBe("running");
      }
    });
  });
}
