import * as z from "zod";
import { RolloutModeSchema } from "./enums.js";
import { JsonObjectSchema, RequiredJsonSchema } from "./json.js";
import { NamedResourcesSchema } from "./resources.js";
import { TripletSchema } from "./triplet.js";

/** A task of the legacy (v0.1) task server. */
export const TaskSchema = z.object({
  rollout_id: z.string(),
  input: RequiredJsonSchema,
  mode: RolloutModeSchema.nullable().default(null),
  resources_id: z.string().nullable().default(null),
  create_time: z.number().nullable().default(null),
  last_claim_time: z.number().nullable().default(null),
  num_claims: z.int().nullable().default(null),
  metadata: JsonObjectSchema.default(() => ({})),
});
/** A task of the legacy task server. */
export type Task = z.infer<typeof TaskSchema>;

/** Answer of the legacy `GET /task`. */
export const TaskIfAnySchema = z.object({
  is_available: z.boolean(),
  task: TaskSchema.nullable().default(null),
});
/** Answer of the legacy `GET /task`. */
export type TaskIfAny = z.infer<typeof TaskIfAnySchema>;

/** A completed rollout as posted to the legacy `POST /rollout`. */
export const RolloutLegacySchema = z.object({
  rollout_id: z.string(),
  task: TaskSchema.nullable().default(null),
  final_reward: z.number().nullable().default(null),
  triplets: z.array(TripletSchema).nullable().default(null),
  trace: z.array(JsonObjectSchema).nullable().default(null),
  logs: z.array(z.string()).nullable().default(null),
  metadata: JsonObjectSchema.default(() => ({})),
});
/** A completed rollout of the legacy protocol. */
export type RolloutLegacy = z.infer<typeof RolloutLegacySchema>;
/** A completed legacy rollout as a caller may write it. */
export type RolloutLegacyInput = z.input<typeof RolloutLegacySchema>;

/** Generic acknowledgement of the legacy server. */
export const GenericResponseSchema = z.object({
  status: z.string().default("success"),
  message: z.string().nullable().default(null),
  data: JsonObjectSchema.nullable().default(null),
});
/** Generic acknowledgement of the legacy server. */
export type GenericResponse = z.infer<typeof GenericResponseSchema>;

/**
 * A resources bundle of the legacy server. v0.2.2 sends only `resources_id` and `resources`; v0.3.0
 * adds the times and version. Both parse; missing times/version stay absent.
 */
export const LegacyResourcesUpdateSchema = z.object({
  resources_id: z.string(),
  resources: NamedResourcesSchema,
  create_time: z.number().optional(),
  update_time: z.number().optional(),
  version: z.int().optional(),
});
/** A resources bundle of the legacy server. */
export type LegacyResourcesUpdate = z.infer<typeof LegacyResourcesUpdateSchema>;
