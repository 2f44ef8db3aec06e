import {
  AglError,
  type Attempt,
  type AttemptedRollout,
  generateAttemptId,
  generateResourcesId,
  generateRolloutId,
  isFinishedStatus,
  type JsonObject,
  JsonObjectSchema,
  type NamedResourcesInput,
  nowSeconds,
  type PaginatedResult,
  parseStorable,
  type ResourcesUpdate,
  type RewardPoint,
  type Rollout,
  type RolloutOrAttempted,
  type RolloutStatus,
  RolloutStatusSchema,
  type RolloutSummary,
  type Span,
  type StoreStatistics,
  type Worker,
  WorkerStatusSchema,
} from "@agentlightning/types";
import * as z from "zod";
import {
  optionalList,
  optionalString,
  requireArray,
  requireInteger,
  requireString,
} from "../core/arguments.js";
import { claimLeaseOf, ScanDebouncer } from "../core/health-scan.js";
import {
  attemptUpdateOutcome,
  healthVerdict,
  isClaimable,
  isScanned,
  NEW_ATTEMPT_ROLLOUT_STATUS,
  nextAttempt,
  rolloutStatusEffects,
  spanHeartbeat,
  verdictPatch,
  workerHoldsAttempt,
} from "../core/lifecycle-rules.js";
import {
  type NormalizedEnqueue,
  normalizeAttemptPatch,
  normalizeEnqueue,
  normalizeResources,
  normalizeRolloutPatch,
  normalizeSpan,
} from "../core/normalize.js";
import { type ResolvedPage, resolvePageOptions } from "../core/page-options.js";
import {
  type Condition,
  checkFilterLogic,
  combine,
  contains,
  exact,
  paginate,
  sortItems,
  within,
} from "../core/query-engine.js";
import { checkSequenceRoom } from "../core/sequence-ids.js";
import {
  ATTEMPT_SORT,
  RESOURCES_SORT,
  ROLLOUT_SORT,
  type SortFamily,
  SPAN_SORT,
  WORKER_SORT,
} from "../core/sort-fields.js";
import { ADD_SPANS_ALLOCATING, type SpanAllocatingStore } from "../core/span-allocation.js";
import { resolveRewardQuery, resolveSpanSearch, resolveSummaryIds } from "../core/span-insights.js";
import { attemptNotFound, noAttempts, rolloutNotFound, spansEvicted } from "../core/store-errors.js";
import { markWorkerIdleAfterEmptyDequeue, newWorker, syncWorkerWithAttempt } from "../core/worker-sync.js";
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
import { cloneJson } from "./clone-json.js";
import { CompletionWaiters } from "./completion-waiters.js";
import { copyAttempt, copyAttemptedRollout, copyResources, copyRollout, copyWorker } from "./copies.js";
import { rewardRecords, searchRecords, summarizeRecords } from "./memory-insights.js";
import { RolloutQueue } from "./rollout-queue.js";
import { RolloutSpans, type SpanRef } from "./rollout-spans.js";
import { SpanBudget, type SpanBudgetSettings } from "./span-budget.js";

/**
 * Settings of {@link InMemoryLightningStore}: the common store settings and the span memory budget
 * (`spanMemoryBudgetBytes`, `spanMemorySafeBytes`; docs/store-contract.md §2.16).
 */
export interface InMemoryLightningStoreSettings extends StoreSettings, SpanBudgetSettings {}

/** Everything stored about one rollout. Stored objects are mutated in place and never handed out. */
interface RolloutRecord {
  rollout: Rollout;
  /** Index = `sequence_id - 1`; the last one is the latest attempt. */
  attempts: Attempt[];
  /** In insertion order, packed as UTF-8 JSON; evicted under memory pressure (§2.16). */
  spans: RolloutSpans;
}

/** Span fields a {@link SpanRef} holds, so ordering by them needs no decoding. */
const SPAN_REF_FIELDS: ReadonlySet<string> = new Set<keyof SpanRef>([
  "rollout_id",
  "attempt_id",
  "sequence_id",
  "span_id",
]);

function emptyPage<T>(page: ResolvedPage): PaginatedResult<T> {
  return { items: [], limit: page.limit, offset: page.offset, total: 0 };
}

function fieldOf(item: object, field: string): unknown {
  return (item as Record<string, unknown>)[field];
}

/** Items in the requested order; `view` picks the object whose field is compared. */
function orderItems<T>(
  items: T[],
  page: ResolvedPage,
  family: SortFamily,
  view: (item: T) => object = (item) => item as object,
): T[] {
  if (page.sortBy === null) return items;
  const field = page.sortBy;
  return sortItems(items, field, family.kind(field), page.sortOrder, (item) => fieldOf(view(item), field));
}

function latestOf(record: RolloutRecord): Attempt | undefined {
  return record.attempts[record.attempts.length - 1];
}

function findAttempt(record: RolloutRecord, attemptId: string): Attempt | undefined {
  const latest = latestOf(record);
  if (latest !== undefined && latest.attempt_id === attemptId) return latest;
  return record.attempts.find((attempt) => attempt.attempt_id === attemptId);
}

/** `attempt_id/span_id`: one span's identity within its rollout (attempt ids never contain `/`). */
function spanKey(span: Span): string {
  return `${span.attempt_id}/${span.span_id}`;
}

/**
 * A {@link LightningStore} that keeps everything in process memory: the reference implementation of
 * `docs/store-contract.md` §2–3 and the fastest backend for single-process training.
 *
 * Each operation runs its read-check-write section synchronously, so it is atomic with respect to
 * every other call on the event loop; only `waitForRollouts` suspends. Every value going in or out
 * is copied (spans are packed as UTF-8 JSON and parsed afresh on every read), so callers never share
 * objects with the store. Span memory is bounded by a budget (§2.16; see
 * {@link InMemoryLightningStoreSettings}). Nothing is persisted.
 *
 * @example
 * ```ts
 * const store = new InMemoryLightningStore();
 * const [queued] = await store.enqueueManyRollouts([{ input: { question: "2+2?" } }]);
 * const claimed = await store.dequeueRollout({ workerId: "runner-1" });
 * await store.updateAttempt(claimed!.rollout_id, "latest", { status: "succeeded" });
 * const [done] = await store.waitForRollouts([queued!.rollout_id], { timeout: 1 });
 * console.log(done?.status); // "succeeded"
 * ```
 */
export class InMemoryLightningStore implements LightningStore, LightningStoreInsights, SpanAllocatingStore {
  /** Single event loop only (no worker threads); safe under any number of concurrent async calls. */
  readonly capabilities: StoreCapabilities = {
    thread_safe: false,
    async_safe: true,
    zero_copy: false,
    otlp_traces: false,
  };

  private readonly now: () => number;
  private readonly startedAt: number;
  private readonly debouncer: ScanDebouncer;
  private readonly claimLease: number | null;
  /** Insertion order = creation order (the default order of rollout queries). */
  private readonly rollouts = new Map<string, RolloutRecord>();
  private readonly queue = new RolloutQueue();
  /** Ids of `preparing`/`running` rollouts: all the health scan has to look at. */
  private readonly runningLike = new Set<string>();
  /** Span sequence counter per rollout id, also for ids that name no rollout (§2.9). */
  private readonly sequenceCounters = new Map<string, number>();
  /** Insertion order = order of first creation. */
  private readonly resources = new Map<string, ResourcesUpdate>();
  private latestResourcesId: string | null = null;
  /** Insertion order = order of first mention. */
  private readonly workers = new Map<string, Worker>();
  private readonly waiters = new CompletionWaiters();
  private totalAttempts = 0;
  private totalSpans = 0;
  private readonly spanBudget: SpanBudget;
  private closed = false;

  /**
   * @param settings `scanDebounceSeconds` (default 10; 0 = scan before every triggering call) and
   *   `now` (clock in float seconds, default wall clock; every timestamp the store writes uses it).
   */
  constructor(settings: InMemoryLightningStoreSettings = {}) {
    this.now = settings.now ?? nowSeconds;
    const debounce = settings.scanDebounceSeconds ?? 10;
    if (typeof debounce !== "number" || !(debounce >= 0)) {
      throw new AglError("invalid_argument", "scanDebounceSeconds must be a number >= 0");
    }
    this.debouncer = new ScanDebouncer(debounce);
    this.claimLease = claimLeaseOf(settings);
    this.spanBudget = new SpanBudget(settings);
    this.startedAt = this.now();
  }

  // ---------------------------------------------------------------- rollouts and the queue

  /** Registers a rollout and its first attempt, bypassing the queue (§2.1). */
  async startRollout(options: StartRolloutOptions): Promise<AttemptedRollout> {
    const request = normalizeEnqueue(options);
    const workerId = optionalString(options.workerId, "workerId");
    this.scan();
    const now = this.now();
    const record = this.insertRollout(request, NEW_ATTEMPT_ROLLOUT_STATUS, now, this.latestResourcesId);
    const attempt = this.createAttempt(record, workerId, now);
    this.syncWorker(workerId, attempt, now, false);
    return copyAttemptedRollout(record.rollout, attempt);
  }

  /** Appends one rollout to the queue (§2.2). */
  async enqueueRollout(options: EnqueueRolloutOptions): Promise<Rollout> {
    const request = normalizeEnqueue(options);
    this.scan();
    const record = this.insertRollout(request, "queuing", this.now(), this.latestResourcesId);
    return copyRollout(record.rollout);
  }

  /** Appends rollouts to the queue in order; every request is validated before any is stored (§2.2). */
  async enqueueManyRollouts(options: EnqueueRolloutOptions[]): Promise<Rollout[]> {
    const requests = requireArray(options, "rollouts").map((item, index) =>
      normalizeEnqueue(item as EnqueueRolloutOptions, `rollouts.${index}`),
    );
    this.scan();
    if (requests.length === 0) return [];
    const now = this.now();
    const latest = this.latestResourcesId;
    return requests.map((request) =>
      copyRollout(this.insertRollout(request, "queuing", now, latest).rollout),
    );
  }

  /** Claims the head of the queue (§2.3); null when nothing is queued. */
  async dequeueRollout(options: { workerId?: string | null } = {}): Promise<AttemptedRollout | null> {
    const workerId = this.dequeueWorkerId(options);
    this.scan();
    return this.claim(1, workerId)[0] ?? null;
  }

  /** Claims up to `limit` rollouts in FIFO order (§2.3). */
  async dequeueManyRollouts(options: {
    limit: number;
    workerId?: string | null;
  }): Promise<AttemptedRollout[]> {
    const limit = requireInteger(options?.limit, "limit");
    const workerId = this.dequeueWorkerId(options);
    this.scan();
    return this.claim(limit, workerId);
  }

  /** Creates a new attempt outside the queue, whatever the rollout's status and retry budget (§2.4). */
  async startAttempt(
    rolloutId: string,
    options: { workerId?: string | null } = {},
  ): Promise<AttemptedRollout> {
    requireString(rolloutId, "rolloutId");
    const workerId = optionalString(options?.workerId, "workerId");
    this.scan();
    const record = this.requireRollout(rolloutId);
    const now = this.now();
    const attempt = this.createAttempt(record, workerId, now);
    this.setRolloutStatus(record, NEW_ATTEMPT_ROLLOUT_STATUS, now);
    this.syncWorker(workerId, attempt, now, false);
    return copyAttemptedRollout(record.rollout, attempt);
  }

  /** The rollout with its latest attempt, the plain rollout if it has none, or null (§2.5). */
  async getRolloutById(rolloutId: string): Promise<RolloutOrAttempted | null> {
    requireString(rolloutId, "rolloutId");
    this.scan();
    const record = this.rollouts.get(rolloutId);
    return record === undefined ? null : this.copyWithLatest(record);
  }

  /** Filters, sorts and pages rollouts; default order is creation order (§2.5). */
  async queryRollouts(options: QueryRolloutsOptions = {}): Promise<PaginatedResult<RolloutOrAttempted>> {
    const page = resolvePageOptions(options, ROLLOUT_SORT, null);
    const logic = options.filterLogic ?? "and";
    checkFilterLogic(logic);
    const pool: Condition<Rollout>[] = [];
    within(pool, optionalList(options.statusIn, RolloutStatusSchema, "status_in"), (r) => r.status);
    within(pool, optionalList(options.rolloutIdIn, z.string(), "rollout_id_in"), (r) => r.rollout_id);
    contains(pool, optionalString(options.rolloutIdContains, "rollout_id_contains"), (r) => r.rollout_id);
    this.scan();
    const match = combine(pool, logic);
    const records: RolloutRecord[] = [];
    for (const record of this.rollouts.values()) if (match(record.rollout)) records.push(record);
    const ordered = orderItems(records, page, ROLLOUT_SORT, (record) => record.rollout);
    const result = paginate(ordered, page.limit, page.offset);
    return { ...result, items: result.items.map((record) => this.copyWithLatest(record)) };
  }

  /** A rollout's attempts, by `sequence_id` unless told otherwise; empty for an unknown rollout (§2.6). */
  async queryAttempts(
    rolloutId: string,
    options: QueryAttemptsOptions = {},
  ): Promise<PaginatedResult<Attempt>> {
    requireString(rolloutId, "rolloutId");
    const page = resolvePageOptions(options, ATTEMPT_SORT, "sequence_id");
    this.scan();
    const record = this.rollouts.get(rolloutId);
    if (record === undefined) return emptyPage(page);
    const result = paginate(orderItems(record.attempts, page, ATTEMPT_SORT), page.limit, page.offset);
    return { ...result, items: result.items.map(copyAttempt) };
  }

  /** The attempt with the highest `sequence_id`, or null (§2.6). */
  async getLatestAttempt(rolloutId: string): Promise<Attempt | null> {
    requireString(rolloutId, "rolloutId");
    this.scan();
    const record = this.rollouts.get(rolloutId);
    const latest = record === undefined ? undefined : latestOf(record);
    return latest === undefined ? null : copyAttempt(latest);
  }

  /** Replaces the given fields of a rollout (§2.7); attempts and workers are not touched. */
  async updateRollout(rolloutId: string, patch: RolloutPatch): Promise<Rollout> {
    requireString(rolloutId, "rolloutId");
    const fields = normalizeRolloutPatch(patch);
    this.scan();
    const record = this.requireRollout(rolloutId);
    const rollout = record.rollout;
    if ("input" in fields) rollout.input = cloneJson(fields.input);
    if (fields.mode !== undefined) rollout.mode = fields.mode;
    if (fields.resources_id !== undefined) rollout.resources_id = fields.resources_id;
    if (fields.config !== undefined) rollout.config = normalizedConfig(fields.config);
    if (fields.metadata !== undefined) rollout.metadata = cloneJson(fields.metadata);
    // Applied even when unchanged: a finished status re-stamps end_time, a queuing one re-enqueues.
    if (fields.status !== undefined) this.setRolloutStatus(record, fields.status, this.now());
    return copyRollout(rollout);
  }

  /** Replaces the given fields of an attempt and re-derives the rollout status (§2.8). */
  async updateAttempt(rolloutId: string, attemptId: string, patch: AttemptPatch): Promise<Attempt> {
    requireString(rolloutId, "rolloutId");
    requireString(attemptId, "attemptId");
    const fields = normalizeAttemptPatch(patch);
    this.scan();
    const record = this.requireRollout(rolloutId);
    if (record.attempts.length === 0) throw noAttempts(rolloutId);
    const attempt = attemptId === "latest" ? latestOf(record) : findAttempt(record, attemptId);
    if (attempt === undefined) throw attemptNotFound(rolloutId, attemptId);
    this.applyAttemptPatch(record, attempt, fields, this.now());
    return copyAttempt(attempt);
  }

  // ---------------------------------------------------------------- spans

  /** Stores a span and applies the heartbeat; null for a duplicate span id of the attempt (§2.9). */
  async addSpan(span: Span): Promise<Span | null> {
    const parsed = normalizeSpan(span);
    const record = this.requireRollout(parsed.rollout_id);
    const attempt = findAttempt(record, parsed.attempt_id);
    if (attempt === undefined) throw attemptNotFound(parsed.rollout_id, parsed.attempt_id);
    this.raiseCounter(parsed.rollout_id, parsed.sequence_id);
    if (!this.storeSpan(record, attempt, parsed)) return null;
    this.heartbeat(record, attempt, this.now());
    this.enforceSpanBudget();
    // `parsed` is zod's fresh copy and the store keeps only UTF-8 JSON: the caller may keep it.
    return parsed;
  }

  /**
   * Stores spans grouped by (rollout, attempt) in order of first appearance. All-or-nothing: every
   * span is validated and every group's rollout and attempt checked before anything is stored
   * (deviation B14). Duplicates are skipped; returns the stored spans, group by group.
   */
  async addManySpans(spans: Span[]): Promise<Span[]> {
    return this[ADD_SPANS_ALLOCATING](spans, []);
  }

  /** {@link SpanAllocatingStore}: `addManySpans` that first allocates the flagged sequence ids. */
  async [ADD_SPANS_ALLOCATING](spans: Span[], allocate: readonly boolean[]): Promise<Span[]> {
    const parsed = requireArray(spans, "spans").map((span, index) => normalizeSpan(span, `spans.${index}`));
    return this.storeBatch(parsed, allocate);
  }

  /** The all-or-nothing batch of `addManySpans`, allocating flagged sequence ids after the checks. */
  private storeBatch(parsed: Span[], allocate: readonly boolean[]): Span[] {
    // A repeat of a span earlier in the batch (same rollout, attempt and span id) is dropped before
    // anything else, as the Postgres store does: it is neither numbered nor raises the counter.
    const seen = new Set<string>();
    const firsts = parsed.flatMap((span, index) => {
      const key = `${span.rollout_id.length}:${span.rollout_id}${spanKey(span)}`;
      if (seen.has(key)) return [];
      seen.add(key);
      return [{ span, allocate: allocate[index] === true }];
    });
    const groups = new Map<string, { record: RolloutRecord; attempt: Attempt | undefined; spans: Span[] }>();
    const checked: { record: RolloutRecord; attempt: Attempt; spans: Span[] }[] = [];
    for (const { span } of firsts) {
      // Length-prefixed so that no pair of ids can produce the same key.
      const key = `${span.rollout_id.length}:${span.rollout_id}${span.attempt_id}`;
      let group = groups.get(key);
      if (group === undefined) {
        const record = this.requireRollout(span.rollout_id);
        const attempt = findAttempt(record, span.attempt_id);
        if (attempt === undefined) throw attemptNotFound(span.rollout_id, span.attempt_id);
        group = { record, attempt, spans: [] };
        groups.set(key, group);
        checked.push({ record, attempt, spans: group.spans });
      }
      group.spans.push(span);
    }
    const numbered = firsts.filter((entry) => entry.allocate).map((entry) => entry.span);
    if (numbered.length > 0) {
      const rolloutIds = numbered.map((span) => span.rollout_id);
      this.checkSequenceRoomFor(rolloutIds);
      for (const span of numbered) span.sequence_id = this.nextSequence(span.rollout_id);
    }
    const now = this.now();
    const stored: Span[] = [];
    for (const group of checked) {
      let maxSequence = 0;
      for (const span of group.spans) maxSequence = Math.max(maxSequence, span.sequence_id);
      this.raiseCounter(group.record.rollout.rollout_id, maxSequence);
      const before = stored.length;
      for (const span of group.spans)
        if (this.storeSpan(group.record, group.attempt, span)) stored.push(span);
      if (stored.length > before) this.heartbeat(group.record, group.attempt, now);
    }
    this.enforceSpanBudget();
    return stored;
  }

  /** Next number of the rollout's span counter; no existence check (§2.9). */
  async getNextSpanSequenceId(rolloutId: string, attemptId: string): Promise<number> {
    requireString(rolloutId, "rolloutId");
    requireString(attemptId, "attemptId");
    return this.nextSequence(rolloutId);
  }

  /** Bulk {@link getNextSpanSequenceId}: numbers in list order, per rollout. */
  async getManySpanSequenceIds(
    pairs: ReadonlyArray<readonly [rolloutId: string, attemptId: string]>,
  ): Promise<number[]> {
    const checked = requireArray(pairs, "pairs").map((pair, index) => {
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new AglError("invalid_argument", `pairs.${index} must be a [rolloutId, attemptId] pair`);
      }
      requireString(pair[1], `pairs.${index}.1`);
      return requireString(pair[0], `pairs.${index}.0`);
    });
    this.checkSequenceRoomFor(checked);
    return checked.map((rolloutId) => this.nextSequence(rolloutId));
  }

  /** All or nothing: every rollout must have room for its whole block before any number is taken. */
  private checkSequenceRoomFor(rolloutIds: readonly string[]): void {
    const counts = new Map<string, number>();
    for (const id of rolloutIds) counts.set(id, (counts.get(id) ?? 0) + 1);
    for (const [id, count] of counts) checkSequenceRoom(id, this.sequenceCounters.get(id) ?? 0, count);
  }

  /** Filters, sorts and pages a rollout's spans; default order `sequence_id` ascending (§2.9). */
  async querySpans(options: QuerySpansOptions): Promise<PaginatedResult<Span>> {
    if (options === null || typeof options !== "object") {
      throw new AglError("invalid_argument", "query options must be an object");
    }
    const rolloutId = requireString(options.rolloutId, "rollout_id");
    const attemptId = optionalString(options.attemptId, "attempt_id");
    const page = resolvePageOptions(options, SPAN_SORT, "sequence_id");
    const logic = options.filterLogic ?? "and";
    checkFilterLogic(logic);
    const pool: Condition<Span>[] = [];
    exact(pool, optionalString(options.traceId, "trace_id"), (s) => s.trace_id);
    contains(pool, optionalString(options.traceIdContains, "trace_id_contains"), (s) => s.trace_id);
    exact(pool, optionalString(options.spanId, "span_id"), (s) => s.span_id);
    contains(pool, optionalString(options.spanIdContains, "span_id_contains"), (s) => s.span_id);
    exact(pool, optionalString(options.parentId, "parent_id"), (s) => s.parent_id);
    contains(pool, optionalString(options.parentIdContains, "parent_id_contains"), (s) => s.parent_id);
    exact(pool, optionalString(options.name, "name"), (s) => s.name);
    contains(pool, optionalString(options.nameContains, "name_contains"), (s) => s.name);
    this.scan();
    const record = this.rollouts.get(rolloutId);
    if (record === undefined) return emptyPage(page);
    if (record.spans.evicted) throw spansEvicted(rolloutId);
    let scope = attemptId;
    if (attemptId === "latest") {
      const latest = latestOf(record);
      if (latest === undefined) return emptyPage(page);
      scope = latest.attempt_id;
    }
    // Quirk B3: `or` over an empty pool matches nothing (combine's rule).
    const match = combine(pool, logic);
    const spans = record.spans;
    const refs = spans.refs(rolloutId, scope);
    // Every read parses fresh objects from the stored bytes: nothing is shared with the caller.
    if (pool.length === 0 && (page.sortBy === null || SPAN_REF_FIELDS.has(page.sortBy))) {
      // Ordered by what the refs hold: only the page is decoded. An empty pool reads no field.
      const kept = refs.filter((ref) => match(ref as unknown as Span));
      const result = paginate(orderItems(kept, page, SPAN_SORT), page.limit, page.offset);
      return { ...result, items: result.items.map((ref) => spans.read(ref.index)) };
    }
    const items = refs.map((ref) => spans.read(ref.index)).filter(match);
    return paginate(orderItems(items, page, SPAN_SORT), page.limit, page.offset);
  }

  // ---------------------------------------------------------------- waits

  /**
   * Waits until every existing requested rollout is finished, `timeout` seconds pass (null/absent =
   * no limit, <= 0 = no wait), `signal` aborts or the store closes; returns the finished ones in
   * request order (§2.10).
   */
  async waitForRollouts(
    rolloutIds: string[],
    options: { timeout?: number | null; signal?: AbortSignal } = {},
  ): Promise<Rollout[]> {
    const ids = requireArray(rolloutIds, "rollout_ids").map((id, index) =>
      requireString(id, `rollout_ids.${index}`),
    );
    const timeout = options?.timeout ?? null;
    if (timeout !== null && (typeof timeout !== "number" || Number.isNaN(timeout))) {
      throw new AglError("invalid_argument", "timeout must be a number or null");
    }
    this.scan();
    if (!this.closed && (timeout === null || timeout > 0)) {
      const pending = new Set<string>();
      for (const id of ids) {
        const record = this.rollouts.get(id);
        if (record !== undefined && !isFinishedStatus(record.rollout.status)) pending.add(id);
      }
      if (pending.size > 0) await this.waiters.wait(pending, timeout, options?.signal);
    }
    // Re-read after waking: a rollout revived in the meantime (§3.7) is left out.
    const finished: Rollout[] = [];
    for (const id of ids) {
      const record = this.rollouts.get(id);
      if (record !== undefined && isFinishedStatus(record.rollout.status))
        finished.push(copyRollout(record.rollout));
    }
    return finished;
  }

  // ---------------------------------------------------------------- resources

  /** Stores a new snapshot with a fresh `rs-` id; it becomes the latest (§2.11). */
  async addResources(resources: NamedResourcesInput): Promise<ResourcesUpdate> {
    const named = cloneJson(normalizeResources(resources));
    const now = this.now();
    let resourcesId = generateResourcesId();
    while (this.resources.has(resourcesId)) resourcesId = generateResourcesId();
    const update: ResourcesUpdate = {
      resources_id: resourcesId,
      create_time: now,
      update_time: now,
      version: 1,
      resources: named,
    };
    this.resources.set(resourcesId, update);
    this.latestResourcesId = resourcesId;
    return copyResources(update);
  }

  /** Replaces the snapshot (version + 1), or creates it with version 1 if unknown; it becomes the latest. */
  async updateResources(resourcesId: string, resources: NamedResourcesInput): Promise<ResourcesUpdate> {
    requireString(resourcesId, "resourcesId");
    const named = cloneJson(normalizeResources(resources));
    this.scan();
    const now = this.now();
    const existing = this.resources.get(resourcesId);
    const update: ResourcesUpdate =
      existing === undefined
        ? { resources_id: resourcesId, create_time: now, update_time: now, version: 1, resources: named }
        : { ...existing, update_time: now, version: existing.version + 1, resources: named };
    // Map.set on an existing key keeps its position: queries list snapshots by first creation.
    this.resources.set(resourcesId, update);
    this.latestResourcesId = resourcesId;
    return copyResources(update);
  }

  /** The snapshot with this id, or null. */
  async getResourcesById(resourcesId: string): Promise<ResourcesUpdate | null> {
    requireString(resourcesId, "resourcesId");
    const update = this.resources.get(resourcesId);
    return update === undefined ? null : copyResources(update);
  }

  /** The snapshot most recently added or updated, or null. */
  async getLatestResources(): Promise<ResourcesUpdate | null> {
    const update = this.latestResourcesId === null ? undefined : this.resources.get(this.latestResourcesId);
    return update === undefined ? null : copyResources(update);
  }

  /** Filters (always AND), sorts and pages snapshots; default order is first creation. */
  async queryResources(options: QueryResourcesOptions = {}): Promise<PaginatedResult<ResourcesUpdate>> {
    const page = resolvePageOptions(options, RESOURCES_SORT, null);
    const pool: Condition<ResourcesUpdate>[] = [];
    exact(pool, optionalString(options.resourcesId, "resources_id"), (r) => r.resources_id);
    contains(
      pool,
      optionalString(options.resourcesIdContains, "resources_id_contains"),
      (r) => r.resources_id,
    );
    const match = combine(pool, "and");
    const items = [...this.resources.values()].filter(match);
    const result = paginate(orderItems(items, page, RESOURCES_SORT), page.limit, page.offset);
    return { ...result, items: result.items.map(copyResources) };
  }

  // ---------------------------------------------------------------- workers

  /** Worker heartbeat: upserts, stamps `last_heartbeat_time`, replaces stats if given (§2.12). */
  async updateWorker(workerId: string, options: { heartbeatStats?: JsonObject } = {}): Promise<Worker> {
    requireString(workerId, "workerId");
    const given = options?.heartbeatStats;
    if (given === null) {
      throw new AglError("invalid_argument", "heartbeat_stats is invalid; it cannot be a null value.");
    }
    const stats =
      given === undefined ? undefined : cloneJson(parseStorable(JsonObjectSchema, given, "heartbeat_stats"));
    const worker = this.workers.get(workerId) ?? newWorker(workerId);
    const next: Worker = {
      ...worker,
      last_heartbeat_time: this.now(),
      heartbeat_stats: stats === undefined ? worker.heartbeat_stats : stats,
    };
    this.workers.set(workerId, next);
    return copyWorker(next);
  }

  /** The worker, or null. */
  async getWorkerById(workerId: string): Promise<Worker | null> {
    requireString(workerId, "workerId");
    const worker = this.workers.get(workerId);
    return worker === undefined ? null : copyWorker(worker);
  }

  /** Filters, sorts and pages workers; default order is first mention. */
  async queryWorkers(options: QueryWorkersOptions = {}): Promise<PaginatedResult<Worker>> {
    const page = resolvePageOptions(options, WORKER_SORT, null);
    const logic = options.filterLogic ?? "and";
    checkFilterLogic(logic);
    const pool: Condition<Worker>[] = [];
    within(pool, optionalList(options.statusIn, WorkerStatusSchema, "status_in"), (w) => w.status);
    contains(pool, optionalString(options.workerIdContains, "worker_id_contains"), (w) => w.worker_id);
    this.scan();
    const match = combine(pool, logic);
    const items = [...this.workers.values()].filter(match);
    const result = paginate(orderItems(items, page, WORKER_SORT), page.limit, page.offset);
    return { ...result, items: result.items.map(copyWorker) };
  }

  // ---------------------------------------------------------------- insights (dashboard aggregates)

  /** Aggregates over each rollout's latest attempt (LightningStoreInsights, Appendix E14). */
  async summarizeRollouts(rolloutIds: readonly string[]): Promise<RolloutSummary[]> {
    const ids = resolveSummaryIds(rolloutIds);
    this.scan();
    return summarizeRecords(ids, (id) => this.rollouts.get(id));
  }

  /** Spans of every rollout, newest first (LightningStoreInsights, Appendix E15). */
  async searchSpans(options: SpanSearchOptions = {}): Promise<PaginatedResult<Span>> {
    const search = resolveSpanSearch(options);
    this.scan();
    return searchRecords(this.rollouts.values(), search);
  }

  /** Final rewards of finished rollouts, oldest first (LightningStoreInsights, Appendix E16). */
  async queryRewards(options: RewardQueryOptions = {}): Promise<RewardPoint[]> {
    const query = resolveRewardQuery(options);
    this.scan();
    return rewardRecords(this.rollouts.values(), query);
  }

  // ---------------------------------------------------------------- lifecycle

  /** Current counts and seconds since construction (no health scan). */
  async statistics(): Promise<StoreStatistics> {
    return {
      name: "InMemoryLightningStore",
      total_rollouts: this.rollouts.size,
      total_attempts: this.totalAttempts,
      total_spans: this.totalSpans,
      total_span_bytes: this.spanBudget.totalBytes,
      eviction_threshold_bytes: this.spanBudget.budgetBytes,
      safe_threshold_bytes: this.spanBudget.safeBytes,
      memory_capacity_bytes: this.spanBudget.capacityBytes,
      total_resources: this.resources.size,
      total_workers: this.workers.size,
      uptime: this.now() - this.startedAt,
    };
  }

  /** Releases pending waits (they return what is finished); later waits return at once. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.waiters.releaseAll();
  }

  // ---------------------------------------------------------------- internals (all synchronous)

  /** The debounced watchdog (§2.15): verdicts are applied exactly like `updateAttempt(status)`. */
  private scan(): void {
    const now = this.now();
    if (!this.debouncer.shouldScan(now) || this.runningLike.size === 0) return;
    const verdicts: { record: RolloutRecord; attempt: Attempt; verdict: ReturnType<typeof verdictPatch> }[] =
      [];
    for (const rolloutId of this.runningLike) {
      const record = this.rollouts.get(rolloutId)!;
      const latest = latestOf(record);
      if (latest === undefined) continue;
      const worker = latest.worker_id ? (this.workers.get(latest.worker_id) ?? null) : null;
      const verdict = healthVerdict(record.rollout.config, latest, now, this.claimLease, worker);
      if (verdict !== null) verdicts.push({ record, attempt: latest, verdict: verdictPatch(verdict) });
    }
    for (const { record, attempt, verdict } of verdicts)
      this.applyAttemptPatch(record, attempt, { status: verdict.status }, now, verdict.reclaim);
  }

  private requireRollout(rolloutId: string): RolloutRecord {
    const record = this.rollouts.get(rolloutId);
    if (record === undefined) throw rolloutNotFound(rolloutId);
    return record;
  }

  private copyWithLatest(record: RolloutRecord): RolloutOrAttempted {
    const latest = latestOf(record);
    return latest === undefined ? copyRollout(record.rollout) : copyAttemptedRollout(record.rollout, latest);
  }

  private insertRollout(
    request: NormalizedEnqueue,
    status: RolloutStatus,
    now: number,
    latestResourcesId: string | null,
  ): RolloutRecord {
    let rolloutId = generateRolloutId();
    while (this.rollouts.has(rolloutId)) rolloutId = generateRolloutId();
    const rollout: Rollout = {
      rollout_id: rolloutId,
      input: cloneJson(request.input),
      start_time: now,
      end_time: null,
      mode: request.mode,
      resources_id: request.resources_id ?? latestResourcesId,
      status,
      // zod built a fresh config object; no caller holds it
      config: request.config,
      metadata: cloneJson(request.metadata),
    };
    const record: RolloutRecord = { rollout, attempts: [], spans: new RolloutSpans() };
    this.rollouts.set(rolloutId, record);
    if (rolloutStatusEffects(status).enqueues) this.queue.pushIfAbsent(rolloutId);
    else if (isScanned(status)) this.runningLike.add(rolloutId);
    return record;
  }

  private createAttempt(record: RolloutRecord, workerId: string | null, now: number): Attempt {
    let attemptId = generateAttemptId();
    // Attempt ids only need to be unique within their rollout (spans name both ids).
    while (findAttempt(record, attemptId) !== undefined) attemptId = generateAttemptId();
    const attempt = nextAttempt(record.rollout.rollout_id, attemptId, record.attempts.length, workerId, now);
    record.attempts.push(attempt);
    this.totalAttempts++;
    return attempt;
  }

  /**
   * Sets a rollout status with its side effects (§2.7 steps 3–4): finished → `end_time = now` and
   * waiters woken; queuing-like → appended to the queue unless already there. Also keeps the set of
   * running-like rollouts the health scan walks.
   */
  private setRolloutStatus(record: RolloutRecord, status: RolloutStatus, now: number): void {
    const rollout = record.rollout;
    rollout.status = status;
    const effects = rolloutStatusEffects(status);
    if (effects.finishes) {
      rollout.end_time = now;
      this.waiters.notifyFinished(rollout.rollout_id);
    }
    if (effects.enqueues) this.queue.pushIfAbsent(rollout.rollout_id);
    if (isScanned(status)) this.runningLike.add(rollout.rollout_id);
    else this.runningLike.delete(rollout.rollout_id);
  }

  /** §2.8 steps 3–6, shared by `updateAttempt` and the watchdog. */
  private applyAttemptPatch(
    record: RolloutRecord,
    attempt: Attempt,
    fields: AttemptPatch,
    now: number,
    reclaim = false,
  ): void {
    if (fields.worker_id !== undefined) attempt.worker_id = fields.worker_id;
    if (fields.status !== undefined) attempt.status = fields.status;
    if (fields.last_heartbeat_time !== undefined) attempt.last_heartbeat_time = fields.last_heartbeat_time;
    if (fields.metadata !== undefined) attempt.metadata = cloneJson(fields.metadata);
    const outcome = attemptUpdateOutcome({
      suppliedStatus: fields.status,
      attemptStatus: attempt.status,
      sequenceId: attempt.sequence_id,
      isLatest: attempt === latestOf(record),
      config: record.rollout.config,
      rolloutStatus: record.rollout.status,
      reclaim,
    });
    if (outcome.endsAttempt) attempt.end_time = now;
    if (outcome.rolloutStatus !== null) this.setRolloutStatus(record, outcome.rolloutStatus, now);
    const workerNamed = fields.worker_id !== undefined && fields.worker_id !== "";
    const sync = reclaim
      ? workerHoldsAttempt((attempt.worker_id && this.workers.get(attempt.worker_id)) || null, attempt)
      : workerNamed || fields.status !== undefined;
    if (sync) this.syncWorker(attempt.worker_id, attempt, now, false);
  }

  /** Dequeue claims (§2.3): stale entries are dropped; the worker follows the last claim. */
  private claim(limit: number, workerId: string | null): AttemptedRollout[] {
    const now = this.now();
    const claimed: AttemptedRollout[] = [];
    let last: Attempt | undefined;
    while (claimed.length < limit) {
      const rolloutId = this.queue.shift();
      if (rolloutId === undefined) break;
      const record = this.rollouts.get(rolloutId);
      if (record === undefined || !isClaimable(record.rollout.status)) continue;
      last = this.createAttempt(record, workerId, now);
      this.setRolloutStatus(record, NEW_ATTEMPT_ROLLOUT_STATUS, now);
      claimed.push(copyAttemptedRollout(record.rollout, last));
    }
    if (workerId !== null) {
      if (last !== undefined) {
        this.syncWorker(workerId, last, now, true);
      } else {
        const worker = this.workers.get(workerId) ?? newWorker(workerId);
        this.workers.set(workerId, markWorkerIdleAfterEmptyDequeue(worker, now));
      }
    }
    return claimed;
  }

  /** docs/store-contract.md E2: an empty worker id on dequeue counts as none. */
  private dequeueWorkerId(options: { workerId?: string | null } | undefined): string | null {
    const workerId = optionalString(options?.workerId, "workerId");
    return workerId === "" ? null : workerId;
  }

  /** Worker sync (§2.12); skipped for a null or empty worker id. */
  private syncWorker(workerId: string | null, attempt: Attempt, now: number, fromDequeue: boolean): void {
    if (!workerId) return;
    const worker = this.workers.get(workerId) ?? newWorker(workerId);
    this.workers.set(workerId, syncWorkerWithAttempt(worker, attempt, now, fromDequeue));
  }

  /**
   * Stores the span as UTF-8 JSON unless its (attempt, span id) is already stored; false for a
   * duplicate. A span for an evicted rollout is accepted (true) but not kept.
   */
  private storeSpan(record: RolloutRecord, attempt: Attempt, span: Span): boolean {
    // The stored span shares the store's own attempt id string instead of holding a copy.
    const bytes = record.spans.add(span, attempt.attempt_id);
    if (bytes === null) return false;
    if (bytes > 0) this.totalSpans++;
    this.spanBudget.added(record, bytes);
    return true;
  }

  /** Span eviction (§2.16) once the stored spans exceed the budget. */
  private enforceSpanBudget(): void {
    this.totalSpans -= this.spanBudget.enforce();
  }

  /** Span heartbeat (§2.9 step 4), including quirk B4 (`queuing` rollouts are not promoted). */
  private heartbeat(record: RolloutRecord, attempt: Attempt, now: number): void {
    const outcome = spanHeartbeat(attempt.status, record.rollout.status, attempt === latestOf(record));
    attempt.last_heartbeat_time = now;
    attempt.status = outcome.attemptStatus;
    if (outcome.rolloutStatus !== null) this.setRolloutStatus(record, outcome.rolloutStatus, now);
  }

  private raiseCounter(rolloutId: string, sequenceId: number): void {
    if (sequenceId > (this.sequenceCounters.get(rolloutId) ?? 0))
      this.sequenceCounters.set(rolloutId, sequenceId);
  }

  private nextSequence(rolloutId: string): number {
    const counter = this.sequenceCounters.get(rolloutId) ?? 0;
    checkSequenceRoom(rolloutId, counter, 1);
    const next = counter + 1;
    this.sequenceCounters.set(rolloutId, next);
    return next;
  }
}

/** The stored config of a patch: zod already produced a fresh object with defaults filled in. */
function normalizedConfig(config: NonNullable<RolloutPatch["config"]>): Rollout["config"] {
  return {
    timeout_seconds: config.timeout_seconds ?? null,
    unresponsive_seconds: config.unresponsive_seconds ?? null,
    max_attempts: config.max_attempts ?? 1,
    retry_condition: [...(config.retry_condition ?? [])],
  };
}
