import type { Span } from "@agentlightning/types";

/** A complete span for tests: ids, times and any fields to override. */
export function span(
  seq: number,
  id: string,
  parent: string | null,
  start: number,
  end: number,
  extra: Partial<Span> = {},
): Span {
  return {
    rollout_id: "ro-1",
    attempt_id: "at-1",
    sequence_id: seq,
    trace_id: "t",
    span_id: id,
    parent_id: parent,
    name: `span-${id}`,
    status: { status_code: "OK", description: null },
    attributes: {},
    events: [],
    links: [],
    start_time: start,
    end_time: end,
    context: null,
    parent: null,
    resource: { attributes: {}, schema_url: "" },
    ...extra,
  } as Span;
}
