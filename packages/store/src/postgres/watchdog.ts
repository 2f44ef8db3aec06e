import { sql } from "drizzle-orm";
import { ScanDebouncer } from "../core/health-scan.js";
import { type HealthVerdict, sqlStatusLists, verdictPatch } from "../core/lifecycle-rules.js";
import { textArray } from "./sql-query.js";
import type { StoreRuntime } from "./store-runtime.js";
import { A, A_TABLE, R, R_TABLE, W, W_TABLE } from "./tables.js";
import { updateAttemptStatement } from "./update-attempt.js";

// The watchdog (docs/store-contract.md §2.15) and the claim lease, debounced per process. The verdict is the SQL
// function `agl_health_verdict` (drizzle/functions/10-rules.sql, checked against `healthVerdict`);
// each verdict is applied like an attempt update, through `agl_update_attempt`. The worker named by
// the attempt is LEFT JOINed: a claim its live worker still holds is not reclaimed by the lease.

/** Advisory-lock class of the health scan (first key of `pg_try_advisory_xact_lock(int, int)`). */
export const SCAN_LOCK_CLASS = 0x41474c02;

const SCANNED_STATUSES = sql.raw(sqlStatusLists().SCANNED_STATUSES ?? "(NULL)");

/** The debounced health scan of one store process. */
export class Watchdog {
  private readonly debouncer: ScanDebouncer;

  constructor(
    private readonly rt: StoreRuntime,
    debounceSeconds: number,
    /** Claim lease in seconds, or null when disabled. */
    private readonly claimLease: number | null,
  ) {
    this.debouncer = new ScanDebouncer(debounceSeconds);
  }

  private verdictSql(now: number) {
    return sql`agl_health_verdict(${R.config}, ${A.status}, ${A.start_time}, ${A.last_heartbeat_time}, ${now}::float8, ${this.claimLease}::float8, ${A.rollout_id}, ${A.attempt_id}, ${A.worker_id}, ${W.current_rollout_id}, ${W.current_attempt_id}, ${W.last_heartbeat_time})`;
  }

  /**
   * A lock-free query finds candidates; only when there are some does a transaction take the
   * scan's advisory lock (skipping if another process holds it), lock the rollouts, re-judge each
   * and apply the verdicts.
   */
  async scan(): Promise<void> {
    const rt = this.rt;
    rt.ensureOpen();
    const now = rt.now();
    if (!this.debouncer.shouldScan(now)) return;
    const running = sql`${R.status} IN ${SCANNED_STATUSES}`;
    const join = sql`JOIN ${A_TABLE} ON ${A.rollout_id} = ${R.rollout_id} AND ${A.attempt_id} = ${R.latest_attempt_id}
      LEFT JOIN ${W_TABLE} ON ${W.worker_id} = ${A.worker_id}`;
    const candidates = await rt.read(sql`
      SELECT ${R.rollout_id} FROM ${R_TABLE} ${join}
      WHERE ${running} AND ${this.verdictSql(now)} IS NOT NULL
      ORDER BY ${R.rollout_id}`);
    if (candidates.length === 0) return;
    const ids = candidates.map((row) => row.rollout_id as string);
    await rt.transact(
      async (ctx) => {
        const [lock] = await ctx.tx.rows<{ ok: boolean }>(
          sql`SELECT pg_try_advisory_xact_lock(${SCAN_LOCK_CLASS}::int, hashtext(${rt.schema}::text)) AS ok`,
        );
        if (!lock?.ok) return;
        const locked = await ctx.tx.rows<{ rollout_id: string }>(sql`
          SELECT ${R.rollout_id} FROM ${R_TABLE} WHERE ${R.rollout_id} = ANY(${textArray(ids)}) AND ${running}
          ORDER BY ${R.rollout_id} FOR UPDATE`);
        if (locked.length === 0) return;
        const verdicts = await ctx.tx.rows<{
          rollout_id: string;
          attempt_id: string;
          verdict: HealthVerdict;
        }>(sql`
          SELECT ${R.rollout_id}, ${A.attempt_id}, ${this.verdictSql(ctx.now)} AS verdict FROM ${R_TABLE} ${join}
          WHERE ${R.rollout_id} = ANY(${textArray(locked.map((r) => r.rollout_id))})
          ORDER BY ${R.rollout_id}`);
        for (const { rollout_id, attempt_id, verdict } of verdicts) {
          if (verdict === null) continue;
          const patch = verdictPatch(verdict);
          const result = await updateAttemptStatement(
            ctx.tx,
            rollout_id,
            attempt_id,
            { status: patch.status },
            ctx.now,
            ctx.channel,
            patch.reclaim,
          );
          rt.noteStatus(ctx, rollout_id, result.rolloutStatus);
        }
      },
      { now },
    );
  }
}
