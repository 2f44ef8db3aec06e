import { AglError, isAttemptedRollout, type Span } from "@agentlightning/types";
import type { LightningStore } from "../store.js";
import { normalizeSpan } from "./normalize.js";
import { attemptNotFound, rolloutNotFound } from "./store-errors.js";

// An internal capability of the stores in this package, used by OTLP ingestion: store a batch of
// spans and allocate the sequence ids of the spans that came without one, in one call (for
// Postgres, one statement), all or nothing. Keyed by a symbol so it stays out of the public
// LightningStore interface; a store without it (e.g. LightningStoreClient) is served by
// separate calls.

/** The method key of {@link SpanAllocatingStore}. */
export const ADD_SPANS_ALLOCATING: unique symbol = Symbol.for("agentlightning.store.addSpansAllocating");

/** A store that can store spans and allocate missing sequence ids in one call. */
export interface SpanAllocatingStore {
  /**
   * Like `addManySpans`, but first gives every span whose `allocate` flag is set the next number of
   * its rollout's counter (in list order; a span repeated within the batch gets none); the
   * returned spans carry the allocated ids. Every rollout and attempt is checked before anything
   * changes, counters included.
   */
  [ADD_SPANS_ALLOCATING](spans: Span[], allocate: readonly boolean[]): Promise<Span[]>;
}

/** Whether `store` has the {@link SpanAllocatingStore} capability. */
export function isSpanAllocatingStore(store: LightningStore): store is LightningStore & SpanAllocatingStore {
  return typeof (store as Partial<SpanAllocatingStore>)[ADD_SPANS_ALLOCATING] === "function";
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
 * Stores spans, first giving the flagged ones the next sequence ids of their rollouts (in list
 * order; the `sequence_id` they carry is ignored): `allocate` is one flag per span, or `true` (the
 * default) for all of them. Every span is checked, and every rollout and attempt must exist, before
 * any number is taken or anything stored: a refused call changes nothing. The stores of this
 * package do it in one call (one statement on Postgres, one `POST /v1/agl/spans/batch` request
 * per chunk for `LightningStoreClient`); any other store gets the checks, one bulk allocation
 * (`getManySpanSequenceIds`) and one `addManySpans`. Returns the stored spans, carrying their
 * numbers (spans already stored before are skipped, as by `addManySpans`).
 *
 * This is how a producer writes spans without spending a request per sequence id (the tracer
 * writes each batch of finished spans with it).
 *
 * @example
 * ```ts
 * import { addSpansAllocating, InMemoryLightningStore } from "@agentlightning/store";
 * const stored = await addSpansAllocating(store, spans); // spans numbered 1, 2, 3... by the store
 * ```
 */
export async function addSpansAllocating(
  store: LightningStore,
  spans: Span[],
  allocate: readonly boolean[] | boolean = true,
): Promise<Span[]> {
  if (!Array.isArray(spans)) throw new AglError("invalid_argument", "spans must be an array");
  if (spans.length === 0) return [];
  if (typeof allocate === "boolean") allocate = new Array<boolean>(spans.length).fill(allocate);
  if (isSpanAllocatingStore(store)) return store[ADD_SPANS_ALLOCATING](spans, allocate);
  return addSpansAllocatingBySteps(store, spans, allocate);
}

/**
 * {@link addSpansAllocating} for a store without the one-call capability: the checks, one bulk
 * allocation (`getManySpanSequenceIds`) and one `addManySpans`. Nothing is allocated or stored when
 * a check fails.
 */
export async function addSpansAllocatingBySteps(
  store: LightningStore,
  spans: Span[],
  allocate: readonly boolean[],
): Promise<Span[]> {
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
