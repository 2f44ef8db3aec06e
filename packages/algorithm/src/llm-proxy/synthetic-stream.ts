/**
 * Synthetic server-sent event streams built from a complete (non-streamed) response: what the
 * proxy sends when stream conversion is on (the backend is asked for the whole answer, so its
 * token ids are always captured, and the client still gets a stream). Shapes as upstream's
 * stream-conversion middleware (contract: runtime contract §8.3).
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Headers of a synthetic stream. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache",
  connection: "keep-alive",
  "x-accel-buffering": "no",
};

/** Size of a content piece; a piece is cut after the last space inside this window when there is one. */
const CONTENT_WINDOW = 28;
/** Size of a tool-call argument piece. */
const ARGUMENT_PIECE = 40;

/** Splits text into pieces of at most {@link CONTENT_WINDOW} characters, preferring to cut after a space. */
export function splitContent(text: string): string[] {
  const pieces: string[] = [];
  let pos = 0;
  while (pos < text.length) {
    if (text.length - pos <= CONTENT_WINDOW) {
      pieces.push(text.slice(pos));
      break;
    }
    const window = text.slice(pos, pos + CONTENT_WINDOW);
    const space = window.lastIndexOf(" ");
    const cut = space > 0 ? space + 1 : CONTENT_WINDOW;
    pieces.push(text.slice(pos, pos + cut));
    pos += cut;
  }
  return pieces;
}

function slices(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** Options of {@link openAIStreamEvents}. */
export interface OpenAIStreamOptions {
  /** Adds a last chunk with `usage` and no choices (what `stream_options.include_usage` asks for). */
  includeUsage?: boolean;
  /** Unix seconds used when the response has no `created`. */
  now?: number;
}

/**
 * The `data: ...\n\n` events of an OpenAI chat completion stream equivalent to `response`
 * (only `choices[0]`): a role chunk, content pieces, per tool call a name chunk and argument
 * pieces, a final chunk with the finish reason, then `data: [DONE]`. Logprobs are not streamed.
 */
export function openAIStreamEvents(response: Json, options: OpenAIStreamOptions = {}): string[] {
  const created =
    typeof response.created === "number" ? response.created : (options.now ?? Math.floor(Date.now() / 1000));
  const id = typeof response.id === "string" ? response.id : `chatcmpl-${created}`;
  const model = typeof response.model === "string" ? response.model : "unknown";
  const choices = Array.isArray(response.choices) ? response.choices : [];
  const choice = isObject(choices[0]) ? choices[0] : {};
  const message = isObject(choice.message) ? choice.message : {};
  const events: string[] = [];
  const emit = (delta: Json, finishReason: unknown = null) =>
    events.push(
      `data: ${JSON.stringify({
        id,
        object: "chat.completion.chunk",
        created,
        model,
        choices: [{ index: 0, delta, finish_reason: finishReason }],
      })}\n\n`,
    );

  emit({ role: typeof message.role === "string" ? message.role : "assistant" });
  if (typeof message.content === "string") {
    for (const piece of splitContent(message.content)) emit({ content: piece });
  }
  const toolCalls = Array.isArray(message.tool_calls) ? message.tool_calls.filter(isObject) : [];
  toolCalls.forEach((call, k) => {
    const fn = isObject(call.function) ? call.function : {};
    emit({
      tool_calls: [
        {
          index: k,
          id: typeof call.id === "string" ? call.id : `call_${created}_${k}`,
          type: typeof call.type === "string" ? call.type : "function",
          function: { name: typeof fn.name === "string" ? fn.name : "" },
        },
      ],
    });
    const args = typeof fn.arguments === "string" ? fn.arguments : "";
    for (const piece of slices(args, ARGUMENT_PIECE))
      emit({ tool_calls: [{ index: k, function: { arguments: piece } }] });
  });
  const finish = choice.finish_reason ?? (toolCalls.length > 0 ? "tool_calls" : "stop");
  emit({}, finish);
  if (options.includeUsage && isObject(response.usage)) {
    events.push(
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [], usage: response.usage })}\n\n`,
    );
  }
  events.push("data: [DONE]\n\n");
  return events;
}

/** Groups whitespace-separated words by five, each group followed by a space except the last (upstream quirk A11). */
function wordGroups(text: string): string[] {
  const words = text.split(/\s+/).filter((w) => w !== "");
  const groups: string[] = [];
  for (let i = 0; i < words.length; i += 5) groups.push(words.slice(i, i + 5).join(" "));
  return groups.map((group, i) => (i < groups.length - 1 ? `${group} ` : group));
}

/**
 * The `event: <type>\ndata: <json>\n\n` events of an Anthropic Messages stream equivalent to a
 * complete Messages `response`: `message_start`, `ping`, per content block its start, deltas
 * (`text_delta` of five words, `input_json_delta` of 20 characters) and stop, `message_delta`,
 * `message_stop`. Whitespace inside text is not preserved (as upstream).
 */
export function anthropicStreamEvents(response: Json): string[] {
  const events: string[] = [];
  const emit = (type: string, data: Json) =>
    events.push(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  const usage = isObject(response.usage) ? response.usage : {};
  emit("message_start", {
    message: {
      id: response.id ?? null,
      type: "message",
      role: "assistant",
      content: [],
      model: typeof response.model === "string" ? response.model : "claude",
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: usage.input_tokens ?? 0, output_tokens: 0 },
    },
  });
  emit("ping", {});
  const blocks = Array.isArray(response.content) ? response.content.filter(isObject) : [];
  blocks.forEach((block, index) => {
    if (block.type === "tool_use") {
      emit("content_block_start", {
        index,
        content_block: { type: "tool_use", id: block.id ?? null, name: block.name ?? null, input: {} },
      });
      for (const piece of slices(JSON.stringify(block.input ?? {}), 20)) {
        emit("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: piece } });
      }
    } else {
      emit("content_block_start", { index, content_block: { type: "text", text: "" } });
      for (const piece of wordGroups(typeof block.text === "string" ? block.text : "")) {
        emit("content_block_delta", { index, delta: { type: "text_delta", text: piece } });
      }
    }
    emit("content_block_stop", { index });
  });
  emit("message_delta", {
    delta: { stop_reason: response.stop_reason ?? "end_turn", stop_sequence: response.stop_sequence ?? null },
    usage: { output_tokens: usage.output_tokens ?? 0 },
  });
  emit("message_stop", {});
  return events;
}
