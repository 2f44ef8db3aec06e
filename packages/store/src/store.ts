import type {
  Attempt,
  AttemptedRollout,
  AttemptStatus,
  FilterLogic,
  JsonObject,
  NamedResourcesInput,
  PaginatedResult,
  ResourcesUpdate,
  Rollout,
  RolloutConfig,
  RolloutMode,
  RolloutOrAttempted,
  RolloutStatus,
  SortOrder,
  Span,
  StoreStatistics,
  Worker,
  WorkerStatus,
} from "@agentlightning/types";

/** A rollout config as a caller may write it: missing keys take their defaults. */
export type RolloutConfigInput = Partial<RolloutConfig>;

/** What to run and how: one element of an enqueue. */
export interface EnqueueRolloutOptions {
  /** The task payload, stored and echoed verbatim (null allowed). */
  input: unknown;
  mode?: RolloutMode | null;
  /** Resources to run with; null/absent = the latest snapshot at enqueue time. Not validated. */
  resourcesId?: string | null;
  /** Replaces the default config as a whole. */
  config?: RolloutConfigInput | null;
  /** null/absent = `{}`. */
  metadata?: JsonObject | null;
}

/** Options of {@link LightningStore.startRollout}: an enqueue plus the worker that runs it now. */
export interface StartRolloutOptions extends EnqueueRolloutOptions {
  workerId?: string | null;
}

/** Shared paging and ordering options of every query. */
export interface PageOptions<SortField extends string = string> {
  /** A declared field of the item type; null/absent = the default order. */
  sortBy?: SortField | null;
  sortOrder?: SortOrder;
  /** -1 (default) = no limit; 0 = no items but still report `total`. */
  limit?: number;
  offset?: number;
}

/** Query of rollouts. Absent/null conditions do not take part; `statusIn: []` matches nothing. */
export interface QueryRolloutsOptions extends PageOptions {
  statusIn?: RolloutStatus[] | null;
  rolloutIdIn?: string[] | null;
  rolloutIdContains?: string | null;
  filterLogic?: FilterLogic;
}

/** Query of a rollout's attempts (default order: `sequence_id`). */
export type QueryAttemptsOptions = PageOptions;

/** Query of workers. */
export interface QueryWorkersOptions extends PageOptions {
  statusIn?: WorkerStatus[] | null;
  workerIdContains?: string | null;
  filterLogic?: FilterLogic;
}

/** Query of resources snapshots (conditions always AND). */
export interface QueryResourcesOptions extends PageOptions {
  resourcesId?: string | null;
  resourcesIdContains?: string | null;
}

/**
 * Query of one rollout's spans. `attemptId` may be `"latest"`. The optional conditions combine
 * with `filterLogic`; the rollout/attempt scope always applies.
 */
export interface QuerySpansOptions extends PageOptions {
  rolloutId: string;
  attemptId?: string | null;
  traceId?: string | null;
  traceIdContains?: string | null;
  spanId?: string | null;
  spanIdContains?: string | null;
  parentId?: string | null;
  parentIdContains?: string | null;
  name?: string | null;
  nameContains?: string | null;
  filterLogic?: FilterLogic;
}

/**
 * Fields of a rollout to replace. A key that is absent is left unchanged; a key present with null
 * stores null (`status` and `config` refuse null).
 */
export interface RolloutPatch {
  input?: unknown;
  mode?: RolloutMode | null;
  resources_id?: string | null;
  status?: RolloutStatus;
  config?: RolloutConfigInput;
  metadata?: JsonObject | null;
}

/** Fields of an attempt to replace. Absent keys are left unchanged; none may be null. */
export interface AttemptPatch {
  status?: AttemptStatus;
  worker_id?: string;
  last_heartbeat_time?: number;
  metadata?: JsonObject;
}

/** What a store can do (informational; mirrors the Python `capabilities`). */
export interface StoreCapabilities {
  thread_safe: boolean;
  async_safe: boolean;
  zero_copy: boolean;
  otlp_traces: boolean;
}

/**
 * The LightningStore: the task queue, the trace store and the resource registry that algorithms
 * and runners share. Every operation is atomic with respect to every other. Errors are
 * `AglError`s: `not_found` for unknown rollouts/attempts, `invalid_argument` for bad input (and
 * then nothing changes). Semantics: `docs/store-contract.md` §2–3.
 */
export interface LightningStore {
  /** Informational capability flags. */
  readonly capabilities: StoreCapabilities;

  /** Registers a rollout and its first attempt, bypassing the queue. */
  startRollout(options: StartRolloutOptions): Promise<AttemptedRollout>;
  /** Appends one rollout to the queue. */
  enqueueRollout(options: EnqueueRolloutOptions): Promise<Rollout>;
  /** Appends rollouts to the queue in order, atomically (all or none). */
  enqueueManyRollouts(options: EnqueueRolloutOptions[]): Promise<Rollout[]>;
  /** Claims the head of the queue (never blocks); null when the queue is empty. */
  dequeueRollout(options?: { workerId?: string | null }): Promise<AttemptedRollout | null>;
  /** Claims up to `limit` rollouts in FIFO order; `limit <= 0` returns `[]` untouched. */
  dequeueManyRollouts(options: { limit: number; workerId?: string | null }): Promise<AttemptedRollout[]>;
  /** Creates a new attempt for a rollout outside the queue (manual retry). */
  startAttempt(rolloutId: string, options?: { workerId?: string | null }): Promise<AttemptedRollout>;

  /** The rollout with its latest attempt, the plain rollout if it has none, or null if unknown. */
  getRolloutById(rolloutId: string): Promise<RolloutOrAttempted | null>;
  /** Filters, sorts and pages rollouts; items carry their latest attempt if any. */
  queryRollouts(options?: QueryRolloutsOptions): Promise<PaginatedResult<RolloutOrAttempted>>;
  /** A rollout's attempts (empty page for an unknown rollout). */
  queryAttempts(rolloutId: string, options?: QueryAttemptsOptions): Promise<PaginatedResult<Attempt>>;
  /** The attempt with the highest sequence id, or null. */
  getLatestAttempt(rolloutId: string): Promise<Attempt | null>;

  /** Replaces the given fields of a rollout; returns it without `attempt`. */
  updateRollout(rolloutId: string, patch: RolloutPatch): Promise<Rollout>;
  /** Replaces the given fields of an attempt (`"latest"` allowed) and re-derives the rollout status. */
  updateAttempt(rolloutId: string, attemptId: string, patch: AttemptPatch): Promise<Attempt>;

  /** Stores a span (heartbeat included); null when the same span id was already stored for the attempt. */
  addSpan(span: Span): Promise<Span | null>;
  /** Stores spans grouped by attempt; duplicates are skipped; returns what was stored. */
  addManySpans(spans: Span[]): Promise<Span[]>;
  /** Next number of the rollout's span counter (no existence check). */
  getNextSpanSequenceId(rolloutId: string, attemptId: string): Promise<number>;
  /** Bulk allocation, in list order, per rollout. */
  getManySpanSequenceIds(
    pairs: ReadonlyArray<readonly [rolloutId: string, attemptId: string]>,
  ): Promise<number[]>;
  /** Filters, sorts and pages a rollout's spans (default order: `sequence_id`). */
  querySpans(options: QuerySpansOptions): Promise<PaginatedResult<Span>>;

  /**
   * Waits until every existing requested rollout is finished or `timeout` seconds pass (null = no
   * limit, <= 0 = no wait); returns the finished ones in request order. An aborted `signal` ends
   * the wait early with what is finished by then (the HTTP server passes one so that pending waits
   * end when it stops; a store may ignore it).
   */
  waitForRollouts(
    rolloutIds: string[],
    options?: { timeout?: number | null; signal?: AbortSignal },
  ): Promise<Rollout[]>;

  /** Stores a new resources snapshot (`rs-` id) and makes it the latest. */
  addResources(resources: NamedResourcesInput): Promise<ResourcesUpdate>;
  /** Replaces (or creates) the snapshot with this id and makes it the latest. */
  updateResources(resourcesId: string, resources: NamedResourcesInput): Promise<ResourcesUpdate>;
  getResourcesById(resourcesId: string): Promise<ResourcesUpdate | null>;
  getLatestResources(): Promise<ResourcesUpdate | null>;
  queryResources(options?: QueryResourcesOptions): Promise<PaginatedResult<ResourcesUpdate>>;

  /** Worker heartbeat: upserts the worker, stamps `last_heartbeat_time`, replaces stats if given. */
  updateWorker(workerId: string, options?: { heartbeatStats?: JsonObject }): Promise<Worker>;
  getWorkerById(workerId: string): Promise<Worker | null>;
  queryWorkers(options?: QueryWorkersOptions): Promise<PaginatedResult<Worker>>;

  /** Current counts and uptime. */
  statistics(): Promise<StoreStatistics>;
  /** Releases connections and timers; pending waits resolve with what is finished. */
  close(): Promise<void>;
}

/** Settings every store implementation takes. */
export interface StoreSettings {
  /**
   * Minimum seconds between two health scans (timeouts, unresponsive attempts). Default 10;
   * 0 scans before every triggering operation.
   */
  scanDebounceSeconds?: number;
  /**
   * Claim lease in seconds: a `preparing` attempt with no heartbeat (no span yet) this long after it
   * was created is reclaimed by the health scan: marked `unresponsive` and its rollout requeued,
   * whatever its retry budget. Covers a runner that died, or a dequeue response that never
   * arrived. Default 600 (a runner's first span comes far sooner); 0 or null disables it.
   */
  claimLeaseSeconds?: number | null;
  /** Clock in float seconds since the epoch; tests pass a controllable one. Default: wall clock. */
  now?: () => number;
}
