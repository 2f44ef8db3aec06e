import {
  AglError,
  type Attempt,
  type PaginatedResult,
  parseStorable,
  type RolloutOrAttempted,
  RolloutStatusSchema,
  type Span,
  type StoreStatistics,
} from "@agentlightning/types";
import { sql } from "drizzle-orm";
import * as z from "zod";
import { optionalList, optionalString, requireString } from "../core/arguments.js";
import { ATTEMPT_SORT, ROLLOUT_SORT, SPAN_SORT } from "../core/sort-fields.js";
import type { QueryAttemptsOptions, QueryRolloutsOptions, QuerySpansOptions } from "../store.js";
import {
  ATTEMPT_COLUMNS,
  attemptFromRow,
  LATEST_ATTEMPT_COLUMNS,
  LATEST_ATTEMPT_JOIN,
  ROLLOUT_COLUMNS,
  rolloutWithLatestFromRow,
} from "./rows.js";
import {
  combineSql,
  containsSql,
  exactSql,
  filterLogicOf,
  orderBySql,
  pagedQuery,
  pageOf,
  type SqlPool,
  withinSql,
} from "./sql-query.js";
import type { StoreRuntime } from "./store-runtime.js";
import { A, A_TABLE, R, R_TABLE, RES_TABLE, S, S_TABLE, W_TABLE } from "./tables.js";

// The read side (docs/store-contract.md §2.5, §2.6, §2.9 query_spans, §2.13): rollouts, attempts, spans, statistics.

/** The rollout with its latest attempt, the plain rollout if it has none, or null if unknown. */
export async function getRolloutById(
  rt: StoreRuntime,
  rolloutId: string,
): Promise<RolloutOrAttempted | null> {
  requireString(rolloutId, "rolloutId");
  await rt.scan();
  const [row] = await rt.read(
    sql`SELECT ${ROLLOUT_COLUMNS}, ${LATEST_ATTEMPT_COLUMNS} FROM ${R_TABLE} ${LATEST_ATTEMPT_JOIN} WHERE ${R.rollout_id} = ${rolloutId}::text`,
  );
  return row === undefined ? null : rolloutWithLatestFromRow(row);
}

/** Filters, sorts and pages rollouts; items carry their latest attempt if any. */
export async function queryRollouts(
  rt: StoreRuntime,
  options: QueryRolloutsOptions,
): Promise<PaginatedResult<RolloutOrAttempted>> {
  const page = pageOf(options, ROLLOUT_SORT, null);
  const statusIn = parseStorable(
    z.array(RolloutStatusSchema).nullable().optional(),
    options.statusIn,
    "statusIn",
  );
  const idIn = optionalList(options.rolloutIdIn, z.string(), "rolloutIdIn");
  const contains = optionalString(options.rolloutIdContains, "rolloutIdContains");
  const logic = filterLogicOf(options.filterLogic);
  await rt.scan();
  const pool: SqlPool = [];
  withinSql(pool, sql`${R.status}`, statusIn);
  withinSql(pool, sql`${R.rollout_id}`, idIn);
  containsSql(pool, sql`${R.rollout_id}`, contains);
  return pagedQuery(
    rt.db,
    {
      select: sql`${ROLLOUT_COLUMNS}, ${LATEST_ATTEMPT_COLUMNS}`,
      from: sql`${R_TABLE} ${LATEST_ATTEMPT_JOIN}`,
      countFrom: sql`${R_TABLE}`,
      where: combineSql(pool, logic),
      order: orderBySql(page, ROLLOUT_SORT, "r", ["rollout_id", "start_time", "status"]),
      page,
    },
    rolloutWithLatestFromRow,
  );
}

/** A rollout's attempts (empty page for an unknown rollout). */
export async function queryAttempts(
  rt: StoreRuntime,
  rolloutId: string,
  options: QueryAttemptsOptions,
): Promise<PaginatedResult<Attempt>> {
  requireString(rolloutId, "rolloutId");
  const page = pageOf(options, ATTEMPT_SORT, "sequence_id");
  await rt.scan();
  return pagedQuery(
    rt.db,
    {
      select: ATTEMPT_COLUMNS,
      from: sql`${A_TABLE}`,
      countFrom: sql`${A_TABLE}`,
      where: sql`${A.rollout_id} = ${rolloutId}::text`,
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
export async function getLatestAttempt(rt: StoreRuntime, rolloutId: string): Promise<Attempt | null> {
  requireString(rolloutId, "rolloutId");
  await rt.scan();
  const [row] = await rt.read(sql`
    SELECT ${ATTEMPT_COLUMNS} FROM ${R_TABLE}
    JOIN ${A_TABLE} ON ${A.rollout_id} = ${R.rollout_id} AND ${A.attempt_id} = ${R.latest_attempt_id}
    WHERE ${R.rollout_id} = ${rolloutId}::text`);
  return row === undefined ? null : attemptFromRow(row);
}

/** Filters, sorts and pages a rollout's spans (default order: `sequence_id`). */
export async function querySpans(
  rt: StoreRuntime,
  options: QuerySpansOptions,
): Promise<PaginatedResult<Span>> {
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
  await rt.scan();
  if (attemptId === "latest") {
    const [row] = await rt.read(
      sql`SELECT ${R.latest_attempt_id} FROM ${R_TABLE} WHERE ${R.rollout_id} = ${rolloutId}::text`,
    );
    attemptId = (row?.latest_attempt_id as string | null | undefined) ?? null;
    if (attemptId === null) return { items: [], limit: page.limit, offset: page.offset, total: 0 };
  }
  const pool: SqlPool = [];
  exactSql(pool, sql`${S.trace_id}`, filters.traceId);
  containsSql(pool, sql`${S.trace_id}`, filters.traceIdContains);
  exactSql(pool, sql`${S.span_id}`, filters.spanId);
  containsSql(pool, sql`${S.span_id}`, filters.spanIdContains);
  exactSql(pool, sql`${S.parent_id}`, filters.parentId);
  containsSql(pool, sql`${S.parent_id}`, filters.parentIdContains);
  exactSql(pool, sql`${S.name}`, filters.name);
  containsSql(pool, sql`${S.name}`, filters.nameContains);
  const scope =
    attemptId === null
      ? sql`${S.rollout_id} = ${rolloutId}::text`
      : sql`${S.rollout_id} = ${rolloutId}::text AND ${S.attempt_id} = ${attemptId}::text`;
  return pagedQuery(
    rt.db,
    {
      select: sql`${S.payload}`,
      from: sql`${S_TABLE}`,
      countFrom: sql`${S_TABLE}`,
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

/** Current counts (exact `count(*)`); `uptime` is filled in by the store. */
export async function countRows(
  rt: StoreRuntime,
): Promise<
  Pick<
    StoreStatistics,
    "total_rollouts" | "total_attempts" | "total_spans" | "total_resources" | "total_workers"
  >
> {
  const [row] = await rt.read(sql`
    SELECT (SELECT count(*) FROM ${R_TABLE})::int AS total_rollouts,
      (SELECT count(*) FROM ${A_TABLE})::int AS total_attempts,
      (SELECT count(*) FROM ${S_TABLE})::int AS total_spans,
      (SELECT count(*) FROM ${RES_TABLE})::int AS total_resources,
      (SELECT count(*) FROM ${W_TABLE})::int AS total_workers`);
  return {
    total_rollouts: Number(row?.total_rollouts ?? 0),
    total_attempts: Number(row?.total_attempts ?? 0),
    total_spans: Number(row?.total_spans ?? 0),
    total_resources: Number(row?.total_resources ?? 0),
    total_workers: Number(row?.total_workers ?? 0),
  };
}
