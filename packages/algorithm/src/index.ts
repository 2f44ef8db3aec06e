/**
 * @packageDocumentation
 * The algorithms that improve Agent Lightning agents: the `Algorithm` base, `algo`, `Baseline`,
 * `APO`, and the boundary an external RL trainer drives over HTTP.
 */

export type { AlgoContext, AlgoFunction, AlgoOptions, AlgoParamName } from "./algo.js";
export { algo, FunctionalAlgorithm } from "./algo.js";
export type { AlgorithmLlmProxy, AlgorithmRunOptions, SpanAdapter } from "./algorithm.js";
export { Algorithm, FastAlgorithm, withLlmProxy } from "./algorithm.js";
export type { ApoOptions, ApoResult } from "./apo/apo.js";
export { APO } from "./apo/apo.js";
export type {
  ChatClientOptions,
  ChatCompletionClient,
  ChatCompletionRequest,
  ChatCompletionResponse,
  ChatMessage,
} from "./apo/chat-client.js";
export { chatClientFromEnv, createChatClient } from "./apo/chat-client.js";
export type { BatchEvaluation, EvaluateBatchOptions } from "./apo/evaluate.js";
export { evaluateOnBatch } from "./apo/evaluate.js";
export type {
  ApoBeamEntry,
  ApoCandidate,
  ApoEvaluation,
  ApoPhase,
  ApoProgressEvent,
} from "./apo/progress.js";
export type { ApoRolloutResult, CritiqueBuilder, EditBuilder } from "./apo/prompts.js";
export { CRITIQUE_BUILDERS, EDIT_BUILDERS } from "./apo/prompts.js";
export type { BaselineOptions, BaselineReport, BaselineRolloutReport, SpanVerbosity } from "./baseline.js";
export { Baseline } from "./baseline.js";
export { batchIterOverDataset } from "./batch-iter.js";
export type { Dataset } from "./dataset.js";
export { datasetItem, datasetLength, datasetToArray } from "./dataset.js";
export type { RolloutTriplets, TripletAppOptions } from "./external-trainer/triplet-app.js";
export { createTripletApp } from "./external-trainer/triplet-app.js";
export { VERL } from "./external-trainer/verl.js";
// The LLM proxy (src/llm-proxy/).
export type {
  BalancingStrategy,
  LLMProxyCallback,
  LLMProxyMiddleware,
  LLMProxyOptions,
  LLMProxyStopOptions,
  ModelBackendParams,
  ModelListEntry,
  OpenAIStreamOptions,
  ProxyCallRecord,
} from "./llm-proxy/index.js";
export {
  anthropicStreamEvents,
  buildProxySpans,
  DEFAULT_PROXY_CALLBACKS,
  DEFAULT_PROXY_MIDDLEWARES,
  LLMProxy,
  ModelListEntrySchema,
  ModelListSchema,
  openAIStreamEvents,
  PROXY_SPAN_NAMES,
  SSE_HEADERS,
  StreamAccumulator,
  splitContent,
} from "./llm-proxy/index.js";
export type { RandomSource } from "./random.js";
export { seededRandom } from "./random.js";
