import type { Span } from "@agentlightning/types";
import { convertTraceRequest, OTLP_ID_ATTRIBUTES } from "../http/otlp/convert.js";
import { storeOtlpSpans } from "../http/otlp/ingest.js";
import type { DecodedKeyValue, DecodedTraceRequest } from "../http/otlp/proto.js";
import type { LightningStore } from "../store.js";

// The three ways spans reach a store: `addSpan`, `addManySpans` and OTLP ingestion (converted
// trace requests, stored as the `/v1/traces` route stores them). The span edge cases of the
// conformance suite run through each, so that every backend's batch path is held to the same
// rules as its single-span path.

/** A way of storing spans. */
export type SpanPath = "addSpan" | "addManySpans" | "otlp";

/** Every {@link SpanPath}. */
export const SPAN_PATHS: readonly SpanPath[] = ["addSpan", "addManySpans", "otlp"];

function bytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

function text(key: string, value: string): DecodedKeyValue {
  return { key, value: { value: "stringValue", stringValue: value } };
}

/**
 * An OTLP trace request as decoded, carrying `spans` (ids, name, times; attributes and events are
 * not carried). `withSequenceIds` false leaves the sequence ids for the store to allocate.
 */
export function otlpRequestOf(spans: readonly Span[], withSequenceIds = true): DecodedTraceRequest {
  return {
    resourceSpans: [
      {
        resource: { attributes: [text("service.name", "conformance")] },
        scopeSpans: [
          {
            spans: spans.map((span) => ({
              traceId: bytes(span.trace_id),
              spanId: bytes(span.span_id),
              ...(span.parent_id === null ? {} : { parentSpanId: bytes(span.parent_id) }),
              name: span.name,
              startTimeUnixNano: BigInt(Math.round((span.start_time ?? 1_700_000_000) * 1e9)),
              endTimeUnixNano: BigInt(Math.round((span.end_time ?? 1_700_000_001) * 1e9)),
              attributes: [
                text(OTLP_ID_ATTRIBUTES.rolloutId, span.rollout_id),
                text(OTLP_ID_ATTRIBUTES.attemptId, span.attempt_id),
                ...(withSequenceIds
                  ? [
                      {
                        key: OTLP_ID_ATTRIBUTES.sequenceId,
                        value: { value: "intValue" as const, intValue: BigInt(span.sequence_id) },
                      },
                    ]
                  : []),
              ],
              status: { code: 1 },
            })),
          },
        ],
      },
    ],
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
      return (await storeOtlpSpans(store, convertTraceRequest(otlpRequestOf(batch)))).stored;
  }
}
