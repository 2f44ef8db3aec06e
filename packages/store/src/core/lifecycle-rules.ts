import {
  type Attempt,
  type AttemptStatus,
  AttemptStatusSchema,
  isFinishedStatus,
  isQueuingStatus,
  type RolloutConfig,
  type RolloutStatus,
  RolloutStatusSchema,
  type Worker,
} from "@agentlightning/types";
import { newWorker, syncWorkerWithAttempt } from "./worker-sync.js";

// The rollout/attempt state machine of `docs/store-contract.md` §2–3, written once. Every function here is
// pure: it says what a step changes, and each backend applies it to its own storage. The memory
// store calls these functions directly; the Postgres store runs the SQL functions of
// drizzle/functions/, whose status lists are generated from these predicates (see
// `sqlStatusLists`) and whose remaining logic is checked against these functions by
// test/rules-differential.test.ts over the whole input matrix.

// ---------------------------------------------------------------- attempt statuses

/** Whether an attempt entering `status` through an update gets `end_time = now` (§3.2). */
export function attemptStatusEndsAttempt(status: AttemptStatus): boolean {
  return status === "succeeded" || status === "failed";
}

/** Attempt statuses that propagation copies to the rollout unchanged (§3.3). */
function propagatesAsIs(status: AttemptStatus): boolean {
  return status === "preparing" || status === "running" || status === "succeeded";
}

/**
 * The rollout status implied by the status of its latest attempt (`docs/store-contract.md` §3.3): failures,
 * timeouts and unresponsiveness requeue while the retry budget allows, else fail the rollout.
 */
export function propagateAttemptStatus(
  status: AttemptStatus,
  config: RolloutConfig,
  sequenceId: number,
): RolloutStatus {
  if (propagatesAsIs(status)) return status as RolloutStatus;
  return config.retry_condition.includes(status) && sequenceId < config.max_attempts ? "requeuing" : "failed";
}

// ---------------------------------------------------------------- rollout statuses

/** What a rollout entering a status must also do (§2.7 steps 3–4, §3.4 R6/R7). */
export interface RolloutStatusEffects {
  /** `end_time = now` and waiters woken (finished statuses). */
  finishes: boolean;
  /** Appended to the queue unless it is already in it (queuing-like statuses). */
  enqueues: boolean;
}

/** The side effects of a rollout entering `status`. */
export function rolloutStatusEffects(status: RolloutStatus): RolloutStatusEffects {
  return { finishes: isFinishedStatus(status), enqueues: isQueuingStatus(status) };
}

// ---------------------------------------------------------------- attempt updates

/** What an attempt update (or a watchdog verdict) does to the attempt and its rollout. */
export interface AttemptUpdateOutcome {
  /** Whether the attempt's `end_time` becomes `now`. */
  endsAttempt: boolean;
  /** The rollout's new status, or null when it keeps its status. */
  rolloutStatus: RolloutStatus | null;
}

/** The state an attempt update is judged on. */
export interface AttemptUpdateInput {
  /** The status given in the patch, if any. */
  suppliedStatus: AttemptStatus | undefined;
  /** The attempt's status after the patch. */
  attemptStatus: AttemptStatus;
  /** Its `sequence_id`. */
  sequenceId: number;
  /** Whether it is its rollout's latest attempt. */
  isLatest: boolean;
  /** The rollout's config and current status. */
  config: RolloutConfig;
  rolloutStatus: RolloutStatus;
  /** A claim-lease reclaim (see {@link healthVerdict}): the rollout requeues whatever its budget. */
  reclaim?: boolean;
}

/**
 * §2.8 steps 3–5: succeeded/failed stamp the attempt's `end_time`; every update of the latest
 * attempt re-derives the rollout status (Quirk B13), and a status different from the current one is
 * applied with its {@link rolloutStatusEffects}. Non-latest attempts never change the rollout.
 */
export function attemptUpdateOutcome(input: AttemptUpdateInput): AttemptUpdateOutcome {
  const endsAttempt = input.suppliedStatus !== undefined && attemptStatusEndsAttempt(input.suppliedStatus);
  if (!input.isLatest) return { endsAttempt, rolloutStatus: null };
  const derived = input.reclaim
    ? "requeuing"
    : propagateAttemptStatus(input.attemptStatus, input.config, input.sequenceId);
  return { endsAttempt, rolloutStatus: derived === input.rolloutStatus ? null : derived };
}

// ---------------------------------------------------------------- spans

/** Whether a span accepted for an attempt in `status` makes it `running` ("revival", §3.2). */
export function spanRevivesAttempt(status: AttemptStatus): boolean {
  return status === "preparing" || status === "unresponsive";
}

/** Whether a span accepted for the latest attempt makes a rollout in `status` `running` (R5, Quirk B4). */
export function spanPromotesRollout(status: RolloutStatus): boolean {
  return status === "preparing" || status === "requeuing";
}

/** What an accepted span does besides being stored (§2.9 step 4). */
export interface SpanHeartbeatOutcome {
  /** The attempt's status afterwards (its `last_heartbeat_time` always becomes `now`). */
  attemptStatus: AttemptStatus;
  /** The rollout's new status, or null when it keeps its status. */
  rolloutStatus: RolloutStatus | null;
}

/**
 * The heartbeat of a stored span: the attempt's `last_heartbeat_time = now`, a preparing or
 * unresponsive attempt becomes running, and a preparing or requeuing rollout becomes running when
 * the span is for its latest attempt (a requeuing rollout's queue entry is left behind, stale).
 */
export function spanHeartbeat(
  attemptStatus: AttemptStatus,
  rolloutStatus: RolloutStatus,
  isLatest: boolean,
): SpanHeartbeatOutcome {
  return {
    attemptStatus: spanRevivesAttempt(attemptStatus) ? "running" : attemptStatus,
    rolloutStatus: isLatest && spanPromotesRollout(rolloutStatus) ? "running" : null,
  };
}

// ---------------------------------------------------------------- new attempts

/** Whether dequeue may claim a queue entry whose rollout has `status` (else the entry is stale, R8). */
export function isClaimable(status: RolloutStatus): boolean {
  return isQueuingStatus(status);
}

/**
 * The next attempt of a rollout that has `attemptCount` attempts (dequeue, start_rollout,
 * start_attempt): `preparing`, `sequence_id = count + 1`, started now. The rollout becomes
 * `preparing` (a queue entry, if any, stays behind for dequeue to discard).
 */
export function nextAttempt(
  rolloutId: string,
  attemptId: string,
  attemptCount: number,
  workerId: string | null,
  now: number,
): Attempt {
  return {
    rollout_id: rolloutId,
    attempt_id: attemptId,
    sequence_id: attemptCount + 1,
    start_time: now,
    end_time: null,
    status: "preparing",
    worker_id: workerId,
    last_heartbeat_time: null,
    metadata: null,
  };
}

/** The status of a rollout that just got a new attempt. */
export const NEW_ATTEMPT_ROLLOUT_STATUS: RolloutStatus = "preparing";

// ---------------------------------------------------------------- health (the watchdog)

/**
 * What the health scan decides for the latest attempt of a running-like rollout: `timeout`,
 * `unresponsive`, `lease_expired` (a claim that never started, see {@link healthVerdict}) or null.
 */
export type HealthVerdict = "timeout" | "unresponsive" | "lease_expired" | null;

/** Whether the health scan looks at rollouts in `status` (running-like ones, §2.15 step 2). */
export function isScanned(status: RolloutStatus): boolean {
  return status === "preparing" || status === "running";
}

/**
 * The facts of a worker record the claim lease looks at: the record of the worker named by the
 * attempt's `worker_id` (null when there is none).
 */
export type LeaseWorker = Pick<Worker, "current_rollout_id" | "current_attempt_id" | "last_heartbeat_time">;

/**
 * Whether `worker` (the record of the worker named by `attempt`, null when there is none) still
 * has `attempt` as its current claim. A claim-lease reclaim syncs the worker (§2.12) only then: a
 * worker that moved on to another claim keeps it, so the lease does not expire that one next.
 */
export function workerHoldsAttempt(worker: LeaseWorker | null, attempt: Attempt): boolean {
  return (
    !!attempt.worker_id &&
    worker !== null &&
    worker.current_rollout_id === attempt.rollout_id &&
    worker.current_attempt_id === attempt.attempt_id
  );
}

/**
 * Whether the claim of `latest` is held by a live worker: the attempt names a worker, that
 * worker's record still has this attempt as its current one, and the worker sent a heartbeat
 * (`update_worker`) within the last `claimLeaseSeconds`. A runner in a long setup sends no span
 * (OpenTelemetry spans arrive when they end) but keeps beating; a runner whose dequeue response
 * was lost dequeues again, which moves its current attempt on. A zero heartbeat counts as none.
 */
function claimHeldByLiveWorker(
  latest: Attempt,
  worker: LeaseWorker | null,
  now: number,
  claimLeaseSeconds: number,
): boolean {
  return (
    workerHoldsAttempt(worker, latest) &&
    !!worker?.last_heartbeat_time &&
    now - worker.last_heartbeat_time <= claimLeaseSeconds
  );
}

/**
 * The watchdog rule (`docs/store-contract.md` §2.15): timeout counts from the attempt's start; liveness
 * from its last heartbeat, or from its start when it never had one. Comparisons are strict. Then
 * the claim lease (our addition, issue 8 item 9): an attempt still `preparing` with no heartbeat
 * more than `claimLeaseSeconds` after its start (its runner died, or the dequeue response was lost)
 * is `lease_expired`, unless its worker is alive and still holds it (`worker`: the record of the
 * worker named by `latest.worker_id`, see {@link claimHeldByLiveWorker}). `claimLeaseSeconds` null
 * or <= 0 disables the lease.
 */
export function healthVerdict(
  config: RolloutConfig,
  latest: Attempt,
  now: number,
  claimLeaseSeconds: number | null = null,
  worker: LeaseWorker | null = null,
): HealthVerdict {
  if (config.timeout_seconds !== null && now - latest.start_time > config.timeout_seconds) return "timeout";
  if (config.unresponsive_seconds !== null) {
    const since = latest.last_heartbeat_time ? latest.last_heartbeat_time : latest.start_time;
    if (now - since > config.unresponsive_seconds) return "unresponsive";
  }
  if (
    claimLeaseSeconds !== null &&
    claimLeaseSeconds > 0 &&
    latest.status === "preparing" &&
    !latest.last_heartbeat_time &&
    now - latest.start_time > claimLeaseSeconds &&
    !claimHeldByLiveWorker(latest, worker, now, claimLeaseSeconds)
  ) {
    return "lease_expired";
  }
  return null;
}

/**
 * How a verdict is applied: exactly like `update_attempt(status)` with the attempt status below;
 * a lease expiry marks the attempt `unresponsive` and requeues the rollout whatever its retry
 * budget (the attempt never ran, so it used up nothing).
 */
export function verdictPatch(verdict: Exclude<HealthVerdict, null>): {
  status: AttemptStatus;
  reclaim: boolean;
} {
  return verdict === "lease_expired"
    ? { status: "unresponsive", reclaim: true }
    : { status: verdict, reclaim: false };
}

/** Default claim lease in seconds (see `StoreSettings.claimLeaseSeconds`). */
export const DEFAULT_CLAIM_LEASE_SECONDS = 600;

// ---------------------------------------------------------------- the predicates as SQL lists

function sqlList(values: readonly string[]): string {
  // Enum values are lowercase identifiers; anything else would be a bug in the enums.
  for (const value of values) if (!/^[a-z_]+$/.test(value)) throw new Error(`unexpected status ${value}`);
  return values.length === 0 ? "(NULL)" : `(${values.map((v) => `'${v}'`).join(", ")})`;
}

/**
 * The status lists the SQL functions use, each generated by running a predicate of this module
 * over every value of the enum in `@agentlightning/types`: a double-braced NAME in a drizzle/functions/ file
 * becomes `('a', 'b')`, for `status IN {{NAME}}`.
 */
export function sqlStatusLists(): Record<string, string> {
  const attempt = AttemptStatusSchema.options;
  const rollout = RolloutStatusSchema.options;
  // The worker status that worker sync (worker-sync.ts) gives for an attempt in each status.
  const workerAfter = (status: AttemptStatus) =>
    syncWorkerWithAttempt(newWorker("w"), { ...nextAttempt("r", "a", 0, "w", 0), status }, 0, false).status;
  return {
    ATTEMPT_ENDING_STATUSES: sqlList(attempt.filter(attemptStatusEndsAttempt)),
    ATTEMPT_AS_IS_STATUSES: sqlList(attempt.filter(propagatesAsIs)),
    SPAN_REVIVED_STATUSES: sqlList(attempt.filter(spanRevivesAttempt)),
    SPAN_PROMOTED_STATUSES: sqlList(rollout.filter(spanPromotesRollout)),
    FINISHED_STATUSES: sqlList(rollout.filter((s) => rolloutStatusEffects(s).finishes)),
    QUEUING_STATUSES: sqlList(rollout.filter((s) => rolloutStatusEffects(s).enqueues)),
    CLAIMABLE_STATUSES: sqlList(rollout.filter(isClaimable)),
    SCANNED_STATUSES: sqlList(rollout.filter(isScanned)),
    WORKER_BUSY_ATTEMPT_STATUSES: sqlList(attempt.filter((s) => workerAfter(s) === "busy")),
    WORKER_IDLE_ATTEMPT_STATUSES: sqlList(attempt.filter((s) => workerAfter(s) === "idle")),
  };
}
