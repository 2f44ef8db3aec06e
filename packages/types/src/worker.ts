import * as z from "zod";
import { WorkerStatusSchema } from "./enums.js";
import { JsonObjectSchema } from "./json.js";

/** A runner process known to the store, with what it is doing. */
export const WorkerSchema = z.object({
  worker_id: z.string(),
  status: WorkerStatusSchema.default("unknown"),
  heartbeat_stats: JsonObjectSchema.nullable().default(null),
  last_heartbeat_time: z.number().nullable().default(null),
  last_dequeue_time: z.number().nullable().default(null),
  last_busy_time: z.number().nullable().default(null),
  last_idle_time: z.number().nullable().default(null),
  current_rollout_id: z.string().nullable().default(null),
  current_attempt_id: z.string().nullable().default(null),
});
/** A runner process known to the store. */
export type Worker = z.infer<typeof WorkerSchema>;
