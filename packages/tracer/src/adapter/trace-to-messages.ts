/**
 * `TraceToMessages` (runtime contract §5.5): every LLM-call span → an OpenAI chat-format transcript
 * (the prompt messages, then the assistant's answer, with tool calls) and the tool definitions
 * offered to the model; the format fine-tuning APIs and chat templates take.
 */
import { AglError, type Span } from "@agentlightning/types";
import { TraceAdapter } from "./adapter.js";

/** A function call the assistant made. */
export type ChatToolCall = {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
};

/** One chat message, as OpenAI's `ChatCompletionMessageParam` has it. */
export type ChatMessage =
  | { role: "system" | "user" | "developer"; content: unknown }
  | { role: "tool"; content: unknown; tool_call_id: string }
  | { role: "assistant"; content: unknown; tool_calls?: ChatToolCall[] }
  | { role: string; content: unknown; [key: string]: unknown };

/** A function tool offered to the model, as OpenAI's `ChatCompletionFunctionTool` has it. */
export type ChatFunctionTool = {
  type: "function";
  function: { name: string; description: string; parameters: unknown };
};

/** The transcript of one LLM call. */
export type ChatTranscript = {
  messages: ChatMessage[];
  /** The tools of `gen_ai.request.functions.*`, or `null` when the request had none. */
  tools: ChatFunctionTool[] | null;
};

type Entry = [path: string[], value: unknown];

function build(entries: Entry[]): unknown {
  const leaves = entries.filter(([path]) => path.length === 0);
  const nested = entries.filter(([path]) => path.length > 0);
  if (nested.length === 0) return leaves[leaves.length - 1]?.[1];
  const heads: string[] = [];
  const groups = new Map<string, Entry[]>();
  for (const [path, value] of nested) {
    const head = path[0]!;
    if (!groups.has(head)) {
      groups.set(head, []);
      heads.push(head);
    }
    groups.get(head)!.push([path.slice(1), value]);
  }
  if (heads.some((head) => /^\d+$/.test(head))) {
    // A list: non-numeric heads are dropped and gaps close up.
    return heads
      .filter((head) => /^\d+$/.test(head))
      .sort((a, b) => Number(a) - Number(b))
      .map((head) => build(groups.get(head)!));
  }
  return Object.fromEntries(heads.map((head) => [head, build(groups.get(head)!)]));
}

/**
 * Groups the attributes under `prefix.` the way the messages adapter reads them (not the same as
 * `unflattenAttributes`): a level with any numeric segment becomes a list ordered by index (other
 * segments dropped, gaps closed); otherwise an object. `null` when no key is under the prefix.
 */
export function groupGenAiAttributes(attributes: Readonly<Record<string, unknown>>, prefix: string): unknown {
  const dotted = `${prefix}.`;
  const entries: Entry[] = [];
  for (const [key, value] of Object.entries(attributes)) {
    if (key.startsWith(dotted)) entries.push([key.slice(dotted.length).split("."), value]);
  }
  return entries.length === 0 ? null : build(entries);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === "string"
    ? value
    : value === undefined || value === null
      ? ""
      : JSON.stringify(value);
}

/**
 * LLM-call spans → OpenAI chat transcripts, one per span that records a prompt, completion,
 * request or response (`gen_ai.*`), in input order. Tool calls of an answer come from the span's
 * `tool_call.*` children (`tool.name`, `tool.parameters`, `tool.call.id`, `tool.call.type`).
 *
 * @example
 * ```ts
 * const transcripts = new TraceToMessages().adapt((await store.querySpans({ rolloutId })).items);
 * // [{ messages: [{role: "user", content: "..."}, {role: "assistant", content: "..."}], tools: null }]
 * ```
 */
export class TraceToMessages extends TraceAdapter<ChatTranscript[]> {
  /**
   * @throws AglError `invalid_argument` naming the span when its `gen_ai.*` attributes do not have
   *   the expected shape (prompt/completion not a list, a message without role...).
   */
  adapt(spans: readonly Span[]): ChatTranscript[] {
    const childrenOf = new Map<string, Span[]>();
    for (const span of spans) {
      if (span.parent_id === null) continue;
      const list = childrenOf.get(span.parent_id);
      if (list) list.push(span);
      else childrenOf.set(span.parent_id, [span]);
    }
    const out: ChatTranscript[] = [];
    for (const span of spans) {
      const attrs = span.attributes;
      const where = `span ${span.span_id} "${span.name}"`;
      const prompt = groupGenAiAttributes(attrs, "gen_ai.prompt");
      const completion = groupGenAiAttributes(attrs, "gen_ai.completion");
      const request = groupGenAiAttributes(attrs, "gen_ai.request");
      const response = groupGenAiAttributes(attrs, "gen_ai.response");
      if (prompt === null && completion === null && request === null && response === null) continue;
      if (prompt !== null && !Array.isArray(prompt))
        throw new AglError("invalid_argument", `${where}: gen_ai.prompt.* must be indexed 0..n`);
      if (completion !== null && !Array.isArray(completion)) {
        throw new AglError("invalid_argument", `${where}: gen_ai.completion.* must be indexed 0..n`);
      }
      if (request !== null && !isRecord(request))
        throw new AglError("invalid_argument", `${where}: gen_ai.request.* must be an object`);
      if (response !== null && !isRecord(response))
        throw new AglError("invalid_argument", `${where}: gen_ai.response.* must be an object`);

      const toolCalls: ChatToolCall[] = [];
      for (const child of childrenOf.get(span.span_id) ?? []) {
        const tool = groupGenAiAttributes(child.attributes, "tool");
        if (tool === null) continue;
        if (!isRecord(tool))
          throw new AglError("invalid_argument", `span ${child.span_id}: tool.* must be an object`);
        const call = isRecord(tool.call) ? tool.call : {};
        toolCalls.push({
          id: text(call.id),
          type: "function",
          function: { name: text(tool.name), arguments: text(tool.parameters) },
        });
      }

      const messages: ChatMessage[] = [];
      (prompt ?? []).forEach((message, index) => {
        if (!isRecord(message) || typeof message.role !== "string") {
          throw new AglError("invalid_argument", `${where}: gen_ai.prompt.${index}.role is required`);
        }
        const calls = message.tool_calls;
        if (message.role === "assistant" && Array.isArray(calls) && calls.length > 0) {
          messages.push({
            role: "assistant",
            content: null,
            tool_calls: calls.map((call) => {
              const c = isRecord(call) ? call : {};
              return {
                id: text(c.id),
                type: "function",
                function: { name: text(c.name), arguments: text(c.arguments) },
              };
            }),
          });
        } else if (message.role === "tool") {
          messages.push({
            role: "tool",
            content: message.content ?? "",
            tool_call_id: text(message.tool_call_id),
          });
        } else {
          messages.push({ role: message.role, content: message.content ?? "" });
        }
      });
      for (const choice of completion ?? []) {
        if (!isRecord(choice) || choice.role !== "assistant") continue;
        messages.push(
          toolCalls.length > 0
            ? { role: "assistant", content: choice.content ?? null, tool_calls: toolCalls }
            : { role: "assistant", content: choice.content ?? null },
        );
      }

      let tools: ChatFunctionTool[] | null = null;
      const functions = request?.functions;
      if (Array.isArray(functions)) {
        tools = functions.map((fn) => {
          const f = isRecord(fn) ? fn : {};
          let parameters = f.parameters;
          if (typeof parameters === "string") {
            try {
              parameters = JSON.parse(parameters);
            } catch {
              throw new AglError(
                "invalid_argument",
                `${where}: gen_ai.request.functions.*.parameters is not JSON text`,
              );
            }
          }
          return {
            type: "function",
            function: {
              name: text(f.name),
              description: typeof f.description === "string" ? f.description : "",
              parameters,
            },
          };
        });
      }
      out.push({ messages, tools });
    }
    return out;
  }
}
