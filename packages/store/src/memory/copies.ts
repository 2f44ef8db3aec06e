import type { Attempt, AttemptedRollout, ResourcesUpdate, Rollout, Worker } from "@agentlightning/types";
import { cloneJson } from "./clone-json.js";

// Copies of stored records, so that callers never hold (and mutate) the store's own objects.
// Scalars are copied by spreading; only the nested JSON parts need a deep copy.

/** A copy of a rollout, without any `attempt` key. */
export function copyRollout(rollout: Rollout): Rollout {
  return {
    ...rollout,
    input: cloneJson(rollout.input),
    config: { ...rollout.config, retry_condition: [...rollout.config.retry_condition] },
    metadata: rollout.metadata === null ? null : cloneJson(rollout.metadata),
  };
}

/** A copy of an attempt. */
export function copyAttempt(attempt: Attempt): Attempt {
  return { ...attempt, metadata: attempt.metadata === null ? null : cloneJson(attempt.metadata) };
}

/** A copy of a rollout with a copy of the given attempt attached. */
export function copyAttemptedRollout(rollout: Rollout, attempt: Attempt): AttemptedRollout {
  return { ...copyRollout(rollout), attempt: copyAttempt(attempt) };
}

/** A copy of a worker. */
export function copyWorker(worker: Worker): Worker {
  return {
    ...worker,
    heartbeat_stats: worker.heartbeat_stats === null ? null : cloneJson(worker.heartbeat_stats),
  };
}

/** A copy of a resources snapshot. */
export function copyResources(update: ResourcesUpdate): ResourcesUpdate {
  return { ...update, resources: cloneJson(update.resources) };
}
