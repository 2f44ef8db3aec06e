import type { Attempt, Worker } from "@agentlightning/types";

/** An empty worker record, as created implicitly by the first operation that names it. */
export function newWorker(workerId: string): Worker {
  return {
    worker_id: workerId,
    status: "unknown",
    heartbeat_stats: null,
    last_heartbeat_time: null,
    last_dequeue_time: null,
    last_busy_time: null,
    last_idle_time: null,
    current_rollout_id: null,
    current_attempt_id: null,
  };
}

/**
 * The worker after syncing it with the state of an attempt it runs (`docs/store-contract.md` §2.12):
 * preparing/running → busy with the attempt; succeeded/failed → idle; timeout/unresponsive → unknown.
 */
export function syncWorkerWithAttempt(
  worker: Worker,
  attempt: Attempt,
  now: number,
  fromDequeue: boolean,
): Worker {
  const next: Worker = { ...worker };
  switch (attempt.status) {
    case "preparing":
    case "running":
      next.status = "busy";
      next.last_busy_time = now;
      next.current_rollout_id = attempt.rollout_id;
      next.current_attempt_id = attempt.attempt_id;
      break;
    case "succeeded":
    case "failed":
      next.status = "idle";
      next.last_idle_time = now;
      next.current_rollout_id = null;
      next.current_attempt_id = null;
      break;
    default:
      next.status = "unknown";
      next.last_idle_time = now;
      next.current_rollout_id = null;
      next.current_attempt_id = null;
  }
  if (fromDequeue) next.last_dequeue_time = now;
  return next;
}

/**
 * The worker after a dequeue that claimed nothing: idle (Quirk B5: current ids are kept), or only
 * `last_dequeue_time` when it already was idle.
 */
export function markWorkerIdleAfterEmptyDequeue(worker: Worker, now: number): Worker {
  if (worker.status === "idle") return { ...worker, last_dequeue_time: now };
  return { ...worker, status: "idle", last_idle_time: now, last_dequeue_time: now };
}
