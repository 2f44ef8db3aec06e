import type { Attempt, AttemptedRollout, RolloutStatus, Span } from "@agentlightning/types";
import { type SQL, sql } from "drizzle-orm";
import type { AttemptPatch } from "../store.js";
import type { SqlExecutor } from "./driver.js";
import { attemptFromRow, type Row, rolloutFromRow } from "./rows.js";
import { toJson } from "./sql-query.js";

// The store's hot operations, each ONE statement (one round trip, one implicit transaction, no
// BEGIN/COMMIT). Dequeue, attempt update and single span call the PL/pgSQL functions of migration
// drizzle/0001_hot_path_functions.sql: a function runs its steps as small statements with cached
// plans, each with a fresh snapshot (so after locking the rollout it sees every earlier commit),
// which costs the server about half of the same work as one statement of data-modifying CTEs.
// Enqueue and worker sync are plain statements. The texts are constants with `$n` parameters, so
// a server prepares each once per connection and Node builds no SQL per call; every parameter
// occurrence carries a cast, so the types never depend on the driver's guesses.

/** Unique violation: in the statements below only a generated id can collide. */
export const UNIQUE_VIOLATION = "23505";

/** Runs a constant statement: prepared by the driver when it can, else sent through Drizzle. */
export function runText<T extends object = Row>(
  executor: SqlExecutor,
  text: string,
  params: readonly unknown[],
): Promise<T[]> {
  if (executor.query !== undefined) return executor.query<T>(text, params);
  return executor.rows<T>(textToSql(text, params));
}

const PLACEHOLDER = /\$(\d+)/g;

/** A `$n` statement as Drizzle SQL (for executors without `query`); every `$n` must be cast. */
export function textToSql(text: string, params: readonly unknown[]): SQL {
  const chunks: SQL[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    chunks.push(sql.raw(text.slice(last, match.index)));
    chunks.push(sql`${params[Number(match[1]) - 1] ?? null}`);
    last = match.index + match[0].length;
  }
  chunks.push(sql.raw(text.slice(last)));
  return sql.join(chunks);
}

/** Dequeue (spec §2.3) through `agl_dequeue`: the claimed rollouts, FIFO, each with its new attempt. */
export async function dequeueStatement(
  executor: SqlExecutor,
  limit: number,
  workerId: string | null,
  now: number,
): Promise<AttemptedRollout[]> {
  const rows = await runText(executor, "SELECT * FROM agl_dequeue($1::int, $2::text, $3::float8)", [
    limit,
    workerId,
    now,
  ]);
  return rows.map((row) => {
    const rollout = rolloutFromRow(row);
    return {
      ...rollout,
      status: "preparing" as const,
      attempt: {
        rollout_id: rollout.rollout_id,
        attempt_id: row.a_attempt_id as string,
        sequence_id: Number(row.a_sequence_id),
        start_time: now,
        end_time: null,
        status: "preparing" as const,
        worker_id: workerId,
        last_heartbeat_time: null,
        metadata: null,
      },
    };
  });
}

/** Result of {@link updateAttemptStatement}. */
export interface UpdateAttemptResult {
  /** `ok`, or which of rollout / any attempt / the named attempt was missing (nothing changed). */
  outcome: "ok" | "no_rollout" | "no_attempts" | "no_attempt";
  /** The patched attempt (when `ok`). */
  attempt: Attempt | null;
  /** The rollout's new status when the update changed it. */
  rolloutStatus: RolloutStatus | null;
}

const UPDATE_ATTEMPT_SQL =
  "SELECT * FROM agl_update_attempt($1::text, $2::text, $3::float8, $4::text, $5::text, $6::float8, $7::text::jsonb, $8::bool, $9::text)";

/**
 * Attempt update (spec §2.8 steps 1–6, also the watchdog's verdicts) through `agl_update_attempt`;
 * `attemptId` null targets the latest attempt; `channel` is the completion NOTIFY channel.
 */
export async function updateAttemptStatement(
  executor: SqlExecutor,
  rolloutId: string,
  attemptId: string | null,
  patch: AttemptPatch,
  now: number,
  channel: string,
): Promise<UpdateAttemptResult> {
  // Worker sync (§2.8 step 6) when the worker id is supplied non-empty, or the status is supplied
  // (the function then also requires the attempt's worker id to be non-empty).
  const sync = Boolean(patch.worker_id) || patch.status !== undefined;
  const metadata = patch.metadata === undefined ? null : toJson(patch.metadata, "metadata");
  const [row] = await runText(executor, UPDATE_ATTEMPT_SQL, [
    rolloutId,
    attemptId,
    now,
    patch.status ?? null,
    patch.worker_id ?? null,
    patch.last_heartbeat_time ?? null,
    metadata,
    sync,
    channel,
  ]);
  const outcome = (row?.outcome ?? "no_rollout") as UpdateAttemptResult["outcome"];
  if (row === undefined || outcome !== "ok") return { outcome, attempt: null, rolloutStatus: null };
  const attempt = attemptFromRow(row);
  // The supplied values as given (a JSON copy), not as read back: jsonb orders keys its own way.
  if (patch.worker_id !== undefined) attempt.worker_id = patch.worker_id;
  if (metadata !== null) attempt.metadata = JSON.parse(metadata) as Attempt["metadata"];
  return { outcome, attempt, rolloutStatus: (row.rollout_status ?? null) as RolloutStatus | null };
}

/** Result of {@link addSpanStatement}. */
export interface AddSpanResult {
  hasRollout: boolean;
  hasAttempt: boolean;
  stored: boolean;
}

/** One span (spec §2.9 `add_span`) through `agl_add_span`; `payload` is the span's JSON text. */
export async function addSpanStatement(
  executor: SqlExecutor,
  span: Span,
  payload: string,
  now: number,
): Promise<AddSpanResult> {
  // The ids and the other columns travel as JSON, decoded by Postgres as in the batch path.
  const ids = JSON.stringify([span.rollout_id, span.attempt_id]);
  const columns = JSON.stringify({
    span_id: span.span_id,
    trace_id: span.trace_id,
    parent_id: span.parent_id,
    name: span.name,
    start_time: span.start_time,
    end_time: span.end_time,
  });
  const [row] = await runText<{ r: number }>(
    executor,
    "SELECT agl_add_span($1::text, $2::bigint, $3::text, $4::text::json, $5::float8) AS r",
    [ids, span.sequence_id, columns, payload, now],
  );
  const outcome = Number(row?.r ?? 0);
  return { hasRollout: outcome >= 1, hasAttempt: outcome >= 2, stored: outcome === 3 };
}

/**
 * Enqueue (spec §2.2) of the rollouts in `$1` (json array of {ord, rollout_id, input, mode,
 * resources_id, config, metadata}) at `$2`: queue positions in `ord` order; a null `resources_id`
 * takes the latest snapshot's id, looked up once. A colliding rollout id fails the statement
 * (unique violation: nothing is stored). One row: `latest` (the snapshot id used), `n`.
 */
export const ENQUEUE_SQL = `
WITH latest AS MATERIALIZED (SELECT s.resources_id FROM resources s ORDER BY s.touch_seq DESC LIMIT 1),
ins AS (
  INSERT INTO rollouts (rollout_id, input, start_time, mode, resources_id, status, config, metadata, enqueue_seq)
  SELECT x.rollout_id, x.input, $2::float8, x.mode, COALESCE(x.resources_id, (SELECT resources_id FROM latest)),
    'queuing', x.config, x.metadata, nextval('agl_queue_seq')
  FROM json_to_recordset($1::text::json) AS x(
    ord int, rollout_id text, input jsonb, mode text, resources_id text, config jsonb, metadata jsonb
  )
  ORDER BY x.ord
  RETURNING 1
)
SELECT (SELECT resources_id FROM latest) AS latest, (SELECT count(*) FROM ins)::int AS n`;

/**
 * Worker sync (spec §2.12) with values computed by `core/worker-sync.ts` for a fresh worker:
 * `$1` id, `$2` status, `$3` last_busy_time, `$4` last_idle_time, `$5` last_dequeue_time, `$6`/`$7`
 * current rollout/attempt. A sync always sets status and the current ids; a null time keeps the
 * stored one (the rule only ever stamps times).
 */
export const SYNC_WORKER_SQL = `
INSERT INTO workers AS w (worker_id, status, last_busy_time, last_idle_time, last_dequeue_time,
  current_rollout_id, current_attempt_id)
VALUES ($1::text, $2::text, $3::float8, $4::float8, $5::float8, $6::text, $7::text)
ON CONFLICT (worker_id) DO UPDATE SET
  status = EXCLUDED.status,
  last_busy_time = COALESCE(EXCLUDED.last_busy_time, w.last_busy_time),
  last_idle_time = COALESCE(EXCLUDED.last_idle_time, w.last_idle_time),
  last_dequeue_time = COALESCE(EXCLUDED.last_dequeue_time, w.last_dequeue_time),
  current_rollout_id = EXCLUDED.current_rollout_id,
  current_attempt_id = EXCLUDED.current_attempt_id`;

/** Runs {@link ENQUEUE_SQL}; returns the latest snapshot id used for null `resources_id`s and the count. */
export async function enqueueStatement(
  executor: SqlExecutor,
  itemsJson: string,
  now: number,
): Promise<{ latest: string | null; inserted: number }> {
  const [row] = await runText(executor, ENQUEUE_SQL, [itemsJson, now]);
  return { latest: (row?.latest ?? null) as string | null, inserted: Number(row?.n ?? 0) };
}
