import type { LightningStore } from "../../store.js";
import { convertTraceRequest } from "./convert.js";
import { decodeTraceRequest } from "./proto.js";
import { type OtlpIngestResult, storeOtlpSpans } from "./store-spans.js";

// Ingestion of one OTLP/HTTP export: decode (protobufjs), convert, store. The store-side part,
// which needs no protobuf decoding, is in store-spans.ts.

export type { OtlpIngestResult } from "./store-spans.js";

/**
 * Decodes, converts and stores one OTLP/HTTP `ExportTraceServiceRequest` (uncompressed bytes).
 * Throws a protobuf decode error, an `OtlpConversionError` or the store's `not_found` error.
 *
 * @example
 * ```ts
 * const result = await ingestOtlpTraces(store, new Uint8Array(await request.arrayBuffer()));
 * console.log(`${result.stored} spans stored`);
 * ```
 */
export async function ingestOtlpTraces(store: LightningStore, bytes: Uint8Array): Promise<OtlpIngestResult> {
  const request = bytes.length === 0 ? {} : decodeTraceRequest(bytes);
  return storeOtlpSpans(store, convertTraceRequest(request));
}
