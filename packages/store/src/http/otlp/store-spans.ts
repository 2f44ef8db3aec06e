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
 * Stores spans, first giving the flagged ones (`allocate[i]`) the next sequence ids of their
 * rollouts, in list order. Every span is checked, and every rollout and attempt must exist, before
 * any number is taken or anything stored: a refused request changes nothing. The stores of this
 * package do it in one call (one statement on Postgres); any other store gets the checks, one bulk
 * allocation and `addManySpans`. Returns the stored spans (duplicates skipped).
 */
export async function addSpansAllocating(
  store: LightningStore,
  spans: Span[],
  allocate: readonly boolean[],
): Promise<Span[]> {
  if (spans.length === 0) return [];
  if (isSpanAllocatingStore(store)) return store[ADD_SPANS_ALLOCATING](spans, allocate);
  for (const [index, span] of spans.entries()) normalizeSpan(span, `spans.${index}`);
  await checkTargetsExist(store, spans);
  const lacking = spans.filter((_, index) => allocate[index] === true);
  if (lacking.length > 0) {
    const ids = await store.getManySpanSequenceIds(
      lacking.map((span) => [span.rollout_id, span.attempt_id] as const),
    );
    lacking.forEach((span, i) => {
      span.sequence_id = ids[i] ?? span.sequence_id;
    });
  }
  return store.addManySpans(spans);
}

/**
 * Stores converted OTLP spans (docs/store-contract.md §4.7) with {@link addSpansAllocating}: the
 * missing sequence ids are allocated in payload order. Throws the store's `not_found` error for an
 * unknown rollout or attempt, having stored nothing.
 */
export async function storeOtlpSpans(
  store: LightningStore,
  converted: ConvertedSpans,
): Promise<OtlpIngestResult> {
  const { skipped } = converted;
  const spans = converted.spans.map((draft) => draft.span);
  const allocate = converted.spans.map((draft) => draft.allocateSequenceId);
  const stored = await addSpansAllocating(store, spans, allocate);
  return { stored: stored.length, duplicates: spans.length - stored.length, skipped };
}
