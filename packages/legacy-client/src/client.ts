import { setTimeout as sleep } from "node:timers/promises";
import {
  AglError,
  type LegacyResourcesUpdate,
  LegacyResourcesUpdateSchema,
  type Logger,
  parseOrThrow,
  type RolloutLegacyInput,
  RolloutLegacySchema,
  silentLogger,
  type Task,
  TaskIfAnySchema,
} from "@agentlightning/types";

/** Options of {@link AgentLightningClient}. */
export interface AgentLightningClientOptions {
  /**
   * Base URL of the legacy server, e.g. `http://127.0.0.1:8000`. Any path in it is dropped (paths
   * are absolute). User info (`http://agl:<key>@host:4747`) is sent as HTTP Basic authentication,
   * as the Python client's HTTP libraries do: that is how `agl store --legacy --api-key` is reached.
   */
  endpoint: string;
  /** Seconds between two `GET /task` while no task is available. Default 5. */
  pollInterval?: number;
  /** Seconds one request may take in total before it counts as failed. Default 10. */
  timeout?: number;
  /** Receives progress (info) and swallowed failures (debug). Silent by default. */
  logger?: Logger;
}

/** Options of {@link AgentLightningClient.pollNextTask}. */
export interface PollNextTaskOptions {
  /** Ends the poll (TypeScript-only): the pending request is cancelled and the poll resolves `null`. */
  signal?: AbortSignal;
}

/** The reply of `POST /rollout` (`{"status": "ok", ...}` from the server), as received. */
export type PostRolloutResult = Record<string, unknown>;

const CLIENT_HEADER = { "X-AgentLightning-Client": "true" } as const;

/**
 * The deprecated v0.1 task client: polls `GET /task`, fetches resources, posts rollouts. Every
 * method returns a promise; network and HTTP failures become `null`, never exceptions (a reply that
 * is not the expected shape does throw an `invalid_argument` {@link AglError}). Use
 * `LightningStoreClient` for new code.
 *
 * @example
 * ```ts
 * const client = new AgentLightningClient({ endpoint: "http://127.0.0.1:8000", pollInterval: 1 });
 * const task = await client.pollNextTask();
 * const resources = task?.resources_id
 *   ? await client.getResourcesById(task.resources_id)
 *   : await client.getLatestResources();
 * if (task) await client.postRollout({ rollout_id: task.rollout_id, final_reward: 1 });
 * ```
 */
export class AgentLightningClient {
  /** The message of the `DeprecationWarning` emitted by each construction; subclasses override it. */
  protected static readonly deprecationMessage: string =
    "AgentLightningClient is deprecated. Please use LightningStoreClient (@agentlightning/store) instead.";

  /** The server's base URL, as given. */
  readonly endpoint: string;
  /** Seconds between polls of an empty queue. */
  readonly pollInterval: number;
  /** Seconds per request. */
  readonly timeout: number;
  /** Where this client logs. */
  protected readonly logger: Logger;
  #taskCount = 0;
  // Bundles are immutable once published, so the cache is never evicted (as upstream).
  readonly #resourceCache = new Map<string, LegacyResourcesUpdate>();
  readonly #taskUrl: string;
  readonly #resourcesUrl: string;
  readonly #latestResourcesUrl: string;
  readonly #rolloutUrl: string;
  // From the endpoint's user info; fetch refuses URLs that carry credentials.
  readonly #authHeader: Record<string, string>;

  constructor(options: AgentLightningClientOptions) {
    process.emitWarning((new.target as typeof AgentLightningClient).deprecationMessage, "DeprecationWarning");
    const { endpoint, pollInterval = 5, timeout = 10 } = options;
    if (!Number.isFinite(pollInterval) || pollInterval < 0) {
      throw new AglError(
        "invalid_argument",
        `pollInterval must be a number of seconds >= 0, got ${pollInterval}.`,
      );
    }
    if (!Number.isFinite(timeout) || timeout <= 0) {
      throw new AglError("invalid_argument", `timeout must be a number of seconds > 0, got ${timeout}.`);
    }
    this.endpoint = endpoint;
    this.pollInterval = pollInterval;
    this.timeout = timeout;
    this.logger = options.logger ?? silentLogger;
    const { base, authorization } = splitCredentials(endpoint);
    this.#authHeader = authorization === null ? {} : { Authorization: authorization };
    this.#taskUrl = resolveUrl("/task", base);
    this.#resourcesUrl = resolveUrl("/resources", base);
    this.#latestResourcesUrl = resolveUrl("/resources/latest", base);
    this.#rolloutUrl = resolveUrl("/rollout", base);
  }

  /** How many tasks this client has received so far. */
  get taskCount(): number {
    return this.#taskCount;
  }

  /** Counts one received task and returns the new count. */
  protected countReceivedTask(): number {
    this.#taskCount += 1;
    return this.#taskCount;
  }

  /**
   * Polls `GET /task` every `pollInterval` seconds until a task is available and returns it. Empty
   * queues and network failures are retried forever; only `signal` ends the wait (with `null`).
   */
  async pollNextTask(options: PollNextTaskOptions = {}): Promise<Task | null> {
    const { signal } = options;
    for (;;) {
      if (signal?.aborted) return null;
      const body = await this.#requestJson(this.#taskUrl, { method: "GET", signal });
      if (isTruthyJson(body)) {
        const reply = parseOrThrow(TaskIfAnySchema, body, "GET /task reply");
        if (reply.is_available && reply.task !== null) {
          const count = this.countReceivedTask();
          this.logger.info(`[Task ${count} Received] ID: ${reply.task.rollout_id}`);
          return reply.task;
        }
      }
      this.logger.debug(`No task available yet. Retrying in ${this.pollInterval} seconds...`);
      try {
        await sleep(this.pollInterval * 1000, undefined, { signal });
      } catch {
        return null;
      }
    }
  }

  /**
   * The bundle with this id: from the cache when seen before (no request), else `GET /resources/<id>`
   * (the id is appended unescaped). `null` when the request fails; a failure is not cached.
   */
  async getResourcesById(resourcesId: string): Promise<LegacyResourcesUpdate | null> {
    const cached = this.#resourceCache.get(resourcesId);
    if (cached !== undefined) return cached;
    const body = await this.#requestJson(`${this.#resourcesUrl}/${resourcesId}`, { method: "GET" });
    if (!isTruthyJson(body)) return null;
    const bundle = parseOrThrow(LegacyResourcesUpdateSchema, body, `GET /resources/${resourcesId} reply`);
    this.#resourceCache.set(resourcesId, bundle);
    return bundle;
  }

  /** The latest bundle, always requested (`GET /resources/latest`) and then cached by its id; `null` on failure. */
  async getLatestResources(): Promise<LegacyResourcesUpdate | null> {
    const body = await this.#requestJson(this.#latestResourcesUrl, { method: "GET" });
    if (!isTruthyJson(body)) return null;
    const bundle = parseOrThrow(LegacyResourcesUpdateSchema, body, "GET /resources/latest reply");
    this.#resourceCache.set(bundle.resources_id, bundle);
    return bundle;
  }

  /**
   * Posts a rollout to `POST /rollout` with every field present (defaults filled, nulls included) and
   * returns the server's reply, or `null` when the request fails. Throws if `rollout` itself is invalid.
   */
  async postRollout(rollout: RolloutLegacyInput): Promise<PostRolloutResult | null> {
    const payload = parseOrThrow(RolloutLegacySchema, rollout, "rollout");
    const body = await this.#requestJson(this.#rolloutUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload),
    });
    return isPlainObject(body) ? body : null;
  }

  /** One JSON request; any failure (network, timeout, non-2xx, non-JSON) is logged and becomes `null`. */
  async #requestJson(
    url: string,
    init: {
      method: string;
      headers?: Record<string, string>;
      body?: string;
      signal?: AbortSignal | undefined;
    },
  ): Promise<unknown> {
    const timeoutSignal = AbortSignal.timeout(this.timeout * 1000);
    const signal = init.signal === undefined ? timeoutSignal : AbortSignal.any([init.signal, timeoutSignal]);
    try {
      const response = await fetch(url, {
        method: init.method,
        headers: { ...CLIENT_HEADER, ...this.#authHeader, ...init.headers },
        ...(init.body === undefined ? {} : { body: init.body }),
        signal,
      });
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        this.logger.debug(`${init.method} ${url} failed with HTTP ${response.status}.`);
        return null;
      }
      return (await response.json()) as unknown;
    } catch (error) {
      this.logger.debug(
        `${init.method} ${url} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      return null;
    }
  }
}

/** The endpoint without user info, and that user info as a `Basic` authorization value (or null). */
function splitCredentials(endpoint: string): { base: string; authorization: string | null } {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    // resolveUrl reports the invalid endpoint.
    return { base: endpoint, authorization: null };
  }
  if (url.username === "" && url.password === "") return { base: endpoint, authorization: null };
  const credentials = `${percentDecode(url.username)}:${percentDecode(url.password)}`;
  url.username = "";
  url.password = "";
  return { base: url.href, authorization: `Basic ${Buffer.from(credentials, "utf8").toString("base64")}` };
}

/** Percent-decodes user info as Python's HTTP libraries do; a stray `%` is kept as written. */
function percentDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function resolveUrl(path: string, endpoint: string): string {
  try {
    return new URL(path, endpoint).href;
  } catch (error) {
    throw new AglError("invalid_argument", `Invalid endpoint '${endpoint}': expected an absolute URL.`, {
      cause: error,
    });
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Python truthiness of a decoded JSON body: `null`, `{}`, `[]`, `""`, `0` and `false` mean "nothing". */
function isTruthyJson(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return Boolean(value);
}
