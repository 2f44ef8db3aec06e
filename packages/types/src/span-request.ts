import type * as z from "zod";
import { generateSpanId, generateTraceId } from "./ids.js";
import { type Span, SpanSchema } from "./span.js";

/**
 * Body of `POST /v1/agl/spans`: a {@link SpanSchema} span in which only `rollout_id`, `attempt_id`
 * and `name` are required, so that a span can be written by hand. Every key that is present is
 * validated exactly as in a stored span (an explicit `null` stays `null`), so a client that sends
 * every field, as the Python client does, sees no difference. {@link completeSpanRequest} fills the
 * absent keys. Unknown keys are kept, as for stored spans.
 */
export const AddSpanRequestSchema = SpanSchema.partial({
  sequence_id: true,
  trace_id: true,
  span_id: true,
  parent_id: true,
  status: true,
  attributes: true,
  events: true,
  links: true,
  start_time: true,
  end_time: true,
  context: true,
  parent: true,
  resource: true,
});
/** Body of `POST /v1/agl/spans` after validation: a span whose optional keys may be absent. */
export type AddSpanRequest = z.infer<typeof AddSpanRequestSchema>;

/** What {@link completeSpanRequest} needs besides the request. */
export interface CompleteSpanOptions {
  /** The `sequence_id` for a request without one (the store allocates it). */
  sequenceId: number;
  /** Float epoch seconds for an absent `start_time` / `end_time` (the time the span arrived). */
  now: number;
}

/**
 * A stored span from an add-span request, with the defaults of absent keys: fresh random
 * `trace_id` (32 hex) and `span_id` (16 hex), `parent_id` null, status `UNSET`, no attributes,
 * events or links, `start_time` and `end_time` = arrival time, `context` built from the two ids
 * (`is_remote` false, empty `trace_state`), `parent` built from `parent_id` (null without one) and
 * an empty resource. Present keys, explicit nulls included, are kept as sent.
 *
 * @example
 * ```ts
 * const request = AddSpanRequestSchema.parse({ rollout_id: "ro-1", attempt_id: "at-1", name: "step" });
 * const span = completeSpanRequest(request, { sequenceId: 1, now: Date.now() / 1000 });
 * span.context?.span_id === span.span_id; // true
 * ```
 */
export function completeSpanRequest(request: AddSpanRequest, options: CompleteSpanOptions): Span {
  const traceId = request.trace_id ?? generateTraceId();
  const spanId = request.span_id ?? generateSpanId();
  const parentId = request.parent_id === undefined ? null : request.parent_id;
  return {
    ...request,
    sequence_id: request.sequence_id ?? options.sequenceId,
    trace_id: traceId,
    span_id: spanId,
    parent_id: parentId,
    status: request.status ?? { status_code: "UNSET", description: null },
    attributes: request.attributes ?? {},
    events: request.events ?? [],
    links: request.links ?? [],
    start_time: request.start_time === undefined ? options.now : request.start_time,
    end_time: request.end_time === undefined ? options.now : request.end_time,
    context:
      request.context === undefined
        ? { trace_id: traceId, span_id: spanId, is_remote: false, trace_state: {} }
        : request.context,
    parent:
      request.parent !== undefined
        ? request.parent
        : parentId === null
          ? null
          : { trace_id: traceId, span_id: parentId, is_remote: false, trace_state: {} },
    resource: request.resource ?? { attributes: {}, schema_url: "" },
  };
}
