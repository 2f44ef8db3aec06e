import type { Span } from "@agentlightning/types";
import { addSpansAllocating } from "../../core/span-allocation.js";
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
