import type { Span } from "@agentlightning/types";
import type { LightningStore } from "../store.js";

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
