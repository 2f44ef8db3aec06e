/**
 * Span names and attribute keys Agent Lightning writes and reads (the Python v0.3.0 semantic
 * conventions; values are part of the wire contract, see `docs/` for the span model).
 */

/** Span names produced by emitters and adapters. */
export const AGL_ANNOTATION = "agentlightning.annotation";
/** Span name of `emitMessage`. */
export const AGL_MESSAGE = "agentlightning.message";
/** Span name of `emitObject`. */
export const AGL_OBJECT = "agentlightning.object";
/** Span name of `emitException`. */
export const AGL_EXCEPTION = "agentlightning.exception";
/** Span name of `operation`. */
export const AGL_OPERATION = "agentlightning.operation";
/** The v0.2 reward span name; in v0.3 only an operation name. Readers accept it as a reward span. */
export const AGL_REWARD = "agentlightning.reward";
/** Synthetic spans made by adapters (virtual roots). */
export const AGL_VIRTUAL = "agentlightning.virtual";

/** Resource attributes (also stamped as span attributes in OTLP export mode). */
export const LightningResourceAttributes = {
  ROLLOUT_ID: "agentlightning.rollout_id",
  ATTEMPT_ID: "agentlightning.attempt_id",
  SPAN_SEQUENCE_ID: "agentlightning.span_sequence_id",
  TRACER_NAME: "agentlightning.tracer.name",
} as const;

/** Span attribute keys; the ones marked prefix hold flattened lists or objects. */
export const LightningSpanAttributes = {
  /** Prefix: list of `{name, value}`, flattened to `agentlightning.reward.<i>.name/.value`. */
  REWARD: "agentlightning.reward",
  /** Prefix: list of `{key_match, value_match}`. */
  LINK: "agentlightning.link",
  /** Prefix: list of strings, `agentlightning.tag.<i>`. */
  TAG: "agentlightning.tag",
  MESSAGE_BODY: "agentlightning.message.body",
  OBJECT_TYPE: "agentlightning.object.type",
  OBJECT_LITERAL: "agentlightning.object.literal",
  OBJECT_JSON: "agentlightning.object.json",
  OPERATION_NAME: "agentlightning.operation.name",
  /** Prefix: flattened operation inputs. */
  OPERATION_INPUT: "agentlightning.operation.input",
  /** Prefix: flattened operation output. */
  OPERATION_OUTPUT: "agentlightning.operation.output",
} as const;

/** OpenTelemetry exception attributes. */
export const ExceptionAttributes = {
  TYPE: "exception.type",
  MESSAGE: "exception.message",
  ESCAPED: "exception.escaped",
  STACKTRACE: "exception.stacktrace",
} as const;

/** v0.2 attribute keys still read for compatibility. */
export const LegacySpanAttributes = {
  REWARD: "reward",
  MESSAGE: "message",
  OBJECT: "object",
} as const;
