import {
  AddSpanRequestSchema,
  type Attributes,
  type AttributeValue,
  AttributeValueSchema,
  completeSpanRequest,
  convertTimestamp,
  generateSpanId,
  generateTraceId,
  parseOrThrow,
  type RolloutLegacy,
  type Span,
  type SpanContext,
  SpanSchema,
  type StatusCode,
  StatusCodeSchema,
} from "@agentlightning/types";

/** Name of the reward span: the `emit_reward` format of Agent Lightning v0.3. */
export const REWARD_SPAN_NAME = "agentlightning.annotation";
/** Name of the spans that carry one legacy triplet each (the `emit_object` format). */
export const OBJECT_SPAN_NAME = "agentlightning.object";
/** `agentlightning.object.type` of a triplet span. */
export const TRIPLET_OBJECT_TYPE = "agentlightning.types.core.Triplet";

/** Where the spans of one posted rollout go. */
export interface RolloutSpanTarget {
  rolloutId: string;
  attemptId: string;
  /** One sequence id per span, in order; see {@link countRolloutSpans}. */
  sequenceIds: readonly number[];
  /** Float epoch seconds stamped on the spans made here (triplets, reward). */
  now: number;
}

/** How many spans {@link rolloutLegacySpans} makes of this rollout. */
export function countRolloutSpans(rollout: RolloutLegacy): number {
  return (
    (rollout.trace?.length ?? 0) + (rollout.triplets?.length ?? 0) + (rollout.final_reward === null ? 0 : 1)
  );
}

/**
 * The store spans that record a legacy rollout, in this order: its `trace` (each OpenTelemetry-style
 * JSON dict, or store span dict, converted to a store span, ids and times kept where they parse),
 * one `agentlightning.object` span per triplet (the triplet as JSON, its index as
 * `agentlightning.legacy.triplet_index`), and last, when `final_reward` is set, a reward span in
 * the v0.3 format (`agentlightning.annotation` with `agentlightning.reward.0.name = "primary"` and
 * `agentlightning.reward.0.value`), so that readers that take the last reward find it.
 *
 * @example
 * ```ts
 * const spans = rolloutLegacySpans(
 *   { rollout_id: "ro-1", task: null, final_reward: 1, triplets: null, trace: null, logs: null, metadata: {} },
 *   { rolloutId: "ro-1", attemptId: "at-1", sequenceIds: [1], now: Date.now() / 1000 },
 * );
 * spans[0].attributes["agentlightning.reward.0.value"]; // 1
 * ```
 */
export function rolloutLegacySpans(rollout: RolloutLegacy, target: RolloutSpanTarget): Span[] {
  const drafts: Record<string, unknown>[] = [];
  for (const entry of rollout.trace ?? []) drafts.push(traceEntryToSpan(entry));
  // The spans made here share one trace so that a trace view shows them together; the rest of each
  // (ids, context, times = now) is filled by completeSpanRequest below.
  const traceId = generateTraceId();
  const made = (name: string, attributes: Attributes): Record<string, unknown> => ({
    trace_id: traceId,
    name,
    status: { status_code: "OK", description: null },
    attributes,
  });
  (rollout.triplets ?? []).forEach((triplet, index) => {
    drafts.push(
      made(OBJECT_SPAN_NAME, {
        "agentlightning.object.type": TRIPLET_OBJECT_TYPE,
        "agentlightning.object.json": JSON.stringify(triplet),
        "agentlightning.legacy.triplet_index": index,
      }),
    );
  });
  if (rollout.final_reward !== null) {
    drafts.push(
      made(REWARD_SPAN_NAME, {
        "agentlightning.reward.0.name": "primary",
        "agentlightning.reward.0.value": rollout.final_reward,
      }),
    );
  }
  if (drafts.length !== target.sequenceIds.length) {
    throw new Error(
      `rolloutLegacySpans: ${drafts.length} spans but ${target.sequenceIds.length} sequence ids`,
    );
  }
  return drafts.map((draft, index) => {
    const sequenceId = target.sequenceIds[index] as number;
    const request = parseOrThrow(
      AddSpanRequestSchema,
      { ...draft, rollout_id: target.rolloutId, attempt_id: target.attemptId, sequence_id: sequenceId },
      `rollout span ${index}`,
    );
    return completeSpanRequest(request, { sequenceId, now: target.now });
  });
}

/** The keys of a stored span; anything else in a posted trace entry is kept as an extra key. */
const SPAN_KEYS: ReadonlySet<string> = new Set(Object.keys(SpanSchema.shape));

/**
 * One entry of a legacy `trace` as an add-span request (without rollout, attempt and sequence ids;
 * `context` and `parent` absent when they do not parse). Both
 * shapes a Python client sends are read: OpenTelemetry's `ReadableSpan.to_json()` (ids as `0x...`
 * inside `context`, ISO times, `trace_state` as text) and a dumped Agent Lightning span. What does
 * not parse gets a neutral value (fresh ids, null times, `UNSET`), attribute values that are not
 * primitives become JSON text, and unknown top-level keys (e.g. `kind`) are kept.
 */
export function traceEntryToSpan(entry: Record<string, unknown>): Record<string, unknown> {
  const context = asRecord(entry.context);
  const traceId = hexId(entry.trace_id) ?? hexId(context?.trace_id) ?? generateTraceId();
  const spanId = hexId(entry.span_id) ?? hexId(context?.span_id) ?? generateSpanId();
  const parentId = hexId(entry.parent_id) ?? hexId(asRecord(entry.parent)?.span_id) ?? null;
  const extras: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entry)) if (!SPAN_KEYS.has(key)) extras[key] = value;
  const status = asRecord(entry.status);
  const resource = asRecord(entry.resource);
  return {
    ...extras,
    trace_id: traceId,
    span_id: spanId,
    parent_id: parentId,
    name: typeof entry.name === "string" ? entry.name : "unnamed",
    status: {
      status_code: statusCode(status?.status_code),
      description: typeof status?.description === "string" ? status.description : null,
    },
    attributes: attributes(entry.attributes),
    events: asArray(entry.events).flatMap((raw) => {
      const event = asRecord(raw);
      if (event === null) return [];
      return [
        {
          name: typeof event.name === "string" ? event.name : "event",
          attributes: attributes(event.attributes),
          timestamp: timestamp(event.timestamp),
        },
      ];
    }),
    links: asArray(entry.links).flatMap((raw) => {
      const link = asRecord(raw);
      const linked = spanContext(link?.context);
      if (link === null || linked === null) return [];
      return [{ context: linked, attributes: link.attributes == null ? null : attributes(link.attributes) }];
    }),
    start_time: timestamp(entry.start_time),
    end_time: timestamp(entry.end_time),
    // Absent when they do not parse: completeSpanRequest builds them from the ids.
    context: spanContext(entry.context) ?? undefined,
    parent: spanContext(entry.parent) ?? undefined,
    resource: {
      attributes: attributes(resource?.attributes),
      schema_url: typeof resource?.schema_url === "string" ? resource.schema_url : "",
    },
  };
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** An id as lowercase hex without OpenTelemetry's `0x` prefix; `null` when absent or not a string. */
function hexId(value: unknown): string | null {
  if (typeof value !== "string" || value === "") return null;
  return /^0x[0-9a-f]+$/i.test(value) ? value.slice(2).toLowerCase() : value;
}

function statusCode(value: unknown): StatusCode {
  // Python prints enum members as "StatusCode.OK"; its to_json uses the bare name.
  const name = typeof value === "string" ? value.replace(/^StatusCode\./, "") : "";
  const parsed = StatusCodeSchema.safeParse(name);
  return parsed.success ? parsed.data : "UNSET";
}

/** Float epoch seconds from a number (seconds or nanoseconds) or an ISO 8601 text; else null. */
function timestamp(value: unknown): number | null {
  if (typeof value === "number" && Number.isFinite(value)) return convertTimestamp(value);
  if (typeof value === "string") {
    const millis = Date.parse(value);
    if (Number.isNaN(millis)) return null;
    // Date.parse keeps milliseconds; Python prints microseconds, worth keeping for ordering.
    const micros = /\.\d{3}(\d{1,3})/.exec(value)?.[1];
    return millis / 1000 + (micros === undefined ? 0 : Number(micros.padEnd(3, "0")) / 1e6);
  }
  return null;
}

function attributes(value: unknown): Attributes {
  const out: Attributes = {};
  for (const [key, raw] of Object.entries(asRecord(value) ?? {})) {
    if (raw === null || raw === undefined) continue;
    const parsed = AttributeValueSchema.safeParse(raw);
    out[key] = parsed.success ? parsed.data : (JSON.stringify(raw) satisfies AttributeValue);
  }
  return out;
}

function spanContext(value: unknown): SpanContext | null {
  const context = asRecord(value);
  if (context === null) return null;
  const traceId = hexId(context.trace_id);
  const spanId = hexId(context.span_id);
  if (traceId === null || spanId === null) return null;
  const traceState: Record<string, string> = {};
  for (const [key, raw] of Object.entries(asRecord(context.trace_state) ?? {})) {
    if (typeof raw === "string") traceState[key] = raw;
  }
  return {
    trace_id: traceId,
    span_id: spanId,
    is_remote: typeof context.is_remote === "boolean" ? context.is_remote : false,
    trace_state: traceState,
  };
}
