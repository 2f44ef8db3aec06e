import type { Span } from "@agentlightning/types";
import { type ConvertedSpans, storeOtlpSpans } from "../http/otlp/store-spans.js";
import type { LightningStore } from "../store.js";

// The three ways spans reach a store: `addSpan`, `addManySpans` and OTLP ingestion (converted
// exports, stored as the `/v1/traces` route stores them after decoding; decoding and conversion
// have their own tests). The span edge cases of the
// conformance suite run through each, so that every backend's batch path is held to the same
// rules as its single-span path.

/** A way of storing spans. */
export type SpanPath = "addSpan" | "addManySpans" | "otlp";

/** Every {@link SpanPath}. */
export const SPAN_PATHS: readonly SpanPath[] = ["addSpan", "addManySpans", "otlp"];

/**
 * One OTLP export of `spans` as the `/v1/traces` route has it after decoding and conversion;
 * `withSequenceIds` false leaves the sequence ids for the store to allocate.
 */
export function otlpExportOf(spans: readonly Span[], withSequenceIds = true): ConvertedSpans {
  return {
    spans: spans.map((span) => ({
      span: withSequenceIds ? { ...span } : { ...span, sequence_id: 0 },
      allocateSequenceId: !withSequenceIds,
    })),
    skipped: 0,
  };
}

/**
 * Stores `spans` through `path`; returns how many were stored. The batch paths send each batch
 * with a repeat of its first span (skipped as an in-batch duplicate), so that even one span takes
 * the store's batch code rather than its single-span shortcut.
 */
export async function storeThrough(
  store: LightningStore,
  path: SpanPath,
  spans: readonly Span[],
): Promise<number> {
  const batch = spans.length === 1 ? [spans[0] as Span, { ...(spans[0] as Span) }] : [...spans];
  switch (path) {
    case "addSpan": {
      let stored = 0;
      for (const span of spans) if ((await store.addSpan(span)) !== null) stored += 1;
      return stored;
    }
    case "addManySpans":
      return (await store.addManySpans(batch)).length;
    case "otlp":
      return (await storeOtlpSpans(store, otlpExportOf(batch))).stored;
  }
}
