import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import {
  AglError,
  generateLegacyResourcesId,
  type Logger,
  type NamedResourcesInput,
  type RolloutLegacy,
  silentLogger,
} from "@agentlightning/types";
import { createAdaptorServer } from "@hono/node-server";
import type { Hono } from "hono";
import { createLegacyApp, DEFAULT_TASK_TIMEOUT_SECONDS } from "./app.js";
import { type AddTaskOptions, LegacyTaskStore } from "./task-store.js";

/** Options of {@link AgentLightningServer}. */
export interface AgentLightningServerOptions {
  /** Interface to bind. Default `127.0.0.1`; use `0.0.0.0` to accept remote clients (no authentication!). */
  host?: string;
  /** Port to bind. Default 8000; `0` picks a free port, readable from `port` after `start()`. */
  port?: number;
  /** A claimed task without a rollout for longer than this (strictly) is requeued on the next `GET /task`. Default 300. */
  taskTimeoutSeconds?: number;
  /** Receives lifecycle and request logs. Silent by default; pass `console` to see them. */
  logger?: Logger;
  /**
   * Require this key on every route, as HTTP Basic credentials (give clients the endpoint
   * `http://agl:<key>@host:port`) or `Authorization: Bearer <key>`. Default: no authentication.
   */
  apiKey?: string;
}

/** Options of {@link AgentLightningServer.queueTask}. */
export type QueueTaskOptions = AddTaskOptions;

/** Options of {@link AgentLightningServer.pollCompletedRollout}. */
export interface PollCompletedRolloutOptions {
  /** Seconds to wait before giving up with `null`. `null`, `undefined` or `0` wait forever (as upstream). */
  timeout?: number | null;
  /** Seconds between checks. Default 1. */
  intervalSeconds?: number;
  /** Ends the wait early; the poll then resolves with `null`. */
  signal?: AbortSignal;
}

/** Options of {@link AgentLightningServer.runForever}. */
export interface RunForeverOptions {
  /** Aborting it stops the server, which ends `runForever()`. */
  signal?: AbortSignal;
}

const STORE_NOT_INITIALIZED = "Store not initialized. The server may not be running.";
// In-flight legacy requests finish in microseconds; this only bounds a client that keeps a
// connection open without sending anything.
const STOP_GRACE_MS = 2000;

/**
 * The deprecated v0.1 task server: queue tasks, publish resources, collect rollouts over HTTP.
 * All state lives in memory from `start()` to `stop()`. Use `LightningStore` for new code.
 *
 * @example
 * ```ts
 * const server = new AgentLightningServer({ port: 0 });
 * await server.start();
 * const resourcesId = await server.updateResources({
 *   main_llm: { resource_type: "llm", endpoint: "http://localhost:8080/v1", model: "gpt-4o" },
 * });
 * const rolloutId = await server.queueTask({ prompt: "2+2?" }, { mode: "train", resourcesId });
 * const rollout = await server.pollCompletedRollout(rolloutId, { timeout: 60 });
 * await server.stop();
 * ```
 */
export class AgentLightningServer {
  /** Interface the server binds. */
  readonly host: string;
  /** Claim timeout in seconds. */
  readonly taskTimeoutSeconds: number;
  readonly #logger: Logger;
  readonly #app: Hono;
  #port: number;
  #httpServer: Server | null = null;
  #starting: Promise<void> | null = null;
  #store: LegacyTaskStore | null = null;
  #stopWaiters: (() => void)[] = [];

  constructor(options: AgentLightningServerOptions = {}) {
    process.emitWarning(
      "AgentLightningServer is deprecated. Please use LightningStoreServer (@agentlightning/store) instead.",
      "DeprecationWarning",
    );
    this.host = options.host ?? "127.0.0.1";
    this.#port = options.port ?? 8000;
    this.taskTimeoutSeconds = options.taskTimeoutSeconds ?? DEFAULT_TASK_TIMEOUT_SECONDS;
    this.#logger = options.logger ?? silentLogger;
    this.#app = createLegacyApp({
      store: () => this.#store,
      taskTimeoutSeconds: this.taskTimeoutSeconds,
      logger: this.#logger,
      ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
    });
  }

  /** The bound port: the configured one, or the one the OS picked for port 0 once started. */
  get port(): number {
    return this.#port;
  }

  /** `http://<host>:<port>` (IPv6 hosts in brackets). */
  get endpoint(): string {
    const host = this.host.includes(":") ? `[${this.host}]` : this.host;
    return `http://${host}:${this.#port}`;
  }

  /** True between a successful `start()` and `stop()`: the state exists and requests are served. */
  get isRunning(): boolean {
    return this.#store !== null;
  }

  /**
   * Binds `host:port` and creates a fresh, empty state. Resolves once listening; rejects with an
   * `unavailable` {@link AglError} (the system error as `cause`) when the port cannot be bound.
   */
  async start(): Promise<void> {
    if (this.#httpServer !== null) {
      throw new AglError("conflict", `AgentLightningServer is already running on ${this.endpoint}.`);
    }
    // The adapter's global Request/Response override is a process-wide change a library must not make.
    const server = createAdaptorServer({ fetch: this.#app.fetch, overrideGlobalObjects: false }) as Server;
    this.#httpServer = server;
    this.#starting = new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => {
        server.off("listening", onListening);
        reject(error);
      };
      const onListening = (): void => {
        server.off("error", onError);
        resolve();
      };
      server.once("error", onError);
      server.once("listening", onListening);
      server.listen(this.#port, this.host);
    });
    try {
      await this.#starting;
    } catch (error) {
      this.#httpServer = null;
      const reason = error instanceof Error ? error.message : String(error);
      throw new AglError("unavailable", `AgentLightningServer cannot listen on ${this.endpoint}: ${reason}`, {
        cause: error,
      });
    } finally {
      this.#starting = null;
    }
    server.on("error", (error) => this.#logger.error("Legacy server error.", error));
    this.#port = (server.address() as AddressInfo).port;
    this.#store = new LegacyTaskStore({ logger: this.#logger });
    this.#logger.info(`AgentLightningServer listening on ${this.endpoint}.`);
  }

  /**
   * Stops listening, waits for open connections to close (idle ones at once, others after a short
   * grace) and drops all state: queued tasks, rollouts and resources. A no-op when not running.
   */
  async stop(): Promise<void> {
    if (this.#starting !== null) await this.#starting.catch(() => undefined);
    const server = this.#httpServer;
    if (server === null) return;
    this.#httpServer = null;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS);
      force.unref();
      server.close(() => {
        clearTimeout(force);
        resolve();
      });
      server.closeIdleConnections();
    });
    this.#store = null;
    this.#logger.info("AgentLightningServer stopped.");
    const waiters = this.#stopWaiters;
    this.#stopWaiters = [];
    for (const wake of waiters) wake();
  }

  /**
   * Starts the server if needed and resolves once it is stopped, by `stop()` or by aborting `signal`.
   *
   * @example
   * ```ts
   * const ac = new AbortController();
   * process.once("SIGINT", () => ac.abort());
   * await new AgentLightningServer({ port: 9999 }).runForever({ signal: ac.signal });
   * ```
   */
  async runForever(options: RunForeverOptions = {}): Promise<void> {
    const { signal } = options;
    if (!this.isRunning) await this.start();
    const stopped = new Promise<void>((resolve) => this.#stopWaiters.push(resolve));
    const onAbort = (): void => void this.stop();
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
    try {
      await stopped;
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /**
   * Queues a task and returns its id (`rollout-<uuid4>`). Without `resourcesId` the task carries
   * `null` and the client fetches the latest bundle when it runs.
   */
  async queueTask(sample: unknown, options: QueueTaskOptions = {}): Promise<string> {
    return this.#requireStore().addTask(sample, options).rollout_id;
  }

  /** Publishes a resources bundle, marks it latest and returns its new id (`res-<uuid4>`). */
  async updateResources(resources: NamedResourcesInput): Promise<string> {
    const store = this.#requireStore();
    const resourcesId = generateLegacyResourcesId();
    store.updateResources(resourcesId, resources);
    return resourcesId;
  }

  /** Removes and returns the completed rollout with this id, or `null` if it has not arrived. */
  async getCompletedRollout(rolloutId: string): Promise<RolloutLegacy | null> {
    return this.#requireStore().retrieveRollout(rolloutId);
  }

  /**
   * Waits for the rollout with this id, checking every `intervalSeconds`, and removes it from the
   * server. Resolves `null` once `timeout` seconds have elapsed or `signal` aborts; rejects if the
   * server stops meanwhile.
   */
  async pollCompletedRollout(
    rolloutId: string,
    options: PollCompletedRolloutOptions = {},
  ): Promise<RolloutLegacy | null> {
    const { timeout, intervalSeconds = 1, signal } = options;
    const started = performance.now();
    for (;;) {
      const rollout = await this.getCompletedRollout(rolloutId);
      if (rollout !== null) return rollout;
      if (timeout && (performance.now() - started) / 1000 >= timeout) return null;
      try {
        await sleep(intervalSeconds * 1000, undefined, { signal });
      } catch {
        return null;
      }
    }
  }

  /** Removes and returns every completed rollout, oldest first. */
  async retrieveCompletedRollouts(): Promise<RolloutLegacy[]> {
    return this.#requireStore().retrieveCompletedRollouts();
  }

  #requireStore(): LegacyTaskStore {
    if (this.#store === null) throw new AglError("unavailable", STORE_NOT_INITIALIZED);
    return this.#store;
  }
}
