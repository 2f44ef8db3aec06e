import type { SortOrder } from "@agentlightning/types";
import type { PageOptions } from "../store.js";
import { checkPage, checkSortable, checkSortBy, checkSortOrder } from "./query-engine.js";
import type { SortFamily } from "./sort-fields.js";

/** Paging and ordering of a query after defaults and validation. */
export interface ResolvedPage {
  /** Field to sort by; null = the family's natural (insertion) order. */
  sortBy: string | null;
  sortOrder: SortOrder;
  limit: number;
  offset: number;
}

/**
 * Applies the defaults of `docs/store-contract.md` §2.14 (`asc`, limit -1, offset 0; `defaultSortBy` when
 * `sortBy` is null/absent) and rejects a bad field, order, limit or offset with `invalid_argument`
 * before a store touches anything.
 */
export function resolvePageOptions(
  options: PageOptions | undefined,
  family: SortFamily,
  defaultSortBy: string | null,
): ResolvedPage {
  const sortBy = options?.sortBy ?? defaultSortBy;
  const sortOrder = options?.sortOrder ?? "asc";
  const limit = options?.limit ?? -1;
  const offset = options?.offset ?? 0;
  checkSortBy(sortBy, family.allowed);
  if (sortBy !== null) checkSortable(sortBy, family.kind(sortBy));
  checkSortOrder(sortOrder);
  checkPage(limit, offset);
  return { sortBy, sortOrder, limit, offset };
}
