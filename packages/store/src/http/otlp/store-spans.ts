import { isAttemptedRollout, type Span } from "@agentlightning/types";
import { normalizeSpan } from "../../core/normalize.js";
import { ADD_SPANS_ALLOCATING, isSpanAllocatingStore } from "../../core/span-allocation.js";
import { attemptNotFound, rolloutNotFound } from "../../core/store-errors.js";
import type { LightningStore } from "../../store.js";

// The store side of OTLP ingestion: converted spans into a store. Nothing here reaches protobufjs
// (not even through types), so the conformance suite (the testing entry) can drive it.

/** Converted spans of one export (what `convertTraceRequest` returns). */
export interface ConvertedSpans {
  /** Spans in payload order; `allocateSequenceId`: the payload gave none (`sequence_id` is 0). */
  spans: { span: Span; allocateSequenceId: boolean }[];
  /** Spans the conversion skipped (no rollout or attempt id). */
  skipped: number;
}

/** What one OTLP export did to the store. */
export interface OtlpIngestResult {
  /** Spans stored. */
  stored: number;
  /** Spans already stored before (same rollout, attempt and span id), not stored again. */
  duplicates: number;
  /** Spans without rollout or attempt id, ignored. */
  skipped: number;
}

/** Throws the store's not-found error unless every (rollout, attempt) pair exists. */
async function checkTargetsExist(store: LightningStore, spans: readonly Span[]): Promise<void> {
  const wanted = new Map<string, Set<string>>();
  for (const span of spans) {
    const attempts = wanted.get(span.rollout_id) ?? new Set<string>();
    attempts.add(span.attempt_id);
    wanted.set(span.rollout_id, attempts);
  }
  for (const [rolloutId, attemptIds] of wanted) {
    const rollout = await store.getRolloutById(rolloutId);
    if (rollout === null) throw rolloutNotFound(rolloutId);
    const latest = isAttemptedRollout(rollout) ? rollout.attempt.attempt_id : null;
    const others = [...attemptIds].filter((id) => id !== latest);
    if (others.length === 0) continue;
    const known = new Set((await store.queryAttempts(rolloutId)).items.map((a) => a.attempt_id));
    for (const attemptId of others) if (!known.has(attemptId)) throw attemptNotFound(rolloutId, attemptId);
  }
}

/**
 * Stores converted OTLP spans (docs/store-contract.md §4.7): checks every span and that every
 * rollout and attempt exists before anything changes, allocates the missing sequence ids in
 * payload order, then stores all spans (duplicates skipped). The stores of this package do all of it in one call (one statement on
 * Postgres); any other store gets the check, one bulk allocation and `addManySpans`. Throws the
 * store's `not_found` error for an unknown rollout or attempt, having stored nothing.
 */
export async function storeOtlpSpans(
  store: LightningStore,
  converted: ConvertedSpans,
): Promise<OtlpIngestResult> {
  const { skipped } = converted;
  const spans = converted.spans.map((draft) => draft.span);
  if (spans.length === 0) return { stored: 0, duplicates: 0, skipped };
  if (isSpanAllocatingStore(store)) {
    const allocate = converted.spans.map((draft) => draft.allocateSequenceId);
    const stored = await store[ADD_SPANS_ALLOCATING](spans, allocate);
    return { stored: stored.length, duplicates: spans.length - stored.length, skipped };
  }
  // The store's own span checks (schema, JSON and text rule) before any sequence id is allocated,
  // so a rejected export consumes no numbers.
  for (const [index, span] of spans.entries()) normalizeSpan(span, `spans.${index}`);
  await checkTargetsExist(store, spans);
  const lacking = converted.spans.filter((draft) => draft.allocateSequenceId).map((draft) => draft.span);
  if (lacking.length > 0) {
    const ids = await store.getManySpanSequenceIds(
      lacking.map((span) => [span.rollout_id, span.attempt_id] as const),
    );
    lacking.forEach((span, i) => {
      span.sequence_id = ids[i] ?? span.sequence_id;
    });
  }
  const stored = await store.addManySpans(spans);
  return { stored: stored.length, duplicates: spans.length - stored.length, skipped };
}
