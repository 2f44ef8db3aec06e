/**
 * The parts of the OpenAI chat-completions wire format the instrumentation reads, typed
 * structurally so that this package compiles and loads without the `openai` SDK installed.
 * Field names are the wire names (snake_case), including the vLLM extensions Agent Lightning
 * trains on (`prompt_token_ids`, `choices[i].token_ids`).
 */

/** A function tool call, as in a request message or a response message. */
export interface ChatToolCallLike {
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
}

/** One message of a chat request. `content` is text or an array of content parts (multimodal). */
export interface ChatMessageLike {
  role?: string;
  content?: unknown;
  name?: string;
  tool_call_id?: string;
  tool_calls?: ChatToolCallLike[] | null;
}

/** A tool offered to the model. */
export interface ChatToolLike {
  type?: string;
  function?: { name?: string; description?: string; parameters?: unknown };
}

/** The request body of `chat.completions.create`. */
export interface ChatCompletionRequestLike {
  model?: string;
  messages?: ChatMessageLike[];
  tools?: ChatToolLike[];
  /** The deprecated `functions` form of tools. */
  functions?: Array<{ name?: string; description?: string; parameters?: unknown }>;
  temperature?: number | null;
  top_p?: number | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  stream?: boolean | null;
  [key: string]: unknown;
}

/** Token usage of a response. */
export interface ChatUsageLike {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
}

/** Log probabilities of one choice. */
export interface ChatLogprobsLike {
  content?: unknown[] | null;
  refusal?: unknown[] | null;
}

/** One choice of a non-streaming response. */
export interface ChatChoiceLike {
  index?: number;
  message?: ChatMessageLike & { refusal?: string | null };
  finish_reason?: string | null;
  logprobs?: ChatLogprobsLike | null;
  /** vLLM: the ids of the generated tokens. */
  token_ids?: number[] | null;
  /** LiteLLM puts vLLM's extra fields here. */
  provider_specific_fields?: { token_ids?: number[] | null } | null;
}

/** A non-streaming chat completion (what `create` resolves to without `stream: true`). */
export interface ChatCompletionLike {
  id?: string;
  model?: string;
  choices?: ChatChoiceLike[];
  usage?: ChatUsageLike | null;
  system_fingerprint?: string | null;
  /** vLLM: the ids of the prompt tokens. */
  prompt_token_ids?: number[] | null;
  /** Some servers return the response ids here, as a list of lists. */
  response_token_ids?: number[][] | number[] | null;
}

/** One streamed chunk. */
export interface ChatCompletionChunkLike {
  id?: string;
  model?: string;
  choices?: Array<{
    index?: number;
    delta?: {
      role?: string;
      content?: string | null;
      refusal?: string | null;
      tool_calls?: Array<ChatToolCallLike & { index?: number }> | null;
    };
    finish_reason?: string | null;
    logprobs?: ChatLogprobsLike | null;
    token_ids?: number[] | null;
  }>;
  usage?: ChatUsageLike | null;
  system_fingerprint?: string | null;
  prompt_token_ids?: number[] | null;
}
