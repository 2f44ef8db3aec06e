import * as z from "zod";

/** Status of a rollout (one task). */
export const RolloutStatusSchema = z.enum([
  "queuing",
  "preparing",
  "running",
  "failed",
  "succeeded",
  "cancelled",
  "requeuing",
]);
/** Status of a rollout (one task). */
export type RolloutStatus = z.infer<typeof RolloutStatusSchema>;

/** Status of one attempt at a rollout. `queuing`, `requeuing`, `cancelled` are not attempt statuses. */
export const AttemptStatusSchema = z.enum([
  "preparing",
  "running",
  "failed",
  "succeeded",
  "unresponsive",
  "timeout",
]);
/** Status of one attempt at a rollout. */
export type AttemptStatus = z.infer<typeof AttemptStatusSchema>;

/** Status of a worker (runner), maintained by the attempt lifecycle. */
export const WorkerStatusSchema = z.enum(["idle", "busy", "unknown"]);
/** Status of a worker (runner). */
export type WorkerStatus = z.infer<typeof WorkerStatusSchema>;

/** Which dataset split a rollout belongs to. */
export const RolloutModeSchema = z.enum(["train", "val", "test"]);
/** Which dataset split a rollout belongs to. */
export type RolloutMode = z.infer<typeof RolloutModeSchema>;

/** OpenTelemetry span status code, by name. */
export const StatusCodeSchema = z.enum(["UNSET", "OK", "ERROR"]);
/** OpenTelemetry span status code, by name. */
export type StatusCode = z.infer<typeof StatusCodeSchema>;

/** How the conditions of a query combine. */
export const FilterLogicSchema = z.enum(["and", "or"]);
/** How the conditions of a query combine. */
export type FilterLogic = z.infer<typeof FilterLogicSchema>;

/** Sort direction of a query. */
export const SortOrderSchema = z.enum(["asc", "desc"]);
/** Sort direction of a query. */
export type SortOrder = z.infer<typeof SortOrderSchema>;

/** Rollout statuses that make a rollout eligible for dequeue. */
export const QUEUING_STATUSES: readonly RolloutStatus[] = ["queuing", "requeuing"];
/** Rollout statuses during which an attempt is believed to run (watched by the watchdog). */
export const RUNNING_STATUSES: readonly RolloutStatus[] = ["preparing", "running"];
/** Terminal rollout statuses: they end waits and stamp `end_time`. */
export const FINISHED_STATUSES: readonly RolloutStatus[] = ["failed", "succeeded", "cancelled"];

/** True if the rollout status is `queuing` or `requeuing`. */
export function isQueuingStatus(status: RolloutStatus): boolean {
  return status === "queuing" || status === "requeuing";
}

/** True if the rollout status is `preparing` or `running`. */
export function isRunningStatus(status: RolloutStatus): boolean {
  return status === "preparing" || status === "running";
}

/** True if the rollout status is `failed`, `succeeded` or `cancelled`. */
export function isFinishedStatus(status: RolloutStatus): boolean {
  return status === "failed" || status === "succeeded" || status === "cancelled";
}
