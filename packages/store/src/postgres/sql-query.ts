import {
  AglError,
  type FilterLogic,
  FilterLogicSchema,
  type PaginatedResult,
  parseStorable,
  type SortOrder,
  SortOrderSchema,
} from "@agentlightning/types";
import { type SQL, sql } from "drizzle-orm";
import * as z from "zod";
import { checkPage, checkSortBy } from "../core/query-engine.js";
import type { SortFamily } from "../core/sort-fields.js";
import type { PageOptions } from "../store.js";
import type { SqlExecutor } from "./driver.js";
import type { Row } from "./rows.js";

// The filter/sort/paginate rules of `core/query-engine.ts` (docs/store-contract.md §2.14) in SQL. Null
// ordering matches the in-memory engine: `_time` fields sort null as +∞, numbers as 0, strings as
// "" (compared by code point: COLLATE "C"); ties keep insertion order (`seq`) in both directions.

/** JSON text of a value; values JSON cannot represent are an `invalid_argument`. */
export function toJson(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new AglError("invalid_argument", `${what} is not JSON-serializable: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return text ?? "null";
}

/** A fresh copy of a JSON-compatible value, as the store would return it after storing it. */
export function jsonCopy<T>(value: T, what: string): T {
  return JSON.parse(toJson(value, what)) as T;
}

/** A JSON value as a jsonb SQL expression (sent as text: both drivers pass it through verbatim). */
export function jsonb(json: string): SQL {
  return sql`${json}::text::jsonb`;
}

/** A Postgres array literal of strings (`{"a","b\\"c"}`): every element quoted and escaped. */
export function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(",")}}`;
}

/**
 * A list of strings as one `text[]` parameter (sent as an array literal, which both drivers pass
 * through as text), so the planner sees `= ANY($n::text[])` and can use an index.
 */
export function textArray(values: readonly string[]): SQL {
  return sql`${textArrayLiteral(values)}::text[]`;
}

/** A pool of SQL conditions, combined by {@link combineSql}. */
export type SqlPool = SQL[];

/** Exact match; null/undefined adds no condition. */
export function exactSql(pool: SqlPool, column: SQL, expected: string | null | undefined): void {
  if (expected === null || expected === undefined) return;
  pool.push(sql`(${column} = ${expected}::text)`);
}

/** Membership; an empty list is a condition nothing satisfies. */
export function withinSql(pool: SqlPool, column: SQL, expected: readonly string[] | null | undefined): void {
  if (expected === null || expected === undefined) return;
  pool.push(expected.length === 0 ? sql`FALSE` : sql`(${column} = ANY(${textArray(expected)}))`);
}

/** Substring (not a pattern); a null column never matches; `""` matches every non-null string. */
export function containsSql(pool: SqlPool, column: SQL, expected: string | null | undefined): void {
  if (expected === null || expected === undefined) return;
  pool.push(sql`COALESCE(strpos(${column}, ${expected}::text) > 0, FALSE)`);
}

/** `and` = all (TRUE when empty); `or` = any (FALSE when empty). */
export function combineSql(pool: SqlPool, logic: FilterLogic): SQL {
  if (pool.length === 0) return logic === "and" ? sql`TRUE` : sql`FALSE`;
  return sql`(${sql.join(pool, sql.raw(logic === "and" ? " AND " : " OR "))})`;
}

/** Validated paging options. `sortBy` null = insertion order. */
export interface Page {
  sortBy: string | null;
  sortOrder: SortOrder;
  limit: number;
  offset: number;
}

const PageSchema = z.object({
  sortBy: z.string().nullable().optional(),
  sortOrder: SortOrderSchema.optional(),
  limit: z.number().optional(),
  offset: z.number().optional(),
});

/**
 * Validates paging options against a sort family (invalid → `invalid_argument`). An absent
 * `sortBy` takes `defaultSort`; an explicit null means insertion order.
 */
export function pageOf(
  options: PageOptions | undefined,
  family: SortFamily,
  defaultSort: string | null,
): Page {
  const parsed = parseStorable(PageSchema, options ?? {}, "query");
  const sortBy = parsed.sortBy === undefined ? defaultSort : parsed.sortBy;
  checkSortBy(sortBy, family.allowed);
  if (sortBy !== null && family.kind(sortBy) === "unsortable") {
    throw new AglError("invalid_argument", `Cannot sort by ${sortBy}: its values have no order`);
  }
  const limit = parsed.limit ?? -1;
  const offset = parsed.offset ?? 0;
  checkPage(limit, offset);
  return { sortBy, sortOrder: parsed.sortOrder ?? "asc", limit, offset };
}

/** Validates a filter logic (default `and`). */
export function filterLogicOf(value: unknown): FilterLogic {
  return value === undefined || value === null
    ? "and"
    : parseStorable(FilterLogicSchema, value, "filter_logic");
}

/**
 * `ORDER BY` of a page: the sort key with the null rule of its kind, then insertion order.
 * `notNull` lists the columns that cannot be null: they sort without COALESCE, so an index on
 * them can serve the order.
 */
export function orderBySql(
  page: Page,
  family: SortFamily,
  alias: string,
  notNull: readonly string[] = [],
): SQL {
  const seq = sql`${sql.identifier(alias)}.seq`;
  if (page.sortBy === null) return sql`ORDER BY ${seq} ASC`;
  const column = sql`${sql.identifier(alias)}.${sql.identifier(page.sortBy)}`;
  const dir = sql.raw(page.sortOrder === "desc" ? "DESC" : "ASC");
  const kind = family.kind(page.sortBy);
  if (notNull.includes(page.sortBy)) {
    return kind === "string"
      ? sql`ORDER BY ${column} COLLATE "C" ${dir}, ${seq} ASC`
      : sql`ORDER BY ${column} ${dir}, ${seq} ASC`;
  }
  switch (kind) {
    case "time":
      return sql`ORDER BY COALESCE(${column}, 'Infinity'::float8) ${dir}, ${seq} ASC`;
    case "number":
      return sql`ORDER BY COALESCE(${column}, 0) ${dir}, ${seq} ASC`;
    default:
      return sql`ORDER BY COALESCE(${column}, '') COLLATE "C" ${dir}, ${seq} ASC`;
  }
}

/**
 * Runs a paged query. `select`/`from` produce the items (`from` may join extra tables),
 * `countFrom` is the main table alone, `where` filters the main table. Without a limit, one
 * statement returns the page and the total follows from it; with a limit, the page (which can
 * then stop early on an index) and the count run side by side. Under concurrent writes the two
 * may see different snapshots.
 */
export async function pagedQuery<T>(
  db: SqlExecutor,
  parts: { select: SQL; from: SQL; countFrom: SQL; where: SQL; order: SQL; page: Page },
  map: (row: Row) => T,
): Promise<PaginatedResult<T>> {
  const { page } = parts;
  const count = async (): Promise<number> => {
    const [row] = await db.rows<{ total: number }>(
      sql`SELECT count(*)::int AS total FROM ${parts.countFrom} WHERE ${parts.where}`,
    );
    return Number(row?.total ?? 0);
  };
  const list = async (limit: SQL): Promise<T[]> =>
    (
      await db.rows(
        sql`SELECT ${parts.select} FROM ${parts.from} WHERE ${parts.where} ${parts.order} ${limit} OFFSET ${page.offset}::bigint`,
      )
    ).map(map);
  if (page.limit === 0) return { items: [], limit: 0, offset: page.offset, total: await count() };
  if (page.limit < 0) {
    const items = await list(sql``);
    const total = items.length > 0 || page.offset === 0 ? page.offset + items.length : await count();
    return { items, limit: page.limit, offset: page.offset, total };
  }
  const [items, total] = await Promise.all([list(sql`LIMIT ${page.limit}::bigint`), count()]);
  return { items, limit: page.limit, offset: page.offset, total };
}
