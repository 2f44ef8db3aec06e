// 100 rollouts traced at once by one tracer in one process never mix their spans: neither in the
// store, nor in what getLastTrace() returns to each rollout's own code after its trace() resolved.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getActiveRolloutContext } from "../src/context/rollout-context.js";
import { OtelTracer } from "../src/tracer/otel-tracer.js";
import { type LiveStore, openLiveStore, STORE_KINDS, startedRollout } from "./support/live-stores.js";

const ROLLOUTS = 100;
const SPANS_PER_ROLLOUT = 6;

const tick = (i: number) =>
  new Promise((resolve) => (i % 2 === 0 ? setImmediate(resolve) : setTimeout(resolve, i % 3)));

describe.each(STORE_KINDS)("100 concurrent rollouts (%s store)", (kind) => {
  let live: LiveStore;
  beforeEach(async () => {
    live = await openLiveStore(kind);
  });
  afterEach(async () => {
    await live.close();
  });

  it("each rollout's spans are stored under it and returned to it, none of another's", async () => {
    const tracer = new OtelTracer({ flushSpanCount: 4, flushIntervalMs: 5 });
    const rollouts = await Promise.all(
      Array.from({ length: ROLLOUTS }, (_, i) => startedRollout(live.store, i)),
    );
    const lastTraces = await Promise.all(
      rollouts.map(async (rollout, r) => {
        const rolloutId = rollout.rollout_id;
        const attemptId = rollout.attempt.attempt_id;
        await tracer.trace({ rolloutId, attemptId, store: live.store }, async () => {
          await tracer.operation("step", { owner: rolloutId }, async () => {
            for (let i = 0; i < SPANS_PER_ROLLOUT - 1; i++) {
              await tick(r + i);
              // The context seen after any await is still this rollout's.
              expect(getActiveRolloutContext()?.rolloutId).toBe(rolloutId);
              tracer.createSpan(`span-${i}`, { owner: rolloutId });
            }
          });
        });
        return { rolloutId, attemptId, spans: tracer.getLastTrace() };
      }),
    );
    for (const { rolloutId, attemptId, spans } of lastTraces) {
      expect(spans).toHaveLength(SPANS_PER_ROLLOUT);
      for (const span of spans) {
        expect(span.rollout_id).toBe(rolloutId);
        expect(span.attempt_id).toBe(attemptId);
        expect(span.attributes.owner).toBe(rolloutId);
      }
      expect(spans.map((s) => s.sequence_id)).toEqual(
        Array.from({ length: SPANS_PER_ROLLOUT }, (_, i) => i + 1),
      );
      const stored = (await live.backing.querySpans({ rolloutId })).items;
      expect(stored).toEqual(spans);
      // The operation span is the parent of every span emitted in it.
      const step = stored.find((s) => s.name === "step");
      for (const span of stored) if (span !== step) expect(span.parent_id).toBe(step?.span_id);
    }
    expect((await live.backing.statistics()).total_spans).toBe(ROLLOUTS * SPANS_PER_ROLLOUT);
  });
});
