-- Dequeue (docs/store-contract.md 2.3) of up to p_limit rollouts for worker p_worker (null: none) at p_now. One
-- claim path: take the queue head with FOR UPDATE SKIP LOCKED (so concurrent dequeuers in any
-- process never get the same entry), discard it if its rollout is no longer claimable (R8), else
-- give the rollout its next attempt (nextAttempt: `preparing`, sequence id count + 1, id `at-` + 8
-- hex like generateAttemptId) and take it out of the queue; repeat until p_limit claims or an
-- empty queue. Then the worker sync: busy with the last claimed attempt, or, when nothing was
-- claimed, idle unless already idle, keeping its current ids (Quirk B5). Rows: the claimed
-- rollouts (status `preparing`) with their attempt's id and sequence id, in FIFO order.
DROP FUNCTION IF EXISTS agl_dequeue(integer, text, double precision);
--> statement-breakpoint
CREATE FUNCTION agl_dequeue(p_limit integer, p_worker text, p_now double precision)
RETURNS TABLE (
  rollout_id text, input jsonb, start_time double precision, end_time double precision, mode text,
  resources_id text, status text, config jsonb, metadata jsonb, a_attempt_id text, a_sequence_id integer
)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_count integer := 0;
  v_row record;
  v_last_rollout text;
  v_last_attempt text;
BEGIN
  WHILE v_count < p_limit LOOP
    -- A constant LIMIT (a parameter there defeats the generic plan).
    SELECT r.rollout_id, r.status INTO v_row FROM rollouts r
    WHERE r.enqueue_seq IS NOT NULL ORDER BY r.enqueue_seq LIMIT 1 FOR UPDATE SKIP LOCKED;
    EXIT WHEN NOT FOUND;
    IF v_row.status IN {{CLAIMABLE_STATUSES}} THEN
      a_attempt_id := 'at-' || left(gen_random_uuid()::text, 8);
      UPDATE rollouts r SET status = 'preparing', attempt_count = r.attempt_count + 1,
        latest_attempt_id = a_attempt_id, enqueue_seq = NULL
      WHERE r.rollout_id = v_row.rollout_id
      RETURNING r.rollout_id, r.input, r.start_time, r.end_time, r.mode, r.resources_id, r.status, r.config,
        r.metadata, r.attempt_count
      INTO rollout_id, input, start_time, end_time, mode, resources_id, status, config, metadata, a_sequence_id;
      INSERT INTO attempts (rollout_id, attempt_id, sequence_id, start_time, status, worker_id)
      VALUES (rollout_id, a_attempt_id, a_sequence_id, p_now, 'preparing', p_worker);
      v_count := v_count + 1;
      v_last_rollout := rollout_id;
      v_last_attempt := a_attempt_id;
      RETURN NEXT;
    ELSE
      UPDATE rollouts r SET enqueue_seq = NULL WHERE r.rollout_id = v_row.rollout_id;
    END IF;
  END LOOP;
  IF p_worker IS NOT NULL THEN
    IF v_count > 0 THEN
      PERFORM agl_sync_worker(p_worker, v_last_rollout, v_last_attempt, 'preparing', p_now, true);
    ELSE
      INSERT INTO workers AS w (worker_id, status, last_idle_time, last_dequeue_time)
      VALUES (p_worker, 'idle', p_now, p_now)
      ON CONFLICT (worker_id) DO UPDATE SET status = 'idle',
        last_idle_time = CASE WHEN w.status = 'idle' THEN w.last_idle_time ELSE EXCLUDED.last_idle_time END,
        last_dequeue_time = EXCLUDED.last_dequeue_time;
    END IF;
  END IF;
END
$$;
--> statement-breakpoint
-- start_attempt (docs/store-contract.md 2.4) for rollout p_rollout, worker p_worker, at p_now with the generated id
-- p_attempt: locks the rollout and gives it its next attempt (status preparing; a queue entry, if
-- any, stays behind for dequeue to discard), then syncs the worker. Returns the rollout row with
-- a_sequence_id, or no row for an unknown rollout. A colliding attempt id raises a unique violation.
CREATE OR REPLACE FUNCTION agl_start_attempt(p_rollout text, p_attempt text, p_worker text, p_now double precision)
RETURNS TABLE (
  rollout_id text, input jsonb, start_time double precision, end_time double precision, mode text,
  resources_id text, status text, config jsonb, metadata jsonb, a_sequence_id integer
)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
  UPDATE rollouts r SET status = 'preparing', attempt_count = r.attempt_count + 1, latest_attempt_id = p_attempt
  WHERE r.rollout_id = p_rollout
  RETURNING r.rollout_id, r.input, r.start_time, r.end_time, r.mode, r.resources_id, r.status, r.config,
    r.metadata, r.attempt_count
  INTO rollout_id, input, start_time, end_time, mode, resources_id, status, config, metadata, a_sequence_id;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  INSERT INTO attempts (rollout_id, attempt_id, sequence_id, start_time, status, worker_id)
  VALUES (p_rollout, p_attempt, a_sequence_id, p_now, 'preparing', p_worker);
  PERFORM agl_sync_worker(p_worker, p_rollout, p_attempt, 'preparing', p_now, false);
  RETURN NEXT;
END
$$;
