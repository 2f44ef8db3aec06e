-- Attempt update (docs/store-contract.md 2.8; also the watchdog's verdicts, 2.15) of attempt p_attempt (null: the
-- latest) of rollout p_rollout at p_now. Patch fields p_status, p_worker, p_heartbeat, p_metadata:
-- null = not supplied (none of them may be null in a patch). p_sync: whether worker sync applies
-- (worker id supplied non-empty, or status supplied). p_reclaim: a claim-lease reclaim (the rollout
-- requeues whatever its retry budget; the worker is synced only while it still holds the claim). Locks the rollout, patches the attempt (attemptUpdateOutcome:
-- end_time for an ending status; the latest attempt re-derives the rollout status, applied with
-- agl_set_rollout_status) and syncs the worker named by the attempt. outcome: 'ok', or
-- 'no_rollout' / 'no_attempts' / 'no_attempt' (nothing changed); rollout_status: the rollout's new
-- status when this update changed it.
DROP FUNCTION IF EXISTS agl_update_attempt(text, text, double precision, text, text, double precision, jsonb, boolean, text, boolean);
--> statement-breakpoint
CREATE FUNCTION agl_update_attempt(
  p_rollout text, p_attempt text, p_now double precision, p_status text, p_worker text,
  p_heartbeat double precision, p_metadata jsonb, p_sync boolean, p_channel text, p_reclaim boolean,
  OUT outcome text, OUT rollout_id text, OUT attempt_id text, OUT sequence_id integer,
  OUT start_time double precision, OUT end_time double precision, OUT status text, OUT worker_id text,
  OUT last_heartbeat_time double precision, OUT metadata jsonb, OUT rollout_status text
)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_rollout record;
  v_derived text;
  v_worker text;
  v_attempt text;
  v_holds boolean;
BEGIN
  SELECT r.status, r.config, r.attempt_count, r.latest_attempt_id INTO v_rollout
  FROM rollouts r WHERE r.rollout_id = p_rollout FOR UPDATE;
  IF NOT FOUND THEN
    outcome := 'no_rollout';
    RETURN;
  END IF;
  IF v_rollout.attempt_count = 0 OR v_rollout.latest_attempt_id IS NULL THEN
    outcome := 'no_attempts';
    RETURN;
  END IF;
  UPDATE attempts a SET status = COALESCE(p_status, a.status), worker_id = COALESCE(p_worker, a.worker_id),
    last_heartbeat_time = COALESCE(p_heartbeat, a.last_heartbeat_time), metadata = COALESCE(p_metadata, a.metadata),
    end_time = CASE WHEN p_status IN {{ATTEMPT_ENDING_STATUSES}} THEN p_now ELSE a.end_time END
  WHERE a.rollout_id = p_rollout AND a.attempt_id = COALESCE(p_attempt, v_rollout.latest_attempt_id)
  RETURNING a.rollout_id, a.attempt_id, a.sequence_id, a.start_time, a.end_time, a.status, a.worker_id,
    a.last_heartbeat_time, a.metadata
  INTO rollout_id, attempt_id, sequence_id, start_time, end_time, status, worker_id, last_heartbeat_time, metadata;
  IF NOT FOUND THEN
    outcome := 'no_attempt';
    RETURN;
  END IF;
  outcome := 'ok';
  IF attempt_id = v_rollout.latest_attempt_id THEN
    v_derived := CASE WHEN p_reclaim THEN 'requeuing' ELSE agl_propagate(status, v_rollout.config, sequence_id) END;
    IF v_derived <> v_rollout.status THEN
      PERFORM agl_set_rollout_status(p_rollout, v_derived, p_now, p_channel);
      rollout_status := v_derived;
    END IF;
  END IF;
  IF p_sync AND p_reclaim THEN
    -- A reclaim syncs the worker only while it still holds this claim (workerHoldsAttempt); its row
    -- is locked first, so a concurrent dequeue that moves it on is seen, not overwritten.
    v_worker := worker_id;
    v_attempt := attempt_id;
    SELECT (w.current_rollout_id = p_rollout AND w.current_attempt_id = v_attempt) INTO v_holds
    FROM workers w WHERE COALESCE(v_worker, '') <> '' AND w.worker_id = v_worker FOR UPDATE;
  END IF;
  IF p_sync AND (NOT p_reclaim OR COALESCE(v_holds, false)) THEN
    PERFORM agl_sync_worker(worker_id, p_rollout, attempt_id, status, p_now, false);
  END IF;
END
$$;
--> statement-breakpoint
-- The signature of migration 0001 (no p_reclaim), kept for store processes of the previous release
-- that share the database during a rolling upgrade.
CREATE OR REPLACE FUNCTION agl_update_attempt(
  p_rollout text, p_attempt text, p_now double precision, p_status text, p_worker text,
  p_heartbeat double precision, p_metadata jsonb, p_sync boolean, p_channel text,
  OUT outcome text, OUT rollout_id text, OUT attempt_id text, OUT sequence_id integer,
  OUT start_time double precision, OUT end_time double precision, OUT status text, OUT worker_id text,
  OUT last_heartbeat_time double precision, OUT metadata jsonb, OUT rollout_status text
)
LANGUAGE sql AS $$
  SELECT * FROM agl_update_attempt(p_rollout, p_attempt, p_now, p_status, p_worker, p_heartbeat, p_metadata,
    p_sync, p_channel, false)
$$;
