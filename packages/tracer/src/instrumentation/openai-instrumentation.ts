import { AglError } from "@agentlightning/types";
import {
  type Context,
  context,
  type Span as OtelApiSpan,
  type Tracer as OtelApiTracer,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { activeOtelTracer } from "./active-otel-tracer.js";
import {
  chatRequestAttributes,
  chatResponseAttributes,
  LLM_CALL_SPAN_NAME,
  toolCallSpans,
} from "./openai-attributes.js";
import { ChatStreamAccumulator } from "./openai-stream-accumulator.js";
import type {
  ChatCompletionChunkLike,
  ChatCompletionLike,
  ChatCompletionRequestLike,
} from "./openai-types.js";

/** Options of {@link instrumentOpenAI} and of the global patching of `InstrumentedTracer`. */
export interface OpenAIInstrumentationOptions {
  /**
   * Ask the server for token ids (vLLM's `return_token_ids: true`) when the request does not say
   * otherwise. Off by default: the official OpenAI API rejects unknown fields. Turn it on against
   * vLLM (or the LLM proxy) when training on token ids.
   */
  requestTokenIds?: boolean;
  /**
   * Where the spans go: returns the OpenTelemetry tracer to record a call with, or `undefined` to
   * leave the call untraced. Default: the OpenTelemetry tracer of the active lightning tracer
   * (the tracer of the enclosing `tracer.trace()` scope), so one instrumented client serves any
   * number of concurrent rollouts, each call landing in its caller's rollout.
   */
  tracer?: () => OtelApiTracer | undefined;
}

/** A `chat.completions.create` function. */
export type CreateFn = (this: unknown, body: unknown, options?: unknown) => unknown;

/** How one call is recorded: with which OpenTelemetry tracer, and whether token ids are asked for. */
export interface CallSettings {
  tracer: OtelApiTracer;
  requestTokenIds?: boolean;
}

/** The call settings of {@link instrumentOpenAI}'s options (the active tracer's by default). */
function settingsResolver(options: OpenAIInstrumentationOptions): () => CallSettings | undefined {
  const resolveTracer = options.tracer ?? activeOtelTracer;
  return () => {
    const tracer = resolveTracer();
    return tracer === undefined ? undefined : { tracer, requestTokenIds: options.requestTokenIds };
  };
}

/** Marks a wrapped `create` (the value is the original function). */
const ORIGINAL = Symbol.for("agentlightning.instrumentation.openai.original");

interface WrappedCreate extends CreateFn {
  [ORIGINAL]: CreateFn;
}

function isWrapped(fn: unknown): fn is WrappedCreate {
  return typeof fn === "function" && ORIGINAL in fn;
}

// Calls into a wrapped `create` made while another wrapped `create` runs synchronously (a client
// wrapped with instrumentOpenAI whose prototype is patched too) pass straight through, so a call is
// recorded once. `create` builds its request synchronously, so a counter is enough.
let depth = 0;

/** Attribute set on a call span when recording part of it failed (the call itself is unaffected). */
export const INSTRUMENTATION_ERROR_ATTRIBUTE = "agentlightning.instrumentation.error";

/**
 * Runs a recording step; if it throws, notes why on the span instead. Recording must never make
 * the user's model call fail.
 */
function guarded(span: OtelApiSpan, step: () => void): void {
  try {
    step();
  } catch (error) {
    span.setAttribute(INSTRUMENTATION_ERROR_ATTRIBUTE, errorMessage(error));
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Records one call on its span: the response (or stream) when it arrives, or the error.
 *
 * Spans end at `Date.now()` (whole milliseconds), not at the SDK's default end (its millisecond
 * start plus a sub-millisecond duration): the OpenTelemetry SDK starts spans at `Date.now()`, so a
 * reward emitted in the same millisecond right after the call would otherwise start "before" the
 * call ended, and the triplet adapter (reward goes to a call with `end_time <= reward.start_time`)
 * would miss it.
 */
class CallRecorder {
  private ended = false;

  constructor(
    private readonly tracer: OtelApiTracer,
    readonly span: OtelApiSpan,
    private readonly spanContext: Context,
  ) {}

  /** The parsed result of `create`: a completion, or a stream whose chunks are observed. */
  onResult(data: unknown): unknown {
    if (isStream(data)) {
      observeStream(data, this);
      return data;
    }
    this.complete(data as ChatCompletionLike);
    return data;
  }

  complete(completion: ChatCompletionLike): void {
    if (this.ended) return;
    this.ended = true;
    const end = Date.now();
    if (completion !== null && typeof completion === "object") {
      guarded(this.span, () => {
        this.span.setAttributes(chatResponseAttributes(completion));
        for (const child of toolCallSpans(completion)) {
          this.tracer
            .startSpan(child.name, { attributes: child.attributes, startTime: end }, this.spanContext)
            .end(end);
        }
      });
    }
    this.span.setStatus({ code: SpanStatusCode.OK });
    this.span.end(end);
  }

  fail(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.span.recordException(error instanceof Error ? error : String(error));
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
    this.span.end(Date.now());
  }
}

interface StreamLike {
  iterator?: () => AsyncIterator<unknown>;
  [Symbol.asyncIterator]: () => AsyncIterator<unknown>;
}

function isStream(data: unknown): data is StreamLike {
  return (
    data !== null &&
    typeof data === "object" &&
    !("choices" in data) &&
    typeof (data as Partial<StreamLike>)[Symbol.asyncIterator] === "function"
  );
}

/**
 * Observes a stream without changing what its reader sees: every chunk goes to the reader as it
 * came and into an accumulator; the call is recorded when the stream ends, fails, or the reader
 * stops early (with what was received). The SDK's `Stream` reads through its `iterator` field (also
 * for `tee()` and `toReadableStream()`), so that is the one to wrap; other async iterables get an
 * own `Symbol.asyncIterator`.
 */
function observeStream(stream: StreamLike, recorder: CallRecorder): void {
  const accumulator = new ChatStreamAccumulator();
  const finish = () => recorder.complete(accumulator.result());
  const observe = (inner: AsyncIterator<unknown>): AsyncIterator<unknown> => ({
    next: (...args: [] | [unknown]) =>
      inner.next(...args).then(
        (step) => {
          if (step.done) finish();
          else guarded(recorder.span, () => accumulator.add(step.value as ChatCompletionChunkLike));
          return step;
        },
        (error: unknown) => {
          recorder.fail(error);
          throw error;
        },
      ),
    return: (value?: unknown) => {
      finish();
      return inner.return ? inner.return(value) : Promise.resolve({ done: true as const, value });
    },
    throw: (error?: unknown) => {
      recorder.fail(error);
      return inner.throw ? inner.throw(error) : Promise.reject(error);
    },
  });
  if (typeof stream.iterator === "function") {
    const original = stream.iterator;
    stream.iterator = () => observe(original.call(stream));
  } else {
    const original = stream[Symbol.asyncIterator];
    Object.defineProperty(stream, Symbol.asyncIterator, {
      value: () => observe(original.call(stream)),
      configurable: true,
      writable: true,
    });
  }
}

interface ApiPromiseLike {
  _thenUnwrap: (transform: (data: unknown) => unknown) => unknown;
  asResponse: () => Promise<unknown>;
}

function isApiPromise(value: unknown): value is ApiPromiseLike {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof (value as Partial<ApiPromiseLike>)._thenUnwrap === "function" &&
    typeof (value as Partial<ApiPromiseLike>).asResponse === "function"
  );
}

function requestHeaders(options: unknown): Record<string, string> | undefined {
  const headers = (options as { headers?: unknown } | undefined)?.headers;
  if (headers === null || typeof headers !== "object" || Array.isArray(headers)) return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === "string") out[name] = value;
  }
  return out;
}

/**
 * Wraps a `chat.completions.create` function so that each call is recorded as an
 * `openai.chat.completion` span (runtime contract §3.5) with `tool_call.<name>` children. The wrapper
 * returns what the SDK returns (its `APIPromise`, so `.withResponse()` and `.asResponse()` keep
 * working; a stream stays the same object). Wrapping a wrapped function returns it unchanged.
 */
export function wrapChatCompletionsCreate(
  original: CreateFn,
  resolveCall: () => CallSettings | undefined,
): CreateFn {
  if (isWrapped(original)) return original;
  const wrapped = function instrumentedCreate(
    this: unknown,
    body: unknown,
    requestOptions?: unknown,
  ): unknown {
    const settings = depth > 0 ? undefined : resolveCall();
    if (settings === undefined || body === null || typeof body !== "object") {
      return original.call(this, body, requestOptions);
    }
    const { tracer } = settings;
    const request = body as ChatCompletionRequestLike;
    const sent =
      settings.requestTokenIds === true && request.return_token_ids === undefined
        ? { ...request, return_token_ids: true }
        : request;
    const span = tracer.startSpan(LLM_CALL_SPAN_NAME, { kind: SpanKind.CLIENT });
    guarded(span, () =>
      span.setAttributes(chatRequestAttributes(request, { headers: requestHeaders(requestOptions) })),
    );
    const recorder = new CallRecorder(tracer, span, trace.setSpan(context.active(), span));
    let result: unknown;
    depth += 1;
    try {
      result = original.call(this, sent, requestOptions);
    } catch (error) {
      recorder.fail(error);
      throw error;
    } finally {
      depth -= 1;
    }
    if (isApiPromise(result)) {
      // asResponse() resolves with the raw response without reading its body, so watching it for
      // a rejection records transport and HTTP errors without parsing the response twice.
      result.asResponse().then(undefined, (error: unknown) => recorder.fail(error));
      return result._thenUnwrap((data) => recorder.onResult(data));
    }
    if (result !== null && typeof (result as Promise<unknown>)?.then === "function") {
      return (result as Promise<unknown>).then(
        (data) => recorder.onResult(data),
        (error: unknown) => {
          recorder.fail(error);
          throw error;
        },
      );
    }
    return recorder.onResult(result);
  } as WrappedCreate;
  wrapped[ORIGINAL] = original;
  return wrapped;
}

/** The un-wrapped function behind `fn` (itself when it is not wrapped). */
export function originalChatCompletionsCreate(fn: CreateFn): CreateFn {
  return isWrapped(fn) ? fn[ORIGINAL] : fn;
}

/** The part of an OpenAI client (official `openai` SDK, v6) the instrumentation touches. */
export interface OpenAIClientLike {
  chat: { completions: { create: (...args: never[]) => unknown } };
}

function completionsOf(client: unknown): { create: CreateFn } {
  const completions = (client as Partial<OpenAIClientLike> | null | undefined)?.chat?.completions;
  if (completions === null || typeof completions !== "object" || typeof completions.create !== "function") {
    throw new AglError(
      "invalid_argument",
      "instrumentOpenAI: client must be an OpenAI client (client.chat.completions.create is not a function)",
    );
  }
  return completions as unknown as { create: CreateFn };
}

/**
 * Instruments one OpenAI client (official `openai` SDK v6, or anything with the same
 * `chat.completions.create`): each chat completion made through it inside a `tracer.trace()`
 * scope becomes an `openai.chat.completion` span of that scope's rollout, with the prompt,
 * completion, model, usage, token ids and logprobs (when the server returns them) and one
 * `tool_call.<name>` child span per tool call. Streaming calls are recorded when the stream ends;
 * the caller's stream is not changed. Calls outside any scope are not traced. Instrumenting a
 * client twice changes nothing. Returns the same client.
 *
 * @example
 * ```ts
 * const client = instrumentOpenAI(new OpenAI({ baseURL, apiKey }), { requestTokenIds: true });
 * await tracer.trace({ rolloutId, attemptId, store }, async () => {
 *   await client.chat.completions.create({ model, messages: [{ role: "user", content: "2+2?" }] });
 * });
 * ```
 */
export function instrumentOpenAI<C extends OpenAIClientLike>(
  client: C,
  options: OpenAIInstrumentationOptions = {},
): C {
  const completions = completionsOf(client);
  // Only this client's own wrapper counts: a patched prototype (InstrumentedTracer) may be undone
  // later, and the client must stay instrumented then.
  if (Object.hasOwn(completions, "create") && isWrapped(completions.create)) return client;
  Object.defineProperty(completions, "create", {
    value: wrapChatCompletionsCreate(
      originalChatCompletionsCreate(completions.create),
      settingsResolver(options),
    ),
    configurable: true,
    writable: true,
    enumerable: false,
  });
  return client;
}

/** Undoes {@link instrumentOpenAI} on `client` (no-op when it is not instrumented). Returns the client. */
export function uninstrumentOpenAI<C extends OpenAIClientLike>(client: C): C {
  const completions = completionsOf(client);
  if (Object.hasOwn(completions, "create") && isWrapped(completions.create)) {
    delete (completions as { create?: unknown }).create;
  }
  return client;
}

/** `true` when calls through `client` are recorded (by {@link instrumentOpenAI} or global patching). */
export function isOpenAIInstrumented(client: OpenAIClientLike): boolean {
  return isWrapped(completionsOf(client).create);
}
