// Spans built by hand exactly as the producers write them (runtime contract §3.5 for the OpenAI
// instrumentation, §4 for the emitters, §8 for the LLM proxy), for the adapter tests. Every span
// validates against SpanSchema, so the same fixtures can go through a real store.
import { type Attributes, pyRepr, type Span } from "@agentlightning/types";

/** Hex ids from readable names, so that tests can say `id("llm-1")` and still write wire-valid ids. */
export function hexId(name: string, width = 16): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (const ch of name) {
    h1 = Math.imul(h1 ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ ch.charCodeAt(0), 0x811c9dc5) >>> 0;
  }
  return (h1.toString(16).padStart(8, "0") + h2.toString(16).padStart(8, "0")).repeat(2).slice(0, width);
}

/** Common fields of a hand-made span. */
export interface SpanFields {
  /** The span id (used as is: tests of the tree use readable ids; store tests pass hex ids). */
  id: string;
  parent?: string | null;
  name: string;
  start?: number | null;
  end?: number | null;
  attributes?: Attributes;
  sequence?: number;
  rolloutId?: string;
  attemptId?: string;
  traceId?: string;
}

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

/** A stored span with every wire field. */
export function makeSpan(fields: SpanFields): Span {
  const traceId = fields.traceId ?? TRACE;
  const parent = fields.parent ?? null;
  return {
    rollout_id: fields.rolloutId ?? "ro-test",
    attempt_id: fields.attemptId ?? "at-test",
    sequence_id: fields.sequence ?? 0,
    trace_id: traceId,
    span_id: fields.id,
    parent_id: parent,
    name: fields.name,
    status: { status_code: "OK", description: null },
    attributes: fields.attributes ?? {},
    events: [],
    links: [],
    start_time: fields.start ?? null,
    end_time: fields.end ?? fields.start ?? null,
    context: { trace_id: traceId, span_id: fields.id, is_remote: false, trace_state: {} },
    parent:
      parent === null ? null : { trace_id: traceId, span_id: parent, is_remote: false, trace_state: {} },
    resource: { attributes: {}, schema_url: "" },
  };
}

type Base = Omit<SpanFields, "name" | "attributes"> & { name?: string; attributes?: Attributes };

/** An OpenAI chat message as the instrumentation records it. */
export interface PromptMessage {
  role: string;
  content?: string;
  tool_call_id?: string;
  tool_calls?: { id: string; name: string; arguments: string }[];
}

/** What an `openai.chat.completion` span records. */
export interface LlmCallFields extends Base {
  responseId?: string | null;
  model?: string;
  prompt?: PromptMessage[];
  completion?: { role?: string; content?: string | null; finish_reason?: string }[];
  promptTokenIds?: number[] | null;
  responseTokenIds?: number[] | null;
  functions?: { name: string; description?: string; parameters: unknown }[];
  logprobs?: unknown;
}

/** An `openai.chat.completion` span with OpenLLMetry `gen_ai.*` keys and token ids (§3.5). */
export function llmCallSpan(fields: LlmCallFields): Span {
  const model = fields.model ?? "gpt-test";
  const a: Attributes = {
    "gen_ai.system": "openai",
    "gen_ai.request.type": "chat",
    "gen_ai.request.model": model,
    "gen_ai.request.streaming": false,
  };
  (fields.functions ?? []).forEach((fn, i) => {
    a[`gen_ai.request.functions.${i}.name`] = fn.name;
    if (fn.description !== undefined) a[`gen_ai.request.functions.${i}.description`] = fn.description;
    a[`gen_ai.request.functions.${i}.parameters`] = JSON.stringify(fn.parameters);
  });
  (fields.prompt ?? [{ role: "user", content: "What is 2+2?" }]).forEach((m, i) => {
    a[`gen_ai.prompt.${i}.role`] = m.role;
    if (m.content !== undefined) a[`gen_ai.prompt.${i}.content`] = m.content;
    if (m.tool_call_id !== undefined) a[`gen_ai.prompt.${i}.tool_call_id`] = m.tool_call_id;
    (m.tool_calls ?? []).forEach((call, j) => {
      a[`gen_ai.prompt.${i}.tool_calls.${j}.id`] = call.id;
      a[`gen_ai.prompt.${i}.tool_calls.${j}.name`] = call.name;
      a[`gen_ai.prompt.${i}.tool_calls.${j}.arguments`] = call.arguments;
    });
  });
  if (fields.responseId !== null) a["gen_ai.response.id"] = fields.responseId ?? `chatcmpl-${fields.id}`;
  a["gen_ai.response.model"] = model;
  a["gen_ai.usage.prompt_tokens"] = 5;
  a["gen_ai.usage.completion_tokens"] = 2;
  a["gen_ai.usage.total_tokens"] = 7;
  (fields.completion ?? [{ role: "assistant", content: "4", finish_reason: "stop" }]).forEach((c, i) => {
    if (c.role !== undefined) a[`gen_ai.completion.${i}.role`] = c.role;
    if (c.content !== undefined && c.content !== null) a[`gen_ai.completion.${i}.content`] = c.content;
    if (c.finish_reason !== undefined) a[`gen_ai.completion.${i}.finish_reason`] = c.finish_reason;
  });
  if (fields.promptTokenIds !== null) a.prompt_token_ids = fields.promptTokenIds ?? [1, 2];
  if (fields.responseTokenIds !== null) a.response_token_ids = fields.responseTokenIds ?? [3, 4];
  if (fields.logprobs !== undefined) a["logprobs.content"] = JSON.stringify(fields.logprobs);
  return makeSpan({
    ...fields,
    name: fields.name ?? "openai.chat.completion",
    attributes: { ...a, ...fields.attributes },
  });
}

/** A `tool_call.<fn>` child of a completion span: a tool call the model returned (§3.5). */
export function toolCallSpan(fields: Base & { fn: string; arguments: string; callId: string }): Span {
  return makeSpan({
    ...fields,
    name: fields.name ?? `tool_call.${fields.fn}`,
    attributes: {
      "tool.name": fields.fn,
      "tool.parameters": fields.arguments,
      "tool.call.id": fields.callId,
      "tool.call.type": "function",
      ...fields.attributes,
    },
  });
}

/** An agent span as agent frameworks write it (`agent.name`, OpenAI Agents SDK style). */
export function agentSpan(fields: Base & { agent: string }): Span {
  return makeSpan({
    ...fields,
    name: fields.name ?? "agent",
    attributes: { "agent.name": fields.agent, ...fields.attributes },
  });
}

/** `emitReward` output: an `agentlightning.annotation` span with `agentlightning.reward.<i>.*` (§4.2). */
export function rewardSpan(fields: Base & { value: number; extra?: Record<string, number> }): Span {
  const attributes: Attributes = {
    "agentlightning.reward.0.name": "primary",
    "agentlightning.reward.0.value": fields.value,
  };
  Object.entries(fields.extra ?? {}).forEach(([name, value], i) => {
    attributes[`agentlightning.reward.${i + 1}.name`] = name;
    attributes[`agentlightning.reward.${i + 1}.value`] = value;
  });
  return makeSpan({
    ...fields,
    name: fields.name ?? "agentlightning.annotation",
    attributes: { ...attributes, ...fields.attributes },
  });
}

/** An `operation` span (§4.7). */
export function operationSpan(fields: Base & { operation: string }): Span {
  return makeSpan({
    ...fields,
    name: "agentlightning.operation",
    attributes: { "agentlightning.operation.name": fields.operation, ...fields.attributes },
  });
}

/** How the proxy wrote its values: the Python proxy writes reprs, ours JSON text or native arrays. */
export type ProxyValueFormat = "python" | "json" | "native";

/** The spans of one LLM-proxy request (§8.1, §8.4): root, `litellm_request`, `raw_gen_ai_request`. */
export function proxyRequestSpans(fields: {
  key: string;
  sequence: number;
  requestId?: string;
  promptTokenIds?: number[] | null;
  responseTokenIds?: number[] | null;
  /** Where the response ids go: `choices[0].token_ids` (default) or `response_token_ids` (list of lists). */
  responseIn?: "choices" | "response_token_ids";
  format?: ProxyValueFormat;
  start?: number;
  rolloutId?: string;
  attemptId?: string;
  idOf?: (name: string) => string;
}): Span[] {
  const id = fields.idOf ?? ((name: string) => name);
  const format = fields.format ?? "python";
  const encode = (value: unknown): Attributes[string] =>
    format === "python"
      ? pyRepr(value)
      : format === "json"
        ? JSON.stringify(value)
        : (value as Attributes[string]);
  const start = fields.start ?? fields.sequence;
  const requestId = fields.requestId ?? `chatcmpl-${fields.key}`;
  const common = { sequence: fields.sequence, rolloutId: fields.rolloutId, attemptId: fields.attemptId };
  const root = makeSpan({
    ...common,
    id: id(`${fields.key}-root`),
    name: "Received Proxy Server Request",
    start,
    end: start + 0.5,
  });
  const litellm = makeSpan({
    ...common,
    id: id(`${fields.key}-litellm`),
    parent: root.span_id,
    name: "litellm_request",
    start: start + 0.01,
    end: start + 0.4,
    attributes: {
      "gen_ai.request.model": "qwen",
      "gen_ai.prompt.0.role": "user",
      "gen_ai.prompt.0.content": `question ${fields.key}`,
      "gen_ai.completion.0.role": "assistant",
      "gen_ai.completion.0.content": `answer ${fields.key}`,
      "gen_ai.completion.0.finish_reason": "stop",
      "gen_ai.response.id": requestId,
      "gen_ai.usage.prompt_tokens": 3,
      "gen_ai.usage.completion_tokens": 2,
    },
  });
  const raw: Attributes = { "llm.hosted_vllm.id": requestId, "llm.hosted_vllm.model": "qwen" };
  if (fields.promptTokenIds !== null)
    raw["llm.hosted_vllm.prompt_token_ids"] = encode(fields.promptTokenIds ?? [1, 2, 3]);
  const responseIds = fields.responseTokenIds === undefined ? [4, 5] : fields.responseTokenIds;
  const choice: Record<string, unknown> = {
    finish_reason: "stop",
    index: 0,
    message: { content: `answer ${fields.key}`, role: "assistant", tool_calls: null },
  };
  if (responseIds !== null && fields.responseIn !== "response_token_ids") choice.token_ids = responseIds;
  raw["llm.hosted_vllm.choices"] = format === "native" ? JSON.stringify([choice]) : encode([choice]);
  if (responseIds !== null && fields.responseIn === "response_token_ids") {
    raw["llm.hosted_vllm.response_token_ids"] =
      format === "native" ? JSON.stringify([responseIds]) : encode([responseIds]);
  }
  const rawSpan = makeSpan({
    ...common,
    id: id(`${fields.key}-raw`),
    parent: litellm.span_id,
    name: "raw_gen_ai_request",
    start: start + 0.02,
    end: start + 0.3,
    attributes: raw,
  });
  return [root, litellm, rawSpan];
}
