import type { Span } from "@agentlightning/types";

/**
 * Turns one kind of data into another; algorithms take an adapter and call it on the spans they
 * read from the store (`store.querySpans(...)`).
 */
export abstract class Adapter<From, To> {
  /** Converts `source`. */
  abstract adapt(source: From): To;
}

/** An adapter over the spans of one trace (typically one rollout attempt). */
export abstract class TraceAdapter<To> extends Adapter<readonly Span[], To> {}
