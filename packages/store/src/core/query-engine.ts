import { AglError, type FilterLogic, type PaginatedResult, type SortOrder } from "@agentlightning/types";

// The in-memory filter/sort/paginate engine of `docs/store-contract.md` §2.14. Postgres translates the same
// rules to SQL; both must order nulls identically.

/** One condition of a query pool. */
export type Condition<T> = (item: T) => boolean;

/** Exact match; a null/undefined expected value adds no condition. */
export function exact<T>(pool: Condition<T>[], expected: unknown, get: (item: T) => unknown): void {
  if (expected === null || expected === undefined) return;
  pool.push((item) => get(item) === expected);
}

/** Membership; an empty list is a condition no item satisfies. */
export function within<T>(
  pool: Condition<T>[],
  expected: readonly unknown[] | null | undefined,
  get: (item: T) => unknown,
): void {
  if (expected === null || expected === undefined) return;
  const set = new Set(expected);
  pool.push((item) => set.has(get(item)));
}

/** Substring; a null field never matches; `""` matches every non-null string. */
export function contains<T>(
  pool: Condition<T>[],
  expected: string | null | undefined,
  get: (item: T) => unknown,
): void {
  if (expected === null || expected === undefined) return;
  pool.push((item) => {
    const value = get(item);
    return typeof value === "string" && value.includes(expected);
  });
}

/** Combines a pool: `and` = all (true when empty), `or` = any (false when empty). */
export function combine<T>(pool: Condition<T>[], logic: FilterLogic): Condition<T> {
  if (pool.length === 0) return logic === "and" ? () => true : () => false;
  if (logic === "and") return (item) => pool.every((c) => c(item));
  return (item) => pool.some((c) => c(item));
}

/** How a field's nulls sort: time fields as +∞, strings/enums as "", numbers as 0. */
export type SortKind = "time" | "string" | "number" | "unsortable";

/**
 * Sort kind of a declared field: names ending in `_time` are times; `numberFields` are numbers;
 * `unsortable` fields (objects, arrays, free JSON) cannot be ordered; everything else is a string.
 */
export function sortKindOf(
  field: string,
  numberFields: readonly string[],
  unsortable: readonly string[],
): SortKind {
  if (unsortable.includes(field)) return "unsortable";
  if (field.endsWith("_time")) return "time";
  if (numberFields.includes(field)) return "number";
  return "string";
}

function sortKey(value: unknown, kind: SortKind): number | string | boolean {
  if (value === null || value === undefined) {
    return kind === "time" ? Number.POSITIVE_INFINITY : kind === "number" ? 0 : "";
  }
  return value as number | string | boolean;
}

/**
 * Orders two strings by Unicode code point (as Python and PostgreSQL's "C" collation do). JS `<`
 * compares UTF-16 code units, which puts astral characters (surrogate pairs) before U+E000–U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    const surrogateA = ca >= 0xd800 && ca <= 0xdfff;
    const surrogateB = cb >= 0xd800 && cb <= 0xdfff;
    // A surrogate unit belongs to a code point above U+FFFF, so it sorts after every other BMP unit.
    if (surrogateA !== surrogateB) return surrogateA ? 1 : -1;
    return ca - cb;
  }
  return a.length - b.length;
}

function compareKeys(a: number | string | boolean, b: number | string | boolean): number {
  if (typeof a === "string" && typeof b === "string") return compareCodePoints(a, b);
  // numbers numerically, booleans false < true (mixed types do not occur in declared fields)
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Throws `invalid_argument` unless `sortBy` names an allowed field. */
export function checkSortBy(sortBy: string | null | undefined, allowed: readonly string[]): void {
  if (sortBy === null || sortBy === undefined) return;
  if (!allowed.includes(sortBy)) {
    throw new AglError(
      "invalid_argument",
      `Invalid sort_by: ${sortBy}, allowed fields are: ${allowed.join(", ")}`,
    );
  }
}

/** Throws `invalid_argument` unless `order` is `asc` or `desc`. */
export function checkSortOrder(order: unknown): asserts order is SortOrder {
  if (order !== "asc" && order !== "desc") {
    throw new AglError("invalid_argument", `Invalid sort_order: ${String(order)}, expected "asc" or "desc"`);
  }
}

/** Throws `invalid_argument` unless `logic` is `and` or `or`. */
export function checkFilterLogic(logic: unknown): asserts logic is FilterLogic {
  if (logic !== "and" && logic !== "or") {
    throw new AglError("invalid_argument", `Invalid filter_logic: ${String(logic)}, expected "and" or "or"`);
  }
}

/** Throws `invalid_argument` if a field of this kind cannot be ordered (objects, arrays, free JSON). */
export function checkSortable(field: string, kind: SortKind): void {
  if (kind === "unsortable") {
    throw new AglError("invalid_argument", `Cannot sort by ${field}: its values have no order`);
  }
}

/** Throws `invalid_argument` for a limit below -1 or a negative offset (the store allows limit 0). */
export function checkPage(limit: number, offset: number): void {
  if (!Number.isInteger(limit) || limit < -1) {
    throw new AglError("invalid_argument", "Limit must be greater than 0 or -1 for no limit");
  }
  if (!Number.isInteger(offset) || offset < 0) {
    throw new AglError("invalid_argument", "Offset must be greater than or equal to 0");
  }
}

/**
 * Stable sort by one field, in either direction: equal keys keep their input order in `asc` and
 * `desc`. Unsortable fields throw `invalid_argument`.
 */
export function sortItems<T>(
  items: T[],
  field: string,
  kind: SortKind,
  order: SortOrder,
  get: (item: T) => unknown,
): T[] {
  checkSortable(field, kind);
  const keyed = items.map((item, index) => ({ item, index, key: sortKey(get(item), kind) }));
  const dir = order === "desc" ? -1 : 1;
  keyed.sort((a, b) => compareKeys(a.key, b.key) * dir || a.index - b.index);
  return keyed.map((k) => k.item);
}

/** Applies offset and limit (-1 = all; 0 = none) and reports the total before paging. */
export function paginate<T>(items: T[], limit: number, offset: number): PaginatedResult<T> {
  const end = limit < 0 ? undefined : offset + limit;
  return { items: items.slice(offset, end), limit, offset, total: items.length };
}
