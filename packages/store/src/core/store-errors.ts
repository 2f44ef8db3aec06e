import { AglError } from "@agentlightning/types";

// The store's not-found errors, worded as the Python store words them (the HTTP layer forwards the
// message as `detail`, with `error_type: "ValueError"`).

/** Unknown rollout id. */
export function rolloutNotFound(rolloutId: string): AglError {
  return new AglError("not_found", `Rollout ${rolloutId} not found`);
}

/** Unknown attempt id for an existing rollout. */
export function attemptNotFound(rolloutId: string, attemptId: string): AglError {
  return new AglError("not_found", `Attempt ${attemptId} not found for rollout ${rolloutId}`);
}

/** Rollout without any attempt, when an attempt was required. */
export function noAttempts(rolloutId: string): AglError {
  return new AglError("not_found", `No attempts found for rollout ${rolloutId}`);
}

/** Spans of the rollout were evicted from memory. */
export function spansEvicted(rolloutId: string): AglError {
  return new AglError("gone", `Spans for rollout ${rolloutId} have been evicted`);
}
