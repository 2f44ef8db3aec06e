import { AglError } from "@agentlightning/types";

/**
 * Whether a failed span write is worth another try: network failures, timeouts and 5xx/408/429
 * answers are (the store may come back); anything the store refused (a 4xx: unknown rollout or
 * attempt, invalid span, gone) is not, since sending the same spans again gets the same answer.
 */
export function isTransientWriteFailure(error: unknown): boolean {
  if (!AglError.isInstance(error)) {
    // Not a store error (e.g. a TypeError from a custom store's transport): assume the transport.
    return !(error instanceof RangeError || error instanceof SyntaxError);
  }
  if (error.status !== undefined) return error.status >= 500 || error.status === 408 || error.status === 429;
  return error.code === "unavailable" || error.code === "timeout";
}

/** A one-line reason for a log message. */
export function describeWriteFailure(error: unknown): string {
  if (AglError.isInstance(error)) {
    const status = error.status === undefined ? "" : `HTTP ${error.status}, `;
    return `${status}${error.code}: ${error.message}`;
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
