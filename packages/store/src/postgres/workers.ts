import {
  AglError,
  JsonObjectSchema,
  type PaginatedResult,
  parseStorable,
  type Worker,
  WorkerStatusSchema,
} from "@agentlightning/types";
import { sql } from "drizzle-orm";
import * as z from "zod";
import { optionalString, requireString } from "../core/arguments.js";
import { WORKER_SORT } from "../core/sort-fields.js";
import type { QueryWorkersOptions } from "../store.js";
import { WORKER_COLUMNS, workerFromRow } from "./rows.js";
import { workers as workersTable } from "./schema.js";
import {
  combineSql,
  containsSql,
  filterLogicOf,
  jsonb,
  orderBySql,
  pagedQuery,
  pageOf,
  type SqlPool,
  toJson,
  withinSql,
} from "./sql-query.js";
import type { StoreRuntime } from "./store-runtime.js";
import { W, W_TABLE } from "./tables.js";

// Workers (docs/store-contract.md §2.12). Worker sync with attempts is the SQL function `agl_sync_worker`, called by
// the attempt operations; here are the worker's own heartbeat and the reads.

/** Worker heartbeat: upserts the worker, stamps `last_heartbeat_time`, replaces stats if given. */
export async function updateWorker(
  rt: StoreRuntime,
  workerId: string,
  options: { heartbeatStats?: Record<string, unknown> },
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
      : toJson(parseStorable(JsonObjectSchema, stats, "heartbeat_stats"), "heartbeat_stats");
  return rt.transact(
    async (ctx) => {
      const [row] = await ctx.tx.rows(sql`
        INSERT INTO ${workersTable} AS w (worker_id, status, last_heartbeat_time, heartbeat_stats)
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
export async function getWorkerById(rt: StoreRuntime, workerId: string): Promise<Worker | null> {
  requireString(workerId, "workerId");
  const [row] = await rt.read(
    sql`SELECT ${WORKER_COLUMNS} FROM ${W_TABLE} WHERE ${W.worker_id} = ${workerId}::text`,
  );
  return row === undefined ? null : workerFromRow(row);
}

/** Filters, sorts and pages workers; default order: creation. */
export async function queryWorkers(
  rt: StoreRuntime,
  options: QueryWorkersOptions,
): Promise<PaginatedResult<Worker>> {
  const page = pageOf(options, WORKER_SORT, null);
  const statusIn = parseStorable(
    z.array(WorkerStatusSchema).nullable().optional(),
    options.statusIn,
    "statusIn",
  );
  const contains = optionalString(options.workerIdContains, "workerIdContains");
  const logic = filterLogicOf(options.filterLogic);
  await rt.scan();
  const pool: SqlPool = [];
  withinSql(pool, sql`${W.status}`, statusIn);
  containsSql(pool, sql`${W.worker_id}`, contains);
  return pagedQuery(
    rt.db,
    {
      select: WORKER_COLUMNS,
      from: sql`${W_TABLE}`,
      countFrom: sql`${W_TABLE}`,
      where: combineSql(pool, logic),
      order: orderBySql(page, WORKER_SORT, "w", ["worker_id", "status"]),
      page,
    },
    workerFromRow,
  );
}
