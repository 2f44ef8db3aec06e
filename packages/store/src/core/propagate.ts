import type { AttemptStatus, RolloutConfig, RolloutStatus } from "@agentlightning/types";

/**
 * The rollout status implied by the status of its latest attempt (`spec/store.md` §3.3): failures,
 * timeouts and unresponsiveness requeue while the retry budget allows, else fail the rollout.
 */
export function propagateAttemptStatus(
  status: AttemptStatus,
  config: RolloutConfig,
  sequenceId: number,
): RolloutStatus {
  switch (status) {
    case "preparing":
    case "running":
    case "succeeded":
      return status;
    default:
      return config.retry_condition.includes(status) && sequenceId < config.max_attempts
        ? "requeuing"
        : "failed";
  }
}
