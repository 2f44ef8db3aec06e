import { type AttemptedRollout, generateAttemptId } from "@agentlightning/types";
import { optionalString, requireInteger, requireString } from "../core/arguments.js";
import { NEW_ATTEMPT_ROLLOUT_STATUS, nextAttempt } from "../core/lifecycle-rules.js";
import { rolloutNotFound } from "../core/store-errors.js";
import { rolloutFromRow } from "./rows.js";
import { runText } from "./sql-text.js";
import type { StoreRuntime } from "./store-runtime.js";

// Claims (docs/store-contract.md §2.3) and manual attempts (§2.4): the two ways a rollout gets a new attempt, each one
// call of a function in drizzle/functions/20-dequeue.sql.

const DEQUEUE_SQL = "SELECT * FROM agl_dequeue($1::int, $2::text, $3::float8)";
const START_ATTEMPT_SQL = "SELECT * FROM agl_start_attempt($1::text, $2::text, $3::text, $4::float8)";

/**
 * Claims up to `limit` rollouts in FIFO order; `limit <= 0` returns `[]` untouched. Rows are
 * claimed with `FOR UPDATE SKIP LOCKED`, so concurrent dequeuers (in any process) never get the
 * same entry; entries whose rollout is no longer queuing-like are discarded (docs/store-contract.md §2.3 step 2).
 */
export async function dequeueRollouts(
  rt: StoreRuntime,
  options: { limit: number; workerId?: string | null },
): Promise<AttemptedRollout[]> {
  const limit = requireInteger(options?.limit, "limit");
  // An empty worker id is treated as absent (docs/store-contract.md Appendix E2).
  const workerId = optionalString(options.workerId, "workerId") || null;
  if (limit <= 0) return [];
  await rt.scan();
  // A limit beyond int4 cannot claim more than int4 rollouts anyway.
  const bounded = Math.min(limit, 2 ** 31 - 1);
  return rt.transact(
    async (ctx) => {
      const rows = await runText(ctx.tx, DEQUEUE_SQL, [bounded, workerId, ctx.now]);
      return rows.map((row) => {
        const rollout = rolloutFromRow(row);
        const attempt = nextAttempt(
          rollout.rollout_id,
          row.a_attempt_id as string,
          Number(row.a_sequence_id) - 1,
          workerId,
          ctx.now,
        );
        return { ...rollout, status: NEW_ATTEMPT_ROLLOUT_STATUS, attempt };
      });
    },
    { oneStatement: true, uniqueIsCollision: true },
  );
}

/** Creates a new attempt for a rollout outside the queue, whatever its status and budget (§2.4). */
export async function startAttempt(
  rt: StoreRuntime,
  rolloutId: string,
  options: { workerId?: string | null },
): Promise<AttemptedRollout> {
  requireString(rolloutId, "rolloutId");
  const workerId = optionalString(options?.workerId, "workerId");
  await rt.scan();
  return rt.transact(
    async (ctx) => {
      const attemptId = generateAttemptId();
      const [row] = await runText(ctx.tx, START_ATTEMPT_SQL, [rolloutId, attemptId, workerId, ctx.now]);
      if (row === undefined) throw rolloutNotFound(rolloutId);
      const rollout = rolloutFromRow(row);
      const attempt = nextAttempt(rolloutId, attemptId, Number(row.a_sequence_id) - 1, workerId, ctx.now);
      return { ...rollout, status: NEW_ATTEMPT_ROLLOUT_STATUS, attempt };
    },
    { oneStatement: true, uniqueIsCollision: true },
  );
}
