import {
  AglError,
  type Attempt,
  type AttemptedRollout,
  type JsonObject,
  type NamedResourcesInput,
  type PaginatedResult,
  type ResourcesUpdate,
  type RewardPoint,
  type Rollout,
  type RolloutOrAttempted,
  type RolloutSummary,
  type Span,
  type StoreStatistics,
  type Worker,
} from "@agentlightning/types";
import { claimLeaseOf } from "../core/health-scan.js";
import { ADD_SPANS_ALLOCATING, type SpanAllocatingStore } from "../core/span-allocation.js";
import { resolveRewardQuery, resolveSpanSearch, resolveSummaryIds } from "../core/span-insights.js";
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
  StoreSettings,
} from "../store.js";
import { dequeueRollouts, startAttempt } from "./dequeue.js";
import {
  createPgliteDriver,
  createPostgresDriver,
  currentSchema,
  type PgliteDriverOptions,
  type PostgresDriverOptions,
  type StoreDriver,
} from "./driver.js";
import { enqueueRollouts, startRollout } from "./enqueue.js";
import { queryRewards, searchSpans, summarizeRollouts } from "./insights.js";
import { migrateStore } from "./migrate.js";
import { toAglError } from "./pg-errors.js";
import {
  countRows,
  getLatestAttempt,
  getRolloutById,
  queryAttempts,
  queryRollouts,
  querySpans,
} from "./queries.js";
import {
  addResources,
  getLatestResources,
  getResourcesById,
  queryResources,
  updateResources,
} from "./resources.js";
import {
  addManySpans,
  addSpan,
  addSpansAllocating,
  getManySpanSequenceIds,
  getNextSpanSequenceId,
} from "./spans.js";
import { StoreRuntime } from "./store-runtime.js";
import { updateAttempt } from "./update-attempt.js";
import { updateRollout } from "./update-rollout.js";
import { CompletionWaits } from "./waits.js";
import { Watchdog } from "./watchdog.js";
import { getWorkerById, queryWorkers, updateWorker } from "./workers.js";

// The facade: opening and closing, and one line per operation into the file that holds it
// (enqueue.ts, dequeue.ts, update-attempt.ts, update-rollout.ts, spans.ts, queries.ts,
// resources.ts, workers.ts, watchdog.ts, waits.ts), each with its SQL.

export { SCAN_LOCK_CLASS } from "./watchdog.js";

/** Options every way of opening a {@link PostgresLightningStore} takes. */
export interface PostgresStoreOptions extends StoreSettings {
  /** Apply the committed migrations when the store opens (default true). */
  migrate?: boolean;
  /** Folder of the migrations; default: the `drizzle/` folder shipped with the package. */
  migrationsFolder?: string;
}

/** Options of {@link PostgresLightningStore.connect}: a real server through postgres.js. */
export interface PostgresConnectOptions extends PostgresStoreOptions, PostgresDriverOptions {}

/** Options of {@link PostgresLightningStore.pglite}: embedded PGlite, in memory or in `dataDir`. */
export interface PgliteStoreOptions extends PostgresStoreOptions, Omit<PgliteDriverOptions, "pglite"> {}

/** Options of {@link PostgresLightningStore.fromDriver}. */
export interface FromDriverOptions extends PostgresStoreOptions {
  /** Close the driver when the store closes (default true). */
  ownsDriver?: boolean;
}

/**
 * The LightningStore on PostgreSQL, through Drizzle: on a real server (postgres.js) that any number
 * of store processes share, or embedded (PGlite) in memory or in a data folder. Every operation is
 * one transaction; dequeues claim rows with `FOR UPDATE SKIP LOCKED`; waits wake on LISTEN/NOTIFY;
 * the watchdog scan runs under an advisory lock so one process applies its verdicts at a time.
 *
 * @example
 * ```ts
 * import { PostgresLightningStore } from "@agentlightning/store/postgres";
 *
 * const store = await PostgresLightningStore.connect({ url: "postgres://postgres@127.0.0.1:5432/agl" });
 * // or, embedded and persistent: await PostgresLightningStore.pglite({ dataDir: ".agl-data" });
 * const rollout = await store.enqueueRollout({ input: { task: "2 + 2" } });
 * const claimed = await store.dequeueRollout({ workerId: "w1" });
 * await store.updateAttempt(rollout.rollout_id, "latest", { status: "succeeded" });
 * await store.close();
 * ```
 */
export class PostgresLightningStore implements LightningStore, LightningStoreInsights, SpanAllocatingStore {
  /** Informational capability flags. */
  readonly capabilities: StoreCapabilities = {
    thread_safe: true,
    async_safe: true,
    zero_copy: false,
    otlp_traces: false,
  };

  private readonly rt: StoreRuntime;
  private readonly waits: CompletionWaits;
  private readonly startedAt = performance.now();
  private closing: Promise<void> | null = null;

  private constructor(
    /** The driver the store runs on. */
    readonly driver: StoreDriver,
    /** The Postgres schema holding the store's tables. */
    readonly schema: string,
    settings: StoreSettings,
    private readonly ownsDriver: boolean,
  ) {
    this.rt = new StoreRuntime(driver, schema, settings);
    const watchdog = new Watchdog(this.rt, settings.scanDebounceSeconds ?? 10, claimLeaseOf(settings));
    this.rt.scan = () => watchdog.scan();
    this.waits = new CompletionWaits(this.rt);
  }

  /**
   * Opens a store on a PostgreSQL server (postgres.js pool, default 10 connections), applying the
   * migrations first. `schema` isolates stores sharing a database.
   *
   * @example
   * ```ts
   * const store = await PostgresLightningStore.connect({ url: process.env.DATABASE_URL!, scanDebounceSeconds: 10 });
   * ```
   */
  static async connect(options: PostgresConnectOptions): Promise<PostgresLightningStore> {
    const driver = await createPostgresDriver(options);
    return PostgresLightningStore.fromDriver(driver, { ...options, ownsDriver: true });
  }

  /**
   * Opens a store on embedded PGlite: in memory without `dataDir`, else persistent in that folder
   * (one open store per folder and process).
   *
   * @example
   * ```ts
   * const store = await PostgresLightningStore.pglite({ dataDir: ".agl-data" });
   * ```
   */
  static async pglite(options: PgliteStoreOptions = {}): Promise<PostgresLightningStore> {
    const driver = await createPgliteDriver(options);
    return PostgresLightningStore.fromDriver(driver, { ...options, ownsDriver: true });
  }

  /** Opens a store on an existing driver (see `createPostgresDriver`, `createPgliteDriver`). */
  static async fromDriver(
    driver: StoreDriver,
    options: FromDriverOptions = {},
  ): Promise<PostgresLightningStore> {
    const ownsDriver = options.ownsDriver ?? true;
    try {
      claimLeaseOf(options);
      const schema = driver.schema ?? (await currentSchema(driver));
      if (options.migrate ?? true) {
        await migrateStore(driver, {
          schema,
          ...(options.migrationsFolder === undefined ? {} : { migrationsFolder: options.migrationsFolder }),
        });
      }
      return new PostgresLightningStore(driver, schema, options, ownsDriver);
    } catch (error) {
      if (ownsDriver) await driver.close().catch(() => {});
      throw AglError.isInstance(error) ? error : toAglError(error);
    }
  }

  // ---- rollouts and the queue -----------------------------------------------------------------

  /** Registers a rollout and its first attempt, bypassing the queue. */
  startRollout(options: StartRolloutOptions): Promise<AttemptedRollout> {
    return startRollout(this.rt, options);
  }

  /** Appends one rollout to the queue. */
  async enqueueRollout(options: EnqueueRolloutOptions): Promise<Rollout> {
    const [rollout] = await enqueueRollouts(this.rt, [options], true);
    return rollout as Rollout;
  }

  /** Appends rollouts to the queue in order, atomically (all or none). */
  enqueueManyRollouts(options: EnqueueRolloutOptions[]): Promise<Rollout[]> {
    return enqueueRollouts(this.rt, options, false);
  }

  /** Claims the head of the queue (never blocks); null when the queue is empty. */
  async dequeueRollout(options: { workerId?: string | null } = {}): Promise<AttemptedRollout | null> {
    const [claimed] = await dequeueRollouts(this.rt, { limit: 1, workerId: options?.workerId ?? null });
    return claimed ?? null;
  }

  /** Claims up to `limit` rollouts in FIFO order with `FOR UPDATE SKIP LOCKED`; `limit <= 0` returns `[]`. */
  dequeueManyRollouts(options: { limit: number; workerId?: string | null }): Promise<AttemptedRollout[]> {
    return dequeueRollouts(this.rt, options);
  }

  /** Creates a new attempt for a rollout outside the queue (manual retry). */
  startAttempt(rolloutId: string, options: { workerId?: string | null } = {}): Promise<AttemptedRollout> {
    return startAttempt(this.rt, rolloutId, options);
  }

  /** The rollout with its latest attempt, the plain rollout if it has none, or null if unknown. */
  getRolloutById(rolloutId: string): Promise<RolloutOrAttempted | null> {
    return getRolloutById(this.rt, rolloutId);
  }

  /** Filters, sorts and pages rollouts; items carry their latest attempt if any. */
  queryRollouts(options: QueryRolloutsOptions = {}): Promise<PaginatedResult<RolloutOrAttempted>> {
    return queryRollouts(this.rt, options);
  }

  /** A rollout's attempts (empty page for an unknown rollout). */
  queryAttempts(rolloutId: string, options: QueryAttemptsOptions = {}): Promise<PaginatedResult<Attempt>> {
    return queryAttempts(this.rt, rolloutId, options);
  }

  /** The attempt with the highest sequence id, or null. */
  getLatestAttempt(rolloutId: string): Promise<Attempt | null> {
    return getLatestAttempt(this.rt, rolloutId);
  }

  /** Replaces the given fields of a rollout; returns it without `attempt`. */
  updateRollout(rolloutId: string, patch: RolloutPatch): Promise<Rollout> {
    return updateRollout(this.rt, rolloutId, patch);
  }

  /** Replaces the given fields of an attempt (`"latest"` allowed) and re-derives the rollout status. */
  updateAttempt(rolloutId: string, attemptId: string, patch: AttemptPatch): Promise<Attempt> {
    return updateAttempt(this.rt, rolloutId, attemptId, patch);
  }

  // ---- spans ----------------------------------------------------------------------------------

  /** Stores a span (heartbeat included); null when the same span id was already stored for the attempt. */
  addSpan(span: Span): Promise<Span | null> {
    return addSpan(this.rt, span);
  }

  /** Stores spans all or nothing (docs/store-contract.md Appendix B14); duplicates skipped; returns what was stored. */
  addManySpans(spans: Span[]): Promise<Span[]> {
    return addManySpans(this.rt, spans);
  }

  /** {@link SpanAllocatingStore}: spans and their missing sequence ids in one statement (OTLP). */
  [ADD_SPANS_ALLOCATING](spans: Span[], allocate: readonly boolean[]): Promise<Span[]> {
    return addSpansAllocating(this.rt, spans, allocate);
  }

  /** Next number of the rollout's span counter (no existence check). */
  getNextSpanSequenceId(rolloutId: string, attemptId: string): Promise<number> {
    return getNextSpanSequenceId(this.rt, rolloutId, attemptId);
  }

  /** Bulk allocation, in list order, per rollout. */
  getManySpanSequenceIds(
    pairs: ReadonlyArray<readonly [rolloutId: string, attemptId: string]>,
  ): Promise<number[]> {
    return getManySpanSequenceIds(this.rt, pairs);
  }

  /** Filters, sorts and pages a rollout's spans (default order: `sequence_id`). */
  querySpans(options: QuerySpansOptions): Promise<PaginatedResult<Span>> {
    return querySpans(this.rt, options);
  }

  // ---- insights (dashboard aggregates, docs/store-contract.md Appendix E14–E16) ---------------

  /** Aggregates over each rollout's latest attempt, in request order; unknown ids left out. */
  async summarizeRollouts(rolloutIds: readonly string[]): Promise<RolloutSummary[]> {
    return summarizeRollouts(this.rt, resolveSummaryIds(rolloutIds));
  }

  /** Spans of every rollout matching every condition, newest first. */
  async searchSpans(options: SpanSearchOptions = {}): Promise<PaginatedResult<Span>> {
    return searchSpans(this.rt, resolveSpanSearch(options));
  }

  /** Final rewards of finished rollouts, oldest first. */
  async queryRewards(options: RewardQueryOptions = {}): Promise<RewardPoint[]> {
    return queryRewards(this.rt, resolveRewardQuery(options));
  }

  // ---- waits ----------------------------------------------------------------------------------

  /**
   * Waits until every existing requested rollout is finished or `timeout` seconds pass (null = no
   * limit, <= 0 = no wait); returns the finished ones in request order. Woken by commits in this
   * process and by NOTIFY from others; resolves on `close()` and when `signal` aborts.
   */
  waitForRollouts(
    rolloutIds: string[],
    options: { timeout?: number | null; signal?: AbortSignal } = {},
  ): Promise<Rollout[]> {
    return this.waits.waitForRollouts(rolloutIds, options);
  }

  // ---- resources ------------------------------------------------------------------------------

  /** Stores a new resources snapshot (`rs-` id) and makes it the latest. */
  addResources(resources: NamedResourcesInput): Promise<ResourcesUpdate> {
    return addResources(this.rt, resources);
  }

  /** Replaces (or creates, Quirk B9) the snapshot with this id and makes it the latest. */
  updateResources(resourcesId: string, resources: NamedResourcesInput): Promise<ResourcesUpdate> {
    return updateResources(this.rt, resourcesId, resources);
  }

  /** The snapshot with this id, or null. */
  getResourcesById(resourcesId: string): Promise<ResourcesUpdate | null> {
    return getResourcesById(this.rt, resourcesId);
  }

  /** The snapshot most recently added or updated, or null. */
  getLatestResources(): Promise<ResourcesUpdate | null> {
    return getLatestResources(this.rt);
  }

  /** Filters (always AND), sorts and pages resources snapshots; default order: creation. */
  queryResources(options: QueryResourcesOptions = {}): Promise<PaginatedResult<ResourcesUpdate>> {
    return queryResources(this.rt, options);
  }

  // ---- workers --------------------------------------------------------------------------------

  /** Worker heartbeat: upserts the worker, stamps `last_heartbeat_time`, replaces stats if given. */
  updateWorker(workerId: string, options: { heartbeatStats?: JsonObject } = {}): Promise<Worker> {
    return updateWorker(this.rt, workerId, options);
  }

  /** The worker, or null. */
  getWorkerById(workerId: string): Promise<Worker | null> {
    return getWorkerById(this.rt, workerId);
  }

  /** Filters, sorts and pages workers; default order: creation. */
  queryWorkers(options: QueryWorkersOptions = {}): Promise<PaginatedResult<Worker>> {
    return queryWorkers(this.rt, options);
  }

  // ---- statistics and lifecycle ---------------------------------------------------------------

  /** Current counts (exact `count(*)`) and uptime. */
  async statistics(): Promise<StoreStatistics> {
    const counts = await countRows(this.rt);
    return { name: "PostgresLightningStore", ...counts, uptime: (performance.now() - this.startedAt) / 1000 };
  }

  /**
   * Releases the LISTEN subscription and (when owned) the connections. Pending waits return what
   * is finished at that moment; later calls fail with `unavailable`. Idempotent.
   */
  close(): Promise<void> {
    if (this.closing === null) this.closing = this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.rt.closed = true;
    await this.waits.close();
    if (this.ownsDriver) await this.driver.close();
  }
}
