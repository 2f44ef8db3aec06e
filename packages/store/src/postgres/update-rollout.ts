import { AglError, type Rollout } from "@agentlightning/types";
import { type SQL, sql } from "drizzle-orm";
import { requireString } from "../core/arguments.js";
import { rolloutStatusEffects } from "../core/lifecycle-rules.js";
import { normalizeRolloutPatch } from "../core/normalize.js";
import { rolloutNotFound } from "../core/store-errors.js";
import type { RolloutPatch } from "../store.js";
import { ROLLOUT_COLUMNS, rolloutFromRow } from "./rows.js";
import { jsonb, toJson } from "./sql-query.js";
import type { StoreRuntime } from "./store-runtime.js";
import { R, R_TABLE } from "./tables.js";

// update_rollout (docs/store-contract.md §2.7): the fields in one UPDATE, then the status through
// `agl_set_rollout_status`, which applies its side effects (end time, queue, completion notice).

/** Replaces the given fields of a rollout; returns it without `attempt`. */
export async function updateRollout(
  rt: StoreRuntime,
  rolloutId: string,
  patch: RolloutPatch,
): Promise<Rollout> {
  requireString(rolloutId, "rolloutId");
  const fields = normalizeRolloutPatch(patch ?? {});
  await rt.scan();
  const sets: SQL[] = [];
  const set = (column: { name: string }, value: SQL) =>
    sets.push(sql`${sql.identifier(column.name)} = ${value}`);
  if ("input" in fields) set(R.input, jsonb(toJson(fields.input ?? null, "input")));
  if (fields.mode !== undefined) set(R.mode, sql`${fields.mode}::text`);
  if (fields.resources_id !== undefined) set(R.resources_id, sql`${fields.resources_id}::text`);
  if (fields.config !== undefined) set(R.config, jsonb(toJson(fields.config, "config")));
  if (fields.metadata !== undefined) {
    set(R.metadata, fields.metadata === null ? sql`NULL` : jsonb(toJson(fields.metadata, "metadata")));
  }
  return rt.transact(async (ctx) => {
    const [locked] = await ctx.tx.rows(
      sql`SELECT 1 FROM ${R_TABLE} WHERE ${R.rollout_id} = ${rolloutId}::text FOR UPDATE`,
    );
    if (locked === undefined) throw rolloutNotFound(rolloutId);
    if (sets.length > 0) {
      await ctx.tx.rows(
        sql`UPDATE ${R_TABLE} SET ${sql.join(sets, sql`, `)} WHERE ${R.rollout_id} = ${rolloutId}::text`,
      );
    }
    // Applied even when unchanged: a finished status re-stamps end_time, a queuing one re-enqueues.
    if (fields.status !== undefined) {
      await ctx.tx.rows(
        sql`SELECT agl_set_rollout_status(${rolloutId}::text, ${fields.status}::text, ${ctx.now}::float8, ${ctx.channel}::text)`,
      );
      if (rolloutStatusEffects(fields.status).finishes) ctx.finished.add(rolloutId);
    }
    const [row] = await ctx.tx.rows(
      sql`SELECT ${ROLLOUT_COLUMNS} FROM ${R_TABLE} WHERE ${R.rollout_id} = ${rolloutId}::text`,
    );
    if (row === undefined) throw new AglError("internal", `Rollout ${rolloutId} vanished during an update`);
    return rolloutFromRow(row);
  });
}
