/** What the `reply` callback sees for one call. */
export interface ScriptedRequest {
  /** `chat` for /v1/chat/completions, `completion` for /v1/completions. */
  kind: "chat" | "completion";
  /** The request path as received (e.g. `/v1/chat/completions`). */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body. */
  body: Record<string, unknown>;
  /** Chat messages (chat calls). */
  messages?: Array<{ role: string; content?: unknown; [key: string]: unknown }>;
  /** Content of the last user message (chat calls), "" when none. */
  lastUserMessage?: string;
  /** The prompt (completion calls). */
  prompt?: string;
  /** 1-based count of calls served so far, this one included. */
  callIndex: number;
}

/** A scripted answer. A plain string is `{ content }`. */
export interface ScriptedReply {
  content?: string;
  toolCalls?: Array<{ id?: string; name: string; arguments?: string | Record<string, unknown> }>;
  finishReason?: string;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  /** Answer with this HTTP status (>= 400) and an OpenAI-style error body instead. */
  status?: number;
  /** Error message for `status`. */
  error?: string;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Wait this long between streamed content chunks. */
  chunkDelayMs?: number;
}

export interface ScriptedOpenAIOptions {
  /** Decides each answer; default: `echo: <last user message>` (or `echo: <prompt>`). */
  reply?: (request: ScriptedRequest) => string | ScriptedReply | Promise<string | ScriptedReply>;
  /** Model name in answers when the request names none. Default `scripted-model`. */
  model?: string;
  /** Port on 127.0.0.1; default an ephemeral one. */
  port?: number;
}

/** A running scripted server. */
export interface ScriptedOpenAI {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `http://127.0.0.1:PORT/v1`, what OpenAI clients take as `baseURL`. */
  baseUrl: string;
  port: number;
  model: string;
  /** Every request received, in order: method, path, headers and parsed body. */
  requests: Array<{
    method: string | undefined;
    path: string;
    headers: Record<string, unknown>;
    body: unknown;
  }>;
  close(): Promise<void>;
}

/** Starts the scripted server on 127.0.0.1. */
export function startScriptedOpenAI(options?: ScriptedOpenAIOptions): Promise<ScriptedOpenAI>;
/** Splits text into tokens: each non-space run with its leading whitespace. */
export function tokenize(text: string): string[];
/** Stable id of one token. */
export function tokenIdOf(token: string): number;
/** Token ids of a text. */
export function tokenIdsOf(text: string): number[];
/** The text the server tokenizes as a chat prompt (`role: content` lines). */
export function chatPromptText(messages: Array<{ role: string; content?: unknown }>): string;
