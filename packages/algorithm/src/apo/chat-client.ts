import { AglError } from "@agentlightning/types";

/** One chat message sent to the optimizer model. */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** The body of a chat completion request APO sends. */
export interface ChatCompletionRequest {
  model: string;
  messages: ChatMessage[];
  temperature?: number;
}

/** The part of a chat completion answer APO reads. */
export interface ChatCompletionResponse {
  choices: Array<{ message: { content?: string | null } }>;
}

/**
 * An OpenAI-compatible chat client: `new OpenAI()` of the `openai` package fits as it is, and so
 * does {@link createChatClient} (plain `fetch`, no dependency).
 */
export interface ChatCompletionClient {
  chat: { completions: { create(body: ChatCompletionRequest): Promise<ChatCompletionResponse> } };
}

/** Options of {@link createChatClient}. */
export interface ChatClientOptions {
  /** Base URL ending in `/v1` (the request goes to `<baseUrl>/chat/completions`). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>` when given. */
  apiKey?: string | null;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Retries after a network error, 408, 409, 429 or 5xx answer (with backoff). Default 2. */
  maxRetries?: number;
  /** Per-request timeout in seconds. Default 600. */
  timeoutSeconds?: number;
  /** The fetch to use. Default: the global fetch. */
  fetch?: typeof fetch;
}

const RETRYABLE = new Set([408, 409, 429]);

/**
 * A minimal OpenAI-compatible chat client over `fetch` (non-streaming chat completions only).
 * Failures are `AglError`s naming the URL and status: `unavailable` when the server cannot be
 * reached or keeps failing, `invalid_argument` for a 4xx.
 *
 * @example
 * ```ts
 * const client = createChatClient({ baseUrl: "http://127.0.0.1:8000/v1", apiKey: "sk-..." });
 * const answer = await client.chat.completions.create({ model: "gpt-4.1-mini", messages: [{ role: "user", content: "hi" }] });
 * ```
 */
export function createChatClient(options: ChatClientOptions): ChatCompletionClient {
  const url = `${options.baseUrl.replace(/\/+$/, "")}/chat/completions`;
  const doFetch = options.fetch ?? fetch;
  const maxRetries = options.maxRetries ?? 2;
  const timeoutMs = (options.timeoutSeconds ?? 600) * 1000;
  const headers: Record<string, string> = { "content-type": "application/json", ...options.headers };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;

  async function create(body: ChatCompletionRequest): Promise<ChatCompletionResponse> {
    let lastError: unknown;
    for (let attempt = 0; attempt <= maxRetries; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(8000, 250 * 2 ** attempt)));
      let response: Response;
      try {
        response = await doFetch(url, {
          method: "POST",
          headers,
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        lastError = new AglError(
          "unavailable",
          `Chat completion request to ${url} failed: ${String(error)}`,
          {
            cause: error,
          },
        );
        continue;
      }
      const text = await response.text();
      if (response.ok) {
        try {
          return JSON.parse(text) as ChatCompletionResponse;
        } catch (error) {
          throw new AglError(
            "internal",
            `Chat completion answer of ${url} is not JSON: ${text.slice(0, 200)}`,
            {
              cause: error,
            },
          );
        }
      }
      const message = `Chat completion request to ${url} answered ${response.status}: ${text.slice(0, 500)}`;
      if (response.status >= 500 || RETRYABLE.has(response.status)) {
        lastError = new AglError("unavailable", message, { status: response.status });
        continue;
      }
      throw new AglError("invalid_argument", message, { status: response.status });
    }
    throw lastError;
  }

  return { chat: { completions: { create } } };
}

/**
 * A chat client configured the way the `openai` SDK reads the environment: `OPENAI_BASE_URL`
 * (default `https://api.openai.com/v1`) and `OPENAI_API_KEY`. Pass `process.env` (libraries of
 * this project never read it themselves).
 */
export function chatClientFromEnv(
  env: Record<string, string | undefined>,
  options: Omit<ChatClientOptions, "baseUrl" | "apiKey"> = {},
): ChatCompletionClient {
  return createChatClient({
    ...options,
    baseUrl: env.OPENAI_BASE_URL || "https://api.openai.com/v1",
    apiKey: env.OPENAI_API_KEY ?? null,
  });
}
