import {
  type Attributes,
  type AttributeValue,
  generateSpanId,
  generateTraceId,
  nowSeconds,
  type OtelResource,
  type Span,
  type SpanContext,
  type SpanCoreFields,
  type SpanEvent,
  type SpanLink,
  type TraceStatus,
} from "@agentlightning/types";
import {
  type HrTime,
  type Attributes as OtelAttributes,
  type SpanContext as OtelSpanContext,
  SpanStatusCode,
} from "@opentelemetry/api";
import type { Resource } from "@opentelemetry/resources";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { AGL_VIRTUAL } from "../semconv.js";

/** The ids a converted span is stored under. */
export interface SpanOwnerIds {
  rolloutId: string;
  attemptId: string;
  sequenceId: number;
}

const ZERO_TRACE_ID = "0".repeat(32);
const ZERO_SPAN_ID = "0".repeat(16);

/** An OTel `HrTime` (`[seconds, nanoseconds]`) as float seconds; 0 becomes null (runtime contract §1.3 quirk). */
export function hrTimeToSeconds(time: HrTime | undefined): number | null {
  if (time === undefined) return null;
  const seconds = time[0] + time[1] / 1e9;
  return seconds === 0 ? null : seconds;
}

/** Parses a W3C trace-state header text (`k1=v1,k2=v2`) into a record. */
function parseTraceState(serialized: string | undefined): Record<string, string> {
  const state: Record<string, string> = {};
  if (!serialized) return state;
  for (const member of serialized.split(",")) {
    const eq = member.indexOf("=");
    if (eq > 0) state[member.slice(0, eq).trim()] = member.slice(eq + 1).trim();
  }
  return state;
}

/** A serialisable copy of an OTel span context. */
export function toSpanContext(context: OtelSpanContext): SpanContext {
  return {
    trace_id: context.traceId,
    span_id: context.spanId,
    is_remote: context.isRemote ?? false,
    trace_state: parseTraceState(context.traceState?.serialize()),
  };
}

/**
 * One OTel attribute value as a wire attribute value, or undefined to leave the key out. The SDK
 * already rejects objects and mixed arrays; what it lets through but JSON or the store cannot hold
 * is handled here: `undefined`/`null` values and array holes are left out, non-finite numbers
 * become their text (`"NaN"`, `"Infinity"`).
 */
function toAttributeValue(value: unknown): AttributeValue | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "object": {
      if (!Array.isArray(value)) return undefined;
      let clean = true;
      for (const item of value) {
        if (item === null || item === undefined || (typeof item === "number" && !Number.isFinite(item))) {
          clean = false;
          break;
        }
      }
      if (clean) return [...value] as AttributeValue;
      const kept = value.filter((item) => item !== null && item !== undefined);
      return kept.map((item) => (typeof item === "number" && !Number.isFinite(item) ? String(item) : item)) as
        | string[]
        | number[]
        | boolean[];
    }
    default:
      return undefined;
  }
}

/** OTel attributes as wire attributes (a copy; see {@link toAttributeValue} for what is left out). */
export function toAttributes(attributes: OtelAttributes | undefined): Attributes {
  const out: Attributes = {};
  if (attributes === undefined) return out;
  for (const key in attributes) {
    const value = toAttributeValue(attributes[key]);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

const resourceCache = new WeakMap<Resource, OtelResource>();

/** The wire form of an OTel resource (cached: a provider's spans share one resource object). */
function toOtelResource(resource: Resource | undefined): OtelResource {
  if (resource === undefined) return { attributes: {}, schema_url: "" };
  let converted = resourceCache.get(resource);
  if (converted === undefined) {
    converted = { attributes: toAttributes(resource.attributes), schema_url: resource.schemaUrl ?? "" };
    resourceCache.set(resource, converted);
  }
  return { attributes: { ...converted.attributes }, schema_url: converted.schema_url };
}

function statusName(code: SpanStatusCode): TraceStatus["status_code"] {
  if (code === SpanStatusCode.OK) return "OK";
  if (code === SpanStatusCode.ERROR) return "ERROR";
  return "UNSET";
}

/**
 * An OpenTelemetry JS span (SDK 2.x `ReadableSpan`) as a stored {@link Span} of the given rollout,
 * attempt and sequence id (runtime contract §1.3): lowercase hex ids, the parent from
 * `parentSpanContext`, status by name, times in float seconds (`end_time` null while not ended),
 * events, links, trace state and resource converted, attributes copied.
 */
export function otelSpanToSpan(span: ReadableSpan, ids: SpanOwnerIds): Span {
  const context = span.spanContext();
  const parent = span.parentSpanContext;
  const events: SpanEvent[] = span.events.map((event) => ({
    name: event.name,
    attributes: toAttributes(event.attributes),
    timestamp: hrTimeToSeconds(event.time),
  }));
  const links: SpanLink[] = span.links.map((link) => {
    const attributes = toAttributes(link.attributes);
    return {
      context: toSpanContext(link.context),
      attributes: Object.keys(attributes).length > 0 ? attributes : null,
    };
  });
  return {
    rollout_id: ids.rolloutId,
    attempt_id: ids.attemptId,
    sequence_id: ids.sequenceId,
    trace_id: context?.traceId ?? ZERO_TRACE_ID,
    span_id: context?.spanId ?? ZERO_SPAN_ID,
    parent_id: parent?.spanId ?? null,
    name: span.name,
    status: { status_code: statusName(span.status.code), description: span.status.message ?? null },
    attributes: toAttributes(span.attributes),
    events,
    links,
    start_time: hrTimeToSeconds(span.startTime),
    end_time: span.ended ? hrTimeToSeconds(span.endTime) : null,
    context: context ? toSpanContext(context) : null,
    parent: parent ? toSpanContext(parent) : null,
    resource: toOtelResource(span.resource),
  };
}

/** Options of {@link spanFromAttributes}: every field of a span that may be given. */
export interface SpanFromAttributesOptions {
  attributes: Attributes;
  rolloutId?: string;
  attemptId?: string;
  sequenceId?: number;
  name?: string;
  traceId?: string;
  spanId?: string;
  parentId?: string | null;
  startTime?: number | null;
  endTime?: number | null;
  resource?: OtelResource;
  status?: TraceStatus;
}

/**
 * A span built without OpenTelemetry (runtime contract §1.4): random trace and span ids unless given,
 * `rollout_id`/`attempt_id` `""` and `sequence_id` 0 by default, name `agentlightning.virtual`,
 * status OK, `context` from its own ids and `parent` (same trace id) from `parentId`.
 */
export function spanFromAttributes(options: SpanFromAttributesOptions): Span {
  const traceId = options.traceId ?? generateTraceId();
  const spanId = options.spanId ?? generateSpanId();
  const parentId = options.parentId ?? null;
  return {
    rollout_id: options.rolloutId ?? "",
    attempt_id: options.attemptId ?? "",
    sequence_id: options.sequenceId ?? 0,
    trace_id: traceId,
    span_id: spanId,
    parent_id: parentId,
    name: options.name ?? AGL_VIRTUAL,
    status: options.status ?? { status_code: "OK", description: null },
    attributes: { ...options.attributes },
    events: [],
    links: [],
    start_time: options.startTime ?? null,
    end_time: options.endTime ?? null,
    context: { trace_id: traceId, span_id: spanId, is_remote: false, trace_state: {} },
    parent:
      parentId === null ? null : { trace_id: traceId, span_id: parentId, is_remote: false, trace_state: {} },
    resource: options.resource ?? { attributes: {}, schema_url: "" },
  };
}

/**
 * A new root span (fresh trace id, no parent) from core fields (runtime contract §1.4): name,
 * attributes, status and end time copied, start time = the core's or now.
 */
export function spanFromCoreFields(
  core: SpanCoreFields,
  ids: { rolloutId?: string; attemptId?: string; sequenceId?: number } = {},
): Span {
  return spanFromAttributes({
    attributes: core.attributes,
    name: core.name,
    status: core.status,
    startTime: core.start_time || nowSeconds(),
    endTime: core.end_time,
    rolloutId: ids.rolloutId,
    attemptId: ids.attemptId,
    sequenceId: ids.sequenceId,
  });
}
