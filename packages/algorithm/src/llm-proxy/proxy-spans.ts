import { LightningResourceAttributes } from "@agentlightning/tracer";
import type { Attributes, Span, SpanContext } from "@agentlightning/types";
import { generateSpanId, generateTraceId, pyRepr } from "@agentlightning/types";

type Json = Record<string, unknown>;

/** Span names of one proxied call, as LiteLLM's proxy writes them (runtime contract §8.1 step 5). */
export const PROXY_SPAN_NAMES = {
  ROOT: "Received Proxy Server Request",
  REQUEST: "litellm_request",
  RAW: "raw_gen_ai_request",
} as const;

/** Everything recorded about one proxied call once it has finished. */
export interface ProxyCallRecord {
  rolloutId: string;
  attemptId: string;
  sequenceId: number;
  /** `chat` for chat completions, `text` for (legacy) completions. */
  kind: "chat" | "text";
  /** Provider segment of the raw span keys (`llm.<provider>.*`). */
  provider: string;
  /** The request as the client sent it (parsed JSON). */
  request: Json;
  /** The complete response (rebuilt from the chunks when streamed); null when there was none. */
  response: Json | null;
  /** True when the client asked for a stream. */
  streamed: boolean;
  /** Float seconds: when the proxy received the request. */
  receivedAt: number;
  /** Float seconds: when the backend was called. */
  calledAt: number;
  /** Float seconds: when the response was complete. */
  finishedAt: number;
  /** Why the call failed (backend error, unreachable backend, client gone); null when it succeeded. */
  error: string | null;
}

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const isIntArray = (value: unknown): value is number[] =>
  Array.isArray(value) && value.length > 0 && value.every((v) => Number.isInteger(v));

/** Sets an attribute if the value can be one: primitives as they are, anything else as JSON text. */
function put(attributes: Attributes, key: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (typeof value === "string" || typeof value === "boolean") attributes[key] = value;
  else if (typeof value === "number") {
    if (Number.isFinite(value)) attributes[key] = value;
  } else attributes[key] = JSON.stringify(value);
}

function content(value: unknown): unknown {
  // Multimodal content (a list of parts) is kept as its JSON text, as LiteLLM's str() would keep it.
  return typeof value === "string" ? value : value == null ? undefined : JSON.stringify(value);
}

function putToolCalls(attributes: Attributes, prefix: string, calls: unknown): void {
  if (!Array.isArray(calls)) return;
  calls.forEach((call, j) => {
    if (!isObject(call)) return;
    const fn = isObject(call.function) ? call.function : {};
    put(attributes, `${prefix}.tool_calls.${j}.id`, call.id);
    put(attributes, `${prefix}.tool_calls.${j}.type`, call.type ?? "function");
    put(attributes, `${prefix}.tool_calls.${j}.name`, fn.name);
    put(attributes, `${prefix}.tool_calls.${j}.arguments`, fn.arguments);
  });
}

/** The response token ids: `response_token_ids` (first list), else `choices[0].token_ids`. */
export function responseTokenIds(response: Json | null): number[] | null {
  if (response === null) return null;
  const listed = response.response_token_ids;
  if (Array.isArray(listed)) {
    if (isIntArray(listed)) return listed;
    if (isIntArray(listed[0])) return listed[0];
  }
  const first = Array.isArray(response.choices) ? response.choices[0] : undefined;
  return isObject(first) && isIntArray(first.token_ids) ? first.token_ids : null;
}

/** The prompt token ids: top-level `prompt_token_ids`, else `choices[0].prompt_token_ids` (completions). */
export function promptTokenIds(response: Json | null): number[] | null {
  if (response === null) return null;
  if (isIntArray(response.prompt_token_ids)) return response.prompt_token_ids;
  const first = Array.isArray(response.choices) ? response.choices[0] : undefined;
  return isObject(first) && isIntArray(first.prompt_token_ids) ? first.prompt_token_ids : null;
}

function requestAttributes(call: ProxyCallRecord): Attributes {
  const { request, response } = call;
  const attributes: Attributes = {};
  put(attributes, "gen_ai.request.model", request.model);
  put(attributes, "llm.request.type", call.kind === "chat" ? "acompletion" : "atext_completion");
  put(attributes, "gen_ai.system", call.provider);
  put(attributes, "gen_ai.request.max_tokens", request.max_tokens ?? request.max_completion_tokens);
  put(attributes, "gen_ai.request.temperature", request.temperature);
  put(attributes, "gen_ai.request.top_p", request.top_p);
  put(attributes, "llm.is_streaming", call.streamed ? "True" : "False");
  put(attributes, "llm.user", request.user);
  if (Array.isArray(request.tools)) {
    request.tools.forEach((tool, i) => {
      const fn = isObject(tool) && isObject(tool.function) ? tool.function : null;
      if (fn === null) return;
      put(attributes, `gen_ai.request.functions.${i}.name`, fn.name);
      put(attributes, `gen_ai.request.functions.${i}.description`, fn.description);
      put(attributes, `gen_ai.request.functions.${i}.parameters`, fn.parameters);
    });
  }
  if (call.kind === "chat" && Array.isArray(request.messages)) {
    request.messages.forEach((message, i) => {
      if (!isObject(message)) return;
      const prefix = `gen_ai.prompt.${i}`;
      put(attributes, `${prefix}.role`, message.role);
      put(attributes, `${prefix}.content`, content(message.content));
      put(attributes, `${prefix}.tool_call_id`, message.tool_call_id);
      putToolCalls(attributes, prefix, message.tool_calls);
    });
  } else if (call.kind === "text") {
    const prompts =
      Array.isArray(request.prompt) && typeof request.prompt[0] === "string"
        ? request.prompt
        : [request.prompt];
    prompts.forEach((prompt, i) => {
      put(attributes, `gen_ai.prompt.${i}.role`, "user");
      put(attributes, `gen_ai.prompt.${i}.content`, content(prompt));
    });
  }
  if (response === null) return attributes;
  put(attributes, "gen_ai.response.id", response.id);
  put(attributes, "gen_ai.response.model", response.model);
  const usage = isObject(response.usage) ? response.usage : null;
  if (usage !== null) {
    put(attributes, "llm.usage.total_tokens", usage.total_tokens);
    put(attributes, "gen_ai.usage.completion_tokens", usage.completion_tokens);
    put(attributes, "gen_ai.usage.prompt_tokens", usage.prompt_tokens);
  }
  const choices = Array.isArray(response.choices) ? response.choices : [];
  choices.forEach((choice, i) => {
    if (!isObject(choice)) return;
    const prefix = `gen_ai.completion.${i}`;
    put(attributes, `${prefix}.finish_reason`, choice.finish_reason);
    if (call.kind === "text") {
      put(attributes, `${prefix}.role`, "assistant");
      put(attributes, `${prefix}.content`, choice.text);
      return;
    }
    const message = isObject(choice.message) ? choice.message : {};
    put(attributes, `${prefix}.role`, message.role ?? "assistant");
    put(attributes, `${prefix}.content`, content(message.content));
    put(attributes, `${prefix}.reasoning_content`, message.reasoning_content);
    putToolCalls(attributes, prefix, message.tool_calls);
  });
  // Native int arrays on this span too, so the triplet adapter finds token ids whatever the provider.
  const promptIds = promptTokenIds(response);
  const responseIds = responseTokenIds(response);
  if (promptIds !== null) attributes.prompt_token_ids = promptIds;
  if (responseIds !== null) attributes.response_token_ids = responseIds;
  return attributes;
}

function rawAttributes(call: ProxyCallRecord, response: Json): Attributes {
  const attributes: Attributes = {};
  const key = (field: string) => `llm.${call.provider}.${field}`;
  for (const [field, value] of Object.entries(response)) {
    if (field === "prompt_token_ids" || field === "choices") continue;
    put(attributes, key(field), value);
  }
  const promptIds = promptTokenIds(response);
  if (promptIds !== null) attributes[key("prompt_token_ids")] = promptIds;
  put(attributes, key("choices"), response.choices ?? []);
  return attributes;
}

function contextOf(traceId: string, spanId: string): SpanContext {
  return { trace_id: traceId, span_id: spanId, is_remote: false, trace_state: {} };
}

/**
 * The spans of one proxied call, all with the call's sequence id: the root
 * `Received Proxy Server Request` (status ERROR when the call failed), its child
 * `litellm_request` (`gen_ai.*` request, prompt, completion and usage attributes, plus
 * `prompt_token_ids` / `response_token_ids`), and under it `raw_gen_ai_request` (the backend's
 * response as `llm.<provider>.<field>`, `prompt_token_ids` as an int array, `choices` as JSON text
 * with `token_ids` and `logprobs`) when there was a response.
 */
export function buildProxySpans(call: ProxyCallRecord): Span[] {
  const traceId = generateTraceId();
  const rootId = generateSpanId();
  const requestId = generateSpanId();
  const resource = {
    attributes: {
      [LightningResourceAttributes.ROLLOUT_ID]: call.rolloutId,
      [LightningResourceAttributes.ATTEMPT_ID]: call.attemptId,
      [LightningResourceAttributes.SPAN_SEQUENCE_ID]: call.sequenceId,
      "service.name": "agentlightning.llm_proxy",
    },
    schema_url: "",
  };
  const status =
    call.error === null
      ? { status_code: "OK" as const, description: null }
      : { status_code: "ERROR" as const, description: call.error };
  const base = {
    rollout_id: call.rolloutId,
    attempt_id: call.attemptId,
    sequence_id: call.sequenceId,
    trace_id: traceId,
    events: [],
    links: [],
    resource,
  };
  const rootContext = contextOf(traceId, rootId);
  const requestContext = contextOf(traceId, requestId);
  const headers = {
    "x-rollout-id": call.rolloutId,
    "x-attempt-id": call.attemptId,
    "x-sequence-id": String(call.sequenceId),
  };
  const spans: Span[] = [
    {
      ...base,
      span_id: rootId,
      parent_id: null,
      name: PROXY_SPAN_NAMES.ROOT,
      status,
      attributes: {
        "metadata.requester_custom_headers": pyRepr(headers),
        "http.request.method": "POST",
        "url.path": call.kind === "chat" ? "/v1/chat/completions" : "/v1/completions",
      },
      start_time: call.receivedAt,
      end_time: call.finishedAt,
      context: rootContext,
      parent: null,
    },
    {
      ...base,
      span_id: requestId,
      parent_id: rootId,
      name: PROXY_SPAN_NAMES.REQUEST,
      status,
      attributes: requestAttributes(call),
      start_time: call.calledAt,
      end_time: call.finishedAt,
      context: requestContext,
      parent: rootContext,
    },
  ];
  if (call.response !== null) {
    const rawId = generateSpanId();
    spans.push({
      ...base,
      span_id: rawId,
      parent_id: requestId,
      name: PROXY_SPAN_NAMES.RAW,
      status,
      attributes: rawAttributes(call, call.response),
      start_time: call.calledAt,
      end_time: call.finishedAt,
      context: contextOf(traceId, rawId),
      parent: requestContext,
    });
  }
  return spans;
}
