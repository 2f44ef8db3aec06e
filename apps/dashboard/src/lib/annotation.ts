import type { Attributes, Span } from "@agentlightning/types";

/** What a user adds to a rollout from the page. */
export type AnnotationInput =
  | { kind: "reward"; name: string; value: number; note?: string }
  | { kind: "note"; note: string };

function randomHex(bytes: number): string {
  const data = new Uint8Array(bytes);
  crypto.getRandomValues(data);
  return Array.from(data, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Attributes of an annotation span: the v0.3 reward layout (docs: runtime §4.2) and/or a note. */
export function annotationAttributes(input: AnnotationInput): Attributes {
  const attributes: Attributes = { "agentlightning.annotation.source": "dashboard" };
  if (input.kind === "reward") {
    if (!input.name.trim()) throw new Error("The reward needs a name (e.g. primary).");
    if (!Number.isFinite(input.value)) throw new Error("The reward value must be a number.");
    attributes["agentlightning.reward.0.name"] = input.name.trim();
    attributes["agentlightning.reward.0.value"] = input.value;
  }
  const note = input.note?.trim();
  if (input.kind === "note" && !note) throw new Error("The note is empty.");
  if (note) attributes.note = note;
  return attributes;
}

/**
 * A complete `agentlightning.annotation` span (all 16 keys, so any v0.3.0 store server accepts it),
 * as `emit_annotation` would record it: status OK, start = end = now.
 */
export function annotationSpan(
  target: { rolloutId: string; attemptId: string; sequenceId: number },
  input: AnnotationInput,
  now: number = Date.now() / 1000,
): Span {
  const traceId = randomHex(16);
  const spanId = randomHex(8);
  return {
    rollout_id: target.rolloutId,
    attempt_id: target.attemptId,
    sequence_id: target.sequenceId,
    trace_id: traceId,
    span_id: spanId,
    parent_id: null,
    name: "agentlightning.annotation",
    status: { status_code: "OK", description: null },
    attributes: annotationAttributes(input),
    events: [],
    links: [],
    start_time: now,
    end_time: now,
    context: { trace_id: traceId, span_id: spanId, is_remote: false, trace_state: {} },
    parent: null,
    resource: { attributes: { "agentlightning.tracer.name": "dashboard" }, schema_url: "" },
  } as Span;
}
