import {
  convertTimestamp,
  formatValidationError,
  OtelResourceSchema,
  pyStr,
  type Span,
  SpanSchema,
} from "@agentlightning/types";
import type { DecodedAnyValue, DecodedKeyValue, DecodedSpan, DecodedTraceRequest } from "./proto.js";
import type { ConvertedSpans } from "./store-spans.js";

// OTLP → store span conversion of `docs/store-contract.md` §4.7, matching `agentlightning/utils/otlp.py`
// (v0.3.0) except where the spec deviates: invalid attribute values reject the whole request.

/** Attribute names the runner puts on spans or on the resource. */
export const OTLP_ID_ATTRIBUTES = {
  rolloutId: "agentlightning.rollout_id",
  attemptId: "agentlightning.attempt_id",
  sequenceId: "agentlightning.span_sequence_id",
} as const;

/** What a trace request converts to (declared with the storing step, which has no protobufjs). */
export type ConvertedTraceRequest = ConvertedSpans;

/** An OTLP payload that decodes but cannot be stored (bad attribute values): answered with 400. */
export class OtlpConversionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OtlpConversionError";
  }
}

function hex(bytes: Uint8Array | undefined): string {
  return bytes === undefined
    ? ""
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

function paddedHex(bytes: Uint8Array | undefined, width: number): string {
  const text = hex(bytes);
  return text === "" ? "0".repeat(width) : text.padStart(width, "0");
}

/** AnyValue → JSON: kvlist → object, bytes → hex, unset → null, int64 → number. */
export function anyValueToJson(value: DecodedAnyValue | undefined): unknown {
  switch (value?.value) {
    case "stringValue":
      return value.stringValue ?? "";
    case "boolValue":
      return value.boolValue ?? false;
    case "intValue":
      // JSON numbers; integers beyond 2^53 lose precision (docs/store-contract.md Appendix E4).
      return Number(value.intValue ?? 0n);
    case "doubleValue":
      return value.doubleValue ?? 0;
    case "arrayValue":
      return (value.arrayValue?.values ?? []).map(anyValueToJson);
    case "kvlistValue":
      return keyValuesToObject(value.kvlistValue?.values);
    case "bytesValue":
      return hex(value.bytesValue);
    default:
      return null;
  }
}

function keyValuesToObject(values: DecodedKeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of values ?? []) out[kv.key ?? ""] = anyValueToJson(kv.value);
  return out;
}

function findValue(values: DecodedKeyValue[] | undefined, key: string): DecodedAnyValue | undefined {
  let found: DecodedAnyValue | undefined;
  // Like a Python dict built from the list, the last occurrence of a key wins.
  for (const kv of values ?? []) if (kv.key === key) found = kv.value;
  return found?.value === undefined ? undefined : found;
}

/** `str(value)` of an id attribute, as Python does; unset → absent. */
function idFrom(value: DecodedAnyValue | undefined): string | null {
  if (value === undefined) return null;
  return pyStr(anyValueToJson(value));
}

const DECIMAL = /^\s*[+-]?\d+(?:_\d+)*\s*$/;

/**
 * Sequence id from an attribute: a decimal string or an integer; negative, unparseable, double
 * and bool values count as absent (docs/store-contract.md §4.7, Appendix E5/E7).
 */
function sequenceFrom(value: DecodedAnyValue | undefined): number | null {
  if (value === undefined) return null;
  let parsed: number | null = null;
  if (value.value === "intValue") parsed = Number(value.intValue ?? 0n);
  else if (value.value === "stringValue" && DECIMAL.test(value.stringValue ?? "")) {
    parsed = Number((value.stringValue ?? "").replaceAll("_", "").trim());
  }
  if (parsed === null || !Number.isSafeInteger(parsed) || parsed < 0) return null;
  return parsed;
}

const NANOS_PER_SECOND = 1_000_000_000n;

/**
 * Nanoseconds → float seconds by the rule of `convertTimestamp` (0 → null; values above 1e12 are
 * nanoseconds), dividing in integers first so that no precision is lost to `Number(bigint)`.
 */
function timestamp(nanos: bigint | undefined): number | null {
  if (nanos === undefined || nanos <= 1_000_000_000_000n)
    return convertTimestamp(nanos === undefined ? null : Number(nanos));
  return Number(nanos / NANOS_PER_SECOND) + Number(nanos % NANOS_PER_SECOND) / 1e9;
}

function convertSpan(
  span: DecodedSpan,
  resource: { attributes: Record<string, unknown>; schema_url: string },
  rolloutId: string,
  attemptId: string,
  sequenceId: number,
): Span {
  const traceId = paddedHex(span.traceId, 32);
  const spanId = paddedHex(span.spanId, 16);
  const parent = hex(span.parentSpanId);
  const code = span.status?.code ?? 0;
  return {
    rollout_id: rolloutId,
    attempt_id: attemptId,
    sequence_id: sequenceId,
    trace_id: traceId,
    span_id: spanId,
    parent_id: parent === "" ? null : parent.padStart(16, "0"),
    name: span.name ?? "",
    status: {
      status_code: code === 1 ? "OK" : code === 2 ? "ERROR" : "UNSET",
      description: span.status?.message ? span.status.message : null,
    },
    attributes: keyValuesToObject(span.attributes) as Span["attributes"],
    events: (span.events ?? []).map((event) => ({
      name: event.name ?? "",
      attributes: keyValuesToObject(event.attributes) as Span["attributes"],
      timestamp: timestamp(event.timeUnixNano),
    })),
    links: (span.links ?? []).map((link) => ({
      context: {
        trace_id: paddedHex(link.traceId, 32),
        span_id: paddedHex(link.spanId, 16),
        is_remote: false,
        trace_state: {},
      },
      attributes: link.attributes?.length ? (keyValuesToObject(link.attributes) as Span["attributes"]) : null,
    })),
    start_time: timestamp(span.startTimeUnixNano),
    end_time: timestamp(span.endTimeUnixNano),
    context: { trace_id: traceId, span_id: spanId, is_remote: false, trace_state: {} },
    parent: null,
    resource: resource as Span["resource"],
  };
}

/**
 * Converts a decoded OTLP trace request to store spans, in payload order. Span-level
 * `agentlightning.*` attributes override resource-level ones. Spans without rollout or attempt id
 * are skipped (counted). Throws {@link OtlpConversionError} if any span would not be a valid
 * store span (e.g. an attribute whose value is a map or unset), so nothing of the request is kept.
 */
export function convertTraceRequest(request: DecodedTraceRequest): ConvertedTraceRequest {
  const spans: ConvertedSpans["spans"] = [];
  let skipped = 0;
  for (const resourceSpans of request.resourceSpans ?? []) {
    const resourceAttributes = resourceSpans.resource?.attributes;
    const resource = {
      attributes: keyValuesToObject(resourceAttributes),
      schema_url: resourceSpans.schemaUrl ?? "",
    };
    const resourceCheck = OtelResourceSchema.safeParse(resource);
    if (!resourceCheck.success) {
      throw new OtlpConversionError(
        `Invalid resource: ${formatValidationError(resourceCheck.error, resource)}`,
      );
    }
    const resourceRollout = findValue(resourceAttributes, OTLP_ID_ATTRIBUTES.rolloutId);
    const resourceAttempt = findValue(resourceAttributes, OTLP_ID_ATTRIBUTES.attemptId);
    const resourceSequence = findValue(resourceAttributes, OTLP_ID_ATTRIBUTES.sequenceId);
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        const rolloutId = idFrom(findValue(span.attributes, OTLP_ID_ATTRIBUTES.rolloutId) ?? resourceRollout);
        const attemptId = idFrom(findValue(span.attributes, OTLP_ID_ATTRIBUTES.attemptId) ?? resourceAttempt);
        if (rolloutId === null || attemptId === null) {
          skipped += 1;
          continue;
        }
        const sequenceId = sequenceFrom(
          findValue(span.attributes, OTLP_ID_ATTRIBUTES.sequenceId) ?? resourceSequence,
        );
        const converted = convertSpan(span, resource, rolloutId, attemptId, sequenceId ?? 0);
        const check = SpanSchema.safeParse(converted);
        if (!check.success) {
          throw new OtlpConversionError(
            `Invalid span ${converted.span_id} (${converted.name}): ${formatValidationError(check.error, converted)}`,
          );
        }
        spans.push({ span: check.data, allocateSequenceId: sequenceId === null });
      }
    }
  }
  return { spans, skipped };
}
