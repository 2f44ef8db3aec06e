import type { Attempt, RolloutStatus } from "@agentlightning/types";
import { requireString } from "../core/arguments.js";
import { normalizeAttemptPatch } from "../core/normalize.js";
import { attemptNotFound, noAttempts, rolloutNotFound } from "../core/store-errors.js";
import type { AttemptPatch } from "../store.js";
import type { SqlExecutor } from "./driver.js";
import { attemptFromRow } from "./rows.js";
import { toJson } from "./sql-query.js";
import { runText } from "./sql-text.js";
import type { StoreRuntime } from "./store-runtime.js";

// Attempt updates (docs/store-contract.md §2.8), also the watchdog's verdicts: one call of `agl_update_attempt`
// (drizzle/functions/30-update-attempt.sql).

/** Result of {@link updateAttemptStatement}. */
export interface UpdateAttemptResult {
  /** `ok`, or which of rollout / any attempt / the named attempt was missing (nothing changed). */
  outcome: "ok" | "no_rollout" | "no_attempts" | "no_attempt";
  /** The patched attempt (when `ok`). */
  attempt: Attempt | null;
  /** The rollout's new status when the update changed it. */
  rolloutStatus: RolloutStatus | null;
}

const UPDATE_ATTEMPT_SQL =
  "SELECT * FROM agl_update_attempt($1::text, $2::text, $3::float8, $4::text, $5::text, $6::float8, $7::text::jsonb, $8::bool, $9::text, $10::bool)";

/**
 * Attempt update (docs/store-contract.md §2.8 steps 1–6) through `agl_update_attempt`; `attemptId` null targets the
 * latest attempt; `channel` is the completion NOTIFY channel; `reclaim`: a claim-lease reclaim.
 */
export async function updateAttemptStatement(
  executor: SqlExecutor,
  rolloutId: string,
  attemptId: string | null,
  patch: AttemptPatch,
  now: number,
  channel: string,
  reclaim = false,
): Promise<UpdateAttemptResult> {
  // Worker sync (§2.8 step 6) when the worker id is supplied non-empty, or the status is supplied
  // (the function then also requires the attempt's worker id to be non-empty).
  const sync = Boolean(patch.worker_id) || patch.status !== undefined;
  const metadata = patch.metadata === undefined ? null : toJson(patch.metadata, "metadata");
  const [row] = await runText(executor, UPDATE_ATTEMPT_SQL, [
    rolloutId,
    attemptId,
    now,
    patch.status ?? null,
    patch.worker_id ?? null,
    patch.last_heartbeat_time ?? null,
    metadata,
    sync,
    channel,
    reclaim,
  ]);
  const outcome = (row?.outcome ?? "no_rollout") as UpdateAttemptResult["outcome"];
  if (row === undefined || outcome !== "ok") return { outcome, attempt: null, rolloutStatus: null };
  const attempt = attemptFromRow(row);
  // The supplied values as given (a JSON copy), not as read back: jsonb orders keys its own way.
  if (patch.worker_id !== undefined) attempt.worker_id = patch.worker_id;
  if (metadata !== null) attempt.metadata = JSON.parse(metadata) as Attempt["metadata"];
  return { outcome, attempt, rolloutStatus: (row.rollout_status ?? null) as RolloutStatus | null };
}

/** Replaces the given fields of an attempt (`"latest"` allowed) and re-derives the rollout status. */
export async function updateAttempt(
  rt: StoreRuntime,
  rolloutId: string,
  attemptId: string,
  patch: AttemptPatch,
): Promise<Attempt> {
  requireString(rolloutId, "rolloutId");
  requireString(attemptId, "attemptId");
  const normalized = normalizeAttemptPatch(patch ?? {});
  const target = attemptId === "latest" ? null : attemptId;
  await rt.scan();
  const result = await rt.transact(
    async (ctx) => {
      const result = await updateAttemptStatement(
        ctx.tx,
        rolloutId,
        target,
        normalized,
        ctx.now,
        ctx.channel,
      );
      rt.noteStatus(ctx, rolloutId, result.rolloutStatus);
      return result;
    },
    { oneStatement: true },
  );
  switch (result.outcome) {
    case "no_rollout":
      throw rolloutNotFound(rolloutId);
    case "no_attempts":
      throw noAttempts(rolloutId);
    case "no_attempt":
      throw attemptNotFound(rolloutId, attemptId);
    default:
      return result.attempt as Attempt;
  }
}
