import type { Span } from "@agentlightning/types";

/** `n` as lowercase hex, left-padded with zeros to `width` characters. */
function hexOf(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

/**
 * The minimal valid span `SPAN(r, a, n)` of the conformance checklist (`docs/store-contract.md` §6):
 * `span_id` = 16-hex of n, `trace_id` = 32-hex of n, `name` = `s<n>`, status OK, no attributes,
 * events or links, null times/context/parent, an empty resource. `overrides` replace fields (and
 * may add extra keys, which a store must keep).
 *
 * @example
 * ```ts
 * await store.addSpan(makeSpan(rollout.rollout_id, rollout.attempt.attempt_id, 1, { name: "llm" }));
 * ```
 */
export function makeSpan(
  rolloutId: string,
  attemptId: string,
  sequenceId: number,
  overrides: Partial<Span> & Record<string, unknown> = {},
): Span {
  return {
    rollout_id: rolloutId,
    attempt_id: attemptId,
    sequence_id: sequenceId,
    trace_id: hexOf(sequenceId, 32),
    span_id: hexOf(sequenceId, 16),
    parent_id: null,
    name: `s${sequenceId}`,
    status: { status_code: "OK" },
    attributes: {},
    events: [],
    links: [],
    start_time: null,
    end_time: null,
    context: null,
    parent: null,
    resource: { attributes: {}, schema_url: "" },
    ...overrides,
  } as Span;
}
