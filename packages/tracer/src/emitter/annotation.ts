import type { SpanCoreFields } from "@agentlightning/types";
import { AGL_ANNOTATION } from "../semconv.js";
import { checkAttributesSanity, flattenAttributes, sanitizeAttributes } from "../utils/attributes.js";
import { emitterTracer, type PropagateOption } from "./emitter-tracer.js";

/**
 * Emits an annotation span (`agentlightning.annotation`, status OK) carrying `annotation`
 * flattened to dotted keys (`{meta: {tag: "foo"}}` → `meta.tag`; lists of primitives stay lists).
 * Returns the span's core fields.
 *
 * @throws AglError `invalid_argument` when a leaf is not a primitive or a list of one primitive
 *   type (`null`, a `Set`, a function...); `not_found` without an active tracer (unless
 *   `propagate: false`).
 *
 * @example
 * ```ts
 * emitAnnotation({ judge: { model: "gpt-4o" }, score: 0.9 });
 * ```
 */
export function emitAnnotation(
  annotation: Record<string, unknown>,
  options: PropagateOption = {},
): SpanCoreFields {
  const flat = flattenAttributes(annotation);
  checkAttributesSanity(flat);
  const tracer = emitterTracer(options.propagate);
  return tracer.createSpan(AGL_ANNOTATION, sanitizeAttributes(flat), null, {
    status_code: "OK",
    description: null,
  });
}
