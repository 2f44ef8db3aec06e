import type { AttributeValue, Span } from "@agentlightning/types";

/** A chat message read back from an LLM-call span. */
export interface ChatMessage {
  role: string;
  content: string | null;
  toolCalls: Array<{ id?: string; name?: string; arguments?: string }>;
  toolCallId?: string;
  finishReason?: string;
}

/** Token counts of an LLM call; null fields were not recorded. */
export interface LlmTokenUsage {
  prompt: number | null;
  completion: number | null;
  total: number | null;
}

/** What the dashboard shows of one LLM call. */
export interface LlmCall {
  model: string | null;
  prompt: ChatMessage[];
  completion: ChatMessage[];
  usage: LlmTokenUsage;
  promptTokenIds: number | null;
  responseTokenIds: number | null;
  responseId: string | null;
}

/** Default pattern of LLM-call span names, as the triplet adapter matches them. */
export const LLM_CALL_NAME = /openai\.chat\.completion/;

/** Whether a span records an LLM call: its name, or OpenLLMetry-style prompt/completion keys. */
export function isLlmCallSpan(span: Span): boolean {
  if (LLM_CALL_NAME.test(span.name)) return true;
  for (const key in span.attributes) {
    if (key.startsWith("gen_ai.prompt.") || key.startsWith("gen_ai.completion.")) return true;
  }
  return false;
}

/**
 * Groups `prefix.<i>.<rest>` attributes by index, in index order (gaps closed), each element an
 * object of its remaining dotted keys: `gen_ai.prompt.0.role` → `[{role}]`.
 */
export function indexedGroups(attributes: Record<string, AttributeValue>, prefix: string) {
  const groups = new Map<number, Record<string, AttributeValue>>();
  const head = `${prefix}.`;
  for (const [key, value] of Object.entries(attributes)) {
    if (!key.startsWith(head)) continue;
    const rest = key.slice(head.length);
    const dot = rest.indexOf(".");
    const index = dot === -1 ? rest : rest.slice(0, dot);
    if (!/^\d+$/.test(index) || dot === -1) continue;
    const i = Number(index);
    const group = groups.get(i) ?? {};
    group[rest.slice(dot + 1)] = value;
    groups.set(i, group);
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([, g]) => g);
}

const str = (v: AttributeValue | undefined) => (v === undefined || v === null ? undefined : String(v));
const num = (v: AttributeValue | undefined) => (typeof v === "number" ? v : null);

function toMessage(group: Record<string, AttributeValue>): ChatMessage {
  const toolCalls = indexedGroups(group, "tool_calls").map((t) => ({
    id: str(t.id),
    name: str(t.name),
    arguments: str(t.arguments),
  }));
  return {
    role: str(group.role) ?? "unknown",
    content: str(group.content) ?? null,
    toolCalls,
    toolCallId: str(group.tool_call_id),
    finishReason: str(group.finish_reason),
  };
}

function operationMessages(attributes: Record<string, AttributeValue>): ChatMessage[] {
  return indexedGroups(attributes, "agentlightning.operation.input.messages").map(toMessage);
}

function tokenIdCount(value: AttributeValue | undefined): number | null {
  return Array.isArray(value) ? value.length : null;
}

/**
 * Reads an LLM-call span's chat (`gen_ai.prompt.*`, `gen_ai.completion.*`, or the operation
 * input/output of a traced function), model, token usage and token-id counts (docs: runtime §3.5).
 */
export function readLlmCall(span: Span): LlmCall {
  const a = span.attributes;
  let prompt = indexedGroups(a, "gen_ai.prompt").map(toMessage);
  if (prompt.length === 0) prompt = operationMessages(a);
  let completion = indexedGroups(a, "gen_ai.completion").map(toMessage);
  if (completion.length === 0) {
    completion = indexedGroups(a, "agentlightning.operation.output.choices").map((choice) => {
      const message: Record<string, AttributeValue> = {};
      for (const [k, v] of Object.entries(choice)) if (k.startsWith("message.")) message[k.slice(8)] = v;
      return { ...toMessage(message), finishReason: str(choice.finish_reason) };
    });
  }
  const promptTokens = num(a["gen_ai.usage.prompt_tokens"]) ?? num(a["gen_ai.usage.input_tokens"]);
  const completionTokens = num(a["gen_ai.usage.completion_tokens"]) ?? num(a["gen_ai.usage.output_tokens"]);
  let total = num(a["gen_ai.usage.total_tokens"]);
  if (total === null && promptTokens !== null && completionTokens !== null)
    total = promptTokens + completionTokens;
  return {
    model: str(a["gen_ai.response.model"]) ?? str(a["gen_ai.request.model"]) ?? null,
    prompt,
    completion,
    usage: { prompt: promptTokens, completion: completionTokens, total },
    promptTokenIds: tokenIdCount(a.prompt_token_ids),
    responseTokenIds: tokenIdCount(a.response_token_ids),
    responseId: str(a["gen_ai.response.id"]) ?? str(a["agentlightning.operation.output.id"]) ?? null,
  };
}
