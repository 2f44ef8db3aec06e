import { AglError } from "@agentlightning/types";

// How database errors become store errors: values Postgres cannot store are the caller's bad input,
// connection failures are `unavailable`, everything else `internal`.

/** Deadlock and serialization failures: the transaction is retried. */
export const RETRYABLE_CODES = new Set(["40P01", "40001"]);
/** Unique violation: in the store's statements only a generated id can collide. */
export const UNIQUE_VIOLATION = "23505";
// Values Postgres cannot store: NUL in text/jsonb, lone surrogates, over-long index keys.
const BAD_INPUT_CODES = new Set(["22P05", "22021", "22025", "54000", "22003"]);

/** The SQLSTATE (or driver code) of an error or of one of its causes. */
export function pgErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== null && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function innermostMessage(error: unknown): string {
  let current: unknown = error;
  let message = error instanceof Error ? error.message : String(error);
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    message = current.message;
    current = current.cause;
  }
  return message;
}

/** The store error for a database error (an `AglError` passes through). */
export function toAglError(error: unknown): unknown {
  if (AglError.isInstance(error)) return error;
  const code = pgErrorCode(error);
  const message = innermostMessage(error);
  if (code !== undefined && BAD_INPUT_CODES.has(code)) {
    return new AglError("invalid_argument", `Postgres cannot store this value: ${message}`, { cause: error });
  }
  // Socket errors (ECONNREFUSED...), postgres.js connection states, SQLSTATE 08 and 57P (shutdown).
  if (code !== undefined && /^(E[A-Z]|CONNECT|08|57P)/.test(code)) {
    return new AglError("unavailable", `Database unavailable: ${message}`, { cause: error });
  }
  return new AglError("internal", `Database error: ${message}`, { cause: error });
}
