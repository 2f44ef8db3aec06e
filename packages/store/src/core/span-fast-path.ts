import type { Attributes, Span, SpanContext } from "@agentlightning/types";

// A hand-written check for the common case of a well-formed span, so that a store does not pay for
// a full zod parse of every span a tracer writes (the zod parse was most of the CPU time of a span
// write). It accepts a subset of what `SpanSchema` accepts (every key present, nullable keys
// included, no key named `__proto__`, a resource without extra keys) and returns the copy zod would
// return; anything else returns undefined and goes through zod, which also produces the error
// message. `test/span-fast-path.test.ts` holds it to zod on valid spans and on many broken ones.

const STATUS_CODES = new Set(["UNSET", "OK", "ERROR"]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const isString = (v: unknown): v is string => typeof v === "string";
const isFiniteNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isBoolean = (v: unknown): v is boolean => typeof v === "boolean";

/** A copy of valid attributes (arrays copied too), or undefined. */
function copyAttributes(value: unknown): Attributes | undefined {
  if (!isRecord(value)) return undefined;
  const out: Attributes = {};
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (key === "__proto__") return undefined;
    const v = value[key];
    if (isString(v) || isBoolean(v) || isFiniteNumber(v)) {
      out[key] = v;
      continue;
    }
    if (!Array.isArray(v)) return undefined;
    if (v.length === 0) {
      out[key] = [];
      continue;
    }
    const check = isString(v[0])
      ? isString
      : isBoolean(v[0])
        ? isBoolean
        : isFiniteNumber(v[0])
          ? isFiniteNumber
          : undefined;
    if (check === undefined) return undefined;
    for (let i = 0; i < v.length; i++) if (!check(v[i])) return undefined;
    out[key] = v.slice() as Attributes[string];
  }
  return out;
}

/** A shallow copy of the unknown keys a loose object keeps, with the known ones replaced. */
function looseCopy(
  source: Record<string, unknown>,
  known: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const key in source) {
    if (!Object.hasOwn(source, key)) continue;
    if (key === "__proto__") return undefined;
    out[key] = source[key];
  }
  return Object.assign(out, known);
}

function copyContext(value: unknown): SpanContext | undefined {
  if (!isRecord(value)) return undefined;
  const { trace_id, span_id, is_remote, trace_state } = value;
  if (!isString(trace_id) || !isString(span_id) || !isBoolean(is_remote) || !isRecord(trace_state))
    return undefined;
  const state: Record<string, string> = {};
  for (const key in trace_state) {
    if (!Object.hasOwn(trace_state, key)) continue;
    const v = trace_state[key];
    if (key === "__proto__" || !isString(v)) return undefined;
    state[key] = v;
  }
  return looseCopy(value, { trace_id, span_id, is_remote, trace_state: state }) as SpanContext | undefined;
}

function nullableContext(value: unknown): SpanContext | null | undefined {
  return value === null ? null : copyContext(value);
}

/**
 * The copy `SpanSchema.parse(value)` would return, when `value` is a span in the common, complete
 * form; undefined otherwise (then parse with zod). Does not apply the store's JSON rule. With
 * `sequenceIdOptional`, a span without `sequence_id` passes too (the copy has none either), as
 * `AddSpanRequestSchema` allows.
 */
export function copyWellFormedSpan(
  value: unknown,
  options: { sequenceIdOptional?: boolean } = {},
): Span | undefined {
  if (!isRecord(value)) return undefined;
  const v = value;
  const absentSequenceId = options.sequenceIdOptional === true && !Object.hasOwn(v, "sequence_id");
  if (!isString(v.rollout_id) || !isString(v.attempt_id) || !isString(v.trace_id) || !isString(v.span_id))
    return undefined;
  if (!isString(v.name) || !(v.parent_id === null || isString(v.parent_id))) return undefined;
  if (!absentSequenceId && (!Number.isSafeInteger(v.sequence_id) || (v.sequence_id as number) < 0))
    return undefined;
  if (!(v.start_time === null || isFiniteNumber(v.start_time))) return undefined;
  if (!(v.end_time === null || isFiniteNumber(v.end_time))) return undefined;

  const status = v.status;
  if (!isRecord(status) || !STATUS_CODES.has(status.status_code as string)) return undefined;
  if (!(status.description === null || isString(status.description))) return undefined;
  const statusCopy = looseCopy(status, { status_code: status.status_code, description: status.description });

  const attributes = copyAttributes(v.attributes);
  if (attributes === undefined || !Array.isArray(v.events) || !Array.isArray(v.links)) return undefined;
  const events: Span["events"] = [];
  for (const event of v.events) {
    if (
      !isRecord(event) ||
      !isString(event.name) ||
      !(event.timestamp === null || isFiniteNumber(event.timestamp))
    ) {
      return undefined;
    }
    const eventAttributes = copyAttributes(event.attributes);
    if (eventAttributes === undefined) return undefined;
    const copy = looseCopy(event, {
      name: event.name,
      attributes: eventAttributes,
      timestamp: event.timestamp,
    });
    if (copy === undefined) return undefined;
    events.push(copy as Span["events"][number]);
  }
  const links: Span["links"] = [];
  for (const link of v.links) {
    if (!isRecord(link)) return undefined;
    const context = copyContext(link.context);
    const linkAttributes = link.attributes === null ? null : copyAttributes(link.attributes);
    if (context === undefined || linkAttributes === undefined) return undefined;
    const copy = looseCopy(link, { context, attributes: linkAttributes });
    if (copy === undefined) return undefined;
    links.push(copy as Span["links"][number]);
  }
  const context = nullableContext(v.context);
  const parent = nullableContext(v.parent);
  if (context === undefined || parent === undefined) return undefined;

  const resource = v.resource;
  if (!isRecord(resource) || !isString(resource.schema_url)) return undefined;
  // zod drops unknown resource keys; leave that case (and its copy) to zod.
  for (const key in resource) if (key !== "attributes" && key !== "schema_url") return undefined;
  const resourceAttributes = copyAttributes(resource.attributes);
  if (resourceAttributes === undefined || statusCopy === undefined) return undefined;

  const copy = looseCopy(v, {
    rollout_id: v.rollout_id,
    attempt_id: v.attempt_id,
    sequence_id: v.sequence_id,
    trace_id: v.trace_id,
    span_id: v.span_id,
    parent_id: v.parent_id,
    name: v.name,
    status: statusCopy,
    attributes,
    events,
    links,
    start_time: v.start_time,
    end_time: v.end_time,
    context,
    parent,
    resource: { attributes: resourceAttributes, schema_url: resource.schema_url },
  }) as Span | undefined;
  if (copy !== undefined && absentSequenceId) delete (copy as Partial<Span>).sequence_id;
  return copy;
}
