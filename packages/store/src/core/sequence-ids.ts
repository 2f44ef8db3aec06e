import { AglError } from "@agentlightning/types";

// Span sequence ids travel as JSON numbers, which JavaScript (and most JSON readers) hold exactly
// only up to Number.MAX_SAFE_INTEGER (2^53 - 1). A counter that passed it would hand out the same
// number twice (2^53 + 1 reads back as 2^53). So explicit ids stop at a ceiling that leaves the
// counters 2^52 numbers of room, and allocation fails instead of passing the safe range.

/**
 * Largest `sequence_id` a span may carry explicitly: 2^52 (4,503,599,627,370,496). Explicit ids
 * raise the rollout's counter, so stopping them here leaves 2^52 safe numbers for allocation
 * (`getNextSpanSequenceId`), more than any rollout can use. Microsecond timestamps fit (until the
 * year 2112); nanosecond ones never fitted in a JSON number exactly.
 */
export const MAX_EXPLICIT_SEQUENCE_ID = 2 ** 52;

/** `invalid_argument` naming the field when an explicit sequence id is above the ceiling. */
export function checkExplicitSequenceId(sequenceId: number, what: string): void {
  if (sequenceId > MAX_EXPLICIT_SEQUENCE_ID) {
    throw new AglError(
      "invalid_argument",
      `Invalid ${what}: sequence_id: must be at most ${MAX_EXPLICIT_SEQUENCE_ID} (2^52), so that allocated ids stay exact JSON numbers; got ${sequenceId}`,
    );
  }
}

/**
 * `invalid_argument` when allocating `count` more ids after `counter` would pass
 * Number.MAX_SAFE_INTEGER (the same failure the Postgres counters raise).
 */
export function checkSequenceRoom(rolloutId: string, counter: number, count: number): void {
  if (counter + count > Number.MAX_SAFE_INTEGER) {
    throw new AglError(
      "invalid_argument",
      `Span sequence ids of rollout ${rolloutId} are exhausted: the next one would pass ${Number.MAX_SAFE_INTEGER} (Number.MAX_SAFE_INTEGER)`,
    );
  }
}
