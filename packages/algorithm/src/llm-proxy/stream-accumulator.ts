/**
 * Rebuilds a complete (non-streamed) completion response from the SSE chunks of a streamed one,
 * so a streamed call is recorded exactly like a buffered one: content, tool calls, finish reason,
 * usage, and the vLLM token ids (`prompt_token_ids` on a chunk, `token_ids` per choice chunk)
 * and logprobs, concatenated in order.
 */

type Json = Record<string, unknown>;

interface ToolCallAcc {
  index: number;
  id?: string;
  type?: string;
  name: string;
  arguments: string;
}

interface ChoiceAcc {
  index: number;
  role?: string;
  content: string;
  hasContent: boolean;
  reasoning: string;
  text: string;
  finishReason: unknown;
  toolCalls: Map<number, ToolCallAcc>;
  tokenIds: number[];
  hasTokenIds: boolean;
  logprobs: unknown[];
  hasLogprobs: boolean;
  promptTokenIds?: number[];
}

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const isIntArray = (value: unknown): value is number[] =>
  Array.isArray(value) && value.every((v) => Number.isInteger(v));

/** Incremental SSE parser + chunk merger. Feed it the raw bytes as they pass; read `result()` at the end. */
export class StreamAccumulator {
  private readonly decoder = new TextDecoder();
  private buffer = "";
  private readonly top: Json = {};
  private readonly choices = new Map<number, ChoiceAcc>();
  private chunkCount = 0;
  /** True once `data: [DONE]` was seen. */
  done = false;

  /** Feeds raw bytes of the event stream. */
  push(bytes: Uint8Array): void {
    this.buffer += this.decoder.decode(bytes, { stream: true });
    this.drain(false);
  }

  /** Feeds the end of the stream. */
  end(): void {
    this.buffer += this.decoder.decode();
    this.drain(true);
  }

  /** Number of JSON chunks seen. */
  get chunks(): number {
    return this.chunkCount;
  }

  private drain(final: boolean): void {
    for (;;) {
      const match = /\r?\n\r?\n/.exec(this.buffer);
      if (match === null) break;
      const event = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      this.handleEvent(event);
    }
    if (final && this.buffer.trim() !== "") {
      this.handleEvent(this.buffer);
      this.buffer = "";
    }
  }

  private handleEvent(event: string): void {
    const data: string[] = [];
    for (const line of event.split(/\r?\n/)) {
      if (line.startsWith("data:")) data.push(line.slice(line[5] === " " ? 6 : 5));
    }
    if (data.length === 0) return;
    const payload = data.join("\n");
    if (payload.trim() === "[DONE]") {
      this.done = true;
      return;
    }
    let chunk: unknown;
    try {
      chunk = JSON.parse(payload);
    } catch {
      return;
    }
    if (isObject(chunk)) this.merge(chunk);
  }

  private merge(chunk: Json): void {
    this.chunkCount++;
    for (const key of ["id", "model", "created", "system_fingerprint"]) {
      if (chunk[key] !== undefined && this.top[key] === undefined) this.top[key] = chunk[key];
    }
    if (isObject(chunk.usage)) this.top.usage = chunk.usage;
    if (isIntArray(chunk.prompt_token_ids)) this.top.prompt_token_ids = chunk.prompt_token_ids;
    if (chunk.response_token_ids !== undefined) this.top.response_token_ids = chunk.response_token_ids;
    if (!Array.isArray(chunk.choices)) return;
    for (const raw of chunk.choices) {
      if (!isObject(raw)) continue;
      const index = typeof raw.index === "number" ? raw.index : 0;
      let acc = this.choices.get(index);
      if (acc === undefined) {
        acc = {
          index,
          content: "",
          hasContent: false,
          reasoning: "",
          text: "",
          finishReason: null,
          toolCalls: new Map(),
          tokenIds: [],
          hasTokenIds: false,
          logprobs: [],
          hasLogprobs: false,
        };
        this.choices.set(index, acc);
      }
      this.mergeChoice(acc, raw);
    }
  }

  private mergeChoice(acc: ChoiceAcc, raw: Json): void {
    if (raw.finish_reason != null) acc.finishReason = raw.finish_reason;
    if (isIntArray(raw.token_ids)) {
      acc.tokenIds.push(...raw.token_ids);
      acc.hasTokenIds = true;
    }
    if (isIntArray(raw.prompt_token_ids)) acc.promptTokenIds = raw.prompt_token_ids;
    if (typeof raw.text === "string") acc.text += raw.text;
    if (isObject(raw.logprobs) && Array.isArray(raw.logprobs.content)) {
      acc.logprobs.push(...raw.logprobs.content);
      acc.hasLogprobs = true;
    }
    const delta = raw.delta;
    if (!isObject(delta)) return;
    if (typeof delta.role === "string") acc.role = delta.role;
    if (typeof delta.content === "string") {
      acc.content += delta.content;
      acc.hasContent = true;
    }
    const reasoning = delta.reasoning_content ?? delta.reasoning;
    if (typeof reasoning === "string") acc.reasoning += reasoning;
    if (!Array.isArray(delta.tool_calls)) return;
    for (const call of delta.tool_calls) {
      if (!isObject(call)) continue;
      const index = typeof call.index === "number" ? call.index : acc.toolCalls.size;
      let tool = acc.toolCalls.get(index);
      if (tool === undefined) {
        tool = { index, name: "", arguments: "" };
        acc.toolCalls.set(index, tool);
      }
      if (typeof call.id === "string") tool.id = call.id;
      if (typeof call.type === "string") tool.type = call.type;
      const fn = call.function;
      if (isObject(fn)) {
        if (typeof fn.name === "string") tool.name += fn.name;
        if (typeof fn.arguments === "string") tool.arguments += fn.arguments;
      }
    }
  }

  /**
   * The response a non-streamed call would have returned: `chat.completion` (or
   * `text_completion` when the chunks carried `text`), choices ordered by index.
   */
  result(kind: "chat" | "text"): Json {
    const choices = [...this.choices.values()]
      .sort((a, b) => a.index - b.index)
      .map((acc): Json => {
        const choice: Json = { index: acc.index, finish_reason: acc.finishReason ?? null };
        if (kind === "text") {
          choice.text = acc.text;
        } else {
          const message: Json = {
            role: acc.role ?? "assistant",
            content: acc.hasContent ? acc.content : null,
          };
          if (acc.reasoning !== "") message.reasoning_content = acc.reasoning;
          if (acc.toolCalls.size > 0) {
            message.tool_calls = [...acc.toolCalls.values()]
              .sort((a, b) => a.index - b.index)
              .map((tool) => ({
                id: tool.id ?? null,
                type: tool.type ?? "function",
                function: { name: tool.name, arguments: tool.arguments },
              }));
          }
          choice.message = message;
        }
        if (acc.hasLogprobs) choice.logprobs = { content: acc.logprobs };
        if (acc.hasTokenIds) choice.token_ids = acc.tokenIds;
        if (acc.promptTokenIds !== undefined) choice.prompt_token_ids = acc.promptTokenIds;
        return choice;
      });
    return { ...this.top, object: kind === "chat" ? "chat.completion" : "text_completion", choices };
  }
}
