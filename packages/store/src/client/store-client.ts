import {
  AglError,
  type Attempt,
  type AttemptedRollout,
  AttemptedRolloutSchema,
  AttemptSchema,
  type JsonObject,
  type Logger,
  type NamedResourcesInput,
  NextSequenceIdResponseSchema,
  type PaginatedResult,
  paginatedResultSchema,
  type ResourcesUpdate,
  ResourcesUpdateSchema,
  type RewardPoint,
  RewardPointsResponseSchema,
  type Rollout,
  type RolloutOrAttempted,
  RolloutOrAttemptedSchema,
  RolloutSchema,
  RolloutSummariesResponseSchema,
  type RolloutSummary,
  type Span,
  SpanSchema,
  SpanSearchPageSchema,
  type StoreStatistics,
  StoreStatisticsSchema,
  silentLogger,
  type Worker,
  WorkerSchema,
} from "@agentlightning/types";
import * as z from "zod";
import { normalizeSpan } from "../core/normalize.js";
import {
  ADD_SPANS_ALLOCATING,
  addSpansAllocatingBySteps,
  type SpanAllocatingStore,
} from "../core/span-allocation.js";
import { resolveRewardQuery, resolveSpanSearch, resolveSummaryIds } from "../core/span-insights.js";
import { attemptNotFound, rolloutNotFound } from "../core/store-errors.js";
import type { LightningStoreInsights, RewardQueryOptions, SpanSearchOptions } from "../insights.js";
import type {
  AttemptPatch,
  EnqueueRolloutOptions,
  LightningStore,
  QueryAttemptsOptions,
  QueryResourcesOptions,
  QueryRolloutsOptions,
  QuerySpansOptions,
  QueryWorkersOptions,
  RolloutPatch,
  StartRolloutOptions,
  StoreCapabilities,
} from "../store.js";
import { isNetworkFailure } from "./http-errors.js";
import { type HttpRequest, HttpTransport } from "./http-transport.js";
import { createNodeHttpFetch, type NodeHttpFetch } from "./node-http-fetch.js";
import { parseResponse } from "./parse-response.js";
import {
  attemptPatchBody,
  dequeueBody,
  enqueueItemBody,
  pageBody,
  queryResourcesParams,
  queryRolloutsBody,
  querySpansBody,
  queryWorkersBody,
  rolloutPatchBody,
  startRolloutBody,
} from "./wire-bodies.js";

/** Settings of a {@link LightningStoreClient}. Durations are in seconds, as in the Python client. */
export interface LightningStoreClientOptions {
  /** Server address, e.g. `http://127.0.0.1:4747` (a trailing `/` is ignored). The API lives at `<url>/v1/agl`. */
  url: string;
  /** Sent as `Authorization: Bearer <apiKey>` on every request. */
  apiKey?: string;
  /** Pause before retry 1, 2, 3... of a failed request; `[]` disables retries. Default `[1, 2, 5]`. */
  retryDelays?: readonly number[];
  /** Pauses between health probes after a failure; `[]` skips probing. Default `[0.1, 0.2, 0.5]`. */
  healthRetryDelays?: readonly number[];
  /** Limit of one request, response body included; null = none. Default 30. */
  requestTimeout?: number | null;
  /**
   * Limit of one health probe. Default 5. (Node's global fetch has no separate TCP-connect
   * timeout; a refused connection fails at once and a silent host is bounded by `requestTimeout`.)
   */
  connectionTimeout?: number;
  /**
   * The fetch to use. Default: one over `node:http` with the client's own keep-alive pool (half
   * the CPU per request of the global fetch; closed by `close()`). Pass `globalThis.fetch` for
   * undici's, or any fetch-compatible function.
   */
  fetch?: typeof globalThis.fetch;
  /** Receives retry warnings and swallowed dequeue failures. Default: silent. */
  logger?: Logger;
  /**
   * Spans per `POST /v1/agl/spans/batch` request of {@link LightningStoreClient.addManySpans}
   * (larger batches are sent in chunks of this size, one after the other). Default 1000, at most
   * 10,000.
   */
  spanBatchSize?: number;
  /**
   * Against a server without the batch route (the Python v0.3.0 server), spans are posted one per
   * request: this many at once (different rollouts in parallel). Default 8.
   */
  spanConcurrency?: number;
}

const API_PREFIX = "/v1/agl";
const OTLP_TRACES_PATH = "/v1/traces";

const RolloutListSchema = z.array(RolloutSchema);
const AttemptedRolloutListSchema = z.array(AttemptedRolloutSchema);
const RolloutPageSchema = paginatedResultSchema(RolloutOrAttemptedSchema);
const AttemptPageSchema = paginatedResultSchema(AttemptSchema);
const SpanPageSchema = paginatedResultSchema(SpanSchema);
const ResourcesPageSchema = paginatedResultSchema(ResourcesUpdateSchema);
const WorkerPageSchema = paginatedResultSchema(WorkerSchema);
const SpanListSchema = z.array(SpanSchema);
/** The server-side limit of one batch request (`MAX_SPAN_BATCH` of the batch route). */
const MAX_SPAN_BATCH_SIZE = 10_000;

/**
 * An id as a path segment. An empty id cannot be put in a path (`/rollouts/` names another route
 * or none), so every method answers it without a request, as a store would for an id that cannot
 * exist; this check only guards the ones that cannot (creating `""` ids over HTTP).
 */
function seg(id: string, what: string): string {
  if (typeof id !== "string" || id.length === 0) {
    throw new AglError("invalid_argument", `${what} must be a non-empty string (it goes in the URL path)`);
  }
  return encodeURIComponent(id);
}

function checkDelays(name: string, delays: readonly number[]): readonly number[] {
  if (!Array.isArray(delays) || delays.some((d) => typeof d !== "number" || !Number.isFinite(d) || d < 0)) {
    throw new AglError("invalid_argument", `${name} must be a list of non-negative numbers of seconds`);
  }
  return [...delays];
}

function checkSeconds(name: string, value: number): number {
  if (typeof value !== "number" || !(value > 0)) {
    throw new AglError("invalid_argument", `${name} must be a positive number of seconds, got ${value}`);
  }
  return value;
}

function normalizeUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new AglError("invalid_argument", `url must be an absolute http(s) address, got '${url}'`, {
      cause,
    });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new AglError("invalid_argument", `url must be an http(s) address, got '${url}'`);
  }
  return url.replace(/\/+$/, "");
}

/** A page asked for with `limit: 0`: the store contract says no items, but still the total. */
function pageFor<T>(page: PaginatedResult<T>, requestedLimit: number | undefined): PaginatedResult<T> {
  if (requestedLimit !== 0) return page;
  return { items: [], limit: 0, offset: page.offset, total: page.total };
}

/**
 * The store error a getter turns into null: a 404 that carries the store's `error_type` (a
 * route-level 404 — wrong URL or server version — is surfaced instead).
 */
function isStoreNotFound(error: AglError): boolean {
  const details = error.details as { errorType?: unknown } | undefined;
  return error.status === 404 && typeof details?.errorType === "string";
}

/**
 * A route the server does not have: a 405, or a 404 without the store's `error_type` (a store
 * not-found, e.g. an unknown attempt, carries one).
 */
function isMissingRoute(error: AglError): boolean {
  return error.status === 405 || (error.status === 404 && !isStoreNotFound(error));
}

/**
 * Stored spans of several chunks in the order one store call returns them: grouped by (rollout,
 * attempt) in order of first appearance in `sent`, each group in stored order.
 */
function groupByAttempt(sent: readonly Span[], stored: Span[]): Span[] {
  const rank = new Map<string, number>();
  for (const span of sent) {
    const key = JSON.stringify([span.rollout_id, span.attempt_id]);
    if (!rank.has(key)) rank.set(key, rank.size);
  }
  const keyed = stored.map((span, index) => ({
    span,
    index,
    rank: rank.get(JSON.stringify([span.rollout_id, span.attempt_id])) ?? rank.size,
  }));
  keyed.sort((a, b) => a.rank - b.rank || a.index - b.index);
  return keyed.map((entry) => entry.span);
}

/**
 * The Python v0.3.0 server answers `GET /rollouts/{unknown}` with a 500 whose `error_type` is
 * `ResponseValidationError` (its response model is not nullable). That answer means "no such
 * rollout": map it to null at once instead of retrying for seconds.
 */
function isPythonNullRollout(error: AglError): boolean {
  const details = error.details as { errorType?: unknown } | undefined;
  return error.status === 500 && details?.errorType === "ResponseValidationError";
}

/**
 * A {@link LightningStore} on a remote store server, over the HTTP API (`/v1/agl`): runners and
 * algorithms on any machine use it exactly like a local store. It speaks to the TypeScript
 * `LightningStoreServer` and to the Python Agent Lightning v0.3.0 server alike.
 *
 * Failures are `AglError`s: a 4xx is reported at once with a code from its status (400/422 →
 * `invalid_argument`, 401 → `unauthorized`, 404 → `not_found`, 409 → `conflict`, 410 → `gone`);
 * network failures, 408 and 5xx are retried after a health probe (`retryDelays`), then reported
 * as `unavailable`/`timeout`/`internal`. The error keeps the HTTP `status` and, in `details`, the
 * server's `detail` and `error_type`.
 *
 * @example
 * ```ts
 * import { LightningStoreClient } from "@agentlightning/store";
 *
 * const store = new LightningStoreClient({ url: "http://127.0.0.1:4747" });
 * const rollout = await store.enqueueRollout({ input: { question: "2 + 2?" } });
 * const claimed = await store.dequeueRollout({ workerId: "runner-1" });
 * if (claimed) await store.updateAttempt(claimed.rollout_id, claimed.attempt.attempt_id, { status: "succeeded" });
 * console.log(await store.waitForRollouts([rollout.rollout_id], { timeout: 5 }));
 * await store.close();
 * ```
 */
export class LightningStoreClient implements LightningStore, LightningStoreInsights, SpanAllocatingStore {
  /** Every flag true: the server serializes operations and ingests OTLP (docs/store-contract.md §1.13). */
  readonly capabilities: StoreCapabilities = {
    thread_safe: true,
    async_safe: true,
    zero_copy: true,
    otlp_traces: true,
  };
  /** The server address (no trailing `/`). */
  readonly url: string;

  private readonly transport: HttpTransport;
  private readonly logger: Logger;
  private readonly requestTimeout: number | null;
  private readonly spanConcurrency: number;
  private readonly spanBatchSize: number;
  /**
   * Whether the server has `POST /spans/batch`: unknown until the first batch, false after a
   * route-level 404/405 (a Python v0.3.0 server), then spans go one per request.
   */
  private batchRoute: boolean | undefined;
  /** Dequeue failures in a row (logged loudly once per streak). */
  private dequeueFailures = 0;

  constructor(options: LightningStoreClientOptions) {
    if (options === null || typeof options !== "object" || typeof options.url !== "string") {
      throw new AglError("invalid_argument", "LightningStoreClient needs options with a url");
    }
    this.url = normalizeUrl(options.url);
    this.logger = options.logger ?? silentLogger;
    this.requestTimeout =
      options.requestTimeout === null ? null : checkSeconds("requestTimeout", options.requestTimeout ?? 30);
    const concurrency = options.spanConcurrency ?? 8;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new AglError(
        "invalid_argument",
        `spanConcurrency must be a positive integer, got ${concurrency}`,
      );
    }
    this.spanConcurrency = concurrency;
    const batchSize = options.spanBatchSize ?? 1000;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_SPAN_BATCH_SIZE) {
      throw new AglError(
        "invalid_argument",
        `spanBatchSize must be an integer from 1 to ${MAX_SPAN_BATCH_SIZE}, got ${batchSize}`,
      );
    }
    this.spanBatchSize = batchSize;
    this.transport = new HttpTransport({
      baseUrl: `${this.url}${API_PREFIX}`,
      apiKey: options.apiKey,
      retryDelays: checkDelays("retryDelays", options.retryDelays ?? [1, 2, 5]),
      healthRetryDelays: checkDelays("healthRetryDelays", options.healthRetryDelays ?? [0.1, 0.2, 0.5]),
      requestTimeout: this.requestTimeout,
      probeTimeout: checkSeconds("connectionTimeout", options.connectionTimeout ?? 5),
      fetch: options.fetch ?? this.ownFetch.fetch,
      logger: this.logger,
    });
  }

  /** Where runners export OTLP/HTTP traces: `<url>/v1/traces`. */
  otlpTracesEndpoint(): string {
    return `${this.url}${OTLP_TRACES_PATH}`;
  }

  /** True once the server answers `GET /v1/agl/health` (probing as after a failed request). */
  async isHealthy(): Promise<boolean> {
    return this.transport.probeHealth();
  }

  // Created even when a fetch is given (it holds no connection until used).
  private readonly ownFetch: NodeHttpFetch = createNodeHttpFetch();

  private async call<S extends z.ZodType>(schema: S, req: HttpRequest): Promise<z.output<S>> {
    const value = await this.transport.request(req);
    return parseResponse(schema, value, `${req.method} ${API_PREFIX}${req.path}`);
  }

  /** A GET whose "nothing there" answer is null: 200 `null`, or a store not-found 404. */
  private async getOrNull<S extends z.ZodType>(
    schema: S,
    path: string,
    nullOn: (error: AglError) => boolean = isStoreNotFound,
  ): Promise<z.output<S> | null> {
    const value = await this.transport.request({ method: "GET", path, nullOn });
    if (value === null) return null;
    return parseResponse(schema, value, `GET ${API_PREFIX}${path}`);
  }

  // ---- rollouts and the queue ----

  async startRollout(options: StartRolloutOptions): Promise<AttemptedRollout> {
    return this.call(AttemptedRolloutSchema, {
      method: "POST",
      path: "/rollouts",
      body: startRolloutBody(options),
    });
  }

  async enqueueRollout(options: EnqueueRolloutOptions): Promise<Rollout> {
    const [rollout] = await this.enqueueMany([options]);
    if (rollout === undefined) {
      throw new AglError("internal", `POST ${API_PREFIX}/queues/rollouts/enqueue returned no rollout`);
    }
    return rollout;
  }

  async enqueueManyRollouts(options: EnqueueRolloutOptions[]): Promise<Rollout[]> {
    if (options.length === 0) return [];
    return this.enqueueMany(options);
  }

  private async enqueueMany(options: EnqueueRolloutOptions[]): Promise<Rollout[]> {
    const rollouts = await this.call(RolloutListSchema, {
      method: "POST",
      path: "/queues/rollouts/enqueue",
      body: { rollouts: options.map(enqueueItemBody) },
    });
    if (rollouts.length !== options.length) {
      throw new AglError(
        "internal",
        `POST ${API_PREFIX}/queues/rollouts/enqueue returned ${rollouts.length} rollouts for ${options.length} requests`,
      );
    }
    return rollouts;
  }

  async dequeueRollout(options: { workerId?: string | null } = {}): Promise<AttemptedRollout | null> {
    const [claimed] = await this.dequeue(1, options.workerId);
    return claimed ?? null;
  }

  async dequeueManyRollouts(options: {
    limit: number;
    workerId?: string | null;
  }): Promise<AttemptedRollout[]> {
    if (!(options.limit > 0)) return [];
    return this.dequeue(options.limit, options.workerId);
  }

  /**
   * One try, no retries (runners poll anyway). As in the Python client a network failure reads
   * as an empty queue (logged); unlike it, an HTTP error (401, 500...) is reported.
   */
  private async dequeue(limit: number, workerId: string | null | undefined): Promise<AttemptedRollout[]> {
    const path = "/queues/rollouts/dequeue";
    let value: unknown;
    try {
      value = await this.transport.request({
        method: "POST",
        path,
        body: dequeueBody(limit, workerId),
        retry: false,
      });
    } catch (error) {
      if (!isNetworkFailure(error)) throw error;
      this.dequeueFailures += 1;
      const message = `Dequeue failed, treating the queue as empty: ${(error as AglError).message}`;
      if (this.dequeueFailures === 1) this.logger.warn(message);
      else this.logger.debug(`${message} (${this.dequeueFailures} failures in a row)`);
      return [];
    }
    if (this.dequeueFailures > 0) {
      this.logger.info(`Dequeue works again after ${this.dequeueFailures} failures`);
      this.dequeueFailures = 0;
    }
    return parseResponse(AttemptedRolloutListSchema, value, `POST ${API_PREFIX}${path}`);
  }

  async startAttempt(
    rolloutId: string,
    options: { workerId?: string | null } = {},
  ): Promise<AttemptedRollout> {
    if (rolloutId === "") throw rolloutNotFound(rolloutId);
    const workerId = options.workerId;
    return this.call(AttemptedRolloutSchema, {
      method: "POST",
      path: `/rollouts/${seg(rolloutId, "rollout_id")}/attempts`,
      ...(workerId != null ? { body: { worker_id: workerId } } : {}),
    });
  }

  async getRolloutById(rolloutId: string): Promise<RolloutOrAttempted | null> {
    if (rolloutId === "") return null;
    return this.getOrNull(
      RolloutOrAttemptedSchema,
      `/rollouts/${seg(rolloutId, "rollout_id")}`,
      (error) => isStoreNotFound(error) || isPythonNullRollout(error),
    );
  }

  async queryRollouts(options: QueryRolloutsOptions = {}): Promise<PaginatedResult<RolloutOrAttempted>> {
    const page = await this.call(RolloutPageSchema, {
      method: "POST",
      path: "/rollouts/search",
      body: queryRolloutsBody(options),
    });
    return pageFor(page, options.limit);
  }

  async queryAttempts(
    rolloutId: string,
    options: QueryAttemptsOptions = {},
  ): Promise<PaginatedResult<Attempt>> {
    // An unknown rollout has no attempts; "" cannot be put in the path.
    if (rolloutId === "")
      return { items: [], limit: options.limit ?? -1, offset: options.offset ?? 0, total: 0 };
    const page = await this.call(AttemptPageSchema, {
      method: "POST",
      path: `/rollouts/${seg(rolloutId, "rollout_id")}/attempts/search`,
      body: pageBody(options),
    });
    return pageFor(page, options.limit);
  }

  async getLatestAttempt(rolloutId: string): Promise<Attempt | null> {
    if (rolloutId === "") return null;
    return this.getOrNull(AttemptSchema, `/rollouts/${seg(rolloutId, "rollout_id")}/attempts/latest`);
  }

  async updateRollout(rolloutId: string, patch: RolloutPatch): Promise<Rollout> {
    if (rolloutId === "") throw rolloutNotFound(rolloutId);
    return this.call(RolloutSchema, {
      method: "POST",
      path: `/rollouts/${seg(rolloutId, "rollout_id")}`,
      body: rolloutPatchBody(patch ?? {}),
    });
  }

  async updateAttempt(rolloutId: string, attemptId: string, patch: AttemptPatch): Promise<Attempt> {
    if (rolloutId === "") throw rolloutNotFound(rolloutId);
    // `/rollouts/{id}/attempts/` would be the start-attempt route: never send it.
    if (attemptId === "") throw attemptNotFound(rolloutId, attemptId);
    return this.call(AttemptSchema, {
      method: "POST",
      path: `/rollouts/${seg(rolloutId, "rollout_id")}/attempts/${seg(attemptId, "attempt_id")}`,
      body: attemptPatchBody(patch ?? {}),
    });
  }

  // ---- spans ----

  async addSpan(span: Span): Promise<Span | null> {
    return this.call(SpanSchema.nullable(), { method: "POST", path: "/spans", body: span });
  }

  /**
   * One `POST /spans/batch` request per `spanBatchSize` spans (docs/store-contract.md E13): each
   * request is stored all or nothing, so a batch within one chunk is atomic like a store's; over
   * several chunks, the chunks before a refused one stay stored. Every span is validated before the
   * first request, so a malformed one stores nothing (`invalid_argument` naming
   * `spans.<i>.<field>`). The stored spans come back grouped by (rollout, attempt) in order of first
   * appearance, as a store returns them.
   *
   * Against a server without the batch route (the Python v0.3.0 server answers 404) the client
   * remembers it and posts one `POST /spans` per span instead: spans of one rollout in order, one at
   * a time, different rollouts in parallel up to `spanConcurrency`; on a failure nothing more is
   * sent and the spans already sent stay stored.
   */
  async addManySpans(spans: Span[]): Promise<Span[]> {
    if (!Array.isArray(spans)) throw new AglError("invalid_argument", "spans must be an array");
    for (const [index, span] of spans.entries()) normalizeSpan(span, `spans.${index}`);
    if (spans.length === 0) return [];
    return (await this.postSpanBatches(spans, undefined)) ?? this.addSpansOneByOne(spans);
  }

  /**
   * `addSpansAllocating` over HTTP: the flagged spans are sent without `sequence_id`, so the server
   * numbers them while storing the batch (one request per chunk). Against a server without the
   * batch route: the checks, one `POST /spans/next` per flagged span, then one `POST /spans` per span.
   */
  async [ADD_SPANS_ALLOCATING](spans: Span[], allocate: readonly boolean[]): Promise<Span[]> {
    if (!Array.isArray(spans)) throw new AglError("invalid_argument", "spans must be an array");
    for (const [index, span] of spans.entries()) normalizeSpan(span, `spans.${index}`);
    if (spans.length === 0) return [];
    const stored = await this.postSpanBatches(spans, allocate);
    return stored ?? addSpansAllocatingBySteps(this, spans, allocate);
  }

  /**
   * Sends the spans in chunks to `POST /spans/batch`, dropping `sequence_id` from the flagged ones.
   * Returns undefined (having sent nothing) when the server turns out not to have the route.
   */
  private async postSpanBatches(
    spans: Span[],
    allocate: readonly boolean[] | undefined,
  ): Promise<Span[] | undefined> {
    if (this.batchRoute === false) return undefined;
    const stored: Span[] = [];
    for (let start = 0; start < spans.length; start += this.spanBatchSize) {
      const chunk = spans.slice(start, start + this.spanBatchSize).map((span, i) => {
        if (allocate?.[start + i] !== true) return span;
        const { sequence_id: _allocated, ...rest } = span;
        return rest;
      });
      try {
        stored.push(
          ...(await this.call(SpanListSchema, { method: "POST", path: "/spans/batch", body: chunk })),
        );
        this.batchRoute = true;
      } catch (error) {
        if (this.batchRoute === undefined && AglError.isInstance(error) && isMissingRoute(error)) {
          this.batchRoute = false;
          this.logger.info(
            `The store at ${this.url} has no POST ${API_PREFIX}/spans/batch (HTTP ${error.status}); ` +
              "writing spans one request each from now on",
          );
          return undefined;
        }
        throw error;
      }
    }
    return spans.length <= this.spanBatchSize ? stored : groupByAttempt(spans, stored);
  }

  /** The old way (and the Python client's): one `POST /spans` per span. */
  private async addSpansOneByOne(spans: Span[]): Promise<Span[]> {
    const seen = new Set<string>();
    /** Rank of each (rollout, attempt) group by first appearance: the order a store returns them in. */
    const groupRank = new Map<string, number>();
    const rankOf: number[] = [];
    const chains = new Map<string, number[]>();
    for (const [index, span] of spans.entries()) {
      const group = JSON.stringify([span.rollout_id, span.attempt_id]);
      if (!groupRank.has(group)) groupRank.set(group, groupRank.size);
      rankOf[index] = groupRank.get(group) as number;
      const key = JSON.stringify([span.rollout_id, span.attempt_id, span.span_id]);
      if (seen.has(key)) continue;
      seen.add(key);
      const chain = chains.get(span.rollout_id);
      if (chain) chain.push(index);
      else chains.set(span.rollout_id, [index]);
    }
    const stored: (Span | null)[] = new Array(spans.length).fill(null);
    const queue = [...chains.values()];
    let failure: { error: unknown } | undefined;
    const worker = async (): Promise<void> => {
      for (let chain = queue.shift(); chain !== undefined && !failure; chain = queue.shift()) {
        for (const index of chain) {
          if (failure) return;
          try {
            stored[index] = await this.addSpan(spans[index] as Span);
          } catch (error) {
            failure ??= { error };
            return;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.spanConcurrency, queue.length) }, worker));
    if (failure) throw failure.error;
    const order = spans.map((_, index) => index);
    order.sort((a, b) => (rankOf[a] as number) - (rankOf[b] as number) || a - b);
    return order.map((index) => stored[index]).filter((span): span is Span => span != null);
  }

  async getNextSpanSequenceId(rolloutId: string, attemptId: string): Promise<number> {
    const response = await this.call(NextSequenceIdResponseSchema, {
      method: "POST",
      path: "/spans/next",
      body: { rollout_id: rolloutId, attempt_id: attemptId },
    });
    return response.sequence_id;
  }

  /** One `POST /spans/next` per pair, in order (numbers are handed out in list order). */
  async getManySpanSequenceIds(
    pairs: ReadonlyArray<readonly [rolloutId: string, attemptId: string]>,
  ): Promise<number[]> {
    const ids: number[] = [];
    for (const [rolloutId, attemptId] of pairs)
      ids.push(await this.getNextSpanSequenceId(rolloutId, attemptId));
    return ids;
  }

  async querySpans(options: QuerySpansOptions): Promise<PaginatedResult<Span>> {
    const page = await this.call(SpanPageSchema, {
      method: "POST",
      path: "/spans/search",
      body: querySpansBody(options),
    });
    return pageFor(page, options.limit);
  }

  // ---- waits ----

  /**
   * The server does the waiting. The request may stay open for `timeout` seconds, so its own
   * limit is `timeout + requestTimeout`; with `timeout` null (or absent) it has no limit at all.
   * Aborting `signal` ends the wait early with what is finished by then (one more, non-blocking
   * request); {@link close} ends it with `cancelled`.
   */
  async waitForRollouts(
    rolloutIds: string[],
    options: { timeout?: number | null; signal?: AbortSignal } = {},
  ): Promise<Rollout[]> {
    const signal = options.signal;
    if (signal?.aborted) return this.waitRequest(rolloutIds, 0);
    try {
      return await this.waitRequest(rolloutIds, options.timeout ?? null, signal);
    } catch (error) {
      const cancelled = AglError.isInstance(error) && error.code === "cancelled";
      if (cancelled && signal?.aborted && !this.transport.closed) return this.waitRequest(rolloutIds, 0);
      throw error;
    }
  }

  private async waitRequest(
    rolloutIds: string[],
    timeout: number | null,
    signal?: AbortSignal,
  ): Promise<Rollout[]> {
    const wireTimeout = timeout !== null && Number.isFinite(timeout) ? timeout : null;
    const requestTimeout =
      wireTimeout === null || this.requestTimeout === null
        ? null
        : Math.max(wireTimeout, 0) + this.requestTimeout;
    return this.call(RolloutListSchema, {
      method: "POST",
      path: "/waits/rollouts",
      body: { rollout_ids: rolloutIds, timeout: wireTimeout },
      timeout: requestTimeout,
      signal,
    });
  }

  // ---- resources ----

  async addResources(resources: NamedResourcesInput): Promise<ResourcesUpdate> {
    return this.call(ResourcesUpdateSchema, { method: "POST", path: "/resources", body: resources });
  }

  async updateResources(resourcesId: string, resources: NamedResourcesInput): Promise<ResourcesUpdate> {
    return this.call(ResourcesUpdateSchema, {
      method: "POST",
      path: `/resources/${seg(resourcesId, "resources_id")}`,
      body: resources,
    });
  }

  async getResourcesById(resourcesId: string): Promise<ResourcesUpdate | null> {
    if (resourcesId === "") return null;
    return this.getOrNull(ResourcesUpdateSchema, `/resources/${seg(resourcesId, "resources_id")}`);
  }

  async getLatestResources(): Promise<ResourcesUpdate | null> {
    return this.getOrNull(ResourcesUpdateSchema, "/resources/latest");
  }

  async queryResources(options: QueryResourcesOptions = {}): Promise<PaginatedResult<ResourcesUpdate>> {
    const page = await this.call(ResourcesPageSchema, {
      method: "GET",
      path: "/resources",
      query: queryResourcesParams(options),
    });
    return pageFor(page, options.limit);
  }

  // ---- workers ----

  async updateWorker(workerId: string, options: { heartbeatStats?: JsonObject } = {}): Promise<Worker> {
    const stats = options.heartbeatStats;
    return this.call(WorkerSchema, {
      method: "POST",
      path: `/workers/${seg(workerId, "worker_id")}`,
      ...("heartbeatStats" in options && stats !== undefined ? { body: { heartbeat_stats: stats } } : {}),
    });
  }

  async getWorkerById(workerId: string): Promise<Worker | null> {
    // No worker is ever named "" (a worker sync skips empty ids), and it could not be addressed.
    if (workerId === "") return null;
    return this.getOrNull(WorkerSchema, `/workers/${seg(workerId, "worker_id")}`);
  }

  async queryWorkers(options: QueryWorkersOptions = {}): Promise<PaginatedResult<Worker>> {
    const page = await this.call(WorkerPageSchema, {
      method: "POST",
      path: "/workers/search",
      body: queryWorkersBody(options),
    });
    return pageFor(page, options.limit);
  }

  // ---- insights (our extension endpoints, docs/store-contract.md Appendix E14–E16) ----

  /**
   * Per-rollout aggregates over the latest attempt (`POST /v1/agl/ext/rollouts/summaries`). A
   * server without the extensions (the Python store) answers 404: `not_found`.
   */
  async summarizeRollouts(rolloutIds: readonly string[]): Promise<RolloutSummary[]> {
    const ids = resolveSummaryIds(rolloutIds);
    if (ids.length === 0) return [];
    const answer = await this.call(RolloutSummariesResponseSchema, {
      method: "POST",
      path: "/ext/rollouts/summaries",
      body: { rollout_ids: ids },
    });
    return answer.items;
  }

  /** Spans of every rollout, newest first (`GET /v1/agl/ext/spans`). */
  async searchSpans(options: SpanSearchOptions = {}): Promise<PaginatedResult<Span>> {
    const search = resolveSpanSearch(options);
    const query = new URLSearchParams();
    const put = (key: string, value: string | number | null) => {
      if (value !== null) query.set(key, String(value));
    };
    put("name", search.name);
    put("name_contains", search.nameContains);
    put("attribute_key", search.attributeKey);
    put("attribute_value", search.attributeValue);
    put("status_code", search.statusCode);
    put("rollout_id", search.rolloutId);
    put("since", search.since);
    put("until", search.until);
    put("limit", search.limit);
    put("offset", search.offset);
    return this.call(SpanSearchPageSchema, { method: "GET", path: "/ext/spans", query });
  }

  /** Final rewards of finished rollouts, oldest first (`GET /v1/agl/ext/rewards`). */
  async queryRewards(options: RewardQueryOptions = {}): Promise<RewardPoint[]> {
    const resolved = resolveRewardQuery(options);
    const query = new URLSearchParams({ limit: String(resolved.limit) });
    if (resolved.mode !== null) query.set("mode", resolved.mode);
    if (resolved.since !== null) query.set("since", String(resolved.since));
    const answer = await this.call(RewardPointsResponseSchema, {
      method: "GET",
      path: "/ext/rewards",
      query,
    });
    return answer.items;
  }

  // ---- misc ----

  async statistics(): Promise<StoreStatistics> {
    return this.call(StoreStatisticsSchema, { method: "GET", path: "/statistics" });
  }

  /** Aborts every request in flight (they fail with `cancelled`); later calls fail the same way. Idempotent. */
  async close(): Promise<void> {
    this.transport.close();
    this.ownFetch.close();
  }
}
