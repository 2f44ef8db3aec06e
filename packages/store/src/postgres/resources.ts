import {
  AglError,
  generateResourcesId,
  type NamedResourcesInput,
  type PaginatedResult,
  type ResourcesUpdate,
} from "@agentlightning/types";
import { sql } from "drizzle-orm";
import { optionalString, requireString } from "../core/arguments.js";
import { normalizeResources } from "../core/normalize.js";
import { RESOURCES_SORT } from "../core/sort-fields.js";
import type { QueryResourcesOptions } from "../store.js";
import { RESOURCES_COLUMNS, resourcesFromRow } from "./rows.js";
import { resources as resourcesTable } from "./schema.js";
import {
  combineSql,
  containsSql,
  exactSql,
  jsonb,
  orderBySql,
  pagedQuery,
  pageOf,
  type SqlPool,
  toJson,
} from "./sql-query.js";
import { IdCollision, type StoreRuntime } from "./store-runtime.js";
import { RES, RES_TABLE } from "./tables.js";

// Resources snapshots (docs/store-contract.md §2.11): the latest is the one with the highest `touch_seq`.

/** Stores a new resources snapshot (`rs-` id) and makes it the latest. */
export async function addResources(
  rt: StoreRuntime,
  resources: NamedResourcesInput,
): Promise<ResourcesUpdate> {
  const json = toJson(normalizeResources(resources), "resources");
  return rt.transact(
    async (ctx) => {
      const [row] = await ctx.tx.rows(sql`
        INSERT INTO ${resourcesTable} AS s (resources_id, create_time, update_time, version, resources, touch_seq)
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
export async function updateResources(
  rt: StoreRuntime,
  resourcesId: string,
  resources: NamedResourcesInput,
): Promise<ResourcesUpdate> {
  requireString(resourcesId, "resourcesId");
  const json = toJson(normalizeResources(resources), "resources");
  await rt.scan();
  return rt.transact(
    async (ctx) => {
      const [row] = await ctx.tx.rows(sql`
        INSERT INTO ${resourcesTable} AS s (resources_id, create_time, update_time, version, resources, touch_seq)
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
export async function getResourcesById(
  rt: StoreRuntime,
  resourcesId: string,
): Promise<ResourcesUpdate | null> {
  requireString(resourcesId, "resourcesId");
  const [row] = await rt.read(
    sql`SELECT ${RESOURCES_COLUMNS} FROM ${RES_TABLE} WHERE ${RES.resources_id} = ${resourcesId}::text`,
  );
  return row === undefined ? null : resourcesFromRow(row);
}

/** The snapshot most recently added or updated, or null. */
export async function getLatestResources(rt: StoreRuntime): Promise<ResourcesUpdate | null> {
  const [row] = await rt.read(
    sql`SELECT ${RESOURCES_COLUMNS} FROM ${RES_TABLE} ORDER BY ${RES.touch_seq} DESC LIMIT 1`,
  );
  return row === undefined ? null : resourcesFromRow(row);
}

/** Filters (always AND), sorts and pages resources snapshots; default order: creation. */
export async function queryResources(
  rt: StoreRuntime,
  options: QueryResourcesOptions,
): Promise<PaginatedResult<ResourcesUpdate>> {
  const page = pageOf(options, RESOURCES_SORT, null);
  const pool: SqlPool = [];
  exactSql(pool, sql`${RES.resources_id}`, optionalString(options.resourcesId, "resourcesId"));
  containsSql(
    pool,
    sql`${RES.resources_id}`,
    optionalString(options.resourcesIdContains, "resourcesIdContains"),
  );
  return pagedQuery(
    rt.db,
    {
      select: RESOURCES_COLUMNS,
      from: sql`${RES_TABLE}`,
      countFrom: sql`${RES_TABLE}`,
      where: combineSql(pool, "and"),
      order: orderBySql(page, RESOURCES_SORT, "s", ["resources_id", "create_time", "update_time", "version"]),
      page,
    },
    resourcesFromRow,
  );
}
