import {
  AglError,
  AttemptStatusSchema,
  assertSafeJson,
  defaultRolloutConfig,
  EnqueueRolloutRequestSchema,
  type JsonObject,
  JsonObjectSchema,
  type NamedResources,
  NamedResourcesSchema,
  parseOrThrow,
  parseStorable,
  type RolloutConfig,
  RolloutConfigSchema,
  type RolloutMode,
  RolloutStatusSchema,
  type Span,
  SpanSchema,
  UpdateAttemptBodySchema,
  UpdateRolloutBodySchema,
} from "@agentlightning/types";
import * as z from "zod";
import type { AttemptPatch, EnqueueRolloutOptions, RolloutPatch } from "../store.js";
import { checkExplicitSequenceId } from "./sequence-ids.js";
import { copyWellFormedSpan } from "./span-fast-path.js";

// Validation of store inputs with the wire schemas, shared by every store implementation, so that
// bad input fails the same way (AglError invalid_argument naming the field) before anything changes.

/** An enqueue request after validation and defaults (config and metadata filled in). */
export interface NormalizedEnqueue {
  input: unknown;
  mode: RolloutMode | null;
  resources_id: string | null;
  config: RolloutConfig;
  metadata: JsonObject;
}

/** Validates one enqueue/start request; `what` names it in errors (e.g. `rollouts.2`). */
export function normalizeEnqueue(options: EnqueueRolloutOptions, what = "rollout"): NormalizedEnqueue {
  if (options === null || typeof options !== "object" || !("input" in options)) {
    throw new AglError("invalid_argument", `Invalid ${what}: input: Field required`);
  }
  const parsed = parseStorable(
    EnqueueRolloutRequestSchema,
    {
      input: options.input === undefined ? null : options.input,
      mode: options.mode ?? null,
      resources_id: options.resourcesId ?? null,
      config: options.config ?? null,
      metadata: options.metadata ?? null,
    },
    what,
  );
  return {
    input: parsed.input,
    mode: parsed.mode,
    resources_id: parsed.resources_id,
    config: parsed.config ?? defaultRolloutConfig(),
    metadata: parsed.metadata ?? {},
  };
}

/** Validates a whole rollout config (missing keys take defaults). */
export function normalizeConfig(config: unknown): RolloutConfig {
  return parseStorable(RolloutConfigSchema, config, "config");
}

// The wire's update bodies, minus the nulls the HTTP layer turns into 400s (a store refuses them).
const RolloutPatchSchema = UpdateRolloutBodySchema.omit({ input: true }).extend({
  status: RolloutStatusSchema.optional(),
  config: RolloutConfigSchema.optional(),
});

/**
 * Validates a rollout patch, keeping absent keys absent. `status` and `config` refuse null with the
 * message the HTTP API reports (`status is invalid; it cannot be a null value.`).
 */
export function normalizeRolloutPatch(patch: RolloutPatch): RolloutPatch {
  if (patch === null || typeof patch !== "object") {
    throw new AglError("invalid_argument", "Invalid rollout update: expected an object");
  }
  for (const key of ["status", "config"] as const) {
    if (key in patch && (patch as Record<string, unknown>)[key] === null) {
      throw new AglError("invalid_argument", `${key} is invalid; it cannot be a null value.`);
    }
  }
  // The whole patch, `input` included (the schema below leaves input unparsed).
  assertSafeJson(patch, "rollout update");
  const { input, ...rest } = patch;
  const parsed = parseOrThrow(RolloutPatchSchema, rest, "rollout update") as RolloutPatch;
  const out: RolloutPatch = {};
  if ("input" in patch) out.input = input === undefined ? null : input;
  for (const key of ["mode", "resources_id", "status", "config", "metadata"] as const) {
    if (key in rest && (rest as Record<string, unknown>)[key] !== undefined) {
      (out as Record<string, unknown>)[key] = (parsed as Record<string, unknown>)[key];
    }
  }
  return out;
}

const AttemptPatchSchema = UpdateAttemptBodySchema.extend({
  status: AttemptStatusSchema.optional(),
  worker_id: z.string().optional(),
  last_heartbeat_time: z.number().optional(),
  metadata: JsonObjectSchema.optional(),
});

/** Validates an attempt patch (no field may be null). */
export function normalizeAttemptPatch(patch: AttemptPatch): AttemptPatch {
  if (patch === null || typeof patch !== "object") {
    throw new AglError("invalid_argument", "Invalid attempt update: expected an object");
  }
  for (const key of ["status", "worker_id", "last_heartbeat_time", "metadata"] as const) {
    if (key in patch && (patch as Record<string, unknown>)[key] === null) {
      throw new AglError("invalid_argument", `${key} is invalid; it cannot be a null value.`);
    }
  }
  return parseStorable(AttemptPatchSchema, patch, "attempt update") as AttemptPatch;
}

// Spans that were validated where they entered this package (the HTTP route parsed the request
// body with the span schema after the JSON rule), handed to a store without a second zod copy: on
// a busy server every span post otherwise leaves one more ~6 KB copy of the span as old-space
// garbage. Module-private and single-use, so an in-process caller can never mark its own object,
// and an object marked once but passed again (or mutated in between) is validated afresh.
const validatedSpans = new WeakSet<object>();

/**
 * Internal (not exported from the package): records that `span` is the fresh result of validating
 * an untrusted value with `SpanSchema` and the JSON rule (`assertSafeJson`), so that the next
 * `normalizeSpan` of this very object takes it as it is instead of copying it again. Only code that
 * just produced `span` by that validation, and hands it straight to a store, may call this.
 */
export function markValidatedSpan(span: Span): Span {
  validatedSpans.add(span);
  return span;
}

/**
 * Validates a span (required keys, attribute values, `sequence_id` at most
 * `MAX_EXPLICIT_SEQUENCE_ID`, 2^52), keeping unknown keys. A span marked by `markValidatedSpan`
 * is returned as it is (the mark is used up); every other value is parsed into a fresh copy.
 */
export function normalizeSpan(span: unknown, what = "span"): Span {
  if (typeof span === "object" && span !== null && validatedSpans.delete(span)) {
    const validated = span as Span;
    checkExplicitSequenceId(validated.sequence_id, what);
    return validated;
  }
  // The common, complete span skips zod (same copy, same rules); anything else gets the zod parse
  // and its error message.
  const fast = copyWellFormedSpan(span);
  const parsed = fast === undefined ? parseStorable(SpanSchema, span, what) : assertSafeJson(fast, what);
  checkExplicitSequenceId(parsed.sequence_id, what);
  return parsed;
}

/** Validates named resources, filling variant defaults (`api_key: null`, `sampling_parameters: {}`). */
export function normalizeResources(resources: unknown): NamedResources {
  return parseStorable(NamedResourcesSchema, resources, "resources");
}
