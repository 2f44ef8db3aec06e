-- Raises the span counter of rollout p_rollout to at least p_sequence_id (docs/store-contract.md 2.9): an UPDATE
-- when it raises an existing counter (the common case), else an upsert (no counter yet, or it is
-- already at least this high).
CREATE OR REPLACE FUNCTION agl_raise_span_counter(p_rollout text, p_sequence_id bigint)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE span_counters c SET counter = p_sequence_id
  WHERE c.rollout_id = p_rollout AND c.counter < p_sequence_id;
  IF NOT FOUND THEN
    INSERT INTO span_counters AS c (rollout_id, counter) VALUES (p_rollout, p_sequence_id)
    ON CONFLICT (rollout_id) DO UPDATE SET counter = EXCLUDED.counter WHERE c.counter < EXCLUDED.counter;
  END IF;
END
$$;
--> statement-breakpoint
-- One span (docs/store-contract.md 2.9 add_span). p_ids: [rollout_id, attempt_id] and p_columns: {span_id,
-- trace_id, parent_id, name, start_time, end_time}, JSON texts (decoded like every string the store
-- receives in JSON; the columns only once the checks passed); p_sequence_id; p_payload: the span as
-- stored. Locks the rollout, checks rollout and attempt, and only if both exist raises the
-- rollout's counter to the span's sequence id, inserts the span (a duplicate is skipped) and, if it
-- was stored, applies agl_span_heartbeat. Returns 0: no such rollout, 1: no such attempt,
-- 2: duplicate (not stored), 3: stored.
CREATE OR REPLACE FUNCTION agl_add_span(
  p_ids text, p_sequence_id bigint, p_columns text, p_payload json, p_now double precision
)
RETURNS integer
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_ids jsonb := p_ids::jsonb;
  v_rollout text := v_ids ->> 0;
  v_attempt text := v_ids ->> 1;
  v_columns jsonb;
  v_has_attempt boolean;
BEGIN
  SELECT EXISTS (SELECT FROM attempts a WHERE a.rollout_id = r.rollout_id AND a.attempt_id = v_attempt)
  INTO v_has_attempt
  FROM rollouts r WHERE r.rollout_id = v_rollout FOR UPDATE OF r;
  IF NOT FOUND THEN
    RETURN 0;
  END IF;
  IF NOT v_has_attempt THEN
    RETURN 1;
  END IF;
  v_columns := p_columns::jsonb;
  PERFORM agl_raise_span_counter(v_rollout, p_sequence_id);
  INSERT INTO spans (rollout_id, attempt_id, span_id, sequence_id, trace_id, parent_id, name, start_time,
    end_time, payload)
  VALUES (v_rollout, v_attempt, v_columns ->> 'span_id', p_sequence_id, v_columns ->> 'trace_id',
    v_columns ->> 'parent_id', v_columns ->> 'name', (v_columns ->> 'start_time')::double precision,
    (v_columns ->> 'end_time')::double precision, p_payload)
  ON CONFLICT (rollout_id, attempt_id, span_id) DO NOTHING;
  IF NOT FOUND THEN
    RETURN 2;
  END IF;
  PERFORM agl_span_heartbeat(v_rollout, v_attempt, p_now);
  RETURN 3;
END
$$;
--> statement-breakpoint
-- A batch of spans (docs/store-contract.md 2.9 add_many_spans), all or nothing (Appendix B14). p_rollouts: the
-- distinct rollout ids, sorted (locked in that order, as everywhere in the store); p_groups: JSON
-- [[rollout_id, attempt_id], ...] in order of first appearance; p_columns: JSON [{ord, rollout_id,
-- attempt_id, span_id, sequence_id, trace_id, parent_id, name, start_time, end_time, alloc}]
-- without in-batch duplicates; p_payloads: JSON array of the spans as stored, same order. Only if
-- every group's rollout and attempt exist: gives each span with alloc = true the next number of its
-- rollout's counter, in ord order (OTLP spans without a sequence id; their payload text starts
-- with the 16 characters {"sequence_id":0, which are replaced), raises each rollout's counter to
-- its highest sequence id, inserts the spans (stored duplicates skipped) and applies
-- agl_span_heartbeat once per attempt that got a span. Rows: the first missing group (stored =
-- false, has_rollout) and nothing else; or one row per stored span (stored = true, sequence_id).
DROP FUNCTION IF EXISTS agl_add_spans(text[], text, text, text, double precision);
--> statement-breakpoint
CREATE FUNCTION agl_add_spans(
  p_rollouts text[], p_groups text, p_columns text, p_payloads text, p_now double precision
)
RETURNS TABLE (stored boolean, rollout_id text, attempt_id text, span_id text, sequence_id bigint, has_rollout boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_missing record;
  v_alloc jsonb := '{}'::jsonb;
  v_stored json;
  v_group record;
BEGIN
  PERFORM 1 FROM rollouts r WHERE r.rollout_id = ANY(p_rollouts) ORDER BY r.rollout_id FOR UPDATE;
  SELECT g ->> 0 AS rollout_id, g ->> 1 AS attempt_id,
    EXISTS (SELECT FROM rollouts r WHERE r.rollout_id = g ->> 0) AS has_rollout
  INTO v_missing
  FROM json_array_elements(p_groups::json) WITH ORDINALITY AS t(g, ord)
  WHERE NOT EXISTS (SELECT FROM attempts a WHERE a.rollout_id = g ->> 0 AND a.attempt_id = g ->> 1)
  ORDER BY ord LIMIT 1;
  IF FOUND THEN
    stored := false;
    rollout_id := v_missing.rollout_id;
    attempt_id := v_missing.attempt_id;
    has_rollout := v_missing.has_rollout;
    RETURN NEXT;
    RETURN;
  END IF;
  IF p_columns LIKE '%"alloc":true%' THEN
    -- Each rollout's counter goes up by its number of such spans (counters in id order); the spans
    -- get the numbers of that block in ord order. v_alloc: {ord: sequence id}.
    WITH c AS (
      SELECT x.ord, x.rollout_id FROM json_to_recordset(p_columns::json) AS x(ord bigint, rollout_id text, alloc boolean)
      WHERE x.alloc
    ),
    need AS (SELECT c.rollout_id, count(*) AS k FROM c GROUP BY c.rollout_id),
    bumped AS (
      INSERT INTO span_counters AS sc (rollout_id, counter)
      SELECT need.rollout_id, need.k FROM need ORDER BY need.rollout_id
      ON CONFLICT (rollout_id) DO UPDATE SET counter = sc.counter + EXCLUDED.counter
      RETURNING sc.rollout_id, sc.counter
    )
    SELECT COALESCE(jsonb_object_agg(n.ord::text, n.seq), '{}'::jsonb) INTO v_alloc
    FROM (
      SELECT c.ord, b.counter - need.k + row_number() OVER (PARTITION BY c.rollout_id ORDER BY c.ord) AS seq
      FROM c JOIN need ON need.rollout_id = c.rollout_id JOIN bumped b ON b.rollout_id = c.rollout_id
    ) n;
  END IF;
  PERFORM agl_raise_span_counter(c.rollout_id, max(COALESCE((v_alloc ->> c.ord::text)::bigint, c.sequence_id)))
  FROM json_to_recordset(p_columns::json) AS c(ord bigint, rollout_id text, sequence_id bigint)
  GROUP BY c.rollout_id ORDER BY c.rollout_id;
  WITH payloads AS (
    SELECT x, ord FROM json_array_elements(p_payloads::json) WITH ORDINALITY AS t(x, ord)
  ),
  input AS (
    SELECT c.*, (v_alloc ->> c.ord::text)::bigint AS allocated, p.x
    FROM json_to_recordset(p_columns::json) AS c(
      ord bigint, rollout_id text, attempt_id text, span_id text, sequence_id bigint, trace_id text,
      parent_id text, name text, start_time float8, end_time float8
    ) JOIN payloads p ON p.ord = c.ord
  ),
  ins AS (
    INSERT INTO spans (rollout_id, attempt_id, span_id, sequence_id, trace_id, parent_id, name, start_time,
      end_time, payload)
    SELECT i.rollout_id, i.attempt_id, i.span_id, COALESCE(i.allocated, i.sequence_id), i.trace_id, i.parent_id,
      i.name, i.start_time, i.end_time,
      CASE WHEN i.allocated IS NULL THEN i.x
        ELSE ('{"sequence_id":' || i.allocated || substr(i.x::text, 17))::json END
    FROM input i
    ORDER BY i.ord
    ON CONFLICT (rollout_id, attempt_id, span_id) DO NOTHING
    RETURNING spans.rollout_id, spans.attempt_id, spans.span_id, spans.sequence_id
  )
  SELECT COALESCE(json_agg(json_build_array(ins.rollout_id, ins.attempt_id, ins.span_id, ins.sequence_id)), '[]'::json)
  INTO v_stored FROM ins;
  FOR v_group IN
    SELECT DISTINCT x ->> 0 AS rollout_id, x ->> 1 AS attempt_id FROM json_array_elements(v_stored) AS t(x)
  LOOP
    PERFORM agl_span_heartbeat(v_group.rollout_id, v_group.attempt_id, p_now);
  END LOOP;
  RETURN QUERY SELECT true, x ->> 0, x ->> 1, x ->> 2, (x ->> 3)::bigint, NULL::boolean
    FROM json_array_elements(v_stored) AS t(x);
END
$$;
