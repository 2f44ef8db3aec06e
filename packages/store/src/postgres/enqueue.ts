import {
  AglError,
  type AttemptedRollout,
  generateAttemptId,
  generateRolloutId,
  type Rollout,
} from "@agentlightning/types";
import { optionalString } from "../core/arguments.js";
import { NEW_ATTEMPT_ROLLOUT_STATUS, nextAttempt } from "../core/lifecycle-rules.js";
import { type NormalizedEnqueue, normalizeEnqueue } from "../core/normalize.js";
import type { EnqueueRolloutOptions, StartRolloutOptions } from "../store.js";
import { toJson } from "./sql-query.js";
import { runText } from "./sql-text.js";
import { IdCollision, type StoreRuntime } from "./store-runtime.js";

// Enqueue (docs/store-contract.md §2.2) and start_rollout (§2.1): new rollouts, each one statement.

/**
 * `$1`: json array of {ord, rollout_id, input, mode, resources_id, config, metadata}; `$2`: now.
 * Queue positions in `ord` order; a null `resources_id` takes the latest snapshot's id, looked up
 * once. A colliding rollout id fails the statement (unique violation: nothing is stored). One
 * row: `latest` (the snapshot id used), `n`.
 */
const ENQUEUE_SQL = `
WITH latest AS MATERIALIZED (SELECT s.resources_id FROM resources s ORDER BY s.touch_seq DESC LIMIT 1),
ins AS (
  INSERT INTO rollouts (rollout_id, input, start_time, mode, resources_id, status, config, metadata, enqueue_seq)
  SELECT x.rollout_id, x.input, $2::float8, x.mode, COALESCE(x.resources_id, (SELECT resources_id FROM latest)),
    'queuing', x.config, x.metadata, nextval('agl_queue_seq')
  FROM json_to_recordset($1::text::json) AS x(
    ord int, rollout_id text, input jsonb, mode text, resources_id text, config jsonb, metadata jsonb
  )
  ORDER BY x.ord
  RETURNING 1
)
SELECT (SELECT resources_id FROM latest) AS latest, (SELECT count(*) FROM ins)::int AS n`;

/**
 * `$1` rollout id, `$2` json {input, config, metadata}, `$3` now, `$4` mode, `$5` resources id
 * (null: the latest snapshot's), `$6` attempt id, `$7` worker id: the rollout (status
 * `preparing`, not queued) with its first attempt, and the worker synced. One row: `latest`
 * (the resources id stored), `n` (0 when the rollout id collided).
 */
const START_ROLLOUT_SQL = `
WITH p AS (SELECT $2::text::jsonb AS j),
latest AS MATERIALIZED (SELECT s.resources_id FROM resources s ORDER BY s.touch_seq DESC LIMIT 1),
ro AS (
  INSERT INTO rollouts (rollout_id, input, start_time, mode, resources_id, status, config, metadata, attempt_count,
    latest_attempt_id)
  SELECT $1::text, j->'input', $3::float8, $4::text, COALESCE($5::text, (SELECT resources_id FROM latest)),
    'preparing', j->'config', j->'metadata', 1, $6::text
  FROM p
  ON CONFLICT (rollout_id) DO NOTHING
  RETURNING rollout_id, resources_id
),
at AS (
  INSERT INTO attempts (rollout_id, attempt_id, sequence_id, start_time, status, worker_id)
  SELECT rollout_id, $6::text, 1, $3::float8, 'preparing', $7::text FROM ro
  RETURNING rollout_id, attempt_id
),
sync AS (
  SELECT agl_sync_worker($7::text, at.rollout_id, at.attempt_id, 'preparing', $3::float8, false) FROM at
)
SELECT (SELECT resources_id FROM ro) AS latest, (SELECT count(*) FROM at)::int AS n,
  (SELECT count(*) FROM sync)::int AS synced`;

/** Registers a rollout and its first attempt, bypassing the queue (§2.1). */
export async function startRollout(
  rt: StoreRuntime,
  options: StartRolloutOptions,
): Promise<AttemptedRollout> {
  const request = normalizeEnqueue(options, "rollout");
  const workerId = optionalString(options.workerId, "workerId");
  await rt.scan();
  const json = toJson(
    { input: request.input, config: request.config, metadata: request.metadata },
    "rollout",
  );
  return rt.transact(
    async (ctx) => {
      const rolloutId = generateRolloutId();
      const attempt = nextAttempt(rolloutId, generateAttemptId(), 0, workerId, ctx.now);
      const [row] = await runText(ctx.tx, START_ROLLOUT_SQL, [
        rolloutId,
        json,
        ctx.now,
        request.mode,
        request.resources_id,
        attempt.attempt_id,
        workerId,
      ]);
      if (Number(row?.n) !== 1) throw new IdCollision();
      const copy = JSON.parse(json) as {
        input?: unknown;
        config: Rollout["config"];
        metadata: Rollout["metadata"];
      };
      return {
        rollout_id: rolloutId,
        input: copy.input ?? null,
        start_time: ctx.now,
        end_time: null,
        mode: request.mode,
        resources_id: (row?.latest ?? null) as string | null,
        status: NEW_ATTEMPT_ROLLOUT_STATUS,
        config: copy.config,
        metadata: copy.metadata,
        attempt,
      };
    },
    { oneStatement: true, uniqueIsCollision: true },
  );
}

/** Appends rollouts to the queue in order, atomically (all or none) (§2.2). */
export async function enqueueRollouts(
  rt: StoreRuntime,
  options: EnqueueRolloutOptions[],
  single: boolean,
): Promise<Rollout[]> {
  let requests: NormalizedEnqueue[];
  if (single) {
    requests = [normalizeEnqueue(options[0] as EnqueueRolloutOptions, "rollout")];
  } else {
    if (!Array.isArray(options)) throw new AglError("invalid_argument", "rollouts must be an array");
    requests = options.map((o, i) => normalizeEnqueue(o, `rollouts.${i}`));
    if (requests.length === 0) return [];
  }
  await rt.scan();
  // One statement: the latest snapshot id is looked up in it (once) for requests without one.
  return rt.transact(
    async (ctx) => {
      const items = requests.map((r, i) => ({
        ord: i + 1,
        rollout_id: generateRolloutId(),
        input: r.input,
        mode: r.mode,
        resources_id: r.resources_id,
        config: r.config,
        metadata: r.metadata,
      }));
      const json = toJson(items, "rollouts");
      const [row] = await runText(ctx.tx, ENQUEUE_SQL, [json, ctx.now]);
      if (Number(row?.n ?? 0) !== items.length) throw new IdCollision();
      const latest = (row?.latest ?? null) as string | null;
      const copies = JSON.parse(json) as Array<(typeof items)[number]>;
      return copies.map(({ ord: _ord, ...c }) => ({
        rollout_id: c.rollout_id,
        input: c.input ?? null,
        start_time: ctx.now,
        end_time: null,
        mode: c.mode,
        resources_id: c.resources_id ?? latest,
        status: "queuing" as const,
        config: c.config,
        metadata: c.metadata,
      }));
    },
    { oneStatement: true, uniqueIsCollision: true },
  );
}
