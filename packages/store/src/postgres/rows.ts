import type {
  Attempt,
  AttemptStatus,
  JsonObject,
  NamedResources,
  ResourcesUpdate,
  Rollout,
  RolloutConfig,
  RolloutMode,
  RolloutOrAttempted,
  RolloutStatus,
  Worker,
  WorkerStatus,
} from "@agentlightning/types";
import { sql } from "drizzle-orm";

// Column lists of the store's SELECTs and the mapping from rows to wire objects. Both drivers return
// float8 and int4 as numbers and jsonb as parsed JSON; int8 comes back as a string (postgres.js) or a
// number (PGlite), so int8 values are converted with Number().

/** Rollout columns, table alias `r`. */
export const ROLLOUT_COLUMNS = sql.raw(
  "r.rollout_id, r.input, r.start_time, r.end_time, r.mode, r.resources_id, r.status, r.config, r.metadata",
);

/** Rollout columns plus the bookkeeping the store needs for read-modify-write (alias `r`). */
export const ROLLOUT_STATE_COLUMNS = sql.raw(
  "r.rollout_id, r.input, r.start_time, r.end_time, r.mode, r.resources_id, r.status, r.config, r.metadata, r.enqueue_seq, r.attempt_count, r.latest_attempt_id",
);

/** Attempt columns, table alias `a`. */
export const ATTEMPT_COLUMNS = sql.raw(
  "a.rollout_id, a.attempt_id, a.sequence_id, a.start_time, a.end_time, a.status, a.worker_id, a.last_heartbeat_time, a.metadata",
);

/** Attempt columns prefixed `a_`, for a rollout row joined with its latest attempt (alias `a`). */
export const LATEST_ATTEMPT_COLUMNS = sql.raw(
  "a.rollout_id AS a_rollout_id, a.attempt_id AS a_attempt_id, a.sequence_id AS a_sequence_id, a.start_time AS a_start_time, a.end_time AS a_end_time, a.status AS a_status, a.worker_id AS a_worker_id, a.last_heartbeat_time AS a_last_heartbeat_time, a.metadata AS a_metadata",
);

/** Join of a rollout (`r`) with its latest attempt (`a`), if any. */
export const LATEST_ATTEMPT_JOIN = sql.raw(
  "LEFT JOIN attempts a ON a.rollout_id = r.rollout_id AND a.attempt_id = r.latest_attempt_id",
);

/** Worker columns, table alias `w`. */
export const WORKER_COLUMNS = sql.raw(
  "w.worker_id, w.status, w.heartbeat_stats, w.last_heartbeat_time, w.last_dequeue_time, w.last_busy_time, w.last_idle_time, w.current_rollout_id, w.current_attempt_id",
);

/** Resources columns, table alias `s`. */
export const RESOURCES_COLUMNS = sql.raw(
  "s.resources_id, s.create_time, s.update_time, s.version, s.resources",
);

/** A raw row: column name → value. */
export type Row = Record<string, unknown>;

/** A rollout row with the columns the store's transitions read. */
export interface RolloutState extends Rollout {
  /** Queue position, or null when not queued. */
  enqueue_seq: number | null;
  attempt_count: number;
  latest_attempt_id: string | null;
}

function num(value: unknown): number {
  return typeof value === "number" ? value : Number(value);
}

function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : num(value);
}

/** The wire rollout of a row selected with {@link ROLLOUT_COLUMNS}. */
export function rolloutFromRow(row: Row): Rollout {
  return {
    rollout_id: row.rollout_id as string,
    input: row.input === undefined ? null : row.input,
    start_time: num(row.start_time),
    end_time: numOrNull(row.end_time),
    mode: (row.mode ?? null) as RolloutMode | null,
    resources_id: (row.resources_id ?? null) as string | null,
    status: row.status as RolloutStatus,
    config: row.config as RolloutConfig,
    metadata: (row.metadata ?? null) as JsonObject | null,
  };
}

/** A rollout row selected with {@link ROLLOUT_STATE_COLUMNS}. */
export function rolloutStateFromRow(row: Row): RolloutState {
  return {
    ...rolloutFromRow(row),
    enqueue_seq: numOrNull(row.enqueue_seq),
    attempt_count: num(row.attempt_count),
    latest_attempt_id: (row.latest_attempt_id ?? null) as string | null,
  };
}

/** The wire rollout of a {@link RolloutState} (bookkeeping dropped). */
export function rolloutOfState(state: RolloutState): Rollout {
  const { enqueue_seq: _q, attempt_count: _c, latest_attempt_id: _l, ...rollout } = state;
  return rollout;
}

/** The wire attempt of a row; `prefix` is `a_` for {@link LATEST_ATTEMPT_COLUMNS}. */
export function attemptFromRow(row: Row, prefix = ""): Attempt {
  return {
    rollout_id: row[`${prefix}rollout_id`] as string,
    attempt_id: row[`${prefix}attempt_id`] as string,
    sequence_id: num(row[`${prefix}sequence_id`]),
    start_time: num(row[`${prefix}start_time`]),
    end_time: numOrNull(row[`${prefix}end_time`]),
    status: row[`${prefix}status`] as AttemptStatus,
    worker_id: (row[`${prefix}worker_id`] ?? null) as string | null,
    last_heartbeat_time: numOrNull(row[`${prefix}last_heartbeat_time`]),
    metadata: (row[`${prefix}metadata`] ?? null) as JsonObject | null,
  };
}

/** A rollout row joined with its latest attempt: attempted (with `attempt`) or plain (no key). */
export function rolloutWithLatestFromRow(row: Row): RolloutOrAttempted {
  const rollout = rolloutFromRow(row);
  if (row.a_attempt_id === null || row.a_attempt_id === undefined) return rollout;
  return { ...rollout, attempt: attemptFromRow(row, "a_") };
}

/** The wire worker of a row selected with {@link WORKER_COLUMNS}. */
export function workerFromRow(row: Row): Worker {
  return {
    worker_id: row.worker_id as string,
    status: row.status as WorkerStatus,
    heartbeat_stats: (row.heartbeat_stats ?? null) as JsonObject | null,
    last_heartbeat_time: numOrNull(row.last_heartbeat_time),
    last_dequeue_time: numOrNull(row.last_dequeue_time),
    last_busy_time: numOrNull(row.last_busy_time),
    last_idle_time: numOrNull(row.last_idle_time),
    current_rollout_id: (row.current_rollout_id ?? null) as string | null,
    current_attempt_id: (row.current_attempt_id ?? null) as string | null,
  };
}

/** The wire resources snapshot of a row selected with {@link RESOURCES_COLUMNS}. */
export function resourcesFromRow(row: Row): ResourcesUpdate {
  return {
    resources_id: row.resources_id as string,
    create_time: num(row.create_time),
    update_time: num(row.update_time),
    version: num(row.version),
    resources: row.resources as NamedResources,
  };
}
