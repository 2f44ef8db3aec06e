import {
  AglError,
  type Attempt,
  generateAttemptId,
  isFinishedStatus,
  isQueuingStatus,
  type RolloutStatus,
} from "@agentlightning/types";
import { type SQL, sql } from "drizzle-orm";
import { newWorker, syncWorkerWithAttempt } from "../core/worker-sync.js";
import type { RolloutPatch } from "../store.js";
import type { SqlExecutor } from "./driver.js";
import { ROLLOUT_STATE_COLUMNS, type RolloutState, rolloutStateFromRow } from "./rows.js";
import { jsonb, toJson } from "./sql-query.js";
import { runText, SYNC_WORKER_SQL } from "./statements.js";

// The read-modify-write steps of the store's less frequent operations (the hot ones are single
// statements, see statements.ts). Each runs inside a transaction that already holds the row lock of
// the rollout it changes (`lockRollout`), so concurrent store processes see each change whole. Lock
// order, everywhere: rollouts (by id) → span counters (by id) → attempts/spans of locked rollouts →
// workers. No transaction waits for a rollout while holding a worker, so the order cannot cycle.

/** Thrown inside a transaction when a generated id collided: the store retries with fresh ids. */
export class IdCollision extends Error {
  constructor() {
    super("generated id collided; retrying");
    this.name = "IdCollision";
  }
}

/** What an operation's transaction carries: the executor, its clock reading, and rollouts it finished. */
export interface TxContext {
  readonly tx: SqlExecutor;
  readonly now: number;
  /** NOTIFY channel of completions (other store processes LISTEN on it). */
  readonly channel: string;
  /** Rollouts that entered a finished status (NOTIFYed in the transaction), woken locally after commit. */
  readonly finished: Set<string>;
}

/** The rollout, locked until the transaction ends; null if unknown. */
export async function lockRollout(tx: SqlExecutor, rolloutId: string): Promise<RolloutState | null> {
  const [row] = await tx.rows(
    sql`SELECT ${ROLLOUT_STATE_COLUMNS} FROM rollouts r WHERE r.rollout_id = ${rolloutId}::text FOR UPDATE`,
  );
  return row === undefined ? null : rolloutStateFromRow(row);
}

/** Id of the latest resources snapshot, or null. */
export async function latestResourcesId(tx: SqlExecutor): Promise<string | null> {
  const [row] = await tx.rows<{ resources_id: string }>(
    sql`SELECT resources_id FROM resources ORDER BY touch_seq DESC LIMIT 1`,
  );
  return row?.resources_id ?? null;
}

/** The next attempt of a rollout (not stored yet). */
export function newAttempt(
  rollout: { rollout_id: string; attempt_count: number },
  workerId: string | null,
  now: number,
): Attempt {
  return {
    rollout_id: rollout.rollout_id,
    attempt_id: generateAttemptId(),
    sequence_id: rollout.attempt_count + 1,
    start_time: now,
    end_time: null,
    status: "preparing",
    worker_id: workerId,
    last_heartbeat_time: null,
    metadata: null,
  };
}

/**
 * Stores new attempts (rollouts locked by the caller) and points each rollout at its new attempt
 * with status `preparing` (a queue entry, if any, stays: dequeue discards it later).
 */
export async function createAttempts(ctx: TxContext, attempts: Attempt[]): Promise<void> {
  const items = attempts.map((a) => ({
    rollout_id: a.rollout_id,
    attempt_id: a.attempt_id,
    sequence_id: a.sequence_id,
    worker_id: a.worker_id,
  }));
  const [row] = await ctx.tx.rows<{ n: number }>(sql`
    WITH ins AS (
      INSERT INTO attempts (rollout_id, attempt_id, sequence_id, start_time, status, worker_id)
      SELECT v.rollout_id, v.attempt_id, v.sequence_id, ${ctx.now}::float8, 'preparing', v.worker_id
      FROM json_to_recordset(${JSON.stringify(items)}::text::json)
        AS v(rollout_id text, attempt_id text, sequence_id int, worker_id text)
      ON CONFLICT (rollout_id, attempt_id) DO NOTHING
      RETURNING rollout_id, attempt_id, sequence_id
    ),
    upd AS (
      UPDATE rollouts r
      SET status = 'preparing', attempt_count = ins.sequence_id, latest_attempt_id = ins.attempt_id
      FROM ins WHERE r.rollout_id = ins.rollout_id
      RETURNING r.rollout_id
    )
    SELECT (SELECT count(*) FROM upd)::int AS n`);
  if (Number(row?.n) !== attempts.length) throw new IdCollision();
}

/**
 * Replaces fields of a rollout (a normalized patch) with the side effects of a status (spec §2.7):
 * finished → `end_time = now` and a completion notice; queuing-like → appended to the queue unless
 * it is already in it. Returns the stored state.
 */
export async function writeRollout(
  ctx: TxContext,
  rolloutId: string,
  patch: RolloutPatch,
): Promise<RolloutState> {
  const sets: SQL[] = [];
  if ("input" in patch) sets.push(sql`input = ${jsonb(toJson(patch.input ?? null, "input"))}`);
  if (patch.mode !== undefined) sets.push(sql`mode = ${patch.mode}::text`);
  if (patch.resources_id !== undefined) sets.push(sql`resources_id = ${patch.resources_id}::text`);
  if (patch.config !== undefined) sets.push(sql`config = ${jsonb(toJson(patch.config, "config"))}`);
  if (patch.metadata !== undefined) {
    sets.push(
      patch.metadata === null
        ? sql`metadata = NULL`
        : sql`metadata = ${jsonb(toJson(patch.metadata, "metadata"))}`,
    );
  }
  const status: RolloutStatus | undefined = patch.status;
  // Entering a finished status is announced with NOTIFY in the same statement (delivered on commit).
  let notify = sql``;
  if (status !== undefined) {
    sets.push(sql`status = ${status}::text`);
    if (isFinishedStatus(status)) {
      sets.push(sql`end_time = ${ctx.now}::float8`);
      ctx.finished.add(rolloutId);
      notify = sql`, pg_notify(${ctx.channel}::text, r.rollout_id)`;
    }
    if (isQueuingStatus(status))
      sets.push(sql`enqueue_seq = COALESCE(r.enqueue_seq, nextval('agl_queue_seq'))`);
  }
  const [row] =
    sets.length === 0
      ? await ctx.tx.rows(
          sql`SELECT ${ROLLOUT_STATE_COLUMNS} FROM rollouts r WHERE r.rollout_id = ${rolloutId}::text`,
        )
      : await ctx.tx.rows(
          sql`UPDATE rollouts r SET ${sql.join(sets, sql`, `)} WHERE r.rollout_id = ${rolloutId}::text RETURNING ${ROLLOUT_STATE_COLUMNS}${notify}`,
        );
  if (row === undefined) throw new AglError("internal", `Rollout ${rolloutId} vanished during an update`);
  return rolloutStateFromRow(row);
}

/** Worker sync of spec §2.12 for the worker running `attempt` (skipped for a null/empty id). */
export async function syncWorker(ctx: TxContext, attempt: Attempt, fromDequeue: boolean): Promise<void> {
  if (!attempt.worker_id) return;
  // The rule of core/worker-sync.ts applied to a fresh worker gives the fields a sync sets; every
  // other field (and a time the rule leaves null) keeps its stored value.
  const next = syncWorkerWithAttempt(newWorker(attempt.worker_id), attempt, ctx.now, fromDequeue);
  await runText(ctx.tx, SYNC_WORKER_SQL, [
    next.worker_id,
    next.status,
    next.last_busy_time,
    next.last_idle_time,
    next.last_dequeue_time,
    next.current_rollout_id,
    next.current_attempt_id,
  ]);
}
