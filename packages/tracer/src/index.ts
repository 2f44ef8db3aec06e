export { Adapter, TraceAdapter } from "./adapter/adapter.js";
export type { AdaptDiagnostics, DroppedSpan, DropReason, UnrewardedCall } from "./adapter/diagnostics.js";
export { describeDiagnostics, EXPECTED_DROP_REASONS } from "./adapter/diagnostics.js";
export type { LlmProxyTraceToTripletOptions, ProxyTriplet } from "./adapter/llm-proxy-trace-to-triplet.js";
export {
  LITELLM_REQUEST,
  LlmProxyTraceToTriplet,
  RAW_GEN_AI_REQUEST,
} from "./adapter/llm-proxy-trace-to-triplet.js";
export { parseLooseLiteral, parsePythonLiteral } from "./adapter/python-literal.js";
export type { ReadContext } from "./adapter/span-reading.js";
export type {
  TracerTriplet,
  TripletMetadata,
  TripletPrompt,
  TripletResponse,
} from "./adapter/span-to-triplet.js";
export { extractPromptImageUrls, spanToTriplet } from "./adapter/span-to-triplet.js";
export type {
  ChatFunctionTool,
  ChatMessage,
  ChatToolCall,
  ChatTranscript,
} from "./adapter/trace-to-messages.js";
export { groupGenAiAttributes, TraceToMessages } from "./adapter/trace-to-messages.js";
export type {
  FindLlmCallsOptions,
  FromSpansOptions,
  LlmCallDropListener,
  NamesTuple,
  RewardMatchPolicy,
  TraceTreeJson,
  TrajectoryOptions,
} from "./adapter/trace-tree.js";
export {
  CLOCK_RESOLUTION_SECONDS,
  DEFAULT_LLM_CALL_MATCH,
  TraceTree,
  VIRTUAL_ROOT_ID,
} from "./adapter/trace-tree.js";
export type { TracerTraceToTripletOptions } from "./adapter/tracer-trace-to-triplet.js";
export { TracerTraceToTriplet } from "./adapter/tracer-trace-to-triplet.js";
export {
  clearActiveTracer,
  getActiveTracer,
  setActiveTracer,
} from "./context/active-tracer.js";
export type { RolloutContext } from "./context/rollout-context.js";
export { getActiveRolloutContext, runWithRolloutContext } from "./context/rollout-context.js";
export { emitAnnotation } from "./emitter/annotation.js";
export type { ExtraAttributesOption, PropagateOption } from "./emitter/emitter-tracer.js";
export type { EmitExceptionOptions } from "./emitter/exception.js";
export { emitException } from "./emitter/exception.js";
export type { EmitMessageOptions } from "./emitter/message.js";
export { emitMessage, getMessageValue } from "./emitter/message.js";
export type { EmitObjectOptions, EncodedObject } from "./emitter/object.js";
export { emitObject, encodeObject, getObjectValue } from "./emitter/object.js";
export type { OperationOptions, OperationWrapperOptions } from "./emitter/operation.js";
export { OperationContext, operation, operationScope } from "./emitter/operation.js";
export type { EmitRewardOptions } from "./emitter/reward.js";
export { emitReward, reward } from "./emitter/reward.js";
export type { RewardDimension, RewardReadOptions, RewardSpanLike } from "./emitter/reward-readers.js";
export {
  findFinalReward,
  findRewardSpans,
  getRewardsFromSpan,
  getRewardValue,
  isRewardSpan,
} from "./emitter/reward-readers.js";
export {
  aiSdkModelCallAttributes,
  aiSdkPromptToOpenAIMessages,
  mapAiSdkSpan,
  TOKEN_IDS_METADATA_KEY,
} from "./instrumentation/ai-sdk-span-mapping.js";
export type {
  AiSdkTelemetryOptions,
  AiSdkTelemetrySettings,
  AiSdkTokenIdSettings,
} from "./instrumentation/ai-sdk-telemetry.js";
export { aiSdkTelemetry, aiSdkTokenIdSettings } from "./instrumentation/ai-sdk-telemetry.js";
export type { InstrumentedTracerOptions } from "./instrumentation/instrumented-tracer.js";
export { InstrumentedTracer } from "./instrumentation/instrumented-tracer.js";
export type { ChatRequestAttributeOptions, ToolCallSpanRecord } from "./instrumentation/openai-attributes.js";
export {
  chatRequestAttributes,
  chatResponseAttributes,
  LLM_CALL_SPAN_NAME,
  LlmSpanAttributes,
  TOOL_CALL_SPAN_PREFIX,
  toolCallSpans,
} from "./instrumentation/openai-attributes.js";
export type { OpenAIModuleLike } from "./instrumentation/openai-global-patch.js";
export type {
  OpenAIClientLike,
  OpenAIInstrumentationOptions,
} from "./instrumentation/openai-instrumentation.js";
export {
  INSTRUMENTATION_ERROR_ATTRIBUTE,
  instrumentOpenAI,
  isOpenAIInstrumented,
  uninstrumentOpenAI,
} from "./instrumentation/openai-instrumentation.js";
export { ChatStreamAccumulator } from "./instrumentation/openai-stream-accumulator.js";
export type {
  ChatCompletionChunkLike,
  ChatCompletionLike,
  ChatCompletionRequestLike,
  ChatMessageLike,
} from "./instrumentation/openai-types.js";
export {
  AGL_ANNOTATION,
  AGL_EXCEPTION,
  AGL_MESSAGE,
  AGL_OBJECT,
  AGL_OPERATION,
  AGL_REWARD,
  AGL_VIRTUAL,
  ExceptionAttributes,
  LegacySpanAttributes,
  LightningResourceAttributes,
  LightningSpanAttributes,
} from "./semconv.js";
export type { DummyTracerOptions } from "./tracer/dummy-tracer.js";
export { DummySpanRecordingContext, DummyTracer } from "./tracer/dummy-tracer.js";
export type { LightningSpanProcessorOptions, SpanTransform } from "./tracer/lightning-span-processor.js";
export { LightningSpanProcessor } from "./tracer/lightning-span-processor.js";
export type { OtelTracerOptions } from "./tracer/otel-tracer.js";
export { OtelTracer } from "./tracer/otel-tracer.js";
export type { SpanFromAttributesOptions, SpanOwnerIds } from "./tracer/span-conversion.js";
export {
  hrTimeToSeconds,
  otelSpanToSpan,
  spanFromAttributes,
  spanFromCoreFields,
  toSpanContext,
} from "./tracer/span-conversion.js";
export type {
  OperationTimes,
  ResolvedTraceOptions,
  SpanRecordingContext,
  TraceOptions,
} from "./tracer/tracer.js";
export { Tracer } from "./tracer/tracer.js";
export { describeWriteFailure, isTransientWriteFailure } from "./tracer/write-failure.js";
export type {
  FlatAttributes,
  FlattenOptions,
  LinkableSpan,
  LinkMatch,
  SanitizeOptions,
} from "./utils/attributes.js";
export {
  checkAttributesSanity,
  extractLinksFromAttributes,
  extractTagsFromAttributes,
  filterAndUnflattenAttributes,
  filterAttributes,
  flattenAttributes,
  formatExceptionAttributes,
  isAttributeValue,
  makeLinkAttributes,
  makeTagAttributes,
  queryLinkedSpans,
  sanitizeAttributes,
  sanitizeAttributeValue,
  unflattenAttributes,
} from "./utils/attributes.js";
