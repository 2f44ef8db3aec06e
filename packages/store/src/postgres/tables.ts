import { sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { attempts, resources, rollouts, spans, workers } from "./schema.js";

// The schema's tables under the short aliases the store's SQL uses. Queries that are not on the hot
// path name tables and columns through these objects (`${R.status}` renders as "r"."status", and
// `${R_TABLE}` as "rollouts" "r"), so a renamed column or table is a compile error. The hot path's
// constant statements and the SQL functions of drizzle/functions/ are text; the tests exercise
// every one of them.

/** Columns of `rollouts r`. */
export const R = alias(rollouts, "r");
/** Columns of `attempts a`. */
export const A = alias(attempts, "a");
/** Columns of `spans s`. */
export const S = alias(spans, "s");
/** Columns of `resources s` (never joined with spans). */
export const RES = alias(resources, "s");
/** Columns of `workers w`. */
export const W = alias(workers, "w");

/** `rollouts r`, for FROM. */
export const R_TABLE = sql`${rollouts} ${sql.identifier("r")}`;
/** `attempts a`, for FROM. */
export const A_TABLE = sql`${attempts} ${sql.identifier("a")}`;
/** `spans s`, for FROM. */
export const S_TABLE = sql`${spans} ${sql.identifier("s")}`;
/** `resources s`, for FROM. */
export const RES_TABLE = sql`${resources} ${sql.identifier("s")}`;
/** `workers w`, for FROM. */
export const W_TABLE = sql`${workers} ${sql.identifier("w")}`;
