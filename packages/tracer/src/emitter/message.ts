import { AglError, type SpanCoreFields } from "@agentlightning/types";
import { AGL_MESSAGE, LightningSpanAttributes } from "../semconv.js";
import {
  type ExtraAttributesOption,
  emitterTracer,
  extraAttributes,
  type PropagateOption,
} from "./emitter-tracer.js";

/** Options of {@link emitMessage}. */
export interface EmitMessageOptions extends PropagateOption, ExtraAttributesOption {}

/**
 * Emits a log-like message span (`agentlightning.message`) with the text in
 * `agentlightning.message.body`. No explicit status (an OTel span stays UNSET). Returns the core
 * fields (upstream returns nothing; returning them is additive).
 *
 * @throws AglError `invalid_argument` when `message` is not a string; `not_found` without an
 *   active tracer (unless `propagate: false`).
 */
export function emitMessage(message: string, options: EmitMessageOptions = {}): SpanCoreFields {
  if (typeof message !== "string") {
    throw new AglError("invalid_argument", `message must be a string, got ${typeof message}`);
  }
  const attributes = {
    [LightningSpanAttributes.MESSAGE_BODY]: message,
    ...extraAttributes(options.attributes),
  };
  return emitterTracer(options.propagate).createSpan(AGL_MESSAGE, attributes);
}

/**
 * The text of a message span, `null` when it has none.
 * @throws AglError `invalid_argument` when the body is not a string.
 */
export function getMessageValue(span: {
  attributes?: Readonly<Record<string, unknown>> | null;
}): string | null {
  const body = span.attributes?.[LightningSpanAttributes.MESSAGE_BODY];
  if (body === undefined || body === null) return null;
  if (typeof body !== "string") {
    throw new AglError(
      "invalid_argument",
      `${LightningSpanAttributes.MESSAGE_BODY} must be a string, got ${typeof body}`,
    );
  }
  return body;
}
