import type {
  ChatChoiceLike,
  ChatCompletionChunkLike,
  ChatCompletionLike,
  ChatToolCallLike,
  ChatUsageLike,
} from "./openai-types.js";

interface ChoiceState {
  index: number;
  role: string | undefined;
  content: string;
  hasContent: boolean;
  refusal: string | undefined;
  finishReason: string | null;
  toolCalls: Map<number, { id?: string; type?: string; name: string; arguments: string }>;
  tokenIds: number[];
  logprobs: unknown[] | undefined;
  refusalLogprobs: unknown[] | undefined;
}

/**
 * Rebuilds a non-streaming chat completion from the chunks of a streamed one, so that a streamed
 * call is recorded with the same attributes as a plain one: content and refusal concatenated,
 * tool calls merged by index (arguments concatenated), token ids (vLLM `choices[i].token_ids`) and
 * logprobs concatenated across chunks, `prompt_token_ids` and usage taken from whichever chunk
 * carries them.
 */
export class ChatStreamAccumulator {
  private id: string | undefined;
  private model: string | undefined;
  private systemFingerprint: string | undefined;
  private usage: ChatUsageLike | undefined;
  private promptTokenIds: number[] | undefined;
  private readonly choices = new Map<number, ChoiceState>();
  /** Number of chunks seen. */
  chunks = 0;

  /** Adds one chunk (anything that is not an object is ignored). */
  add(chunk: ChatCompletionChunkLike): void {
    if (chunk === null || typeof chunk !== "object") return;
    this.chunks += 1;
    this.id ??= chunk.id;
    this.model ??= chunk.model;
    this.systemFingerprint ??= chunk.system_fingerprint ?? undefined;
    if (chunk.usage) this.usage = chunk.usage;
    if (Array.isArray(chunk.prompt_token_ids) && this.promptTokenIds === undefined) {
      this.promptTokenIds = chunk.prompt_token_ids;
    }
    for (const choice of chunk.choices ?? []) {
      const index = typeof choice.index === "number" ? choice.index : 0;
      let state = this.choices.get(index);
      if (state === undefined) {
        state = {
          index,
          role: undefined,
          content: "",
          hasContent: false,
          refusal: undefined,
          finishReason: null,
          toolCalls: new Map(),
          tokenIds: [],
          logprobs: undefined,
          refusalLogprobs: undefined,
        };
        this.choices.set(index, state);
      }
      const delta = choice.delta ?? {};
      if (delta.role) state.role = delta.role;
      if (typeof delta.content === "string") {
        state.content += delta.content;
        state.hasContent = true;
      }
      if (typeof delta.refusal === "string") state.refusal = (state.refusal ?? "") + delta.refusal;
      for (const [position, call] of (delta.tool_calls ?? []).entries()) {
        const callIndex = typeof call.index === "number" ? call.index : position;
        const existing = state.toolCalls.get(callIndex) ?? { name: "", arguments: "" };
        if (call.id) existing.id = call.id;
        if (call.type) existing.type = call.type;
        if (call.function?.name) existing.name += call.function.name;
        if (call.function?.arguments) existing.arguments += call.function.arguments;
        state.toolCalls.set(callIndex, existing);
      }
      if (choice.finish_reason) state.finishReason = choice.finish_reason;
      if (Array.isArray(choice.token_ids)) state.tokenIds.push(...choice.token_ids);
      if (Array.isArray(choice.logprobs?.content)) {
        state.logprobs = [...(state.logprobs ?? []), ...choice.logprobs.content];
      }
      if (Array.isArray(choice.logprobs?.refusal)) {
        state.refusalLogprobs = [...(state.refusalLogprobs ?? []), ...choice.logprobs.refusal];
      }
    }
  }

  /** The completion the chunks so far add up to. */
  result(): ChatCompletionLike {
    const choices: ChatChoiceLike[] = [...this.choices.values()]
      .sort((a, b) => a.index - b.index)
      .map((state) => {
        const toolCalls: ChatToolCallLike[] = [...state.toolCalls.entries()]
          .sort(([a], [b]) => a - b)
          .map(([, call]) => ({
            id: call.id,
            type: call.type ?? "function",
            function: { name: call.name, arguments: call.arguments },
          }));
        const choice: ChatChoiceLike = {
          index: state.index,
          message: {
            role: state.role ?? "assistant",
            content: state.hasContent ? state.content : null,
            ...(state.refusal !== undefined ? { refusal: state.refusal } : {}),
            ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
          },
          finish_reason: state.finishReason,
        };
        if (state.tokenIds.length > 0) choice.token_ids = state.tokenIds;
        if (state.logprobs !== undefined || state.refusalLogprobs !== undefined) {
          choice.logprobs = { content: state.logprobs ?? null, refusal: state.refusalLogprobs ?? null };
        }
        return choice;
      });
    const completion: ChatCompletionLike = { id: this.id, model: this.model, choices };
    if (this.usage !== undefined) completion.usage = this.usage;
    if (this.systemFingerprint !== undefined) completion.system_fingerprint = this.systemFingerprint;
    if (this.promptTokenIds !== undefined) completion.prompt_token_ids = this.promptTokenIds;
    return completion;
  }
}
