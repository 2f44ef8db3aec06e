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
import { A, A_TABLE, R, RES, W } from "./tables.js";

// Column lists of the store's SELECTs and the mapping from rows to wire objects. Both drivers return
// float8 and int4 as numbers and jsonb as parsed JSON; int8 comes back as a string (postgres.js) or a
// number (PGlite), so int8 values are converted with Number().

const comma = sql`, `;

/** Rollout columns, table alias `r`. */
export const ROLLOUT_COLUMNS = sql.join(
  [R.rollout_id, R.input, R.start_time, R.end_time, R.mode, R.resources_id, R.status, R.config, R.metadata],
  comma,
);

const attemptColumns = [
  A.rollout_id,
  A.attempt_id,
  A.sequence_id,
  A.start_time,
  A.end_time,
  A.status,
  A.worker_id,
  A.last_heartbeat_time,
  A.metadata,
];

/** Attempt columns, table alias `a`. */
export const ATTEMPT_COLUMNS = sql.join(attemptColumns, comma);

/** Attempt columns prefixed `a_`, for a rollout row joined with its latest attempt (alias `a`). */
export const LATEST_ATTEMPT_COLUMNS = sql.join(
  attemptColumns.map((column) => sql`${column} AS ${sql.identifier(`a_${column.name}`)}`),
  comma,
);

/** Join of a rollout (`r`) with its latest attempt (`a`), if any. */
export const LATEST_ATTEMPT_JOIN = sql`LEFT JOIN ${A_TABLE} ON ${A.rollout_id} = ${R.rollout_id} AND ${A.attempt_id} = ${R.latest_attempt_id}`;

/** Worker columns, table alias `w`. */
export const WORKER_COLUMNS = sql.join(
  [
    W.worker_id,
    W.status,
    W.heartbeat_stats,
    W.last_heartbeat_time,
    W.last_dequeue_time,
    W.last_busy_time,
    W.last_idle_time,
    W.current_rollout_id,
    W.current_attempt_id,
  ],
  comma,
);

/** Resources columns, table alias `s`. */
export const RESOURCES_COLUMNS = sql.join(
  [RES.resources_id, RES.create_time, RES.update_time, RES.version, RES.resources],
  comma,
);

/** A raw row: column name → value. */
export type Row = Record<string, unknown>;

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
