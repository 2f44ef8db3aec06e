-- The lifecycle rules of src/core/lifecycle-rules.ts (the reference) as SQL, one copy each, used by
-- the operation functions of the other files in this folder. A placeholder in double braces is a status list generated
-- from the TypeScript predicates over the enums of @agentlightning/types (sqlStatusLists), so the
-- lists cannot drift; the rest is checked against the TypeScript rules over the whole input matrix
-- by test/rules-differential.test.ts. These files are applied after the numbered
-- migrations, and again whenever their text changes (migrate.ts). ASCII only: PGlite runs slower
-- for the rest of a process once it was sent non-ASCII SQL text.

-- propagateAttemptStatus: the rollout status implied by its latest attempt's status p_status
-- (sequence id p_sequence_id) under config p_config (docs/store-contract.md 3.3).
CREATE OR REPLACE FUNCTION agl_propagate(p_status text, p_config jsonb, p_sequence_id integer)
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN p_status IN {{ATTEMPT_AS_IS_STATUSES}} THEN p_status
    WHEN (p_config -> 'retry_condition') ? p_status
      AND p_sequence_id < (p_config ->> 'max_attempts')::double precision THEN 'requeuing'
    ELSE 'failed'
  END
$$;
--> statement-breakpoint
-- healthVerdict: 'timeout', 'unresponsive', 'lease_expired' or null for a latest attempt
-- (p_rollout, p_attempt) with status p_status, start p_start, heartbeat p_heartbeat and worker id
-- p_worker under p_config at p_now, with claim lease p_lease seconds (null: none). The claim is
-- held by a live worker (no lease expiry) when p_worker is non-empty and that worker's record has
-- current rollout p_worker_rollout / attempt p_worker_attempt equal to this attempt and heartbeat
-- p_worker_heartbeat within the lease (the caller LEFT JOINs the worker: nulls when it has none).
-- Comparisons are strict; a zero heartbeat counts as none.
CREATE OR REPLACE FUNCTION agl_health_verdict(
  p_config jsonb, p_status text, p_start double precision, p_heartbeat double precision,
  p_now double precision, p_lease double precision, p_rollout text, p_attempt text, p_worker text,
  p_worker_rollout text, p_worker_attempt text, p_worker_heartbeat double precision
)
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN p_config ->> 'timeout_seconds' IS NOT NULL
      AND p_now - p_start > (p_config ->> 'timeout_seconds')::double precision THEN 'timeout'
    WHEN p_config ->> 'unresponsive_seconds' IS NOT NULL
      AND p_now - COALESCE(NULLIF(p_heartbeat, 0), p_start) > (p_config ->> 'unresponsive_seconds')::double precision
      THEN 'unresponsive'
    WHEN p_lease IS NOT NULL AND p_lease > 0 AND p_status = 'preparing' AND COALESCE(p_heartbeat, 0) = 0
      AND p_now - p_start > p_lease
      AND NOT (COALESCE(p_worker, '') <> '' AND p_worker_rollout IS NOT DISTINCT FROM p_rollout
        AND p_worker_attempt IS NOT DISTINCT FROM p_attempt AND COALESCE(p_worker_heartbeat, 0) <> 0
        AND p_now - p_worker_heartbeat <= p_lease)
      THEN 'lease_expired'
    ELSE NULL
  END
$$;
--> statement-breakpoint
-- The six-argument form of the previous version (no worker facts: the lease as it was), kept so
-- that replicas of that version keep working while both share a database.
CREATE OR REPLACE FUNCTION agl_health_verdict(
  p_config jsonb, p_status text, p_start double precision, p_heartbeat double precision,
  p_now double precision, p_lease double precision
)
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT agl_health_verdict(p_config, p_status, p_start, p_heartbeat, p_now, p_lease,
    NULL, NULL, NULL, NULL, NULL, NULL)
$$;
--> statement-breakpoint
-- Sets the status of rollout p_rollout (locked by the caller) with its side effects (docs/store-contract.md 2.7,
-- rolloutStatusEffects): finished -> end_time = p_now and a NOTIFY of the id on p_channel;
-- queuing-like -> back in the queue unless it is queued.
CREATE OR REPLACE FUNCTION agl_set_rollout_status(
  p_rollout text, p_status text, p_now double precision, p_channel text
)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE rollouts r SET status = p_status,
    end_time = CASE WHEN p_status IN {{FINISHED_STATUSES}} THEN p_now ELSE r.end_time END,
    enqueue_seq = CASE WHEN p_status IN {{QUEUING_STATUSES}}
      THEN COALESCE(r.enqueue_seq, nextval('agl_queue_seq')) ELSE r.enqueue_seq END
  WHERE r.rollout_id = p_rollout;
  IF p_status IN {{FINISHED_STATUSES}} THEN
    PERFORM pg_notify(p_channel, p_rollout);
  END IF;
END
$$;
--> statement-breakpoint
-- spanHeartbeat: a span was stored for attempt p_attempt of rollout p_rollout (locked by the
-- caller) at p_now. The attempt's last_heartbeat_time = p_now and a revivable status becomes
-- running; the rollout becomes running when this is its latest attempt and its status is one a
-- span promotes. The single and the batch span paths both call this.
CREATE OR REPLACE FUNCTION agl_span_heartbeat(p_rollout text, p_attempt text, p_now double precision)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE attempts a SET last_heartbeat_time = p_now,
    status = CASE WHEN a.status IN {{SPAN_REVIVED_STATUSES}} THEN 'running' ELSE a.status END
  WHERE a.rollout_id = p_rollout AND a.attempt_id = p_attempt;
  UPDATE rollouts r SET status = 'running'
  WHERE r.rollout_id = p_rollout AND r.latest_attempt_id = p_attempt AND r.status IN {{SPAN_PROMOTED_STATUSES}};
END
$$;
--> statement-breakpoint
-- syncWorkerWithAttempt (src/core/worker-sync.ts): worker p_worker (skipped when null or empty)
-- runs attempt p_attempt of rollout p_rollout, now in status p_status, at p_now; p_dequeue: the
-- sync comes from a dequeue (stamps last_dequeue_time). busy -> current ids set; idle or unknown ->
-- current ids cleared. An UPDATE of the existing worker (the common case), else an upsert.
CREATE OR REPLACE FUNCTION agl_sync_worker(
  p_worker text, p_rollout text, p_attempt text, p_status text, p_now double precision, p_dequeue boolean
)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_status text;
BEGIN
  IF p_worker IS NULL OR p_worker = '' THEN
    RETURN;
  END IF;
  v_status := CASE WHEN p_status IN {{WORKER_BUSY_ATTEMPT_STATUSES}} THEN 'busy'
    WHEN p_status IN {{WORKER_IDLE_ATTEMPT_STATUSES}} THEN 'idle' ELSE 'unknown' END;
  IF v_status = 'busy' THEN
    UPDATE workers w SET status = 'busy', last_busy_time = p_now, current_rollout_id = p_rollout,
      current_attempt_id = p_attempt,
      last_dequeue_time = CASE WHEN p_dequeue THEN p_now ELSE w.last_dequeue_time END
    WHERE w.worker_id = p_worker;
    IF NOT FOUND THEN
      INSERT INTO workers AS w (worker_id, status, last_busy_time, current_rollout_id, current_attempt_id,
        last_dequeue_time)
      VALUES (p_worker, 'busy', p_now, p_rollout, p_attempt, CASE WHEN p_dequeue THEN p_now END)
      ON CONFLICT (worker_id) DO UPDATE SET status = 'busy', last_busy_time = EXCLUDED.last_busy_time,
        current_rollout_id = EXCLUDED.current_rollout_id, current_attempt_id = EXCLUDED.current_attempt_id,
        last_dequeue_time = COALESCE(EXCLUDED.last_dequeue_time, w.last_dequeue_time);
    END IF;
  ELSE
    UPDATE workers w SET status = v_status, last_idle_time = p_now, current_rollout_id = NULL,
      current_attempt_id = NULL,
      last_dequeue_time = CASE WHEN p_dequeue THEN p_now ELSE w.last_dequeue_time END
    WHERE w.worker_id = p_worker;
    IF NOT FOUND THEN
      INSERT INTO workers AS w (worker_id, status, last_idle_time, last_dequeue_time)
      VALUES (p_worker, v_status, p_now, CASE WHEN p_dequeue THEN p_now END)
      ON CONFLICT (worker_id) DO UPDATE SET status = EXCLUDED.status, last_idle_time = EXCLUDED.last_idle_time,
        current_rollout_id = NULL, current_attempt_id = NULL,
        last_dequeue_time = COALESCE(EXCLUDED.last_dequeue_time, w.last_dequeue_time);
    END IF;
  END IF;
END
$$;
