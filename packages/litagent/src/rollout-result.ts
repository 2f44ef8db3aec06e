import { addSpansAllocating, type LightningStore } from "@agentlightning/store";
import {
  AglError,
  type AttemptedRollout,
  type Logger,
  parseOrThrow,
  type Span,
  type SpanCoreFields,
  SpanCoreFieldsSchema,
} from "@agentlightning/types";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { emitReward, isOtelTracer, otelSpanToSpan, spanFromCoreFields, type Tracer } from "./tracer-api.js";

/**
 * What a rollout may return (runtime contract §6.1): nothing (the tracer recorded the spans), a number
 * (the final reward; a boolean counts as 0 or 1 with a warning), OpenTelemetry spans, stored
 * {@link Span}s, or {@link SpanCoreFields} (what the emitters return with `propagate: false`).
 */
export type RolloutRawResult =
  | undefined
  | null
  // biome-ignore lint/suspicious/noConfusingVoidType: an agent written as `async (task) => { ... }` returns Promise<void>
  | void
  | number
  | boolean
  | readonly ReadableSpan[]
  | readonly Span[]
  | readonly SpanCoreFields[];

/** What {@link postProcessRolloutResult} needs. */
export interface PostProcessContext {
  store: LightningStore;
  tracer: Tracer;
  logger: Logger;
  /** The spans of the rollout's trace scope (the tracer's last trace in this call chain). */
  lastTrace: () => Span[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The reward a rollout returned as a number: a boolean becomes 1 or 0 with a warning (*Reward is
 * not a number*).
 *
 * @throws AglError `invalid_argument` for a number that is not finite (NaN, Infinity).
 */
export function rewardOf(raw: number | boolean, logger: Logger): number {
  if (typeof raw === "boolean") {
    logger.warn(`Reward is not a number, got: ${typeof raw}. Converting it to ${Number(raw)}.`);
    return Number(raw);
  }
  if (!Number.isFinite(raw)) {
    throw new AglError(
      "invalid_argument",
      `The rollout returned a reward that is not a finite number: ${raw}.`,
    );
  }
  return raw;
}

/** An OpenTelemetry JS SDK span: it has `spanContext()` and an `HrTime` start. */
export function isReadableSpan(value: unknown): value is ReadableSpan {
  return (
    isRecord(value) &&
    typeof value.spanContext === "function" &&
    Array.isArray(value.startTime) &&
    typeof value.name === "string"
  );
}

/** A stored span: the ids a store keys it by are present. */
function isStoredSpan(value: unknown): value is Span {
  return (
    isRecord(value) &&
    typeof value.rollout_id === "string" &&
    typeof value.attempt_id === "string" &&
    typeof value.span_id === "string" &&
    typeof value.trace_id === "string" &&
    typeof value.sequence_id === "number"
  );
}

/** Core fields: a name, attributes and a status, without the ids of a stored span. */
function isCoreFields(value: unknown): value is SpanCoreFields {
  return (
    isRecord(value) &&
    typeof value.name === "string" &&
    isRecord(value.attributes) &&
    isRecord(value.status) &&
    !("span_id" in value) &&
    typeof value.spanContext !== "function"
  );
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "object") return value.constructor?.name ?? "object";
  return typeof value;
}

/**
 * Turns what an agent returned into the spans of its rollout, writing to the store what the tracer
 * did not (runtime contract §7.3):
 *
 * | result | written | returned |
 * | --- | --- | --- |
 * | nothing | nothing (the tracer wrote the spans) | the trace's spans |
 * | a number (boolean: 0/1 with a warning) | one reward annotation span | the trace's spans (without the reward span, as upstream) |
 * | OpenTelemetry spans | converted, with fresh sequence ids | the stored spans |
 * | stored spans | as given | the list |
 * | core fields | as spans with fresh sequence ids | the stored spans |
 * | `[]` | nothing (warning) | `[]` |
 *
 * @throws AglError `invalid_argument` for a list that mixes kinds (or holds anything else) and for
 *   a non-finite reward; `TypeError` for any other result (a string, an object...).
 */
export async function postProcessRolloutResult(
  rollout: AttemptedRollout,
  raw: unknown,
  context: PostProcessContext,
): Promise<Span[]> {
  const { store, logger } = context;
  const rolloutId = rollout.rollout_id;
  const attemptId = rollout.attempt.attempt_id;
  if (raw === undefined || raw === null) return context.lastTrace();

  if (typeof raw === "boolean" || typeof raw === "number") {
    let reward = raw as number;
    if (typeof raw === "boolean") {
      logger.warn(`Reward is not a number, got: ${typeof raw}. Converting it to ${Number(raw)}.`);
      reward = Number(raw);
    }
    if (!Number.isFinite(reward)) {
      throw new AglError(
        "invalid_argument",
        `The rollout returned a reward that is not a finite number: ${reward}.`,
      );
    }
    const spans = [...context.lastTrace()];
    const core = emitReward(reward, { propagate: false });
    // The store numbers the span: one call (one request over HTTP) instead of two.
    await addSpansAllocating(store, [spanFromCoreFields(core, { rolloutId, attemptId })]);
    return spans;
  }

  if (Array.isArray(raw)) {
    if (raw.length === 0) {
      logger.warn(`The rollout ${rolloutId} returns an empty list of spans: nothing to store.`);
      return [];
    }
    if (raw.every(isReadableSpan)) {
      if (isOtelTracer(context.tracer)) {
        logger.warn(
          "Tracer is already an OpenTelemetry tracer: the OpenTelemetry spans the rollout returned may already be stored " +
            "(duplicates are likely). Storing them anyway.",
        );
      }
      const spans = raw.map((span) => otelSpanToSpan(span, { rolloutId, attemptId, sequenceId: 0 }));
      const stored = await addSpansAllocating(store, spans);
      if (stored.length < spans.length) {
        logger.error(
          `${spans.length - stored.length} of the returned OpenTelemetry spans were already stored.`,
        );
      }
      return stored;
    }
    if (raw.every(isStoredSpan)) {
      await store.addManySpans(raw);
      return raw;
    }
    if (raw.every(isCoreFields)) {
      const cores = raw.map((core, i) => parseOrThrow(SpanCoreFieldsSchema, core, `rollout result[${i}]`));
      const spans = cores.map((core) => spanFromCoreFields(core, { rolloutId, attemptId }));
      return addSpansAllocating(store, spans);
    }
    throw new AglError(
      "invalid_argument",
      `Invalid raw result type. A rollout may return a list of ReadableSpan, Span or SpanCoreFields (one kind), ` +
        `got a list of ${[...new Set(raw.map(describe))].join(", ")}.`,
    );
  }

  throw new TypeError(
    `Invalid raw result type. A rollout returns nothing, a number (the reward), or a list of ReadableSpan, Span ` +
      `or SpanCoreFields; got ${describe(raw)}.`,
  );
}
