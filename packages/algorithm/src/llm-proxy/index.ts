/**
 * The LLM proxy: an OpenAI-compatible HTTP proxy that records every call made under a rollout's
 * URL prefix as spans in a LightningStore.
 */
export type { BalancingStrategy } from "./backend-pool.js";
export type {
  LLMProxyCallback,
  LLMProxyMiddleware,
  LLMProxyOptions,
  LLMProxyStopOptions,
} from "./llm-proxy.js";
export { DEFAULT_PROXY_CALLBACKS, DEFAULT_PROXY_MIDDLEWARES, LLMProxy } from "./llm-proxy.js";
export type { ModelBackendParams, ModelListEntry } from "./model-list.js";
export { ModelListEntrySchema, ModelListSchema } from "./model-list.js";
export type { ProxyCallRecord } from "./proxy-spans.js";
export { buildProxySpans, PROXY_SPAN_NAMES } from "./proxy-spans.js";
export { StreamAccumulator } from "./stream-accumulator.js";
export type { OpenAIStreamOptions } from "./synthetic-stream.js";
export { anthropicStreamEvents, openAIStreamEvents, SSE_HEADERS, splitContent } from "./synthetic-stream.js";
