import type { Attributes } from "@agentlightning/types";
import type {
  ChatCompletionLike,
  ChatCompletionRequestLike,
  ChatMessageLike,
  ChatToolCallLike,
} from "./openai-types.js";

/**
 * The span name of one LLM call, matched by the triplet adapter's default `llmCallMatch`
 * (`openai\.chat\.completion`): the name AgentOps gave OpenAI chat calls (runtime contract §3.5).
 */
export const LLM_CALL_SPAN_NAME = "openai.chat.completion";

/** Prefix of the name of a tool-call child span: `tool_call.<function name>`. */
export const TOOL_CALL_SPAN_PREFIX = "tool_call.";

/** Attribute keys of the LLM-call and tool-call spans the adapters read (runtime contract §3.5, §5.6). */
export const LlmSpanAttributes = {
  SYSTEM: "gen_ai.system",
  REQUEST_TYPE: "gen_ai.request.type",
  REQUEST_MODEL: "gen_ai.request.model",
  REQUEST_TEMPERATURE: "gen_ai.request.temperature",
  REQUEST_TOP_P: "gen_ai.request.top_p",
  REQUEST_MAX_TOKENS: "gen_ai.request.max_tokens",
  REQUEST_STREAMING: "gen_ai.request.streaming",
  REQUEST_HEADERS: "gen_ai.request.headers",
  /** Prefix: `gen_ai.request.functions.<i>.name|description|parameters`. */
  REQUEST_FUNCTIONS: "gen_ai.request.functions",
  /** Prefix: `gen_ai.prompt.<i>.role|content|tool_call_id|tool_calls.<j>.id|name|arguments`. */
  PROMPT: "gen_ai.prompt",
  /** Prefix: `gen_ai.completion.<i>.role|content|finish_reason|tool_calls.<j>.*`. */
  COMPLETION: "gen_ai.completion",
  RESPONSE_ID: "gen_ai.response.id",
  RESPONSE_MODEL: "gen_ai.response.model",
  USAGE_PROMPT_TOKENS: "gen_ai.usage.prompt_tokens",
  USAGE_COMPLETION_TOKENS: "gen_ai.usage.completion_tokens",
  USAGE_TOTAL_TOKENS: "gen_ai.usage.total_tokens",
  SYSTEM_FINGERPRINT: "gen_ai.openai.system_fingerprint",
  PROMPT_TOKEN_IDS: "prompt_token_ids",
  RESPONSE_TOKEN_IDS: "response_token_ids",
  LOGPROBS_CONTENT: "logprobs.content",
  LOGPROBS_REFUSAL: "logprobs.refusal",
  TOOL_NAME: "tool.name",
  TOOL_PARAMETERS: "tool.parameters",
  TOOL_CALL_ID: "tool.call.id",
  TOOL_CALL_TYPE: "tool.call.type",
} as const;

/** Text of a message content: strings as they are, content-part arrays (multimodal) as JSON text. */
function contentText(content: unknown): string | undefined {
  if (content === undefined || content === null) return undefined;
  if (typeof content === "string") return content;
  return JSON.stringify(content);
}

function setIfDefined(
  attributes: Attributes,
  key: string,
  value: string | number | boolean | undefined | null,
) {
  if (value !== undefined && value !== null) attributes[key] = value;
}

function toolCallAttributes(
  attributes: Attributes,
  prefix: string,
  calls: ChatToolCallLike[] | null | undefined,
) {
  if (!Array.isArray(calls)) return;
  calls.forEach((call, j) => {
    setIfDefined(attributes, `${prefix}.tool_calls.${j}.id`, call.id);
    setIfDefined(attributes, `${prefix}.tool_calls.${j}.name`, call.function?.name);
    setIfDefined(attributes, `${prefix}.tool_calls.${j}.arguments`, call.function?.arguments);
  });
}

/** `gen_ai.prompt.<i>.*` of a list of chat messages. */
export function promptAttributes(messages: readonly ChatMessageLike[] | undefined): Attributes {
  const attributes: Attributes = {};
  if (!Array.isArray(messages)) return attributes;
  messages.forEach((message, i) => {
    const prefix = `${LlmSpanAttributes.PROMPT}.${i}`;
    setIfDefined(attributes, `${prefix}.role`, message?.role);
    setIfDefined(attributes, `${prefix}.content`, contentText(message?.content));
    setIfDefined(attributes, `${prefix}.tool_call_id`, message?.tool_call_id);
    toolCallAttributes(attributes, prefix, message?.tool_calls);
  });
  return attributes;
}

/** Options of {@link chatRequestAttributes}. */
export interface ChatRequestAttributeOptions {
  /** Extra request headers the caller set; recorded as JSON text (never credentials). */
  headers?: Record<string, string>;
}

const SECRET_HEADER = /^(authorization|api-key|x-api-key|cookie|proxy-authorization)$/i;

/**
 * The attributes of an LLM-call span known before the call: system, request settings, offered
 * tools (`gen_ai.request.functions.*`) and the prompt messages (`gen_ai.prompt.*`).
 */
export function chatRequestAttributes(
  body: ChatCompletionRequestLike,
  options: ChatRequestAttributeOptions = {},
): Attributes {
  const attributes: Attributes = {
    [LlmSpanAttributes.SYSTEM]: "OpenAI",
    [LlmSpanAttributes.REQUEST_TYPE]: "chat",
    [LlmSpanAttributes.REQUEST_STREAMING]: body.stream === true,
  };
  setIfDefined(attributes, LlmSpanAttributes.REQUEST_MODEL, body.model);
  setIfDefined(attributes, LlmSpanAttributes.REQUEST_TEMPERATURE, body.temperature);
  setIfDefined(attributes, LlmSpanAttributes.REQUEST_TOP_P, body.top_p);
  setIfDefined(
    attributes,
    LlmSpanAttributes.REQUEST_MAX_TOKENS,
    body.max_tokens ?? body.max_completion_tokens,
  );
  if (options.headers !== undefined) {
    const safe = Object.fromEntries(
      Object.entries(options.headers).filter(([name]) => !SECRET_HEADER.test(name)),
    );
    if (Object.keys(safe).length > 0) attributes[LlmSpanAttributes.REQUEST_HEADERS] = JSON.stringify(safe);
  }
  const functions = Array.isArray(body.tools)
    ? body.tools.map((tool) => tool?.function ?? {})
    : Array.isArray(body.functions)
      ? body.functions
      : [];
  functions.forEach((fn, i) => {
    const prefix = `${LlmSpanAttributes.REQUEST_FUNCTIONS}.${i}`;
    setIfDefined(attributes, `${prefix}.name`, fn.name);
    setIfDefined(attributes, `${prefix}.description`, fn.description);
    if (fn.parameters !== undefined) {
      attributes[`${prefix}.parameters`] =
        typeof fn.parameters === "string" ? fn.parameters : JSON.stringify(fn.parameters);
    }
  });
  Object.assign(attributes, promptAttributes(body.messages));
  return attributes;
}

/** `value` when it is a non-empty list of integers, else `undefined`. */
export function tokenIdList(value: unknown): number[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return value.every((v) => Number.isInteger(v)) ? (value as number[]) : undefined;
}

/** The response token ids in the order the adapters look for them (runtime contract §3.5). */
function responseTokenIds(completion: ChatCompletionLike): number[] | undefined {
  const listOfLists = completion.response_token_ids;
  if (Array.isArray(listOfLists) && listOfLists.length > 0) {
    const first = Array.isArray(listOfLists[0]) ? listOfLists[0] : listOfLists;
    const ids = tokenIdList(first);
    if (ids !== undefined) return ids;
  }
  const choice = completion.choices?.[0];
  return tokenIdList(choice?.token_ids) ?? tokenIdList(choice?.provider_specific_fields?.token_ids);
}

/**
 * The attributes of an LLM-call span known from the response: id, model, usage, the completion
 * messages (`gen_ai.completion.*`), vLLM token ids (`prompt_token_ids`, `response_token_ids`)
 * and logprobs (`logprobs.content`) when the server returned them.
 */
export function chatResponseAttributes(completion: ChatCompletionLike): Attributes {
  const attributes: Attributes = {};
  setIfDefined(attributes, LlmSpanAttributes.RESPONSE_ID, completion.id);
  setIfDefined(attributes, LlmSpanAttributes.RESPONSE_MODEL, completion.model);
  setIfDefined(attributes, LlmSpanAttributes.SYSTEM_FINGERPRINT, completion.system_fingerprint);
  const usage = completion.usage;
  if (usage) {
    setIfDefined(attributes, LlmSpanAttributes.USAGE_PROMPT_TOKENS, usage.prompt_tokens);
    setIfDefined(attributes, LlmSpanAttributes.USAGE_COMPLETION_TOKENS, usage.completion_tokens);
    setIfDefined(attributes, LlmSpanAttributes.USAGE_TOTAL_TOKENS, usage.total_tokens);
  }
  (completion.choices ?? []).forEach((choice, position) => {
    const i = typeof choice.index === "number" ? choice.index : position;
    const prefix = `${LlmSpanAttributes.COMPLETION}.${i}`;
    const message = choice.message;
    setIfDefined(attributes, `${prefix}.role`, message?.role ?? "assistant");
    setIfDefined(attributes, `${prefix}.content`, contentText(message?.content));
    setIfDefined(attributes, `${prefix}.refusal`, message?.refusal);
    setIfDefined(attributes, `${prefix}.finish_reason`, choice.finish_reason);
    toolCallAttributes(attributes, prefix, message?.tool_calls);
  });
  const promptIds = tokenIdList(completion.prompt_token_ids);
  if (promptIds !== undefined) attributes[LlmSpanAttributes.PROMPT_TOKEN_IDS] = promptIds;
  const responseIds = responseTokenIds(completion);
  if (responseIds !== undefined) attributes[LlmSpanAttributes.RESPONSE_TOKEN_IDS] = responseIds;
  const logprobs = completion.choices?.[0]?.logprobs;
  if (Array.isArray(logprobs?.content)) {
    attributes[LlmSpanAttributes.LOGPROBS_CONTENT] = JSON.stringify(logprobs.content);
  }
  if (Array.isArray(logprobs?.refusal)) {
    attributes[LlmSpanAttributes.LOGPROBS_REFUSAL] = JSON.stringify(logprobs.refusal);
  }
  return attributes;
}

/** A tool call the model returned, as the name and attributes of its `tool_call.<name>` child span. */
export interface ToolCallSpanRecord {
  name: string;
  attributes: Attributes;
}

/** The child spans to record for the tool calls of the first choice (TraceToMessages reads them). */
export function toolCallSpans(completion: ChatCompletionLike): ToolCallSpanRecord[] {
  const calls = completion.choices?.[0]?.message?.tool_calls;
  if (!Array.isArray(calls)) return [];
  return calls.map((call) => {
    const name = call.function?.name ?? "unknown";
    const attributes: Attributes = {
      [LlmSpanAttributes.TOOL_NAME]: name,
      [LlmSpanAttributes.TOOL_CALL_TYPE]: call.type ?? "function",
    };
    setIfDefined(attributes, LlmSpanAttributes.TOOL_PARAMETERS, call.function?.arguments);
    setIfDefined(attributes, LlmSpanAttributes.TOOL_CALL_ID, call.id);
    return { name: `${TOOL_CALL_SPAN_PREFIX}${name}`, attributes };
  });
}
