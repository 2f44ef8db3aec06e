import * as z from "zod";

/**
 * Schema of one page of a query: `limit` and `offset` echo the request, `total` counts every match.
 *
 * @example
 * ```ts
 * const page = paginatedResultSchema(RolloutSchema).parse(await res.json());
 * ```
 */
export function paginatedResultSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    limit: z.int(),
    offset: z.int(),
    total: z.int(),
  });
}

/** One page of a query result. */
export interface PaginatedResult<T> {
  items: T[];
  /** The request's limit; -1 = no limit. */
  limit: number;
  offset: number;
  /** Number of matches before offset/limit. */
  total: number;
}
