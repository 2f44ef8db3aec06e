import * as z from "zod";
import {
  AttemptStatusSchema,
  FilterLogicSchema,
  RolloutModeSchema,
  RolloutStatusSchema,
  SortOrderSchema,
  WorkerStatusSchema,
} from "./enums.js";
import { JsonObjectSchema } from "./json.js";
import { EnqueueRolloutRequestSchema, RolloutConfigSchema } from "./rollout.js";

// Request and response bodies of the store HTTP API (`/v1/agl/...`). Keys absent from an update body
// mean "leave unchanged"; keys present with null mean "set to null" where the field allows it. The
// handler, not the schema, rejects nulls for fields that refuse them, so it can answer 400 (not 422)
// with the message the Python server gives.

/** `POST /v1/agl/queues/rollouts/enqueue` body. */
export const EnqueueRolloutsBodySchema = z.object({ rollouts: z.array(EnqueueRolloutRequestSchema) });
/** `POST /v1/agl/queues/rollouts/enqueue` body. */
export type EnqueueRolloutsBody = z.infer<typeof EnqueueRolloutsBodySchema>;

/** `POST /v1/agl/queues/rollouts/dequeue` body (the body itself is optional). */
export const DequeueBodySchema = z.object({
  limit: z.int().default(1),
  worker_id: z.string().nullable().default(null),
});
/** `POST /v1/agl/queues/rollouts/dequeue` body. */
export type DequeueBody = z.infer<typeof DequeueBodySchema>;

/** `POST /v1/agl/rollouts/{rollout_id}/attempts` body (optional). */
export const StartAttemptBodySchema = z.object({ worker_id: z.string().nullable().default(null) });
/** `POST /v1/agl/rollouts/{rollout_id}/attempts` body. */
export type StartAttemptBody = z.infer<typeof StartAttemptBodySchema>;

/** `POST /v1/agl/rollouts/{rollout_id}` body: only the keys present change. */
export const UpdateRolloutBodySchema = z.object({
  input: z.unknown().optional(),
  mode: RolloutModeSchema.nullable().optional(),
  resources_id: z.string().nullable().optional(),
  status: RolloutStatusSchema.nullable().optional(),
  config: RolloutConfigSchema.nullable().optional(),
  metadata: JsonObjectSchema.nullable().optional(),
});
/** `POST /v1/agl/rollouts/{rollout_id}` body. */
export type UpdateRolloutBody = z.infer<typeof UpdateRolloutBodySchema>;

/** `POST /v1/agl/rollouts/{rollout_id}/attempts/{attempt_id}` body: only the keys present change. */
export const UpdateAttemptBodySchema = z.object({
  status: AttemptStatusSchema.nullable().optional(),
  worker_id: z.string().nullable().optional(),
  last_heartbeat_time: z.number().nullable().optional(),
  metadata: JsonObjectSchema.nullable().optional(),
});
/** `POST /v1/agl/rollouts/{rollout_id}/attempts/{attempt_id}` body. */
export type UpdateAttemptBody = z.infer<typeof UpdateAttemptBodySchema>;

/** `POST /v1/agl/workers/{worker_id}` body (optional). */
export const UpdateWorkerBodySchema = z.object({ heartbeat_stats: JsonObjectSchema.nullable().optional() });
/** `POST /v1/agl/workers/{worker_id}` body. */
export type UpdateWorkerBody = z.infer<typeof UpdateWorkerBodySchema>;

const page = {
  sort_order: SortOrderSchema.default("asc"),
  limit: z.int().default(-1),
  offset: z.int().default(0),
};

/** Query of rollouts (`GET /v1/agl/rollouts` parameters, `POST /v1/agl/rollouts/search` body). */
export const QueryRolloutsBodySchema = z.object({
  status_in: z.array(RolloutStatusSchema).nullable().default(null),
  rollout_id_in: z.array(z.string()).nullable().default(null),
  rollout_id_contains: z.string().nullable().default(null),
  filter_logic: FilterLogicSchema.default("and"),
  sort_by: z.string().nullable().default(null),
  ...page,
});
/** Query of rollouts. */
export type QueryRolloutsBody = z.infer<typeof QueryRolloutsBodySchema>;

/** Query of a rollout's attempts. */
export const QueryAttemptsBodySchema = z.object({
  sort_by: z.string().nullable().default("sequence_id"),
  ...page,
});
/** Query of a rollout's attempts. */
export type QueryAttemptsBody = z.infer<typeof QueryAttemptsBodySchema>;

/** Query of workers. */
export const QueryWorkersBodySchema = z.object({
  status_in: z.array(WorkerStatusSchema).nullable().default(null),
  worker_id_contains: z.string().nullable().default(null),
  filter_logic: FilterLogicSchema.default("and"),
  sort_by: z.string().nullable().default(null),
  ...page,
});
/** Query of workers. */
export type QueryWorkersBody = z.infer<typeof QueryWorkersBodySchema>;

/** Query of resources snapshots (always AND, no `filter_logic`). */
export const QueryResourcesBodySchema = z.object({
  resources_id: z.string().nullable().default(null),
  resources_id_contains: z.string().nullable().default(null),
  sort_by: z.string().nullable().default(null),
  ...page,
});
/** Query of resources snapshots. */
export type QueryResourcesBody = z.infer<typeof QueryResourcesBodySchema>;

/** Query of the spans of one rollout (`rollout_id` required; `attempt_id` may be `latest`). */
export const QuerySpansBodySchema = z.object({
  rollout_id: z.string(),
  attempt_id: z.string().nullable().default(null),
  trace_id: z.string().nullable().default(null),
  trace_id_contains: z.string().nullable().default(null),
  span_id: z.string().nullable().default(null),
  span_id_contains: z.string().nullable().default(null),
  parent_id: z.string().nullable().default(null),
  parent_id_contains: z.string().nullable().default(null),
  name: z.string().nullable().default(null),
  name_contains: z.string().nullable().default(null),
  filter_logic: FilterLogicSchema.default("and"),
  sort_by: z.string().nullable().default("sequence_id"),
  ...page,
});
/** Query of the spans of one rollout. */
export type QuerySpansBody = z.infer<typeof QuerySpansBodySchema>;

/** `POST /v1/agl/spans/next` body. */
export const NextSequenceIdBodySchema = z.object({ rollout_id: z.string(), attempt_id: z.string() });
/** `POST /v1/agl/spans/next` body. */
export type NextSequenceIdBody = z.infer<typeof NextSequenceIdBodySchema>;

/** `POST /v1/agl/spans/next` response. */
export const NextSequenceIdResponseSchema = z.object({ sequence_id: z.int() });
/** `POST /v1/agl/spans/next` response. */
export type NextSequenceIdResponse = z.infer<typeof NextSequenceIdResponseSchema>;

/** `POST /v1/agl/waits/rollouts` body; `timeout` in seconds, null = no limit. */
export const WaitForRolloutsBodySchema = z.object({
  rollout_ids: z.array(z.string()),
  timeout: z.number().nullable().default(null),
});
/** `POST /v1/agl/waits/rollouts` body. */
export type WaitForRolloutsBody = z.infer<typeof WaitForRolloutsBodySchema>;

/** `GET /v1/agl/health` response. */
export const HealthResponseSchema = z.object({ status: z.literal("ok") });

/** `GET /v1/agl/statistics` response: counts and uptime; stores may add keys. */
export const StoreStatisticsSchema = z.looseObject({
  name: z.string(),
  total_rollouts: z.int(),
  total_attempts: z.int(),
  total_spans: z.int(),
  total_resources: z.int(),
  total_workers: z.int(),
  uptime: z.number(),
});
/** Store statistics. */
export type StoreStatistics = z.infer<typeof StoreStatisticsSchema>;

/** Fields a rollout query may sort by, in the order the 400 message lists them. */
export const ROLLOUT_SORT_FIELDS = [
  "rollout_id",
  "input",
  "start_time",
  "end_time",
  "mode",
  "resources_id",
  "status",
  "config",
  "metadata",
] as const;
/** Fields an attempt query may sort by. */
export const ATTEMPT_SORT_FIELDS = [
  "rollout_id",
  "attempt_id",
  "sequence_id",
  "start_time",
  "end_time",
  "status",
  "worker_id",
  "last_heartbeat_time",
  "metadata",
] as const;
/** Fields a resources query may sort by. */
export const RESOURCES_SORT_FIELDS = [
  "resources_id",
  "create_time",
  "update_time",
  "version",
  "resources",
] as const;
/** Fields a worker query may sort by. */
export const WORKER_SORT_FIELDS = [
  "worker_id",
  "status",
  "heartbeat_stats",
  "last_heartbeat_time",
  "last_dequeue_time",
  "last_busy_time",
  "last_idle_time",
  "current_rollout_id",
  "current_attempt_id",
] as const;
/** Fields a span query may sort by. */
export const SPAN_SORT_FIELDS = [
  "rollout_id",
  "attempt_id",
  "sequence_id",
  "trace_id",
  "span_id",
  "parent_id",
  "name",
  "status",
  "attributes",
  "events",
  "links",
  "start_time",
  "end_time",
  "context",
  "parent",
  "resource",
] as const;
