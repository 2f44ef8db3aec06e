import {
  type Attempt,
  type AttemptStatus,
  AttemptStatusSchema,
  type RolloutConfig,
  type RolloutStatus,
  RolloutStatusSchema,
  type Worker,
} from "@agentlightning/types";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  attemptUpdateOutcome,
  healthVerdict,
  isClaimable,
  type LeaseWorker,
  propagateAttemptStatus,
  rolloutStatusEffects,
  spanHeartbeat,
  workerHoldsAttempt,
} from "../src/core/lifecycle-rules.js";
import { newWorker, syncWorkerWithAttempt } from "../src/core/worker-sync.js";
import type { SqlExecutor } from "../src/postgres/driver.js";
import type { PostgresLightningStore } from "../src/postgres/postgres-store.js";
import type { StoreSettings } from "../src/store.js";
import { testDatabaseUrl, usePgliteStores, useServerStores } from "./support/postgres-fixtures.js";

// The differential test of the lifecycle rules: the SQL functions of drizzle/functions/ run over
// the whole matrix of inputs (attempt status x retry condition x attempt number vs max_attempts x
// latest or not, and the rollout's status where it matters), on PGlite and on the real server,
// and every outcome is compared with the TypeScript rules of src/core/lifecycle-rules.ts.

const ATTEMPT_STATUSES = AttemptStatusSchema.options;
const ROLLOUT_STATUSES = RolloutStatusSchema.options;
const RETRY_CONDITIONS: AttemptStatus[][] = [
  [],
  ["failed"],
  ["timeout"],
  ["unresponsive"],
  ["failed", "timeout", "unresponsive"],
];
/** max_attempts against the target attempt's sequence id 2: seq < max, seq = max, seq > max. */
const MAX_ATTEMPTS = [3, 2, 1];
const NOW = 1_700_000_000;
const CHANNEL = "agl_differential";

function config(retry: AttemptStatus[], maxAttempts: number): RolloutConfig {
  return {
    timeout_seconds: null,
    unresponsive_seconds: null,
    max_attempts: maxAttempts,
    retry_condition: retry,
  };
}

/** Inserts a rollout with `count` attempts (ids `<id>-1`..), all in `attemptStatus`, worker `w-<id>`. */
async function insertRollout(
  db: SqlExecutor,
  id: string,
  status: RolloutStatus,
  cfg: RolloutConfig,
  count: number,
  attemptStatus: AttemptStatus,
): Promise<void> {
  await db.rows(sql`
    INSERT INTO rollouts (rollout_id, start_time, status, config, attempt_count, latest_attempt_id)
    VALUES (${id}::text, 1, ${status}::text, ${JSON.stringify(cfg)}::text::jsonb, ${count}::int, ${`${id}-${count}`}::text)`);
  for (let seq = 1; seq <= count; seq++) {
    await db.rows(sql`
      INSERT INTO attempts (rollout_id, attempt_id, sequence_id, start_time, status, worker_id)
      VALUES (${id}::text, ${`${id}-${seq}`}::text, ${seq}::int, 1, ${attemptStatus}::text, ${`w-${id}`}::text)`);
  }
}

async function readState(db: SqlExecutor, id: string, attemptId: string) {
  const [row] = await db.rows<{
    status: RolloutStatus;
    end_time: number | null;
    queued: boolean;
    a_status: AttemptStatus;
    a_end: number | null;
    a_heartbeat: number | null;
    w_status: string | null;
    w_attempt: string | null;
  }>(sql`
    SELECT r.status, r.end_time, r.enqueue_seq IS NOT NULL AS queued, a.status AS a_status, a.end_time AS a_end,
      a.last_heartbeat_time AS a_heartbeat, w.status AS w_status, w.current_attempt_id AS w_attempt
    FROM rollouts r JOIN attempts a ON a.rollout_id = r.rollout_id AND a.attempt_id = ${attemptId}::text
    LEFT JOIN workers w ON w.worker_id = 'w-' || r.rollout_id
    WHERE r.rollout_id = ${id}::text`);
  if (row === undefined) throw new Error(`rollout ${id} missing`);
  return row;
}

function describeDifferential(
  name: string,
  open: (settings: StoreSettings) => Promise<PostgresLightningStore>,
) {
  describe(`lifecycle rules: SQL functions vs TypeScript on ${name}`, () => {
    it("agl_propagate equals propagateAttemptStatus over status x retry condition x sequence vs max", async () => {
      const store = await open({});
      try {
        const cells: { status: AttemptStatus; cfg: RolloutConfig; seq: number }[] = [];
        for (const status of ATTEMPT_STATUSES)
          for (const retry of RETRY_CONDITIONS)
            for (const max of MAX_ATTEMPTS) cells.push({ status, cfg: config(retry, max), seq: 2 });
        const rows = await store.driver.rows<{ derived: string }>(sql`
          SELECT agl_propagate(c->>'status', c->'cfg', (c->>'seq')::int) AS derived
          FROM jsonb_array_elements(${JSON.stringify(cells)}::text::jsonb) WITH ORDINALITY AS t(c, ord) ORDER BY ord`);
        expect(rows.map((r) => r.derived)).toEqual(
          cells.map((c) => propagateAttemptStatus(c.status, c.cfg, c.seq)),
        );
      } finally {
        await store.close();
      }
    });

    it("agl_update_attempt applies attemptUpdateOutcome, the status effects and worker sync over the matrix", async () => {
      const store = await open({});
      const db = store.driver;
      try {
        let n = 0;
        const mismatches: string[] = [];
        for (const status of ATTEMPT_STATUSES)
          for (const retry of RETRY_CONDITIONS)
            for (const max of MAX_ATTEMPTS)
              for (const latest of [true, false])
                for (const [reclaim, workerCase] of [
                  [false, "none"],
                  [true, "none"],
                  [true, "holds"],
                  [true, "other"],
                ] as const) {
                  const id = `ro-${++n}`;
                  const cfg = config(retry, max);
                  const before: RolloutStatus = "running";
                  // The target has sequence id 2: the latest of 2 attempts, or the middle one of 3.
                  await insertRollout(db, id, before, cfg, latest ? 2 : 3, "running");
                  const target = `${id}-2`;
                  // The worker named by the attempt: no record, or busy holding this attempt or another.
                  const workerBefore: Worker | null =
                    workerCase === "none"
                      ? null
                      : {
                          ...newWorker(`w-${id}`),
                          status: "busy",
                          current_rollout_id: id,
                          current_attempt_id: workerCase === "holds" ? target : `${id}-9`,
                        };
                  if (workerBefore !== null) {
                    await db.rows(sql`
                      INSERT INTO workers (worker_id, status, current_rollout_id, current_attempt_id)
                      VALUES (${workerBefore.worker_id}::text, 'busy', ${id}::text, ${workerBefore.current_attempt_id}::text)`);
                  }
                  const [result] = await db.rows<{ outcome: string; rollout_status: string | null }>(sql`
                    SELECT outcome, rollout_status FROM agl_update_attempt(${id}::text, ${target}::text, ${NOW}::float8,
                      ${status}::text, NULL::text, NULL::float8, NULL::jsonb, TRUE, ${CHANNEL}::text, ${reclaim}::bool)`);
                  const state = await readState(db, id, target);
                  const expected = attemptUpdateOutcome({
                    suppliedStatus: status,
                    attemptStatus: status,
                    sequenceId: 2,
                    isLatest: latest,
                    config: cfg,
                    rolloutStatus: before,
                    reclaim,
                  });
                  const rolloutAfter = expected.rolloutStatus ?? before;
                  const effects = rolloutStatusEffects(rolloutAfter);
                  const attempt: Attempt = {
                    rollout_id: id,
                    attempt_id: target,
                    sequence_id: 2,
                    start_time: 1,
                    end_time: null,
                    status,
                    worker_id: `w-${id}`,
                    last_heartbeat_time: null,
                    metadata: null,
                  };
                  // A reclaim syncs the worker only while it holds the claim; an update always does.
                  const sync = reclaim ? workerHoldsAttempt(workerBefore, attempt) : true;
                  const worker = sync
                    ? syncWorkerWithAttempt(workerBefore ?? newWorker(`w-${id}`), attempt, NOW, false)
                    : workerBefore;
                  const got = {
                    outcome: result?.outcome,
                    rollout_status_changed: result?.rollout_status ?? null,
                    rollout: state.status,
                    end_time: state.end_time,
                    queued: state.queued,
                    attempt: state.a_status,
                    attempt_end: state.a_end,
                    worker: state.w_status,
                    worker_attempt: state.w_attempt,
                  };
                  const want = {
                    outcome: "ok",
                    rollout_status_changed: expected.rolloutStatus,
                    rollout: rolloutAfter,
                    end_time: expected.rolloutStatus !== null && effects.finishes ? NOW : null,
                    queued: expected.rolloutStatus !== null && effects.enqueues,
                    attempt: status,
                    attempt_end: expected.endsAttempt ? NOW : null,
                    worker: worker?.status ?? null,
                    worker_attempt: worker?.current_attempt_id ?? null,
                  };
                  if (JSON.stringify(got) !== JSON.stringify(want)) {
                    mismatches.push(
                      `${status} retry=${retry} max=${max} latest=${latest} reclaim=${reclaim} worker=${workerCase}: got ${JSON.stringify(got)} want ${JSON.stringify(want)}`,
                    );
                  }
                }
        expect(mismatches).toEqual([]);
        expect(n).toBe(ATTEMPT_STATUSES.length * RETRY_CONDITIONS.length * MAX_ATTEMPTS.length * 8);
      } finally {
        await store.close();
      }
    });

    it("agl_update_attempt keeps the 0001 signature (no reclaim) for processes of the previous release", async () => {
      const store = await open({});
      const db = store.driver;
      try {
        await insertRollout(db, "old-1", "running", config([], 1), 1, "running");
        const [row] = await db.rows<{ outcome: string; rollout_status: string | null }>(sql`
          SELECT outcome, rollout_status FROM agl_update_attempt('old-1'::text, NULL::text, ${NOW}::float8,
            'failed'::text, NULL::text, NULL::float8, NULL::jsonb, TRUE, ${CHANNEL}::text)`);
        expect(row).toEqual({ outcome: "ok", rollout_status: "failed" });
      } finally {
        await store.close();
      }
    });

    it("the single and the batch span paths apply spanHeartbeat over attempt status x rollout status x latest", async () => {
      const store = await open({});
      const db = store.driver;
      try {
        let n = 0;
        const mismatches: string[] = [];
        for (const path of ["single", "batch"] as const)
          for (const attemptStatus of ATTEMPT_STATUSES)
            for (const rolloutStatus of ROLLOUT_STATUSES)
              for (const latest of [true, false]) {
                const id = `sp-${++n}`;
                await insertRollout(db, id, rolloutStatus, config([], 1), latest ? 1 : 2, attemptStatus);
                const target = `${id}-1`;
                const span = {
                  rollout_id: id,
                  attempt_id: target,
                  sequence_id: 1,
                  trace_id: "t",
                  span_id: "s",
                  parent_id: null,
                  name: "n",
                  start_time: 1,
                  end_time: 2,
                };
                if (path === "single") {
                  await db.rows(sql`SELECT agl_add_span(${JSON.stringify([id, target])}::text, 1::bigint,
                    ${JSON.stringify(span)}::text, ${JSON.stringify(span)}::text::json, ${NOW}::float8)`);
                } else {
                  const other = { ...span, span_id: "s2" };
                  await db.rows(sql`SELECT * FROM agl_add_spans(${`{${id}}`}::text[], ${JSON.stringify([[id, target]])}::text,
                    ${JSON.stringify([
                      { ord: 1, ...span },
                      { ord: 2, ...other },
                    ])}::text, ${JSON.stringify([span, other])}::text, ${NOW}::float8)`);
                }
                const state = await readState(db, id, target);
                const expected = spanHeartbeat(attemptStatus, rolloutStatus, latest);
                const got = { attempt: state.a_status, rollout: state.status, heartbeat: state.a_heartbeat };
                const want = {
                  attempt: expected.attemptStatus,
                  rollout: expected.rolloutStatus ?? rolloutStatus,
                  heartbeat: NOW,
                };
                if (JSON.stringify(got) !== JSON.stringify(want)) {
                  mismatches.push(
                    `${path} ${attemptStatus}/${rolloutStatus} latest=${latest}: got ${JSON.stringify(got)} want ${JSON.stringify(want)}`,
                  );
                }
              }
        expect(mismatches).toEqual([]);
      } finally {
        await store.close();
      }
    });

    it("agl_health_verdict equals healthVerdict over config x status x heartbeat x elapsed time x lease x worker", async () => {
      const store = await open({});
      try {
        // The worker facts of the claim lease, each as (attempt's worker id, the worker's record at `now`).
        const workerCases: {
          name: string;
          workerId: string | null;
          worker: (now: number) => LeaseWorker | null;
        }[] = [
          { name: "no worker id", workerId: null, worker: () => null },
          {
            name: "no worker id, a holding record",
            workerId: null,
            worker: (now) => ({
              current_rollout_id: "r",
              current_attempt_id: "a",
              last_heartbeat_time: now - 1,
            }),
          },
          { name: "empty worker id", workerId: "", worker: () => null },
          { name: "worker id, no record", workerId: "w", worker: () => null },
          {
            name: "holds it, beat recently",
            workerId: "w",
            worker: (now) => ({
              current_rollout_id: "r",
              current_attempt_id: "a",
              last_heartbeat_time: now - 1,
            }),
          },
          {
            name: "holds it, beat exactly the lease ago",
            workerId: "w",
            worker: (now) => ({
              current_rollout_id: "r",
              current_attempt_id: "a",
              last_heartbeat_time: now - 10,
            }),
          },
          {
            name: "holds it, beat long ago",
            workerId: "w",
            worker: (now) => ({
              current_rollout_id: "r",
              current_attempt_id: "a",
              last_heartbeat_time: now - 11,
            }),
          },
          {
            name: "holds it, never beat",
            workerId: "w",
            worker: () => ({ current_rollout_id: "r", current_attempt_id: "a", last_heartbeat_time: null }),
          },
          {
            name: "holds it, zero heartbeat",
            workerId: "w",
            worker: () => ({ current_rollout_id: "r", current_attempt_id: "a", last_heartbeat_time: 0 }),
          },
          {
            name: "beat recently, holds another attempt",
            workerId: "w",
            worker: (now) => ({
              current_rollout_id: "r",
              current_attempt_id: "b",
              last_heartbeat_time: now - 1,
            }),
          },
          {
            name: "beat recently, same attempt id in another rollout",
            workerId: "w",
            worker: (now) => ({
              current_rollout_id: "r2",
              current_attempt_id: "a",
              last_heartbeat_time: now - 1,
            }),
          },
          {
            name: "beat recently, holds nothing",
            workerId: "w",
            worker: (now) => ({
              current_rollout_id: null,
              current_attempt_id: null,
              last_heartbeat_time: now - 1,
            }),
          },
        ];
        const cells: {
          cfg: RolloutConfig;
          attempt: Attempt;
          now: number;
          lease: number | null;
          worker: LeaseWorker | null;
        }[] = [];
        const limits = [null, 5, 10];
        for (const timeout of limits)
          for (const unresponsive of limits)
            for (const status of ATTEMPT_STATUSES)
              for (const heartbeat of [null, 0, 104])
                for (const elapsed of [4, 5, 6, 10, 11, 20])
                  for (const lease of [null, 0, 10])
                    for (const workerCase of workerCases) {
                      // The worker dimension only matters where the lease can expire.
                      if (workerCase.name !== "no worker id" && (timeout !== null || unresponsive !== null))
                        continue;
                      cells.push({
                        cfg: {
                          timeout_seconds: timeout,
                          unresponsive_seconds: unresponsive,
                          max_attempts: 1,
                          retry_condition: [],
                        },
                        attempt: {
                          rollout_id: "r",
                          attempt_id: "a",
                          sequence_id: 1,
                          start_time: 100,
                          end_time: null,
                          status,
                          worker_id: workerCase.workerId,
                          last_heartbeat_time: heartbeat,
                          metadata: null,
                        },
                        now: 100 + elapsed,
                        lease,
                        worker: workerCase.worker(100 + elapsed),
                      });
                    }
        const rows = await store.driver.rows<{ verdict: string | null }>(sql`
          SELECT agl_health_verdict(c->'cfg', c->'attempt'->>'status', (c->'attempt'->>'start_time')::float8,
            (c->'attempt'->>'last_heartbeat_time')::float8, (c->>'now')::float8, (c->>'lease')::float8,
            c->'attempt'->>'rollout_id', c->'attempt'->>'attempt_id', c->'attempt'->>'worker_id',
            c->'worker'->>'current_rollout_id', c->'worker'->>'current_attempt_id',
            (c->'worker'->>'last_heartbeat_time')::float8) AS verdict
          FROM jsonb_array_elements(${JSON.stringify(cells)}::text::jsonb) WITH ORDINALITY AS t(c, ord) ORDER BY ord`);
        expect(rows.map((r) => r.verdict ?? null)).toEqual(
          cells.map((c) => healthVerdict(c.cfg, c.attempt, c.now, c.lease, c.worker)),
        );
        expect(new Set(rows.map((r) => r.verdict ?? null))).toEqual(
          new Set([null, "timeout", "unresponsive", "lease_expired"]),
        );
        // The worker cases change the lease's verdict (a live holder keeps its claim) and nothing else.
        const leaseCell = (name: string) => {
          const index = cells.findIndex(
            (c) =>
              c.attempt.status === "preparing" &&
              c.attempt.last_heartbeat_time === null &&
              c.now === 111 &&
              c.lease === 10 &&
              c.attempt.worker_id === workerCases.find((w) => w.name === name)!.workerId &&
              JSON.stringify(c.worker) ===
                JSON.stringify(workerCases.find((w) => w.name === name)!.worker(111)),
          );
          return rows[index]?.verdict ?? null;
        };
        for (const { name } of workerCases) {
          const held = name === "holds it, beat recently" || name === "holds it, beat exactly the lease ago";
          expect([name, leaseCell(name)]).toEqual([name, held ? null : "lease_expired"]);
        }
      } finally {
        await store.close();
      }
    });

    it("the previous version's six-argument agl_health_verdict still answers, without worker facts", async () => {
      const store = await open({});
      try {
        const [row] = await store.driver.rows<{ verdict: string | null }>(sql`
          SELECT agl_health_verdict('{"timeout_seconds": null, "unresponsive_seconds": null}'::jsonb, 'preparing',
            100::float8, NULL::float8, 111::float8, 10::float8) AS verdict`);
        expect(row?.verdict).toBe("lease_expired");
      } finally {
        await store.close();
      }
    });

    it("agl_dequeue claims a queue entry exactly when isClaimable says so", async () => {
      const store = await open({});
      const db = store.driver;
      try {
        for (const status of ROLLOUT_STATUSES) {
          const id = `dq-${status}`;
          await db.rows(sql`
            INSERT INTO rollouts (rollout_id, start_time, status, config, enqueue_seq)
            VALUES (${id}::text, 1, ${status}::text, ${JSON.stringify(config([], 1))}::text::jsonb, nextval('agl_queue_seq'))`);
          const claimed = await db.rows<{ rollout_id: string; status: string }>(
            sql`SELECT rollout_id, status FROM agl_dequeue(5, NULL::text, ${NOW}::float8)`,
          );
          expect({ status, claimed: claimed.map((r) => r.rollout_id) }).toEqual({
            status,
            claimed: isClaimable(status) ? [id] : [],
          });
          const [after] = await db.rows<{ queued: boolean }>(
            sql`SELECT enqueue_seq IS NOT NULL AS queued FROM rollouts WHERE rollout_id = ${id}::text`,
          );
          expect(after?.queued).toBe(false);
        }
      } finally {
        await store.close();
      }
    });
  });
}

describeDifferential("PGlite", usePgliteStores("agl_diff"));
if (testDatabaseUrl !== undefined)
  describeDifferential("PostgreSQL", useServerStores(testDatabaseUrl, "agl_diff"));
