-- Span sequence ids are JSON numbers, exact in JavaScript only up to 2^53 - 1 (9007199254740991).
-- A span counter that passed it would hand out the same number twice once read back, so a write
-- that takes a counter past it fails instead, with SQLSTATE 22003 (numeric value out of range: the
-- store answers it as invalid_argument, HTTP 400) and a message that says what happened. Explicit
-- span ids are capped at 2^52 by the store's argument checks (src/core/sequence-ids.ts), so this
-- only fires after 2^52 allocations, or on a database that took larger explicit ids before the cap.
-- The WHEN clause keeps the trigger free for every write that stays in range.
-- ASCII only, as 0001 (PGlite slows down after non-ASCII SQL).
CREATE OR REPLACE FUNCTION agl_span_counter_exhausted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'Span sequence ids of rollout % are exhausted: the next one would pass 9007199254740991 (Number.MAX_SAFE_INTEGER)', NEW.rollout_id
    USING ERRCODE = '22003';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER span_counters_safe_integer
  BEFORE INSERT OR UPDATE ON span_counters
  FOR EACH ROW WHEN (NEW.counter > 9007199254740991)
  EXECUTE FUNCTION agl_span_counter_exhausted();
