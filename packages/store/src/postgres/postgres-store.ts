import { createHash } from "node:crypto";
import {
  AglError,
  type Attempt,
  type AttemptedRollout,
  generateResourcesId,
  generateRolloutId,
  isFinishedStatus,
  JsonObjectSchema,
  type NamedResourcesInput,
  nowSeconds,
  type PaginatedResult,
  parseOrThrow,
  type ResourcesUpdate,
  type Rollout,
  type RolloutOrAttempted,
  RolloutStatusSchema,
  type Span,
  type StoreStatistics,
  type Worker,
  WorkerStatusSchema,
} from "@agentlightning/types";
import { type SQL, sql } from "drizzle-orm";
import * as z from "zod";
import { optionalList, optionalString, requireInteger, requireString } from "../core/arguments.js";
import { healthVerdict, ScanDebouncer } from "../core/health-scan.js";
import {
  normalizeAttemptPatch,
  normalizeEnqueue,
  normalizeResources,
  normalizeRolloutPatch,
  normalizeSpan,
} from "../core/normalize.js";
import { ATTEMPT_SORT, RESOURCES_SORT, ROLLOUT_SORT, SPAN_SORT, WORKER_SORT } from "../core/sort-fields.js";
import { attemptNotFound, noAttempts, rolloutNotFound } from "../core/store-errors.js";
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
import {
  createPgliteDriver,
  createPostgresDriver,
  currentSchema,
  type PgliteDriverOptions,
  type PostgresDriverOptions,
  type SqlExecutor,
  type StoreDriver,
} from "./driver.js";
import { migrateStore } from "./migrate.js";
import {
  ATTEMPT_COLUMNS,
  attemptFromRow,
  LATEST_ATTEMPT_COLUMNS,
  LATEST_ATTEMPT_JOIN,
  RESOURCES_COLUMNS,
  ROLLOUT_COLUMNS,
  ROLLOUT_STATE_COLUMNS,
  type Row,
  resourcesFromRow,
  rolloutFromRow,
  rolloutOfState,
  rolloutStateFromRow,
  rolloutWithLatestFromRow,
  WORKER_COLUMNS,
  workerFromRow,
} from "./rows.js";
import {
  combineSql,
  containsSql,
  exactSql,
  filterLogicOf,
  jsonb,
  jsonCopy,
  orderBySql,
  pagedQuery,
  pageOf,
  type SqlPool,
  textArray,
  toJson,
  withinSql,
} from "./sql-query.js";
import {
  addSpanStatement,
  dequeueStatement,
  enqueueStatement,
  UNIQUE_VIOLATION,
  type UpdateAttemptResult,
  updateAttemptStatement,
} from "./statements.js";
import {
  createAttempts,
  IdCollision,
  latestResourcesId,
  lockRollout,
  newAttempt,
  syncWorker,
  type TxContext,
  writeRollout,
} from "./transitions.js";
import { RolloutWaiters } from "./waiters.js";

/** Advisory-lock class of the health scan (first key of `pg_try_advisory_xact_lock(int, int)`). */
export const SCAN_LOCK_CLASS = 0x41474c02;

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

const RUNNING_SQL = sql.raw("('preparing', 'running')");
const RETRYABLE_CODES = new Set(["40P01", "40001"]);
// Values Postgres cannot store: NUL in text/jsonb, lone surrogates, over-long index keys.
const BAD_INPUT_CODES = new Set(["22P05", "22021", "22025", "54000", "22003"]);
const MAX_TX_RETRIES = 8;
const SAFETY_POLL_MS = 1000;
/** How long the store keeps listening for completions after its last pending wait ended. */
const LISTEN_IDLE_MS = 10_000;
const POLL_START_MS = 10;
const POLL_MAX_MS = 50;

function pgErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== null && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function innermostMessage(error: unknown): string {
  let current: unknown = error;
  let message = error instanceof Error ? error.message : String(error);
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    message = current.message;
    current = current.cause;
  }
  return message;
}

function toAglError(error: unknown): unknown {
  if (AglError.isInstance(error)) return error;
  const code = pgErrorCode(error);
  const message = innermostMessage(error);
  if (code !== undefined && BAD_INPUT_CODES.has(code)) {
    return new AglError("invalid_argument", `Postgres cannot store this value: ${message}`, { cause: error });
  }
  // Socket errors (ECONNREFUSED...), postgres.js connection states, SQLSTATE 08 and 57P (shutdown).
  if (code !== undefined && /^(E[A-Z]|CONNECT|08|57P)/.test(code)) {
    return new AglError("unavailable", `Database unavailable: ${message}`, { cause: error });
  }
  return new AglError("internal", `Database error: ${message}`, { cause: error });
}

function notifyChannel(schema: string): string {
  const plain = `agl_finished_${schema}`;
  if (/^[a-z0-9_]+$/.test(schema) && plain.length <= 63) return plain;
  return `agl_finished_${createHash("sha1").update(schema).digest("hex").slice(0, 24)}`;
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
export class PostgresLightningStore implements LightningStore {
  /** Informational capability flags. */
  readonly capabilities: StoreCapabilities = {
    thread_safe: true,
    async_safe: true,
    zero_copy: false,
    otlp_traces: false,
  };

  private readonly now: () => number;
  private readonly debouncer: ScanDebouncer;
  private readonly waiters = new RolloutWaiters();
  private readonly pendingWaits = new Set<Promise<unknown>>();
  private readonly startedAt = performance.now();
  private readonly channel: string;
  private unlisten: (() => Promise<void>) | null = null;
  private listenStart: Promise<boolean> | null = null;
  private idleUnlisten: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private closing: Promise<void> | null = null;

  private constructor(
    /** The driver the store runs on. */
    readonly driver: StoreDriver,
    /** The Postgres schema holding the store's tables. */
    readonly schema: string,
    settings: StoreSettings,
    private readonly ownsDriver: boolean,
  ) {
    this.now = settings.now ?? nowSeconds;
    this.debouncer = new ScanDebouncer(settings.scanDebounceSeconds ?? 10);
    this.channel = notifyChannel(schema);
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

  /**
   * LISTENs on the completion channel, where every store process NOTIFYs the rollouts it finishes.
   * Only while this process has waits pending (and {@link LISTEN_IDLE_MS} after the last one): a
   * process that never waits is not woken by every completion of every other process. Resolves
   * to false when the driver cannot LISTEN (waits then poll).
   */
  private ensureListening(): Promise<boolean> {
    if (this.idleUnlisten !== null) {
      clearTimeout(this.idleUnlisten);
      this.idleUnlisten = null;
    }
    if (this.unlisten !== null) return Promise.resolve(true);
    if (this.listenStart === null) {
      const start = this.driver
        .listen(this.channel, (payload) => this.waiters.wake([payload]))
        .then(
          async (unlisten) => {
            if (this.closed) {
              await unlisten().catch(() => {});
              return false;
            }
            this.unlisten = unlisten;
            this.releaseListening();
            return true;
          },
          () => false,
        );
      this.listenStart = start;
      void start.finally(() => {
        if (this.listenStart === start) this.listenStart = null;
      });
    }
    return this.listenStart;
  }

  /** Stops listening once no wait has been pending for {@link LISTEN_IDLE_MS}. */
  private releaseListening(): void {
    if (this.pendingWaits.size > 0 || this.unlisten === null || this.idleUnlisten !== null) return;
    const timer = setTimeout(() => {
      this.idleUnlisten = null;
      const unlisten = this.unlisten;
      if (this.pendingWaits.size > 0 || unlisten === null) return;
      this.unlisten = null;
      void unlisten().catch(() => {});
    }, LISTEN_IDLE_MS);
    timer.unref?.();
    this.idleUnlisten = timer;
  }

  // ---- plumbing -------------------------------------------------------------------------------

  private ensureOpen(): void {
    if (this.closed) throw new AglError("unavailable", "PostgresLightningStore is closed");
  }

  /**
   * Runs `fn` in a transaction, retried on deadlock/serialization failures and id collisions.
   * Rollouts the transaction finished were NOTIFYed inside it; local waits are woken after commit.
   * `oneStatement`: `fn` runs a single statement, atomic on its own (no BEGIN/COMMIT);
   * `uniqueIsCollision`: a unique violation can only be a generated id colliding (retried).
   */
  private async transact<T>(
    fn: (ctx: TxContext) => Promise<T>,
    {
      now = this.now(),
      oneStatement = false,
      uniqueIsCollision = false,
    }: { now?: number; oneStatement?: boolean; uniqueIsCollision?: boolean } = {},
  ): Promise<T> {
    this.ensureOpen();
    for (let attempt = 0; ; attempt++) {
      const finished = new Set<string>();
      try {
        // A single statement is atomic on its own: no BEGIN/COMMIT round trips.
        const result = oneStatement
          ? await fn({ tx: this.driver, now, channel: this.channel, finished })
          : await this.driver.transaction((tx) => fn({ tx, now, channel: this.channel, finished }));
        if (finished.size > 0) this.waiters.wake(finished);
        return result;
      } catch (error) {
        const code = pgErrorCode(error) ?? "";
        const retry =
          error instanceof IdCollision ||
          RETRYABLE_CODES.has(code) ||
          (uniqueIsCollision && code === UNIQUE_VIOLATION);
        if (retry && attempt < MAX_TX_RETRIES) continue;
        throw toAglError(error);
      }
    }
  }

  /** Records in `ctx` that an attempt update finished its rollout (local waits wake after commit). */
  private noteFinished(ctx: TxContext, rolloutId: string, result: UpdateAttemptResult): void {
    if (result.rolloutStatus !== null && isFinishedStatus(result.rolloutStatus)) ctx.finished.add(rolloutId);
  }

  /** Runs one statement outside a transaction. */
  private async read(query: SQL): Promise<Row[]> {
    this.ensureOpen();
    try {
      return await this.driver.rows(query);
    } catch (error) {
      throw toAglError(error);
    }
  }

  private get db(): SqlExecutor {
    return { rows: async <T extends object>(query: SQL) => (await this.read(query)) as T[] };
  }

  /**
   * The watchdog (spec §2.15), debounced per process. A lock-free query finds candidates; only
   * when there are some does a transaction take the scan's advisory lock (skipping if another
   * process holds it), lock the rollouts, re-check each with `healthVerdict` and apply verdicts.
   */
  private async scan(): Promise<void> {
    this.ensureOpen();
    const now = this.now();
    if (!this.debouncer.shouldScan(now)) return;
    const candidates = await this.read(sql`
      SELECT r.rollout_id FROM rollouts r
      JOIN attempts a ON a.rollout_id = r.rollout_id AND a.attempt_id = r.latest_attempt_id
      WHERE r.status IN ${RUNNING_SQL} AND (
        (r.config->>'timeout_seconds' IS NOT NULL
          AND ${now}::float8 - a.start_time > (r.config->>'timeout_seconds')::float8)
        OR (r.config->>'unresponsive_seconds' IS NOT NULL
          AND ${now}::float8 - COALESCE(NULLIF(a.last_heartbeat_time, 0), a.start_time) > (r.config->>'unresponsive_seconds')::float8)
      )
      ORDER BY r.rollout_id`);
    if (candidates.length === 0) return;
    const ids = candidates.map((row) => row.rollout_id as string);
    await this.transact(
      async (ctx) => {
        const [lock] = await ctx.tx.rows<{ ok: boolean }>(
          sql`SELECT pg_try_advisory_xact_lock(${SCAN_LOCK_CLASS}::int, hashtext(${this.schema}::text)) AS ok`,
        );
        if (!lock?.ok) return;
        const rollouts = (
          await ctx.tx.rows(sql`
          SELECT ${ROLLOUT_STATE_COLUMNS} FROM rollouts r
          WHERE r.rollout_id = ANY(${textArray(ids)}) AND r.status IN ${RUNNING_SQL}
          ORDER BY r.rollout_id FOR UPDATE`)
        ).map(rolloutStateFromRow);
        if (rollouts.length === 0) return;
        const latest = new Map<string, Attempt>();
        const rows = await ctx.tx.rows(sql`
        SELECT ${ATTEMPT_COLUMNS} FROM rollouts r
        JOIN attempts a ON a.rollout_id = r.rollout_id AND a.attempt_id = r.latest_attempt_id
        WHERE r.rollout_id = ANY(${textArray(rollouts.map((r) => r.rollout_id))})`);
        for (const row of rows) latest.set(row.rollout_id as string, attemptFromRow(row));
        for (const rollout of rollouts) {
          const attempt = latest.get(rollout.rollout_id);
          if (attempt === undefined) continue;
          const verdict = healthVerdict(rollout.config, attempt, ctx.now);
          if (verdict === null) continue;
          const result = await updateAttemptStatement(
            ctx.tx,
            rollout.rollout_id,
            attempt.attempt_id,
            { status: verdict },
            ctx.now,
            ctx.channel,
          );
          this.noteFinished(ctx, rollout.rollout_id, result);
        }
      },
      { now },
    );
  }

  // ---- rollouts and the queue -----------------------------------------------------------------

  /** Registers a rollout and its first attempt, bypassing the queue. */
  async startRollout(options: StartRolloutOptions): Promise<AttemptedRollout> {
    const request = normalizeEnqueue(options, "rollout");
    const workerId = optionalString(options.workerId, "workerId");
    await this.scan();
    return this.transact(async (ctx) => {
      const resourcesId = request.resources_id ?? (await latestResourcesId(ctx.tx));
      const rolloutId = generateRolloutId();
      const attempt = newAttempt({ rollout_id: rolloutId, attempt_count: 0 }, workerId, ctx.now);
      const json = toJson(
        { input: request.input, config: request.config, metadata: request.metadata },
        "rollout",
      );
      const [row] = await ctx.tx.rows<{ n: number }>(sql`
        WITH p AS (SELECT ${jsonb(json)} AS j),
        ro AS (
          INSERT INTO rollouts (rollout_id, input, start_time, mode, resources_id, status, config, metadata, attempt_count, latest_attempt_id)
          SELECT ${rolloutId}::text, j->'input', ${ctx.now}::float8, ${request.mode}::text, ${resourcesId}::text, 'preparing',
            j->'config', j->'metadata', 1, ${attempt.attempt_id}::text
          FROM p
          ON CONFLICT (rollout_id) DO NOTHING
          RETURNING rollout_id
        ),
        at AS (
          INSERT INTO attempts (rollout_id, attempt_id, sequence_id, start_time, status, worker_id)
          SELECT rollout_id, ${attempt.attempt_id}::text, 1, ${ctx.now}::float8, 'preparing', ${workerId}::text FROM ro
          RETURNING attempt_id
        )
        SELECT (SELECT count(*) FROM at)::int AS n`);
      if (Number(row?.n) !== 1) throw new IdCollision();
      await syncWorker(ctx, attempt, false);
      const copy = JSON.parse(json) as {
        input?: unknown;
        config: Rollout["config"];
        metadata: Rollout["metadata"];
      };
      return {
        rollout_id: rolloutId,
        input: copy.input ?? null,
        start_time: ctx.now,
        end_time: null,
        mode: request.mode,
        resources_id: resourcesId,
        status: "preparing",
        config: copy.config,
        metadata: copy.metadata,
        attempt,
      };
    });
  }

  /** Appends one rollout to the queue. */
  async enqueueRollout(options: EnqueueRolloutOptions): Promise<Rollout> {
    const [rollout] = await this.enqueueInternal([normalizeEnqueue(options, "rollout")]);
    return rollout as Rollout;
  }

  /** Appends rollouts to the queue in order, atomically (all or none). */
  async enqueueManyRollouts(options: EnqueueRolloutOptions[]): Promise<Rollout[]> {
    if (!Array.isArray(options)) throw new AglError("invalid_argument", "rollouts must be an array");
    const requests = options.map((o, i) => normalizeEnqueue(o, `rollouts.${i}`));
    if (requests.length === 0) return [];
    return this.enqueueInternal(requests);
  }

  private async enqueueInternal(requests: ReturnType<typeof normalizeEnqueue>[]): Promise<Rollout[]> {
    await this.scan();
    // One statement: the latest snapshot id is looked up in it (once) for requests without one.
    // The queue positions follow the request order (ORDER BY ord feeds nextval in that order).
    return this.transact(
      async (ctx) => {
        const items = requests.map((r, i) => ({
          ord: i + 1,
          rollout_id: generateRolloutId(),
          input: r.input,
          mode: r.mode,
          resources_id: r.resources_id,
          config: r.config,
          metadata: r.metadata,
        }));
        const json = toJson(items, "rollouts");
        const { latest, inserted } = await enqueueStatement(ctx.tx, json, ctx.now);
        if (inserted !== items.length) throw new IdCollision();
        const copies = JSON.parse(json) as Array<(typeof items)[number]>;
        return copies.map(({ ord: _ord, ...c }) => ({
          rollout_id: c.rollout_id,
          input: c.input ?? null,
          start_time: ctx.now,
          end_time: null,
          mode: c.mode,
          resources_id: c.resources_id ?? latest,
          status: "queuing" as const,
          config: c.config,
          metadata: c.metadata,
        }));
      },
      { oneStatement: true, uniqueIsCollision: true },
    );
  }

  /** Claims the head of the queue (never blocks); null when the queue is empty. */
  async dequeueRollout(options: { workerId?: string | null } = {}): Promise<AttemptedRollout | null> {
    const [claimed] = await this.dequeueManyRollouts({ limit: 1, workerId: options?.workerId ?? null });
    return claimed ?? null;
  }

  /**
   * Claims up to `limit` rollouts in FIFO order; `limit <= 0` returns `[]` untouched. Rows are
   * claimed with `FOR UPDATE SKIP LOCKED`, so concurrent dequeuers (in any process) never get the
   * same entry; entries whose rollout is no longer queuing-like are discarded (spec §2.3 step 2).
   */
  async dequeueManyRollouts(options: {
    limit: number;
    workerId?: string | null;
  }): Promise<AttemptedRollout[]> {
    const limit = requireInteger(options?.limit, "limit");
    // An empty worker id is treated as absent (spec Appendix E2).
    const workerId = optionalString(options.workerId, "workerId") || null;
    if (limit <= 0) return [];
    await this.scan();
    // One statement (`agl_dequeue`); a limit beyond int4 cannot claim more than int4 rollouts anyway.
    const bounded = Math.min(limit, 2 ** 31 - 1);
    return this.transact((ctx) => dequeueStatement(ctx.tx, bounded, workerId, ctx.now), {
      oneStatement: true,
      uniqueIsCollision: true,
    });
  }

  /** Creates a new attempt for a rollout outside the queue (manual retry). */
  async startAttempt(
    rolloutId: string,
    options: { workerId?: string | null } = {},
  ): Promise<AttemptedRollout> {
    requireString(rolloutId, "rolloutId");
    const workerId = optionalString(options?.workerId, "workerId");
    await this.scan();
    return this.transact(async (ctx) => {
      const rollout = await lockRollout(ctx.tx, rolloutId);
      if (rollout === null) throw rolloutNotFound(rolloutId);
      const attempt = newAttempt(rollout, workerId, ctx.now);
      await createAttempts(ctx, [attempt]);
      await syncWorker(ctx, attempt, false);
      return { ...rolloutOfState(rollout), status: "preparing", attempt };
    });
  }

  /** The rollout with its latest attempt, the plain rollout if it has none, or null if unknown. */
  async getRolloutById(rolloutId: string): Promise<RolloutOrAttempted | null> {
    requireString(rolloutId, "rolloutId");
    await this.scan();
    const [row] = await this.read(
      sql`SELECT ${ROLLOUT_COLUMNS}, ${LATEST_ATTEMPT_COLUMNS} FROM rollouts r ${LATEST_ATTEMPT_JOIN} WHERE r.rollout_id = ${rolloutId}::text`,
    );
    return row === undefined ? null : rolloutWithLatestFromRow(row);
  }

  /** Filters, sorts and pages rollouts; items carry their latest attempt if any. */
  async queryRollouts(options: QueryRolloutsOptions = {}): Promise<PaginatedResult<RolloutOrAttempted>> {
    const page = pageOf(options, ROLLOUT_SORT, null);
    const statusIn = parseOrThrow(
      z.array(RolloutStatusSchema).nullable().optional(),
      options.statusIn,
      "statusIn",
    );
    const idIn = optionalList(options.rolloutIdIn, z.string(), "rolloutIdIn");
    const contains = optionalString(options.rolloutIdContains, "rolloutIdContains");
    const logic = filterLogicOf(options.filterLogic);
    await this.scan();
    const pool: SqlPool = [];
    withinSql(pool, sql`r.status`, statusIn);
    withinSql(pool, sql`r.rollout_id`, idIn);
    containsSql(pool, sql`r.rollout_id`, contains);
    return pagedQuery(
      this.db,
      {
        select: sql`${ROLLOUT_COLUMNS}, ${LATEST_ATTEMPT_COLUMNS}`,
        from: sql`rollouts r ${LATEST_ATTEMPT_JOIN}`,
        countFrom: sql`rollouts r`,
        where: combineSql(pool, logic),
        order: orderBySql(page, ROLLOUT_SORT, "r", ["rollout_id", "start_time", "status"]),
        page,
      },
      rolloutWithLatestFromRow,
    );
  }

  /** A rollout's attempts (empty page for an unknown rollout). */
  async queryAttempts(
    rolloutId: string,
    options: QueryAttemptsOptions = {},
  ): Promise<PaginatedResult<Attempt>> {
    requireString(rolloutId, "rolloutId");
    const page = pageOf(options, ATTEMPT_SORT, "sequence_id");
    await this.scan();
    return pagedQuery(
      this.db,
      {
        select: ATTEMPT_COLUMNS,
        from: sql`attempts a`,
        countFrom: sql`attempts a`,
        where: sql`a.rollout_id = ${rolloutId}::text`,
        order: orderBySql(page, ATTEMPT_SORT, "a", [
          "rollout_id",
          "attempt_id",
          "sequence_id",
          "start_time",
          "status",
        ]),
        page,
      },
      (row) => attemptFromRow(row),
    );
  }

  /** The attempt with the highest sequence id, or null. */
  async getLatestAttempt(rolloutId: string): Promise<Attempt | null> {
    requireString(rolloutId, "rolloutId");
    await this.scan();
    const [row] = await this.read(sql`
      SELECT ${ATTEMPT_COLUMNS} FROM rollouts r
      JOIN attempts a ON a.rollout_id = r.rollout_id AND a.attempt_id = r.latest_attempt_id
      WHERE r.rollout_id = ${rolloutId}::text`);
    return row === undefined ? null : attemptFromRow(row);
  }

  /** Replaces the given fields of a rollout; returns it without `attempt`. */
  async updateRollout(rolloutId: string, patch: RolloutPatch): Promise<Rollout> {
    requireString(rolloutId, "rolloutId");
    const normalized = normalizeRolloutPatch(patch ?? {});
    await this.scan();
    return this.transact(async (ctx) => {
      const rollout = await lockRollout(ctx.tx, rolloutId);
      if (rollout === null) throw rolloutNotFound(rolloutId);
      return rolloutOfState(await writeRollout(ctx, rolloutId, normalized));
    });
  }

  /** Replaces the given fields of an attempt (`"latest"` allowed) and re-derives the rollout status. */
  async updateAttempt(rolloutId: string, attemptId: string, patch: AttemptPatch): Promise<Attempt> {
    requireString(rolloutId, "rolloutId");
    requireString(attemptId, "attemptId");
    const normalized = normalizeAttemptPatch(patch ?? {});
    const target = attemptId === "latest" ? null : attemptId;
    await this.scan();
    const result = await this.transact(
      async (ctx) => {
        const result = await updateAttemptStatement(
          ctx.tx,
          rolloutId,
          target,
          normalized,
          ctx.now,
          ctx.channel,
        );
        this.noteFinished(ctx, rolloutId, result);
        return result;
      },
      { oneStatement: true },
    );
    switch (result.outcome) {
      case "no_rollout":
        throw rolloutNotFound(rolloutId);
      case "no_attempts":
        throw noAttempts(rolloutId);
      case "no_attempt":
        throw attemptNotFound(rolloutId, attemptId);
      default:
        return result.attempt as Attempt;
    }
  }

  // ---- spans ----------------------------------------------------------------------------------

  /** Stores a span (heartbeat included); null when the same span id was already stored for the attempt. */
  async addSpan(span: Span): Promise<Span | null> {
    const [stored] = await this.addSpansInternal([normalizeSpan(span)]);
    return stored ?? null;
  }

  /**
   * Stores spans grouped by attempt; duplicates (stored or within the batch) are skipped, first
   * wins; returns what was stored. All or nothing: every group is checked before anything is
   * written (a deliberate deviation from upstream's per-group commits, spec Appendix B14).
   */
  async addManySpans(spans: Span[]): Promise<Span[]> {
    if (!Array.isArray(spans)) throw new AglError("invalid_argument", "spans must be an array");
    const normalized = spans.map((s, i) => normalizeSpan(s, `spans.${i}`));
    if (normalized.length === 0) return [];
    return this.addSpansInternal(normalized);
  }

  private async addSpansInternal(spans: Span[]): Promise<Span[]> {
    if (spans.length === 1) return this.addOneSpan(spans[0] as Span);
    // Groups by attempt in order of first appearance, stored (and returned) group after group as
    // upstream does; duplicates inside the batch are dropped (first one wins).
    const groups = new Map<string, { rollout_id: string; attempt_id: string; spans: Span[] }>();
    const maxByRollout = new Map<string, number>();
    const seen = new Set<string>();
    for (const span of spans) {
      const groupKey = JSON.stringify([span.rollout_id, span.attempt_id]);
      let group = groups.get(groupKey);
      if (group === undefined) {
        group = { rollout_id: span.rollout_id, attempt_id: span.attempt_id, spans: [] };
        groups.set(groupKey, group);
      }
      maxByRollout.set(span.rollout_id, Math.max(maxByRollout.get(span.rollout_id) ?? 0, span.sequence_id));
      const key = JSON.stringify([span.rollout_id, span.attempt_id, span.span_id]);
      if (seen.has(key)) continue;
      seen.add(key);
      group.spans.push(span);
    }
    const unique = [...groups.values()].flatMap((g) => g.spans);
    const rolloutIds = [...maxByRollout.keys()].sort();
    const groupList = [...groups.values()].map((g) => [g.rollout_id, g.attempt_id]);
    const counters = rolloutIds.map((id) => [id, maxByRollout.get(id) ?? 0]);
    const json = toJson(unique, "spans");
    // The columns travel separately: extracting nine fields from each json payload would re-parse
    // it nine times, while json_to_recordset reads this small array in one pass.
    const columns = JSON.stringify(
      unique.map((span, i) => ({
        ord: i + 1,
        rollout_id: span.rollout_id,
        attempt_id: span.attempt_id,
        span_id: span.span_id,
        sequence_id: span.sequence_id,
        trace_id: span.trace_id,
        parent_id: span.parent_id,
        name: span.name,
        start_time: span.start_time,
        end_time: span.end_time,
      })),
    );
    const now = this.now();
    // One statement (so one implicit transaction and one round trip): lock the rollouts in id
    // order, check every group, and only if all exist raise the counters, insert the spans and
    // apply one heartbeat per attempt that got a span (spec §2.9). `rolloutIds` is sorted, so the
    // rows are locked in id order as everywhere in the store. The batch arrives as `json`
    // (parsing jsonb costs ~4x more) and is stored as json: spans are never queried inside.
    const rows = await this.transact(
      (ctx) =>
        ctx.tx.rows(sql`
      WITH payloads AS (
        SELECT x, ord FROM json_array_elements(${json}::text::json) WITH ORDINALITY AS t(x, ord)
      ),
      input AS (
        SELECT c.*, p.x FROM json_to_recordset(${columns}::text::json) AS c(
          ord bigint, rollout_id text, attempt_id text, span_id text, sequence_id bigint, trace_id text,
          parent_id text, name text, start_time float8, end_time float8
        ) JOIN payloads p ON p.ord = c.ord
      ),
      groups AS (
        SELECT g->>0 AS rollout_id, g->>1 AS attempt_id, ord
        FROM json_array_elements(${JSON.stringify(groupList)}::text::json) WITH ORDINALITY AS t(g, ord)
      ),
      locked AS (
        SELECT l.rollout_id FROM unnest(${textArray(rolloutIds)}) AS ids(id)
        CROSS JOIN LATERAL (SELECT r.rollout_id FROM rollouts r WHERE r.rollout_id = ids.id FOR UPDATE) l
      ),
      checked AS (
        SELECT g.ord, g.rollout_id, g.attempt_id, l.rollout_id IS NOT NULL AS has_rollout, f.found IS NOT NULL AS has_attempt
        FROM groups g
        LEFT JOIN locked l ON l.rollout_id = g.rollout_id
        LEFT JOIN LATERAL (
          SELECT TRUE AS found FROM attempts a WHERE a.rollout_id = g.rollout_id AND a.attempt_id = g.attempt_id
        ) f ON TRUE
      ),
      ok AS (SELECT bool_and(has_rollout AND has_attempt) AS ok FROM checked),
      bump AS (
        INSERT INTO span_counters (rollout_id, counter)
        SELECT c->>0, (c->>1)::bigint FROM json_array_elements(${JSON.stringify(counters)}::text::json) AS t(c)
        WHERE (SELECT ok FROM ok)
        ON CONFLICT (rollout_id) DO UPDATE SET counter = GREATEST(span_counters.counter, EXCLUDED.counter)
        RETURNING 1
      ),
      ins AS (
        INSERT INTO spans (rollout_id, attempt_id, span_id, sequence_id, trace_id, parent_id, name, start_time, end_time, payload)
        SELECT rollout_id, attempt_id, span_id, sequence_id, trace_id, parent_id, name, start_time, end_time, x
        FROM input WHERE (SELECT ok FROM ok) ORDER BY ord
        ON CONFLICT (rollout_id, attempt_id, span_id) DO NOTHING
        RETURNING rollout_id, attempt_id, span_id
      ),
      touched AS (SELECT DISTINCT rollout_id, attempt_id FROM ins),
      beat AS (
        UPDATE attempts a
        SET last_heartbeat_time = ${now}::float8,
          status = CASE WHEN a.status IN ('preparing', 'unresponsive') THEN 'running' ELSE a.status END
        FROM touched t WHERE a.rollout_id = t.rollout_id AND a.attempt_id = t.attempt_id
        RETURNING 1
      ),
      promote AS (
        UPDATE rollouts r SET status = 'running'
        FROM touched t
        WHERE r.rollout_id = t.rollout_id AND r.latest_attempt_id = t.attempt_id
          AND r.status IN ('preparing', 'requeuing')
        RETURNING 1
      )
      SELECT FALSE AS stored, c.ord, c.rollout_id, c.attempt_id, NULL::text AS span_id, c.has_rollout
      FROM checked c WHERE NOT (c.has_rollout AND c.has_attempt)
      UNION ALL
      SELECT TRUE, NULL, i.rollout_id, i.attempt_id, i.span_id, NULL FROM ins i`),
      { now, oneStatement: true },
    );
    const missing = rows
      .filter((row) => row.stored === false)
      .sort((a, b) => Number(a.ord) - Number(b.ord))[0];
    if (missing !== undefined) {
      const rolloutId = missing.rollout_id as string;
      throw missing.has_rollout
        ? attemptNotFound(rolloutId, missing.attempt_id as string)
        : rolloutNotFound(rolloutId);
    }
    const stored = new Set(rows.map((row) => JSON.stringify([row.rollout_id, row.attempt_id, row.span_id])));
    const copies = JSON.parse(json) as Span[];
    return copies.filter((span) =>
      stored.has(JSON.stringify([span.rollout_id, span.attempt_id, span.span_id])),
    );
  }

  /** One span, through a lighter statement than a batch needs. */
  private async addOneSpan(span: Span): Promise<Span[]> {
    const json = toJson(span, "spans");
    const now = this.now();
    const result = await this.transact((ctx) => addSpanStatement(ctx.tx, span, json, ctx.now), {
      now,
      oneStatement: true,
    });
    if (!result.hasRollout) throw rolloutNotFound(span.rollout_id);
    if (!result.hasAttempt) throw attemptNotFound(span.rollout_id, span.attempt_id);
    return result.stored ? [JSON.parse(json) as Span] : [];
  }

  /** Next number of the rollout's span counter (no existence check). */
  async getNextSpanSequenceId(rolloutId: string, attemptId: string): Promise<number> {
    requireString(rolloutId, "rolloutId");
    requireString(attemptId, "attemptId");
    const [row] = await this.read(sql`
      INSERT INTO span_counters (rollout_id, counter) VALUES (${rolloutId}::text, 1)
      ON CONFLICT (rollout_id) DO UPDATE SET counter = span_counters.counter + 1
      RETURNING counter`);
    return Number(row?.counter);
  }

  /** Bulk allocation, in list order, per rollout. */
  async getManySpanSequenceIds(
    pairs: ReadonlyArray<readonly [rolloutId: string, attemptId: string]>,
  ): Promise<number[]> {
    if (!Array.isArray(pairs)) throw new AglError("invalid_argument", "pairs must be an array");
    const counts = new Map<string, number>();
    for (const [i, pair] of pairs.entries()) {
      if (!Array.isArray(pair) || typeof pair[0] !== "string" || typeof pair[1] !== "string") {
        throw new AglError("invalid_argument", `pairs.${i} must be [rolloutId, attemptId]`);
      }
      counts.set(pair[0], (counts.get(pair[0]) ?? 0) + 1);
    }
    if (pairs.length === 0) return [];
    const sorted = [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const rows = await this.read(sql`
      INSERT INTO span_counters (rollout_id, counter)
      SELECT c->>0, (c->>1)::bigint FROM jsonb_array_elements(${jsonb(JSON.stringify(sorted))}) WITH ORDINALITY AS t(c, ord)
      ORDER BY ord
      ON CONFLICT (rollout_id) DO UPDATE SET counter = span_counters.counter + EXCLUDED.counter
      RETURNING rollout_id, counter`);
    // Each rollout got a block of numbers ending at its new counter; hand them out in list order.
    const next = new Map<string, number>();
    for (const row of rows) {
      const id = row.rollout_id as string;
      next.set(id, Number(row.counter) - (counts.get(id) ?? 0) + 1);
    }
    return pairs.map(([rolloutId]) => {
      const value = next.get(rolloutId) as number;
      next.set(rolloutId, value + 1);
      return value;
    });
  }

  /** Filters, sorts and pages a rollout's spans (default order: `sequence_id`). */
  async querySpans(options: QuerySpansOptions): Promise<PaginatedResult<Span>> {
    if (options === null || typeof options !== "object")
      throw new AglError("invalid_argument", "rolloutId is required");
    const rolloutId = requireString(options.rolloutId, "rolloutId");
    const page = pageOf(options, SPAN_SORT, "sequence_id");
    const logic = filterLogicOf(options.filterLogic);
    const filters = {
      traceId: optionalString(options.traceId, "traceId"),
      traceIdContains: optionalString(options.traceIdContains, "traceIdContains"),
      spanId: optionalString(options.spanId, "spanId"),
      spanIdContains: optionalString(options.spanIdContains, "spanIdContains"),
      parentId: optionalString(options.parentId, "parentId"),
      parentIdContains: optionalString(options.parentIdContains, "parentIdContains"),
      name: optionalString(options.name, "name"),
      nameContains: optionalString(options.nameContains, "nameContains"),
    };
    let attemptId = optionalString(options.attemptId, "attemptId");
    await this.scan();
    if (attemptId === "latest") {
      const [row] = await this.read(
        sql`SELECT latest_attempt_id FROM rollouts WHERE rollout_id = ${rolloutId}::text`,
      );
      attemptId = (row?.latest_attempt_id as string | null | undefined) ?? null;
      if (attemptId === null) return { items: [], limit: page.limit, offset: page.offset, total: 0 };
    }
    const pool: SqlPool = [];
    exactSql(pool, sql`s.trace_id`, filters.traceId);
    containsSql(pool, sql`s.trace_id`, filters.traceIdContains);
    exactSql(pool, sql`s.span_id`, filters.spanId);
    containsSql(pool, sql`s.span_id`, filters.spanIdContains);
    exactSql(pool, sql`s.parent_id`, filters.parentId);
    containsSql(pool, sql`s.parent_id`, filters.parentIdContains);
    exactSql(pool, sql`s.name`, filters.name);
    containsSql(pool, sql`s.name`, filters.nameContains);
    const scope =
      attemptId === null
        ? sql`s.rollout_id = ${rolloutId}::text`
        : sql`s.rollout_id = ${rolloutId}::text AND s.attempt_id = ${attemptId}::text`;
    return pagedQuery(
      this.db,
      {
        select: sql`s.payload`,
        from: sql`spans s`,
        countFrom: sql`spans s`,
        // The scope always applies; `or` cannot escape it (and an empty `or` pool matches nothing, Quirk B3).
        where: sql`${scope} AND ${combineSql(pool, logic)}`,
        order: orderBySql(page, SPAN_SORT, "s", [
          "rollout_id",
          "attempt_id",
          "span_id",
          "sequence_id",
          "trace_id",
          "name",
        ]),
        page,
      },
      (row) => row.payload as Span,
    );
  }

  // ---- waits ----------------------------------------------------------------------------------

  /**
   * Waits until every existing requested rollout is finished or `timeout` seconds pass (null = no
   * limit, <= 0 = no wait); returns the finished ones in request order. Woken by this process's
   * commits and by NOTIFY from other processes (the store LISTENs while waits are pending); a slow
   * safety poll covers a dropped LISTEN connection (polling with backoff when the driver has no
   * LISTEN). Resolves on `close()` and when `signal` aborts, with what is finished by then.
   */
  async waitForRollouts(
    rolloutIds: string[],
    options: { timeout?: number | null; signal?: AbortSignal } = {},
  ): Promise<Rollout[]> {
    const ids = parseOrThrow(z.array(z.string()), rolloutIds, "rollout_ids");
    const timeout = parseOrThrow(z.number().nullable().optional(), options?.timeout, "timeout") ?? null;
    await this.scan();
    if (ids.length === 0) return [];
    const wait = this.waitLoop(ids, timeout, options?.signal);
    this.pendingWaits.add(wait);
    try {
      return await wait;
    } finally {
      this.pendingWaits.delete(wait);
      this.releaseListening();
    }
  }

  private async waitLoop(ids: string[], timeout: number | null, signal?: AbortSignal): Promise<Rollout[]> {
    const deadline = timeout === null ? Number.POSITIVE_INFINITY : performance.now() + timeout * 1000;
    const waiter = this.waiters.register(ids);
    const onAbort = () => waiter.wake();
    signal?.addEventListener("abort", onAbort, { once: true });
    let pollMs = POLL_START_MS;
    let listening: boolean | null = null;
    try {
      for (;;) {
        const rows = await this.driver.rows(
          sql`SELECT ${ROLLOUT_COLUMNS} FROM rollouts r WHERE r.rollout_id = ANY(${textArray(ids)})`,
        );
        const byId = new Map(rows.map((row) => [row.rollout_id as string, rolloutFromRow(row)]));
        const finished = ids.flatMap((id) => {
          const rollout = byId.get(id);
          return rollout !== undefined && isFinishedStatus(rollout.status)
            ? [jsonCopy(rollout, "rollout")]
            : [];
        });
        const allDone = [...byId.values()].every((r) => isFinishedStatus(r.status));
        const remaining = deadline - performance.now();
        if (allDone || remaining <= 0 || this.closed || signal?.aborted) return finished;
        if (listening === null) {
          // About to wait: LISTEN first, then read again, so that a completion in another process
          // is either seen by that read or NOTIFYed to this one.
          listening = await this.ensureListening();
          continue;
        }
        const interval = listening ? SAFETY_POLL_MS : pollMs;
        pollMs = Math.min(POLL_MAX_MS, Math.ceil(pollMs * 1.5));
        await waiter.next(Math.min(remaining, interval));
      }
    } catch (error) {
      throw toAglError(error);
    } finally {
      signal?.removeEventListener("abort", onAbort);
      waiter.dispose();
    }
  }

  // ---- resources ------------------------------------------------------------------------------

  /** Stores a new resources snapshot (`rs-` id) and makes it the latest. */
  async addResources(resources: NamedResourcesInput): Promise<ResourcesUpdate> {
    const normalized = normalizeResources(resources);
    const json = toJson(normalized, "resources");
    return this.transact(
      async (ctx) => {
        const [row] = await ctx.tx.rows(sql`
        INSERT INTO resources AS s (resources_id, create_time, update_time, version, resources, touch_seq)
        VALUES (${generateResourcesId()}::text, ${ctx.now}::float8, ${ctx.now}::float8, 1, ${jsonb(json)}, nextval('agl_resources_touch_seq'))
        ON CONFLICT (resources_id) DO NOTHING
        RETURNING ${RESOURCES_COLUMNS}`);
        if (row === undefined) throw new IdCollision();
        return resourcesFromRow(row);
      },
      { oneStatement: true },
    );
  }

  /** Replaces (or creates, Quirk B9) the snapshot with this id and makes it the latest. */
  async updateResources(resourcesId: string, resources: NamedResourcesInput): Promise<ResourcesUpdate> {
    requireString(resourcesId, "resourcesId");
    const normalized = normalizeResources(resources);
    const json = toJson(normalized, "resources");
    await this.scan();
    return this.transact(
      async (ctx) => {
        const [row] = await ctx.tx.rows(sql`
        INSERT INTO resources AS s (resources_id, create_time, update_time, version, resources, touch_seq)
        VALUES (${resourcesId}::text, ${ctx.now}::float8, ${ctx.now}::float8, 1, ${jsonb(json)}, nextval('agl_resources_touch_seq'))
        ON CONFLICT (resources_id) DO UPDATE SET resources = EXCLUDED.resources, update_time = EXCLUDED.update_time,
          version = s.version + 1, touch_seq = EXCLUDED.touch_seq
        RETURNING ${RESOURCES_COLUMNS}`);
        if (row === undefined) throw new AglError("internal", `Resources ${resourcesId} could not be stored`);
        return resourcesFromRow(row);
      },
      { oneStatement: true },
    );
  }

  /** The snapshot with this id, or null. */
  async getResourcesById(resourcesId: string): Promise<ResourcesUpdate | null> {
    requireString(resourcesId, "resourcesId");
    const [row] = await this.read(
      sql`SELECT ${RESOURCES_COLUMNS} FROM resources s WHERE s.resources_id = ${resourcesId}::text`,
    );
    return row === undefined ? null : resourcesFromRow(row);
  }

  /** The snapshot most recently added or updated, or null. */
  async getLatestResources(): Promise<ResourcesUpdate | null> {
    const [row] = await this.read(
      sql`SELECT ${RESOURCES_COLUMNS} FROM resources s ORDER BY s.touch_seq DESC LIMIT 1`,
    );
    return row === undefined ? null : resourcesFromRow(row);
  }

  /** Filters (always AND), sorts and pages resources snapshots; default order: creation. */
  async queryResources(options: QueryResourcesOptions = {}): Promise<PaginatedResult<ResourcesUpdate>> {
    const page = pageOf(options, RESOURCES_SORT, null);
    const pool: SqlPool = [];
    exactSql(pool, sql`s.resources_id`, optionalString(options.resourcesId, "resourcesId"));
    containsSql(
      pool,
      sql`s.resources_id`,
      optionalString(options.resourcesIdContains, "resourcesIdContains"),
    );
    return pagedQuery(
      this.db,
      {
        select: RESOURCES_COLUMNS,
        from: sql`resources s`,
        countFrom: sql`resources s`,
        where: combineSql(pool, "and"),
        order: orderBySql(page, RESOURCES_SORT, "s", [
          "resources_id",
          "create_time",
          "update_time",
          "version",
        ]),
        page,
      },
      resourcesFromRow,
    );
  }

  // ---- workers --------------------------------------------------------------------------------

  /** Worker heartbeat: upserts the worker, stamps `last_heartbeat_time`, replaces stats if given. */
  async updateWorker(
    workerId: string,
    options: { heartbeatStats?: Record<string, unknown> } = {},
  ): Promise<Worker> {
    requireString(workerId, "workerId");
    const hasStats = options !== null && typeof options === "object" && "heartbeatStats" in options;
    const stats = options?.heartbeatStats;
    if (hasStats && stats === null) {
      throw new AglError("invalid_argument", "heartbeat_stats is invalid; it cannot be a null value.");
    }
    const statsJson =
      stats === undefined
        ? null
        : toJson(parseOrThrow(JsonObjectSchema, stats, "heartbeat_stats"), "heartbeat_stats");
    return this.transact(
      async (ctx) => {
        const [row] = await ctx.tx.rows(sql`
        INSERT INTO workers AS w (worker_id, status, last_heartbeat_time, heartbeat_stats)
        VALUES (${workerId}::text, 'unknown', ${ctx.now}::float8, ${statsJson === null ? sql`NULL` : jsonb(statsJson)})
        ON CONFLICT (worker_id) DO UPDATE SET last_heartbeat_time = EXCLUDED.last_heartbeat_time
          ${statsJson === null ? sql`` : sql`, heartbeat_stats = EXCLUDED.heartbeat_stats`}
        RETURNING ${WORKER_COLUMNS}`);
        if (row === undefined) throw new AglError("internal", `Worker ${workerId} could not be stored`);
        return workerFromRow(row);
      },
      { oneStatement: true },
    );
  }

  /** The worker, or null. */
  async getWorkerById(workerId: string): Promise<Worker | null> {
    requireString(workerId, "workerId");
    const [row] = await this.read(
      sql`SELECT ${WORKER_COLUMNS} FROM workers w WHERE w.worker_id = ${workerId}::text`,
    );
    return row === undefined ? null : workerFromRow(row);
  }

  /** Filters, sorts and pages workers; default order: creation. */
  async queryWorkers(options: QueryWorkersOptions = {}): Promise<PaginatedResult<Worker>> {
    const page = pageOf(options, WORKER_SORT, null);
    const statusIn = parseOrThrow(
      z.array(WorkerStatusSchema).nullable().optional(),
      options.statusIn,
      "statusIn",
    );
    const contains = optionalString(options.workerIdContains, "workerIdContains");
    const logic = filterLogicOf(options.filterLogic);
    await this.scan();
    const pool: SqlPool = [];
    withinSql(pool, sql`w.status`, statusIn);
    containsSql(pool, sql`w.worker_id`, contains);
    return pagedQuery(
      this.db,
      {
        select: WORKER_COLUMNS,
        from: sql`workers w`,
        countFrom: sql`workers w`,
        where: combineSql(pool, logic),
        order: orderBySql(page, WORKER_SORT, "w", ["worker_id", "status"]),
        page,
      },
      workerFromRow,
    );
  }

  // ---- statistics and lifecycle ---------------------------------------------------------------

  /** Current counts (exact `count(*)`) and uptime. */
  async statistics(): Promise<StoreStatistics> {
    const [row] = await this.read(sql`
      SELECT (SELECT count(*) FROM rollouts)::int AS total_rollouts,
        (SELECT count(*) FROM attempts)::int AS total_attempts,
        (SELECT count(*) FROM spans)::int AS total_spans,
        (SELECT count(*) FROM resources)::int AS total_resources,
        (SELECT count(*) FROM workers)::int AS total_workers`);
    return {
      name: "PostgresLightningStore",
      total_rollouts: Number(row?.total_rollouts ?? 0),
      total_attempts: Number(row?.total_attempts ?? 0),
      total_spans: Number(row?.total_spans ?? 0),
      total_resources: Number(row?.total_resources ?? 0),
      total_workers: Number(row?.total_workers ?? 0),
      uptime: (performance.now() - this.startedAt) / 1000,
    };
  }

  /**
   * Releases the LISTEN subscription and (when owned) the connections. Pending waits return what
   * is finished at that moment; later calls fail with `unavailable`. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closing === null) this.closing = this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.closed = true;
    this.waiters.wakeAll();
    await Promise.allSettled([...this.pendingWaits]);
    if (this.idleUnlisten !== null) clearTimeout(this.idleUnlisten);
    this.idleUnlisten = null;
    // A LISTEN still starting sees `closed` and undoes itself.
    await this.listenStart;
    const unlisten = this.unlisten;
    this.unlisten = null;
    if (unlisten !== null) await unlisten().catch(() => {});
    if (this.ownsDriver) await this.driver.close();
  }
}
