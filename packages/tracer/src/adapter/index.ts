/**
 * `@agentlightning/tracer/adapters`: the trace-to-training-data half of the package (TraceTree, the
 * triplet and message adapters, their diagnostics), the reward readers, the attribute helpers and
 * the span-name/attribute constants, with no Node-only module reachable (no `node:*` import, no
 * OpenTelemetry SDK, no AsyncLocalStorage), so a browser bundle (the dashboard) can import it as is.
 * The package root exports the same names. `test/adapters-browser-safe.test.ts` walks the built
 * module graph of this entry and fails on any `node:` specifier.
 */

export type { RewardDimension, RewardReadOptions, RewardSpanLike } from "../emitter/reward-readers.js";
export {
  findFinalReward,
  findRewardSpans,
  getRewardsFromSpan,
  getRewardValue,
  isRewardSpan,
} from "../emitter/reward-readers.js";
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
} from "../semconv.js";
export type {
  FlatAttributes,
  FlattenOptions,
  LinkableSpan,
  LinkMatch,
  SanitizeOptions,
} from "../utils/attributes.js";
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
} from "../utils/attributes.js";
export { Adapter, TraceAdapter } from "./adapter.js";
export type { AdaptDiagnostics, DroppedSpan, DropReason, UnrewardedCall } from "./diagnostics.js";
export { describeDiagnostics, EXPECTED_DROP_REASONS } from "./diagnostics.js";
export type { LlmProxyTraceToTripletOptions, ProxyTriplet } from "./llm-proxy-trace-to-triplet.js";
export {
  LITELLM_REQUEST,
  LlmProxyTraceToTriplet,
  RAW_GEN_AI_REQUEST,
} from "./llm-proxy-trace-to-triplet.js";
export { parseLooseLiteral, parsePythonLiteral } from "./python-literal.js";
export type { ReadContext } from "./span-reading.js";
export type {
  TracerTriplet,
  TripletMetadata,
  TripletPrompt,
  TripletResponse,
} from "./span-to-triplet.js";
export { extractPromptImageUrls, spanToTriplet } from "./span-to-triplet.js";
export type {
  ChatFunctionTool,
  ChatMessage,
  ChatToolCall,
  ChatTranscript,
} from "./trace-to-messages.js";
export { groupGenAiAttributes, TraceToMessages } from "./trace-to-messages.js";
export type {
  FindLlmCallsOptions,
  FromSpansOptions,
  LlmCallDropListener,
  NamesTuple,
  RewardMatchPolicy,
  TraceTreeJson,
  TrajectoryOptions,
} from "./trace-tree.js";
export {
  CLOCK_RESOLUTION_SECONDS,
  DEFAULT_LLM_CALL_MATCH,
  TraceTree,
  VIRTUAL_ROOT_ID,
} from "./trace-tree.js";
export type { TracerTraceToTripletOptions } from "./tracer-trace-to-triplet.js";
export { TracerTraceToTriplet } from "./tracer-trace-to-triplet.js";
