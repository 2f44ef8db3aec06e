import * as z from "zod";
import { AttemptStatusSchema, RolloutModeSchema, RolloutStatusSchema } from "./enums.js";
import { JsonObjectSchema, RequiredJsonSchema } from "./json.js";

/**
 * Retry and liveness policy of a rollout. Unknown keys are dropped; a config in a request replaces
 * the stored one as a whole (missing keys take their defaults).
 */
export const RolloutConfigSchema = z.object({
  /** Wall-clock limit per attempt, seconds; null = none. */
  timeout_seconds: z.number().nullable().default(null),
  /** Liveness limit (time since the last heartbeat), seconds; null = none. */
  unresponsive_seconds: z.number().nullable().default(null),
  /** Attempts allowed in total, counting the first. */
  max_attempts: z.int().min(1).default(1),
  /** Attempt statuses after which the rollout is retried (while attempts remain). */
  retry_condition: z.array(AttemptStatusSchema).default([]),
});
/** Retry and liveness policy of a rollout. */
export type RolloutConfig = z.infer<typeof RolloutConfigSchema>;

/** The default {@link RolloutConfig}: one attempt, no timeouts, no retries. */
export function defaultRolloutConfig(): RolloutConfig {
  return { timeout_seconds: null, unresponsive_seconds: null, max_attempts: 1, retry_condition: [] };
}

/** One task given to the agent, with its status. */
export const RolloutSchema = z.object({
  rollout_id: z.string(),
  input: RequiredJsonSchema,
  start_time: z.number(),
  end_time: z.number().nullable().default(null),
  mode: RolloutModeSchema.nullable().default(null),
  resources_id: z.string().nullable().default(null),
  status: RolloutStatusSchema.default("queuing"),
  config: RolloutConfigSchema.default(defaultRolloutConfig),
  metadata: JsonObjectSchema.nullable().default(() => ({})),
});
/** One task given to the agent, with its status. */
export type Rollout = z.infer<typeof RolloutSchema>;

/** One try at running a rollout, by one worker. */
export const AttemptSchema = z.object({
  rollout_id: z.string(),
  attempt_id: z.string(),
  /** 1-based, gap-free per rollout. */
  sequence_id: z.int(),
  start_time: z.number(),
  end_time: z.number().nullable().default(null),
  status: AttemptStatusSchema.default("preparing"),
  worker_id: z.string().nullable().default(null),
  last_heartbeat_time: z.number().nullable().default(null),
  metadata: JsonObjectSchema.nullable().default(null),
});
/** One try at running a rollout, by one worker. */
export type Attempt = z.infer<typeof AttemptSchema>;

/** A rollout with an attempt attached (the new one, or the latest one). */
export const AttemptedRolloutSchema = RolloutSchema.extend({ attempt: AttemptSchema });
/** A rollout with an attempt attached (the new one, or the latest one). */
export type AttemptedRollout = z.infer<typeof AttemptedRolloutSchema>;

/**
 * A rollout as returned by queries: attempted if the `attempt` key is present. A rollout without
 * attempts never carries `"attempt": null`; the key is absent.
 */
export const RolloutOrAttemptedSchema = RolloutSchema.extend({ attempt: AttemptSchema.optional() });
/** A rollout as returned by queries: with `attempt` iff it has attempts. */
export type RolloutOrAttempted = Rollout | AttemptedRollout;

/** True if the rollout carries an attempt. */
export function isAttemptedRollout(rollout: RolloutOrAttempted): rollout is AttemptedRollout {
  return "attempt" in rollout && rollout.attempt !== undefined;
}

/** One element of a batch enqueue: what to run and how. `input` must be present (null allowed). */
export const EnqueueRolloutRequestSchema = z.object({
  input: RequiredJsonSchema,
  mode: RolloutModeSchema.nullable().default(null),
  resources_id: z.string().nullable().default(null),
  config: RolloutConfigSchema.nullable().default(null),
  metadata: JsonObjectSchema.nullable().default(null),
});
/** One element of a batch enqueue, after defaults. */
export type EnqueueRolloutRequest = z.infer<typeof EnqueueRolloutRequestSchema>;
/** One element of a batch enqueue, as a caller may write it. */
export type EnqueueRolloutInput = z.input<typeof EnqueueRolloutRequestSchema>;

/** Body of `start_rollout`: an enqueue request plus the worker that runs it right away. */
export const RolloutRequestSchema = EnqueueRolloutRequestSchema.extend({
  worker_id: z.string().nullable().default(null),
});
/** Body of `start_rollout`, after defaults. */
export type RolloutRequest = z.infer<typeof RolloutRequestSchema>;
