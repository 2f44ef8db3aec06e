import * as z from "zod";
import { StatusCodeSchema } from "./enums.js";

/**
 * One attribute value: a primitive or a homogeneous array of primitives. Objects, null and mixed
 * arrays are rejected (as the Python store does).
 */
export const AttributeValueSchema = z.union([
  z.string(),
  z.boolean(),
  z.number(),
  z.array(z.string()),
  z.array(z.boolean()),
  z.array(z.number()),
]);
/** One attribute value. */
export type AttributeValue = z.infer<typeof AttributeValueSchema>;

/** Span, event, link and resource attributes. */
export const AttributesSchema = z.record(z.string(), AttributeValueSchema);
/** Span, event, link and resource attributes. */
export type Attributes = z.infer<typeof AttributesSchema>;

/** W3C trace state as a record. */
export const TraceStateSchema = z.record(z.string(), z.string());

/** Serialisable copy of an OpenTelemetry span context. Unknown keys are kept. */
export const SpanContextSchema = z.looseObject({
  trace_id: z.string(),
  span_id: z.string(),
  is_remote: z.boolean(),
  trace_state: TraceStateSchema,
});
/** Serialisable copy of an OpenTelemetry span context. */
export type SpanContext = z.infer<typeof SpanContextSchema>;

/** Status of a span. Unknown keys are kept. */
export const TraceStatusSchema = z.looseObject({
  status_code: StatusCodeSchema,
  description: z.string().nullable().default(null),
});
/** Status of a span. */
export type TraceStatus = z.infer<typeof TraceStatusSchema>;

/** A timestamped event inside a span. Unknown keys are kept. */
export const SpanEventSchema = z.looseObject({
  name: z.string(),
  attributes: AttributesSchema,
  timestamp: z.number().nullable().default(null),
});
/** A timestamped event inside a span. */
export type SpanEvent = z.infer<typeof SpanEventSchema>;

/** A link from a span to another span context. Unknown keys are kept. */
export const SpanLinkSchema = z.looseObject({
  context: SpanContextSchema,
  attributes: AttributesSchema.nullable().default(null),
});
/** A link from a span to another span context. */
export type SpanLink = z.infer<typeof SpanLinkSchema>;

/** The OpenTelemetry resource a span was produced under. Unknown keys are dropped. */
export const OtelResourceSchema = z.object({
  attributes: AttributesSchema,
  schema_url: z.string(),
});
/** The OpenTelemetry resource a span was produced under. */
export type OtelResource = z.infer<typeof OtelResourceSchema>;

/**
 * A stored span. Nullable keys (`parent_id`, `start_time`, `end_time`, `context`, `parent`) are
 * still required on the wire, as the store API demands. Unknown keys are kept unchanged.
 */
export const SpanSchema = z.looseObject({
  rollout_id: z.string(),
  attempt_id: z.string(),
  /** Ordering key inside a rollout; allocated per rollout by the store. */
  sequence_id: z.int().min(0),
  trace_id: z.string(),
  span_id: z.string(),
  parent_id: z.string().nullable(),
  name: z.string(),
  status: TraceStatusSchema,
  attributes: AttributesSchema,
  events: z.array(SpanEventSchema),
  links: z.array(SpanLinkSchema),
  start_time: z.number().nullable(),
  end_time: z.number().nullable(),
  context: SpanContextSchema.nullable(),
  parent: SpanContextSchema.nullable(),
  resource: OtelResourceSchema,
});
/** A stored span. */
export type Span = z.infer<typeof SpanSchema>;

/** The parts of a span an emitter or agent produces, without ids. */
export const SpanCoreFieldsSchema = z.object({
  name: z.string(),
  status: TraceStatusSchema,
  attributes: AttributesSchema,
  start_time: z.number().nullable().default(null),
  end_time: z.number().nullable().default(null),
});
/** The parts of a span an emitter or agent produces, without ids. */
export type SpanCoreFields = z.infer<typeof SpanCoreFieldsSchema>;

/**
 * Converts an OpenTelemetry timestamp to float seconds: values above 1e12 are nanoseconds, falsy
 * values (0, null) become null, anything else is already seconds.
 */
export function convertTimestamp(value: number | null | undefined): number | null {
  if (!value) return null;
  return value > 1e12 ? value / 1e9 : value;
}
