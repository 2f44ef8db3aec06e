import type { Logger } from "@agentlightning/types";

/**
 * Why an adapter produced fewer triplets than there were LLM calls in a trace. The most common
 * complaint about the Python adapters is a trace that silently yields no training data; every
 * span an adapter passes over while it looks like an LLM call is listed here with the rule that
 * dropped it.
 */

/** The rule that kept a span that looks like an LLM call out of the triplets. */
export type DropReason =
  /** Matches `llmCallMatch`, but no ancestor agent matches `agentMatch`. */
  | "agent_filter"
  /** Inside an `agentlightning.reward` operation (`excludeLlmCallInReward`). */
  | "inside_reward"
  /** Matches `llmCallMatch` without a response id, nested in an accepted call: a copy of that call. */
  | "nested_llm_call"
  /** Its response id was already taken by an earlier call (dedup). */
  | "duplicate_response_id"
  /** No prompt or response token ids (`skipEmptyTokenSpans`, and always for the LLM-proxy adapter). */
  | "no_token_ids"
  /** Carries LLM-call attributes, but its name does not match `llmCallMatch`. */
  | "name_not_matched"
  /** Carries LLM-call attributes and sits above or below an accepted call: the same call, seen by another layer. */
  | "covered_by_llm_call";

/** Reasons that are expected in a healthy trace (one call recorded by several layers). */
export const EXPECTED_DROP_REASONS: ReadonlySet<DropReason> = new Set([
  "nested_llm_call",
  "covered_by_llm_call",
  "duplicate_response_id",
]);

/** One span an adapter did not turn into a triplet, and why. */
export interface DroppedSpan {
  spanId: string;
  name: string;
  sequenceId: number;
  reason: DropReason;
  /** What the rule saw, and what to change if the span should count. */
  detail: string;
}

/** A triplet whose LLM call no reward span was matched to. */
export interface UnrewardedCall {
  spanId: string;
  name: string;
  responseId: string | null;
}

/** The result of `adaptWithDiagnostics`: the triplets, and an account of what was left out. */
export interface AdaptDiagnostics<T> {
  /** Exactly what `adapt()` returns for the same spans. */
  triplets: T[];
  /** Spans that matched the LLM-call rule or carry LLM-call attributes. */
  llmCallSpans: number;
  /** Every such span that did not become a triplet. */
  dropped: DroppedSpan[];
  /** Triplets left with a `null` reward. */
  unrewarded: UnrewardedCall[];
  /** Spans that carry a reward. */
  rewardSpans: number;
  /** Trace-level observations (no spans, no reward at all, a malformed reward span, a parent cycle...). */
  notes: string[];
}

const REASON_TEXT: Record<DropReason, string> = {
  agent_filter: "outside the agent filter",
  inside_reward: "inside a reward operation",
  nested_llm_call: "nested copies of an accepted call",
  duplicate_response_id: "duplicate response ids",
  no_token_ids: "without token ids",
  name_not_matched: "name not matching llmCallMatch",
  covered_by_llm_call: "other layers of an accepted call",
};

/**
 * A one-paragraph account of a diagnostics result, for a log line: counts per reason with the
 * first detail of each, then the notes.
 */
export function describeDiagnostics(result: AdaptDiagnostics<unknown>): string {
  const parts = [
    `${result.llmCallSpans} LLM-call span(s), ${result.triplets.length} triplet(s), ${result.rewardSpans} reward span(s)`,
  ];
  const byReason = new Map<DropReason, DroppedSpan[]>();
  for (const drop of result.dropped) byReason.set(drop.reason, [...(byReason.get(drop.reason) ?? []), drop]);
  for (const [reason, drops] of byReason) {
    const first = drops[0]!;
    parts.push(
      `${drops.length} dropped, ${REASON_TEXT[reason]} [${reason}] (e.g. span ${first.spanId} "${first.name}": ${first.detail})`,
    );
  }
  if (result.unrewarded.length > 0 && result.triplets.length > 0) {
    parts.push(`${result.unrewarded.length} triplet(s) without a matched reward`);
  }
  parts.push(...result.notes);
  return parts.join("; ");
}

/**
 * A logger that passes each distinct message on once (per adapt call): reading a trace visits a
 * span several times, and its warnings (an old reward format, a bad token id list) need saying once.
 */
export function onceLogger(logger: Logger): Logger {
  const seen = new Set<string>();
  const once =
    (level: keyof Logger) =>
    (message: string, ...args: unknown[]): void => {
      const key = `${level}:${message}`;
      if (seen.has(key)) return;
      seen.add(key);
      logger[level](message, ...args);
    };
  return { debug: once("debug"), info: once("info"), warn: once("warn"), error: once("error") };
}

/** Drop reasons that mean a call was probably meant to be training data. */
const SIGNIFICANT: ReadonlySet<DropReason> = new Set(["agent_filter", "name_not_matched", "no_token_ids"]);

/**
 * Logs what a plain `adapt()` call would otherwise keep to itself: a warning when LLM-call spans
 * were present but no triplet came out, an info line when some calls were dropped by a filter,
 * and an info line when a non-empty trace holds no LLM-call span at all.
 */
export function logAdaptOutcome(
  adapterName: string,
  result: AdaptDiagnostics<unknown>,
  spanNames: readonly string[],
  logger: { warn(message: string): void; info(message: string): void },
): void {
  if (result.triplets.length === 0 && result.llmCallSpans > 0) {
    logger.warn(
      `${adapterName}: no triplets although the trace has LLM-call spans: ${describeDiagnostics(result)}`,
    );
  } else if (result.llmCallSpans === 0 && spanNames.length > 0) {
    const names = [...new Set(spanNames)].slice(0, 10).join(", ");
    logger.info(`${adapterName}: no LLM-call span among ${spanNames.length} span(s) (names: ${names})`);
  } else if (result.dropped.some((drop) => SIGNIFICANT.has(drop.reason))) {
    logger.info(`${adapterName}: some LLM calls were dropped: ${describeDiagnostics(result)}`);
  }
}
