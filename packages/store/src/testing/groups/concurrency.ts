import type { AttemptedRollout } from "@agentlightning/types";
import { describe, expect } from "vitest";
import type { LightningStore } from "../../store.js";
import { counts, readAttempts, type StoreTest } from "../harness.js";
import { makeSpan } from "../make-span.js";

/** Claims until the queue is empty, alternating single and multi claims. */
async function drain(store: LightningStore, workerId: string, multi: boolean): Promise<AttemptedRollout[]> {
  const got: AttemptedRollout[] = [];
  for (;;) {
    const batch = multi
      ? await store.dequeueManyRollouts({ limit: 3, workerId })
      : [await store.dequeueRollout({ workerId })].filter((r): r is AttemptedRollout => r !== null);
    if (batch.length === 0) return got;
    got.push(...batch);
  }
}

/** Concurrency guarantees of §2.0 rule 1, §2.3 and §3.4 invariants 1–3 (items 21 and 81 included). */
export function concurrencyTests(test: StoreTest): void {
  describe("Concurrency", () => {
    test("#21 40 parallel dequeues over 25 queued rollouts hand each out exactly once", async ({ store }) => {
      const queued = await store.enqueueManyRollouts(Array.from({ length: 25 }, (_, i) => ({ input: i })));
      const results = await Promise.all(
        Array.from({ length: 40 }, () => store.dequeueManyRollouts({ limit: 1 })),
      );
      const claimed = results.flat();
      expect(results.filter((r) => r.length > 0)).toHaveLength(25);
      expect(new Set(claimed.map((r) => r.rollout_id))).toEqual(new Set(queued.map((r) => r.rollout_id)));
      for (const r of claimed) expect((await store.queryAttempts(r.rollout_id)).total).toBe(1);
    });

    test(
      "64 concurrent dequeuers over 1,000 rollouts: every rollout handed out exactly once",
      async ({ store }) => {
        const ids: string[] = [];
        for (let batch = 0; batch < 10; batch++) {
          const created = await store.enqueueManyRollouts(
            Array.from({ length: 100 }, (_, i) => ({ input: { n: batch * 100 + i } })),
          );
          ids.push(...created.map((r) => r.rollout_id));
        }
        const perWorker = await Promise.all(
          Array.from({ length: 64 }, (_, i) => drain(store, `worker-${i}`, i % 2 === 1)),
        );
        const claimed = perWorker.flat();
        expect(claimed).toHaveLength(1000);
        expect(new Set(claimed.map((r) => r.rollout_id)).size).toBe(1000);
        expect(new Set(claimed.map((r) => r.rollout_id))).toEqual(new Set(ids));
        expect(claimed.every((r) => r.attempt.sequence_id === 1 && r.status === "preparing")).toBe(true);
        expect(new Set(claimed.map((r) => r.attempt.attempt_id)).size).toBe(1000);
        expect((await counts(store)).total_attempts).toBe(1000);
        expect(await store.dequeueRollout()).toBeNull();
        const page = await store.queryRollouts({ statusIn: ["preparing"] });
        expect(page.total).toBe(1000);
        // Each worker's record points at the last rollout it claimed.
        for (const [i, got] of perWorker.entries()) {
          const last = got.at(-1);
          if (last === undefined) continue;
          const worker = await store.getWorkerById(`worker-${i}`);
          expect(worker?.current_rollout_id).toBe(last.rollout_id);
        }
      },
      { timeoutMs: 180_000 },
    );

    test(
      "producers and consumers interleaved: nothing lost, nothing handed out twice",
      async ({ store }) => {
        const produced: string[] = [];
        const consumed: string[] = [];
        const total = 200;
        let producing = 4;
        const producers = Array.from({ length: producing }, async (_, p) => {
          // In a finally: a producer that throws must still let the consumers stop, so the test
          // fails with its error instead of spinning until the timeout.
          try {
            for (let i = 0; i < total / 4; i++) {
              produced.push((await store.enqueueRollout({ input: { p, i } })).rollout_id);
            }
          } finally {
            producing -= 1;
          }
        });
        // A consumer stops at the first empty dequeue after every producer is done: the queue is
        // then drained for good.
        const consumers = Array.from({ length: 8 }, async (_, c) => {
          for (;;) {
            const done = producing === 0;
            const got = await store.dequeueRollout({ workerId: `c${c}` });
            if (got !== null) consumed.push(got.rollout_id);
            else if (done) return;
            else await new Promise((resolve) => setImmediate(resolve));
          }
        });
        await Promise.all([...producers, ...consumers]);
        expect(consumed).toHaveLength(total);
        expect(new Set(consumed)).toEqual(new Set(produced));
        expect((await counts(store)).total_attempts).toBe(total);
      },
      { timeoutMs: 120_000 },
    );

    test("#81 20 parallel sequence id allocations for one rollout are exactly 1..20", async ({ store }) => {
      const r = await store.startRollout({ input: 1 });
      const got = await Promise.all(
        Array.from({ length: 20 }, () => store.getNextSpanSequenceId(r.rollout_id, r.attempt.attempt_id)),
      );
      expect([...got].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(await store.getNextSpanSequenceId(r.rollout_id, r.attempt.attempt_id)).toBe(21);
    });

    test("parallel bulk allocations never hand out a number twice", async ({ store }) => {
      const pairs = Array.from({ length: 5 }, () => ["ro-shared", "at-1"] as const);
      const got = await Promise.all(Array.from({ length: 8 }, () => store.getManySpanSequenceIds(pairs)));
      expect(
        got
          .flat()
          .slice()
          .sort((a, b) => a - b),
      ).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    });

    test("§3.4 parallel start_attempt calls keep sequence ids gap-free (1..n)", async ({ store }) => {
      const r = await store.startRollout({ input: 1 });
      const got = await Promise.all(Array.from({ length: 10 }, () => store.startAttempt(r.rollout_id)));
      expect(got.map((x) => x.attempt.sequence_id).sort((a, b) => a - b)).toEqual([
        2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
      ]);
      const attempts = await readAttempts(store, r.rollout_id);
      expect(attempts.map((a) => a.sequence_id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      expect(new Set(attempts.map((a) => a.attempt_id)).size).toBe(11);
      expect((await store.getLatestAttempt(r.rollout_id))?.sequence_id).toBe(11);
    });

    test("the same span added 10 times in parallel is stored once", async ({ store }) => {
      const r = await store.startRollout({ input: 1 });
      const span = makeSpan(r.rollout_id, r.attempt.attempt_id, 1);
      const got = await Promise.all(Array.from({ length: 10 }, () => store.addSpan(span)));
      expect(got.filter((s) => s !== null)).toHaveLength(1);
      expect((await store.querySpans({ rolloutId: r.rollout_id })).total).toBe(1);
    });

    test("parallel updates of one resources id produce versions 1..n", async ({ store }) => {
      const got = await Promise.all(Array.from({ length: 10 }, () => store.updateResources("shared", {})));
      expect(got.map((r) => r.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect((await store.getResourcesById("shared"))?.version).toBe(10);
      expect((await counts(store)).total_resources).toBe(1);
    });

    test("parallel enqueues are all queued once, with distinct ids", async ({ store }) => {
      const created = await Promise.all(
        Array.from({ length: 50 }, (_, i) => store.enqueueRollout({ input: i })),
      );
      expect(new Set(created.map((r) => r.rollout_id)).size).toBe(50);
      const claimed = await store.dequeueManyRollouts({ limit: 100 });
      expect(new Set(claimed.map((r) => r.rollout_id))).toEqual(new Set(created.map((r) => r.rollout_id)));
    });

    test("parallel attempt failures with retries requeue each rollout exactly once", async ({ store }) => {
      const config = { max_attempts: 2, retry_condition: ["failed" as const] };
      await store.enqueueManyRollouts(Array.from({ length: 20 }, (_, i) => ({ input: i, config })));
      const first = await store.dequeueManyRollouts({ limit: 20 });
      await Promise.all(
        first.map((r) => store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "failed" })),
      );
      const again = await Promise.all(Array.from({ length: 30 }, () => store.dequeueRollout()));
      const claimed = again.filter((r): r is AttemptedRollout => r !== null);
      expect(claimed).toHaveLength(20);
      expect(new Set(claimed.map((r) => r.rollout_id)).size).toBe(20);
      expect(claimed.every((r) => r.attempt.sequence_id === 2)).toBe(true);
    });
  });
}
