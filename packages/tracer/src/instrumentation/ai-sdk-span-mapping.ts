import type { Attributes, AttributeValue, Span } from "@agentlightning/types";
import {
  chatResponseAttributes,
  LLM_CALL_SPAN_NAME,
  LlmSpanAttributes,
  promptAttributes,
  TOOL_CALL_SPAN_PREFIX,
  tokenIdList,
} from "./openai-attributes.js";
import type { ChatCompletionLike, ChatMessageLike, ChatToolCallLike } from "./openai-types.js";

/**
 * The provider-metadata key under which {@link aiSdkTokenIdSettings} puts vLLM token ids, read back
 * from the `ai.response.providerMetadata` span attribute.
 */
export const TOKEN_IDS_METADATA_KEY = "agentlightning";

/** AI SDK spans of one model call: `ai.generateText.doGenerate`, `ai.streamText.doStream`, and the object variants. */
const MODEL_CALL_SPAN = /^ai\.[A-Za-z]+\.do(Generate|Stream)$/;
/** AI SDK span of one tool execution. */
const TOOL_CALL_SPAN = "ai.toolCall";

function parseJson(value: AttributeValue | undefined): unknown {
  if (typeof value !== "string") return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function argumentsText(input: unknown): string {
  return typeof input === "string" ? input : JSON.stringify(input ?? {});
}

/** The text of an AI SDK tool result output (`{type: "text"|"json"|..., value}`). */
function toolOutputText(output: unknown): string {
  const record = asRecord(output);
  if (record === undefined) return typeof output === "string" ? output : JSON.stringify(output ?? null);
  if (typeof record.value === "string") return record.value;
  if ("value" in record) return JSON.stringify(record.value);
  return JSON.stringify(record);
}

/** An AI SDK content part as an OpenAI content part (text and images; anything else as is). */
function openAIContentPart(part: Record<string, unknown>): unknown {
  if (part.type === "text") return { type: "text", text: part.text };
  if (part.type === "image" || (part.type === "file" && String(part.mediaType ?? "").startsWith("image/"))) {
    const data = part.image ?? part.data;
    const mediaType = typeof part.mediaType === "string" ? part.mediaType : "image/png";
    const url =
      typeof data === "string" && !/^[a-z]+:/i.test(data) ? `data:${mediaType};base64,${data}` : String(data);
    return { type: "image_url", image_url: { url } };
  }
  return part;
}

/**
 * The AI SDK's prompt (`ai.prompt.messages`: its provider-level message list) as OpenAI chat
 * messages, the shape `gen_ai.prompt.*` holds for the `openai` instrumentation: text parts joined
 * into a string, multimodal parts as OpenAI content parts, assistant tool calls as `tool_calls`,
 * and one `tool` message per tool result.
 */
export function aiSdkPromptToOpenAIMessages(prompt: unknown): ChatMessageLike[] {
  if (!Array.isArray(prompt)) return [];
  const messages: ChatMessageLike[] = [];
  for (const raw of prompt) {
    const message = asRecord(raw);
    if (message === undefined) continue;
    const role = typeof message.role === "string" ? message.role : "user";
    const content = message.content;
    if (!Array.isArray(content)) {
      messages.push({ role, content: typeof content === "string" ? content : JSON.stringify(content ?? "") });
      continue;
    }
    const parts = content.map(asRecord).filter((part): part is Record<string, unknown> => part !== undefined);
    if (role === "tool") {
      for (const part of parts) {
        if (part.type !== "tool-result") continue;
        messages.push({
          role: "tool",
          tool_call_id: typeof part.toolCallId === "string" ? part.toolCallId : undefined,
          content: toolOutputText(part.output ?? part.result),
        });
      }
      continue;
    }
    const toolCalls: ChatToolCallLike[] = parts
      .filter((part) => part.type === "tool-call")
      .map((part) => ({
        id: typeof part.toolCallId === "string" ? part.toolCallId : undefined,
        type: "function",
        function: { name: String(part.toolName ?? ""), arguments: argumentsText(part.input ?? part.args) },
      }));
    const contentParts = parts.filter((part) => part.type !== "tool-call" && part.type !== "reasoning");
    const textOnly = contentParts.every((part) => part.type === "text");
    const text = contentParts.map((part) => String(part.text ?? "")).join("");
    const entry: ChatMessageLike = {
      role,
      content: textOnly
        ? text === "" && toolCalls.length > 0
          ? null
          : text
        : contentParts.map(openAIContentPart),
    };
    if (toolCalls.length > 0) entry.tool_calls = toolCalls;
    messages.push(entry);
  }
  return messages;
}

/** AI SDK finish reasons (`tool-calls`, `content-filter`, ...) in OpenAI's spelling. */
function openAIFinishReason(reason: AttributeValue | undefined): string | undefined {
  if (typeof reason !== "string") return undefined;
  return reason.replaceAll("-", "_");
}

function numberAttribute(attributes: Attributes, ...keys: string[]): number | undefined {
  for (const key of keys) {
    const value = attributes[key];
    if (typeof value === "number") return value;
  }
  return undefined;
}

/** The completion a model-call span describes, rebuilt in the OpenAI response shape. */
function completionOf(attributes: Attributes): ChatCompletionLike {
  const toolCalls = parseJson(attributes["ai.response.toolCalls"]);
  const calls: ChatToolCallLike[] = Array.isArray(toolCalls)
    ? toolCalls.map(asRecord).flatMap((call) =>
        call === undefined
          ? []
          : [
              {
                id: typeof call.toolCallId === "string" ? call.toolCallId : undefined,
                type: "function",
                function: {
                  name: String(call.toolName ?? ""),
                  arguments: argumentsText(call.input ?? call.args),
                },
              },
            ],
      )
    : [];
  const text = attributes["ai.response.text"];
  const promptTokens = numberAttribute(
    attributes,
    "ai.usage.inputTokens",
    "ai.usage.promptTokens",
    "gen_ai.usage.input_tokens",
  );
  const completionTokens = numberAttribute(
    attributes,
    "ai.usage.outputTokens",
    "ai.usage.completionTokens",
    "gen_ai.usage.output_tokens",
  );
  const totalTokens =
    numberAttribute(attributes, "ai.usage.totalTokens") ??
    (promptTokens !== undefined && completionTokens !== undefined
      ? promptTokens + completionTokens
      : undefined);
  const metadata = asRecord(
    asRecord(parseJson(attributes["ai.response.providerMetadata"]))?.[TOKEN_IDS_METADATA_KEY],
  );
  const id = attributes["ai.response.id"] ?? attributes["gen_ai.response.id"];
  const model = attributes["ai.response.model"] ?? attributes["gen_ai.response.model"];
  return {
    id: typeof id === "string" ? id : undefined,
    model: typeof model === "string" ? model : undefined,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: typeof text === "string" ? text : calls.length > 0 ? null : "",
          ...(calls.length > 0 ? { tool_calls: calls } : {}),
        },
        finish_reason: openAIFinishReason(attributes["ai.response.finishReason"]) ?? null,
        token_ids: tokenIdList(metadata?.response_token_ids) ?? null,
      },
    ],
    usage:
      promptTokens !== undefined || completionTokens !== undefined
        ? { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: totalTokens }
        : null,
    prompt_token_ids: tokenIdList(metadata?.prompt_token_ids) ?? null,
  };
}

/** `gen_ai.request.functions.*` from `ai.prompt.tools` (a list of JSON texts of the tool definitions). */
function functionAttributes(tools: AttributeValue | undefined): Attributes {
  const attributes: Attributes = {};
  if (!Array.isArray(tools)) return attributes;
  tools.forEach((text, i) => {
    const tool = asRecord(parseJson(text as string));
    if (tool === undefined) return;
    const prefix = `${LlmSpanAttributes.REQUEST_FUNCTIONS}.${i}`;
    if (typeof tool.name === "string") attributes[`${prefix}.name`] = tool.name;
    if (typeof tool.description === "string") attributes[`${prefix}.description`] = tool.description;
    const parameters = tool.inputSchema ?? tool.parameters;
    if (parameters !== undefined) attributes[`${prefix}.parameters`] = JSON.stringify(parameters);
  });
  return attributes;
}

/**
 * The `openai.chat.completion` attributes (runtime contract §3.5) of an AI SDK model-call span's
 * attributes: `gen_ai.request.*`, `gen_ai.prompt.*` (converted to OpenAI chat messages),
 * `gen_ai.completion.*`, `gen_ai.usage.*`, and token ids when {@link aiSdkTokenIdSettings} put them
 * in the provider metadata. The AI SDK's own `ai.*` and `gen_ai.*` attributes are kept.
 */
export function aiSdkModelCallAttributes(attributes: Attributes, streaming: boolean): Attributes {
  const out: Attributes = { ...attributes };
  out[LlmSpanAttributes.REQUEST_TYPE] = "chat";
  out[LlmSpanAttributes.REQUEST_STREAMING] = streaming;
  const model = attributes["gen_ai.request.model"] ?? attributes["ai.model.id"];
  if (typeof model === "string") out[LlmSpanAttributes.REQUEST_MODEL] = model;
  const maxTokens = attributes["gen_ai.request.max_tokens"] ?? attributes["ai.settings.maxOutputTokens"];
  if (typeof maxTokens === "number") out[LlmSpanAttributes.REQUEST_MAX_TOKENS] = maxTokens;
  Object.assign(out, functionAttributes(attributes["ai.prompt.tools"]));
  Object.assign(
    out,
    promptAttributes(aiSdkPromptToOpenAIMessages(parseJson(attributes["ai.prompt.messages"]))),
  );
  Object.assign(out, chatResponseAttributes(completionOf(attributes)));
  return out;
}

/**
 * `seconds` rounded down to its millisecond, computed as span conversion computes times
 * (`sec + nanos / 1e9`) so that it compares exactly with a span started in that millisecond.
 * The OpenTelemetry SDK starts spans at `Date.now()` (whole milliseconds) but ends them at that
 * start plus a precise duration; a reward emitted right after a model call, in the same
 * millisecond, would otherwise start "before" the call ended and miss it in reward matching.
 */
export function floorToMillisecond(seconds: number | null): number | null {
  if (seconds === null) return null;
  const whole = Math.floor(seconds);
  // A double near 1.8e9 s resolves ~240 ns: a value within 500 ns under a millisecond boundary is
  // that boundary (a start at exactly that millisecond converts to it).
  const millis = Math.min(999, Math.floor((Math.round((seconds - whole) * 1e9) + 500) / 1e6));
  return whole + (millis * 1e6) / 1e9;
}

/**
 * The AI SDK leaves a span that went well UNSET (it sets ERROR on failures); the `openai`
 * instrumentation marks it OK. Same status for the same outcome, whichever path recorded it.
 */
function finishedStatus(span: Span): Span["status"] {
  return span.status.status_code === "UNSET" ? { ...span.status, status_code: "OK" } : span.status;
}

/**
 * Maps a span of the Vercel AI SDK's telemetry onto the span shapes the adapters read: a model
 * call (`ai.generateText.doGenerate`, `ai.streamText.doStream`, ...) becomes an
 * `openai.chat.completion` span with the attributes of {@link aiSdkModelCallAttributes}; a tool
 * execution (`ai.toolCall`) becomes a `tool_call.<name>` span with `tool.name`, `tool.parameters`,
 * `tool.call.id`, `tool.call.type`; both get status OK when the AI SDK left them UNSET, and an
 * end time rounded down to the millisecond ({@link floorToMillisecond}). Every
 * other span is returned unchanged. Pure: returns a new
 * span, never changes its argument. Give it to `OtelTracer`'s `spanTransforms`
 * (`InstrumentedTracer` does).
 */
export function mapAiSdkSpan(span: Span): Span {
  try {
    return mapSpan(span);
  } catch (error) {
    // A span the mapping cannot read is kept as it came (a transform that throws loses the span).
    const reason = error instanceof Error ? error.message : String(error);
    return { ...span, attributes: { ...span.attributes, "agentlightning.instrumentation.error": reason } };
  }
}

function mapSpan(span: Span): Span {
  const match = MODEL_CALL_SPAN.exec(span.name);
  if (match !== null) {
    return {
      ...span,
      name: LLM_CALL_SPAN_NAME,
      status: finishedStatus(span),
      end_time: floorToMillisecond(span.end_time),
      attributes: aiSdkModelCallAttributes(span.attributes, match[1] === "Stream"),
    };
  }
  if (span.name === TOOL_CALL_SPAN) {
    const attributes = span.attributes;
    const name =
      typeof attributes["ai.toolCall.name"] === "string" ? attributes["ai.toolCall.name"] : "unknown";
    const mapped: Attributes = {
      ...attributes,
      [LlmSpanAttributes.TOOL_NAME]: name,
      [LlmSpanAttributes.TOOL_CALL_TYPE]: "function",
    };
    const args = attributes["ai.toolCall.args"] ?? attributes["ai.toolCall.input"];
    if (typeof args === "string") mapped[LlmSpanAttributes.TOOL_PARAMETERS] = args;
    const id = attributes["ai.toolCall.id"];
    if (typeof id === "string") mapped[LlmSpanAttributes.TOOL_CALL_ID] = id;
    return {
      ...span,
      name: `${TOOL_CALL_SPAN_PREFIX}${name}`,
      status: finishedStatus(span),
      attributes: mapped,
    };
  }
  return span;
}
