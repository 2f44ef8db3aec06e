import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { LightningStore } from "@agentlightning/store";
import type { JsonObject, LLM, Logger, ProxyLLM } from "@agentlightning/types";
import { AglError, silentLogger } from "@agentlightning/types";
import { createAdaptorServer } from "@hono/node-server";
import type { Hono } from "hono";
import { BackendClient } from "./backend-client.js";
import { BackendPool, type BalancingStrategy } from "./backend-pool.js";
import { defaultModelName, type ModelBackend, type ModelListEntry, resolveModelList } from "./model-list.js";
import { createProxyApp } from "./proxy-app.js";
import { SequenceAllocator } from "./sequence-allocator.js";
import { SpanWriter } from "./span-writer.js";

/**
 * Request-side behaviours, by upstream's aliases: `rollout_attempt` (the per-rollout URL prefix
 * attributes calls to rollouts), `stream_conversion` (a streamed chat request is sent to the
 * backend unstreamed and the answer replayed as a synthetic stream), `message_inspection`
 * (requests and responses logged at debug level).
 */
export type LLMProxyMiddleware = "rollout_attempt" | "stream_conversion" | "message_inspection";
/**
 * Per-call behaviours, by upstream's aliases: `return_token_ids` (asks the backend for token ids
 * with `"return_token_ids": true`), `logprobs` (asks for logprobs), `opentelemetry` (records the
 * call's spans in the store).
 */
export type LLMProxyCallback = "return_token_ids" | "logprobs" | "opentelemetry";

const MIDDLEWARES: readonly LLMProxyMiddleware[] = [
  "rollout_attempt",
  "stream_conversion",
  "message_inspection",
];
const CALLBACKS: readonly LLMProxyCallback[] = ["return_token_ids", "logprobs", "opentelemetry"];

/** Middlewares on by default. Unlike upstream, streams pass through as they arrive (see the README). */
export const DEFAULT_PROXY_MIDDLEWARES: readonly LLMProxyMiddleware[] = ["rollout_attempt"];
/** Callbacks on by default (as upstream). */
export const DEFAULT_PROXY_CALLBACKS: readonly LLMProxyCallback[] = ["return_token_ids", "opentelemetry"];

/** Options of {@link LLMProxy}. */
export interface LLMProxyOptions {
  /** Where calls are recorded: any `LightningStore` (in-process, or `LightningStoreClient` over HTTP). */
  store?: LightningStore | null;
  /**
   * Model names and the backends serving them, in upstream's LiteLLM shape:
   * `{ model_name, litellm_params: { model: "hosted_vllm/<id>", api_base: "http://host:8000/v1", api_key? } }`.
   * Entries sharing a `model_name` are balanced.
   */
  modelList?: readonly ModelListEntry[];
  /** Interface to bind. Default `127.0.0.1`. */
  host?: string;
  /** Port to bind. Default 0: a free port, read from {@link LLMProxy.port} after {@link LLMProxy.start}. */
  port?: number;
  /** Base URL advertised by {@link LLMProxy.asResource}. Default `http://<host>:<port>` (a wildcard host as loopback). */
  publicUrl?: string;
  /** Default {@link DEFAULT_PROXY_MIDDLEWARES}. An unknown alias throws. */
  middlewares?: readonly LLMProxyMiddleware[];
  /** Default {@link DEFAULT_PROXY_CALLBACKS}. An unknown alias throws. */
  callbacks?: readonly LLMProxyCallback[];
  /** Extra tries of a call answered 429 or 5xx (on the next backend of the model when there is one). Default 0. */
  numRetries?: number;
  /** How the backends of one model share the calls. Default `least-busy`. */
  balancing?: BalancingStrategy;
  /** How long a backend that refused a connection is tried last. Default 5000 ms. */
  backendCooldownMs?: number;
  /** Backend answer timeout (504 after it). Default 600 000 ms. */
  timeoutMs?: number;
  /**
   * When a call's spans are written. `before-response` (default): the answer (the end of a
   * stream) is sent once they are stored, so whoever acts on the answer (the agent's reward, the
   * runner completing the attempt, a trainer reading the spans) finds the call in the store; costs
   * one store write per call on the response path (in process: a fraction of a millisecond; over
   * HTTP: round trips to the store). `background`: the answer goes out at once and the spans follow
   * (call {@link LLMProxy.flush} before reading them).
   */
  spanWrites?: "before-response" | "background";
  /** Receives the proxy's logs. Silent by default. */
  logger?: Logger;
}

/** Options of {@link LLMProxy.stop}. */
export interface LLMProxyStopOptions {
  /** After this many milliseconds, connections still open are cut. Default 10 000. */
  graceMs?: number;
}

function checkAliases<T extends string>(kind: string, given: readonly string[], known: readonly T[]): T[] {
  for (const alias of given) {
    if (!known.includes(alias as T)) {
      throw new AglError(
        "invalid_argument",
        `Unknown LLM proxy ${kind} '${alias}'; known: ${known.join(", ")}.`,
      );
    }
  }
  return [...given] as T[];
}

/**
 * An OpenAI-compatible HTTP proxy in front of one or more model servers that records every call
 * made under `/rollout/{rolloutId}/attempt/{attemptId}` as spans of that attempt in a
 * `LightningStore`: prompt, completion, usage, token ids and logprobs. Agents that cannot be
 * traced in-process (another language, a black box) thus still produce training data: they only
 * need the base URL of the `LLM` resource from {@link LLMProxy.asResource}.
 *
 * @example
 * ```ts
 * import { LLMProxy } from "@agentlightning/algorithm";
 * import { InMemoryLightningStore } from "@agentlightning/store";
 *
 * const store = new InMemoryLightningStore();
 * const proxy = new LLMProxy({
 *   store,
 *   modelList: [{ model_name: "policy", litellm_params: { model: "hosted_vllm/Qwen/Qwen2.5-0.5B", api_base: "http://127.0.0.1:8000/v1" } }],
 * });
 * await proxy.start();
 * const rollout = await store.startRollout({ input: { q: "2+2?" } });
 * const llm = proxy.asResource(rollout.rollout_id, rollout.attempt.attempt_id);
 * // POST `${llm.endpoint}/v1/chat/completions` (or `${llm.endpoint}/chat/completions`) ...
 * await proxy.stop(); // flushes the spans
 * ```
 */
export class LLMProxy {
  private store: LightningStore | null;
  private entries: ModelListEntry[];
  private pool: BackendPool;
  private readonly options: LLMProxyOptions;
  private readonly logger: Logger;
  private readonly middlewares: LLMProxyMiddleware[];
  private readonly callbacks: LLMProxyCallback[];
  private readonly allocator: SequenceAllocator;
  private readonly writer: SpanWriter;
  private readonly app: Hono;
  private client = new BackendClient();
  private server: Server | undefined;
  private boundPort: number | undefined;
  /** The port to bind: the configured one, then the one first bound (a restart keeps the address). */
  private listenPort: number;

  constructor(options: LLMProxyOptions = {}) {
    this.options = options;
    this.logger = options.logger ?? silentLogger;
    this.store = options.store ?? null;
    this.listenPort = options.port ?? 0;
    this.middlewares = checkAliases(
      "middleware",
      options.middlewares ?? DEFAULT_PROXY_MIDDLEWARES,
      MIDDLEWARES,
    );
    this.callbacks = checkAliases("callback", options.callbacks ?? DEFAULT_PROXY_CALLBACKS, CALLBACKS);
    for (const [name, value] of [
      ["numRetries", options.numRetries],
      ["backendCooldownMs", options.backendCooldownMs],
      ["timeoutMs", options.timeoutMs],
    ] as const) {
      if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
        throw new AglError(
          "invalid_argument",
          `LLMProxy option ${name} must be a non-negative integer, got ${value}.`,
        );
      }
    }
    if (
      options.balancing !== undefined &&
      options.balancing !== "round-robin" &&
      options.balancing !== "least-busy"
    ) {
      throw new AglError(
        "invalid_argument",
        `LLMProxy option balancing must be "round-robin" or "least-busy".`,
      );
    }
    const { entries, backends } = resolveModelList(options.modelList ?? []);
    this.entries = entries;
    this.pool = this.makePool(backends);
    this.allocator = new SequenceAllocator(() => this.store);
    this.writer = new SpanWriter(() => this.store, this.logger);
    this.app = createProxyApp({
      pool: () => this.pool,
      allocator: this.allocator,
      writer: this.writer,
      logger: this.logger,
      client: () => this.client,
      returnTokenIds: () => this.callbacks.includes("return_token_ids"),
      logprobs: () => this.callbacks.includes("logprobs"),
      streamConversion: () => this.middlewares.includes("stream_conversion"),
      numRetries: () => options.numRetries ?? 0,
      timeoutMs: () => options.timeoutMs ?? 600_000,
      recording: () =>
        this.middlewares.includes("rollout_attempt") && this.callbacks.includes("opentelemetry"),
      inspecting: () => this.middlewares.includes("message_inspection"),
      spansBeforeResponse: () => (options.spanWrites ?? "before-response") === "before-response",
    });
  }

  private makePool(backends: ModelBackend[]): BackendPool {
    return new BackendPool(
      backends,
      this.options.balancing ?? "least-busy",
      this.options.backendCooldownMs ?? 5_000,
    );
  }

  /** The model list in use. */
  get modelList(): readonly ModelListEntry[] {
    return this.entries;
  }

  /**
   * Replaces the model list. Applies at once, also while running (upstream applies it at the
   * next restart). Throws `invalid_argument` naming the bad entry, and then nothing changes.
   */
  updateModelList(modelList: readonly ModelListEntry[]): void {
    const { entries, backends } = resolveModelList(modelList);
    this.entries = entries;
    this.pool = this.makePool(backends);
  }

  /** The store calls are recorded in. */
  getStore(): LightningStore | null {
    return this.store;
  }

  /** Sets the store calls are recorded in (calls already finished are written to the new one). */
  setStore(store: LightningStore | null): void {
    this.store = store;
  }

  /** True between {@link start} and {@link stop}. */
  isRunning(): boolean {
    return this.server?.listening ?? false;
  }

  /** The bound host. */
  get host(): string {
    return this.options.host ?? "127.0.0.1";
  }

  /** The bound port (the real one when started with port 0). Throws before {@link start} when the port is 0. */
  get port(): number {
    const port = this.boundPort ?? this.listenPort;
    if (port === 0) throw new AglError("conflict", "The LLM proxy has no port yet: start it first.");
    return port;
  }

  /** Base URL of the proxy, without `/v1` (what {@link asResource} advertises). */
  get url(): string {
    if (this.options.publicUrl !== undefined) return this.options.publicUrl.replace(/\/+$/, "");
    const host = this.host === "0.0.0.0" ? "127.0.0.1" : this.host === "::" ? "::1" : this.host;
    return `http://${host.includes(":") ? `[${host}]` : host}:${this.port}`;
  }

  /**
   * Answers one request without a server (the proxy's Hono app): for mounting the proxy in your
   * own HTTP server, or for tests.
   */
  fetch(request: Request): Response | Promise<Response> {
    return this.app.fetch(request);
  }

  /** Binds and serves. Throws without a store, when already running, or when the port is taken. */
  async start(): Promise<void> {
    if (this.store === null) {
      throw new AglError(
        "invalid_argument",
        "The LLM proxy needs a store to record calls: pass `store` or call setStore().",
      );
    }
    if (this.server !== undefined) throw new AglError("conflict", "The LLM proxy is already running.");
    const server = createAdaptorServer({ fetch: this.app.fetch }) as Server;
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => {
        server.off("listening", onListening);
        reject(error);
      };
      const onListening = () => {
        server.off("error", onError);
        resolve();
      };
      server.once("error", onError);
      server.once("listening", onListening);
      server.listen(this.listenPort, this.host);
    });
    server.on("error", (error) => this.logger.error("LLM proxy server error.", error));
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
    this.logger.info(
      `LLM proxy listening on ${this.url} (models: ${this.pool.modelNames().join(", ") || "none"}).`,
    );
  }

  /**
   * Stops serving: no new connections, in-flight calls finish (cut after `graceMs`), then every
   * recorded call's spans are written. A proxy that is not running logs a warning and returns.
   */
  async stop(options: LLMProxyStopOptions = {}): Promise<void> {
    const server = this.server;
    if (server === undefined) {
      this.logger.warn("LLM proxy is not running; nothing to stop.");
      return;
    }
    this.server = undefined;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => server.closeAllConnections(), options.graceMs ?? 10_000);
      force.unref();
      server.close(() => {
        clearTimeout(force);
        resolve();
      });
      server.closeIdleConnections();
    });
    if (this.boundPort !== undefined) this.listenPort = this.boundPort;
    // Idle backend connections go; a restart opens new ones.
    this.client.close();
    this.client = new BackendClient();
    await this.writer.flush();
    this.logger.info("LLM proxy stopped.");
  }

  /** Stops (when running) and starts again on the same port. */
  async restart(): Promise<void> {
    if (this.server !== undefined) await this.stop();
    await this.start();
  }

  /** Resolves once the spans of every call finished so far are written (or given up on with a warning). */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /**
   * The proxy as a resource. With both ids: an `llm` whose endpoint is
   * `<url>/rollout/<rolloutId>/attempt/<attemptId>` (no `/v1`, quirk A13: the proxy serves both).
   * With neither: a `proxy_llm` at `<url>` that a runner turns into the former per rollout
   * (`proxyLlmForRollout`). `model` defaults to the only model name of the list.
   */
  asResource(
    rolloutId?: string,
    attemptId?: string,
    model?: string,
    samplingParameters?: JsonObject,
  ): LLM | ProxyLLM {
    const hasRollout = rolloutId !== undefined && rolloutId !== null;
    const hasAttempt = attemptId !== undefined && attemptId !== null;
    if (hasRollout !== hasAttempt) {
      throw new AglError("invalid_argument", "rollout_id and attempt_id must be strings or all be empty");
    }
    const name = model ?? defaultModelName(this.entries);
    const base = { model: name, api_key: null, sampling_parameters: { ...(samplingParameters ?? {}) } };
    if (hasRollout) {
      return {
        resource_type: "llm",
        endpoint: `${this.url}/rollout/${rolloutId}/attempt/${attemptId}`,
        ...base,
      };
    }
    return { resource_type: "proxy_llm", endpoint: this.url, ...base };
  }
}
