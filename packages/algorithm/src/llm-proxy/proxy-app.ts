import { Readable } from "node:stream";
import type { Logger } from "@agentlightning/types";
import { nowSeconds } from "@agentlightning/types";
import { type Context, Hono } from "hono";
import {
  type BackendAnswer,
  type BackendClient,
  type CallCancellation,
  discardAnswer,
  readAnswer,
} from "./backend-client.js";
import type { BackendPool } from "./backend-pool.js";
import type { ModelBackend } from "./model-list.js";
import { buildProxySpans, type ProxyCallRecord } from "./proxy-spans.js";
import {
  ChatCompletionBodySchema,
  CompletionBodySchema,
  checkBody,
  type OpenAIErrorBody,
  openAIError,
} from "./request-body.js";
import type { SequenceAllocator } from "./sequence-allocator.js";
import type { SpanWriter } from "./span-writer.js";
import { StreamAccumulator } from "./stream-accumulator.js";
import { openAIStreamEvents, SSE_HEADERS } from "./synthetic-stream.js";

type Json = Record<string, unknown>;

/** What the app needs from the proxy that hosts it; read per request so changes apply live. */
export interface ProxyAppContext {
  pool(): BackendPool;
  readonly allocator: SequenceAllocator;
  readonly writer: SpanWriter;
  readonly logger: Logger;
  /** Talks to the model servers. */
  client(): BackendClient;
  /** `return_token_ids` callback on. */
  returnTokenIds(): boolean;
  /** `logprobs` callback on. */
  logprobs(): boolean;
  /** Streamed chat requests are answered from a complete backend response (upstream's middleware). */
  streamConversion(): boolean;
  /** Extra tries after a 429/5xx answer. */
  numRetries(): number;
  /** Backend request timeout in milliseconds. */
  timeoutMs(): number;
  /** Calls under the rollout prefix are recorded (`rollout_attempt` middleware and `opentelemetry` callback on). */
  recording(): boolean;
  /** Requests and responses are logged at debug level (`message_inspection` middleware). */
  inspecting(): boolean;
  /** The answer (the end of a stream) waits until the call's spans are stored. */
  spansBeforeResponse(): boolean;
}

interface Routing {
  rolloutId: string;
  attemptId: string;
}

type Kind = "chat" | "text";

/** Request headers worth forwarding (everything else is hop-by-hop or recomputed). */
const FORWARDED_HEADERS = [
  "authorization",
  "openai-organization",
  "openai-project",
  "user-agent",
  "x-request-id",
];

function errorResponse(status: number, body: OpenAIErrorBody): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const inner = cause instanceof Error ? `: ${cause.message}` : "";
    return `${error.message}${inner}`;
  }
  return String(error);
}

/** The reply a client gets when no backend of its model could be reached. */
function unreachable(model: string, failures: { backend: ModelBackend; error: unknown }[]): Response {
  const what = failures.map(({ backend, error }) => `${backend.apiBase} (${describe(error)})`).join("; ");
  return errorResponse(
    502,
    openAIError(
      `LLM proxy: no backend of model '${model}' could be reached: ${what}`,
      "bad_gateway",
      null,
      "backend_unreachable",
    ),
  );
}

/**
 * The proxy's Hono app: OpenAI-compatible routes, each served bare and under
 * `/rollout/{rolloutId}/attempt/{attemptId}`, with and without `/v1` (quirk A13). Calls under the
 * prefix are recorded as spans of that rollout's attempt; bare calls are proxied unrecorded.
 */
export function createProxyApp(ctx: ProxyAppContext): Hono {
  const api = new Hono();
  const routing = (c: Context): Routing | null => {
    if (!ctx.recording()) return null;
    const rolloutId = c.req.param("rolloutId");
    const attemptId = c.req.param("attemptId");
    return rolloutId !== undefined && attemptId !== undefined ? { rolloutId, attemptId } : null;
  };
  const chat = (c: Context) => handleCompletion(ctx, c, "chat", routing(c));
  const text = (c: Context) => handleCompletion(ctx, c, "text", routing(c));
  const models = (c: Context) =>
    c.json({
      object: "list",
      data: ctx
        .pool()
        .modelNames()
        .map((id) => ({ id, object: "model", created: 0, owned_by: "agentlightning" })),
    });
  for (const prefix of ["/v1", ""]) {
    api.post(`${prefix}/chat/completions`, chat);
    api.post(`${prefix}/completions`, text);
    api.get(`${prefix}/models`, models);
  }
  api.get("/health", (c) => c.json({ status: "healthy" }));
  api.notFound((c) =>
    c.json(
      openAIError(`Unknown route ${c.req.method} ${c.req.path}.`, "invalid_request_error", null, "not_found"),
      404,
    ),
  );

  const app = new Hono();
  app.route("/rollout/:rolloutId/attempt/:attemptId", api);
  app.route("/", api);
  app.notFound((c) =>
    c.json(
      openAIError(`Unknown route ${c.req.method} ${c.req.path}.`, "invalid_request_error", null, "not_found"),
      404,
    ),
  );
  app.onError((error, c) => {
    ctx.logger.error("LLM proxy: request failed.", error);
    return c.json(
      openAIError("Internal error of the LLM proxy.", "internal_error", null, "internal_error"),
      500,
    );
  });
  return app;
}

/**
 * Cancels the backend call when it outlives the timeout or the client goes away: one timer and
 * one `close` listener per call, no `AbortController` (see {@link CallCancellation}).
 */
class CallGuard implements CallCancellation {
  private readonly timer: NodeJS.Timeout;
  private cancel: ((reason: Error) => void) | null = null;
  reason: Error | null = null;
  timedOut = false;
  clientGone = false;

  constructor(c: Context, timeoutMs: number) {
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.fire(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    this.timer.unref();
    // Served by @hono/node-server: the Node response tells when the client closed the connection.
    const outgoing = (
      c.env as { outgoing?: NodeJS.WritableStream & { writableFinished: boolean } } | undefined
    )?.outgoing;
    if (outgoing !== undefined && typeof outgoing.once === "function") {
      outgoing.once("close", () => {
        if (outgoing.writableFinished) return;
        this.clientGone = true;
        this.fire(new Error("client closed the request"));
      });
    } else {
      // Served through LLMProxy.fetch: the request's signal says it.
      const request = c.req.raw.signal;
      request.addEventListener(
        "abort",
        () => {
          this.clientGone = true;
          this.fire(new Error("client closed the request"));
        },
        { once: true },
      );
    }
  }

  onCancel(cancel: (reason: Error) => void): void {
    this.cancel = cancel;
  }

  private fire(reason: Error): void {
    if (this.reason !== null) return;
    this.reason = reason;
    this.cancel?.(reason);
  }

  /** The call is over: no more timeout. */
  done(): void {
    clearTimeout(this.timer);
    this.cancel = null;
  }
}

/** The body sent to one backend: the client's body with the backend's model id and the callbacks applied. */
function outgoingBody(
  ctx: ProxyAppContext,
  body: Json,
  kind: Kind,
  backend: ModelBackend,
  convert: boolean,
): string {
  const out: Json = { ...body, model: backend.backendModel };
  if (backend.returnTokenIds ?? ctx.returnTokenIds()) out.return_token_ids = true;
  if (ctx.logprobs() && out.logprobs == null) out.logprobs = kind === "chat" ? true : 1;
  if (convert) {
    out.stream = false;
    delete out.stream_options;
  }
  return JSON.stringify(out);
}

async function handleCompletion(ctx: ProxyAppContext, c: Context, kind: Kind, routing: Routing | null) {
  const receivedAt = nowSeconds();
  const check = checkBody<Json>(
    await c.req.text(),
    (kind === "chat" ? ChatCompletionBodySchema : CompletionBodySchema) as never,
  );
  if (!check.ok) return errorResponse(400, check.error);
  const body = check.body;
  const model = body.model as string;
  const pool = ctx.pool();
  const candidates = pool.candidates(model);
  if (candidates.length === 0) {
    const known = pool.modelNames();
    return errorResponse(
      400,
      openAIError(
        `Invalid field \`model\`: '${model}' is not served by this proxy (models: ${known.length > 0 ? known.join(", ") : "none"}).`,
        "invalid_request_error",
        "model",
        "model_not_found",
      ),
    );
  }

  // Started now, before the backend is called, so this call is numbered before anything the
  // agent records after seeing the answer; awaited only before answering.
  const sequence: Promise<number | null> | null =
    routing === null
      ? null
      : ctx.allocator.allocate(routing.rolloutId, routing.attemptId).catch((error: unknown) => {
          ctx.logger.error(
            `LLM proxy: no sequence id for rollout ${routing.rolloutId} attempt ${routing.attemptId}; the call is not recorded.`,
            error,
          );
          return null;
        });

  const clientStream = body.stream === true;
  const convert = clientStream && kind === "chat" && ctx.streamConversion();
  const headers: Record<string, string> = { "content-type": "application/json" };
  // Read from the Node request when there is one: building the web Headers object costs more.
  const incoming = (
    c.env as { incoming?: { headers: Record<string, string | string[] | undefined> } } | undefined
  )?.incoming;
  for (const name of FORWARDED_HEADERS) {
    const raw = incoming !== undefined ? incoming.headers[name] : c.req.header(name);
    const value = Array.isArray(raw) ? raw.join(", ") : raw;
    if (value !== undefined) headers[name] = value;
  }
  const guard = new CallGuard(c, ctx.timeoutMs());

  const failures: { backend: ModelBackend; error: unknown }[] = [];
  let retriesLeft = ctx.numRetries();
  let calledAt = receivedAt;
  let response: BackendAnswer | undefined;
  let backend: ModelBackend | undefined;
  for (let i = 0; i < candidates.length; i++) {
    const candidate = candidates[i]!;
    const sent: Record<string, string> = {
      ...headers,
      accept: convert || !clientStream ? "application/json" : "text/event-stream",
    };
    if (candidate.apiKey !== null) sent.authorization = `Bearer ${candidate.apiKey}`;
    calledAt = nowSeconds();
    candidate.inFlight++;
    try {
      response = await ctx
        .client()
        .post(
          kind === "chat" ? candidate.chatUrl : candidate.completionsUrl,
          sent,
          outgoingBody(ctx, body, kind, candidate, convert),
          guard,
        );
    } catch (error) {
      candidate.inFlight--;
      if (guard.clientGone) {
        guard.done();
        return errorResponse(499, openAIError("Client closed the request.", "cancelled"));
      }
      if (guard.timedOut) {
        failures.push({ backend: candidate, error: new Error(`no answer within ${ctx.timeoutMs()} ms`) });
        break;
      }
      pool.markDown(candidate);
      failures.push({ backend: candidate, error });
      ctx.logger.warn(
        `LLM proxy: backend ${candidate.apiBase} of model '${model}' is unreachable: ${describe(error)}`,
      );
      continue;
    }
    pool.markUp(candidate);
    const status = response.statusCode ?? 502;
    if ((status === 429 || status >= 500) && retriesLeft > 0) {
      retriesLeft--;
      candidate.inFlight--;
      discardAnswer(response);
      response = undefined;
      // Retry on the next backend of the list, or the same one when it is the only one.
      if (i === candidates.length - 1) i--;
      continue;
    }
    backend = candidate;
    break;
  }

  const record = (result: Json | null, error: string | null, finishedAt = nowSeconds()): Promise<void> => {
    guard.done();
    if (ctx.inspecting()) {
      ctx.logger.debug(`LLM proxy: ${kind} call to ${backend?.apiBase ?? "no backend"}`, {
        request: body,
        response: result,
        error,
      });
    }
    if (sequence === null) return Promise.resolve();
    return sequence.then((sequenceId) => {
      if (sequenceId === null || routing === null) return;
      const call: ProxyCallRecord = {
        rolloutId: routing.rolloutId,
        attemptId: routing.attemptId,
        sequenceId,
        kind,
        provider: (backend ?? candidates[0]!).provider,
        request: body,
        response: result,
        streamed: clientStream,
        receivedAt,
        calledAt,
        finishedAt,
        error,
      };
      return ctx.writer.enqueue(() => buildProxySpans(call));
    });
  };
  // What the answer waits for: the call's spans stored (default), or only its sequence id.
  const settle = (recorded: Promise<void>): Promise<unknown> =>
    ctx.spansBeforeResponse() ? recorded : (sequence ?? recorded);

  if (response === undefined || backend === undefined) {
    const timedOut = failures.some((f) => String(describe(f.error)).startsWith("no answer within"));
    const reply = timedOut
      ? errorResponse(
          504,
          openAIError(
            `LLM proxy: backend ${failures.at(-1)?.backend.apiBase} of model '${model}' gave no answer within ${ctx.timeoutMs()} ms.`,
            "gateway_timeout",
            null,
            "backend_timeout",
          ),
        )
      : unreachable(model, failures);
    await settle(
      record(
        null,
        `backend unreachable: ${failures.map((f) => `${f.backend.apiBase}: ${describe(f.error)}`).join("; ")}`,
      ),
    );
    return reply;
  }
  const chosen = backend;
  const answer = response;
  const status = answer.statusCode ?? 502;
  const contentType = answer.headers["content-type"] ?? "";

  if (status < 200 || status >= 300) {
    let text: string;
    try {
      text = await readAnswer(answer);
    } catch (error) {
      text = `(the error body could not be read: ${describe(error)})`;
    }
    chosen.inFlight--;
    await settle(record(null, `backend ${chosen.apiBase} answered ${status}: ${text.slice(0, 1000)}`));
    return new Response(text, {
      status,
      headers: { "content-type": contentType || "application/json" },
    });
  }

  if (clientStream && !convert && contentType.includes("text/event-stream")) {
    await sequence;
    return passThroughStream(
      ctx,
      Readable.toWeb(answer) as ReadableStream<Uint8Array>,
      chosen,
      kind,
      (result, error) => settle(record(result, error)),
    );
  }

  let text: string;
  try {
    text = await readAnswer(answer);
  } catch (error) {
    chosen.inFlight--;
    await settle(record(null, `reading the answer of ${chosen.apiBase} failed: ${describe(error)}`));
    return unreachable(model, [{ backend: chosen, error }]);
  }
  chosen.inFlight--;
  let json: Json | null = null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) json = parsed as Json;
  } catch {
    // Not JSON: passed on as it is, recorded without a response.
  }
  await settle(
    record(
      json,
      json === null ? `backend ${chosen.apiBase} answered with a body that is not a JSON object` : null,
    ),
  );
  if (convert && json !== null) {
    const includeUsage = (body.stream_options as Json | null | undefined)?.include_usage === true;
    return new Response(openAIStreamEvents(json, { includeUsage }).join(""), {
      status: 200,
      headers: SSE_HEADERS,
    });
  }
  return new Response(text, {
    status,
    headers: { "content-type": contentType || "application/json" },
  });
}

/**
 * Passes the backend's event stream to the client chunk by chunk as it arrives, while
 * accumulating it; the call is recorded when the stream ends (or the client goes away).
 */
function passThroughStream(
  ctx: ProxyAppContext,
  body: ReadableStream<Uint8Array>,
  backend: ModelBackend,
  kind: Kind,
  record: (result: Json | null, error: string | null) => Promise<unknown>,
): Response {
  const accumulator = new StreamAccumulator();
  let finished = false;
  const finish = async (error: string | null): Promise<void> => {
    if (finished) return;
    finished = true;
    backend.inFlight--;
    accumulator.end();
    await record(accumulator.chunks > 0 ? accumulator.result(kind) : null, error);
  };
  const reader = body.getReader();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          // The stream ends once the call is recorded (see spanWrites), so a client that acts on
          // the end of the answer finds the call in the store.
          await finish(null);
          controller.close();
          return;
        }
        accumulator.push(value);
        controller.enqueue(value);
      } catch (error) {
        ctx.logger.warn(`LLM proxy: the stream of ${backend.apiBase} broke: ${describe(error)}`);
        void finish(`the stream of ${backend.apiBase} broke: ${describe(error)}`);
        controller.error(error);
      }
    },
    async cancel(reason) {
      void finish(`client closed the stream: ${describe(reason)}`);
      await reader.cancel(reason).catch(() => {});
    },
  });
  return new Response(stream, { status: 200, headers: SSE_HEADERS });
}
