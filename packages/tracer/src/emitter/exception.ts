import { AglError, type SpanCoreFields } from "@agentlightning/types";
import { AGL_EXCEPTION } from "../semconv.js";
import { formatExceptionAttributes } from "../utils/attributes.js";
import {
  type ExtraAttributesOption,
  emitterTracer,
  extraAttributes,
  type PropagateOption,
} from "./emitter-tracer.js";

/** Options of {@link emitException}. */
export interface EmitExceptionOptions extends PropagateOption, ExtraAttributesOption {}

/**
 * Emits an exception span (`agentlightning.exception`) with the OTel exception attributes
 * (`exception.type` = the error's name, `.message`, `.escaped`, `.stacktrace`) plus extras. Its
 * status is OK on purpose: the span reports an error, it did not fail. Returns the core fields
 * (upstream returns nothing; returning them is additive).
 *
 * @throws AglError `invalid_argument` when `error` is not an `Error`; `not_found` without an
 *   active tracer (unless `propagate: false`).
 */
export function emitException(error: Error, options: EmitExceptionOptions = {}): SpanCoreFields {
  if (!(error instanceof Error)) {
    throw new AglError(
      "invalid_argument",
      `error must be an Error, got ${error === null ? "null" : typeof error}`,
    );
  }
  const attributes = { ...formatExceptionAttributes(error), ...extraAttributes(options.attributes) };
  return emitterTracer(options.propagate).createSpan(AGL_EXCEPTION, attributes, null, {
    status_code: "OK",
    description: null,
  });
}
