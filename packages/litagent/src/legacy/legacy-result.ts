import type { JsonObject, RolloutLegacy, Span, Triplet } from "@agentlightning/types";
import { isReadableSpan } from "../rollout-result.js";
import { otelSpanToSpan } from "../tracer-api.js";

/** Turns a trace into triplets (e.g. `TracerTraceToTriplet` of `@agentlightning/tracer`). */
export type TripletExporter =
  | ((spans: Span[]) => Triplet[] | Promise<Triplet[]>)
  | {
      adapt(spans: Span[]): Triplet[] | Promise<Triplet[]>;
    };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A triplet: an object with `prompt` and `response` and nothing that is not a triplet field. */
function isTriplet(value: unknown): value is Triplet {
  return (
    isRecord(value) &&
    "prompt" in value &&
    "response" in value &&
    Object.keys(value).every((k) => k === "prompt" || k === "response" || k === "reward" || k === "metadata")
  );
}

/** A stored span (the ids a store keys it by are present). */
function isSpan(value: unknown): value is Span {
  return (
    isRecord(value) &&
    typeof value.span_id === "string" &&
    typeof value.trace_id === "string" &&
    "rollout_id" in value
  );
}

/** A legacy rollout report: an object (not a list) with a string `rollout_id`. */
function isRolloutLegacy(value: unknown): value is Partial<RolloutLegacy> & { rollout_id: string } {
  return isRecord(value) && typeof value.rollout_id === "string" && !("span_id" in value);
}

/** What {@link toRolloutLegacy} needs beside the result. */
export interface LegacyResultContext {
  rolloutId: string;
  /** The spans of the tracer's last trace (empty when there is no tracer). */
  lastTrace: () => Span[];
  /** Derives triplets from the trace; none: triplets come only from the result. */
  tripletExporter: TripletExporter | null;
}

/**
 * The report `LegacyAgentRunner` posts for what an agent returned (docs/legacy-contract.md §7), in this order:
 * a number is the final reward (every number, where upstream ignores integers); a list of triplets
 * is the triplets; a list of OpenTelemetry spans or stored spans is the trace (as JSON objects); a
 * list of other objects is the trace as given; a legacy report gives its reward, triplets and
 * trace (an empty list counts as triplets and trace at once). Without a trace, the tracer's last
 * trace (when not empty) becomes it. Triplets derived from the trace replace the returned ones; the
 * last triplet's reward fills a missing final reward. A returned report is kept with the computed
 * fields filled in; otherwise the report holds the rollout id and the fields that were found.
 */
export async function toRolloutLegacy(result: unknown, context: LegacyResultContext): Promise<RolloutLegacy> {
  let finalReward: number | null = null;
  let triplets: Triplet[] | null = null;
  let trace: JsonObject[] | null = null;
  let traceSpans: Span[] | null = null;

  if (typeof result === "number" && Number.isFinite(result)) finalReward = result;
  if (Array.isArray(result)) {
    if (result.every(isTriplet)) triplets = result;
    if (result.every(isReadableSpan)) {
      traceSpans = result.map((span, i) =>
        otelSpanToSpan(span, { rolloutId: context.rolloutId, attemptId: "", sequenceId: i }),
      );
      trace = traceSpans.map((span) => ({ ...span }) as JsonObject);
    } else if (result.every(isSpan)) {
      traceSpans = result;
      trace = result.map((span) => ({ ...span }) as JsonObject);
    } else if (result.every(isRecord)) {
      trace = result as JsonObject[];
    }
  }
  const returnedReport = !Array.isArray(result) && isRolloutLegacy(result) ? result : null;
  if (returnedReport !== null) {
    finalReward = returnedReport.final_reward ?? null;
    triplets = returnedReport.triplets ?? null;
    trace = returnedReport.trace ?? null;
  }

  if (trace === null || traceSpans === null) {
    const spans = context.lastTrace();
    if (spans.length > 0) {
      trace = spans.map((span) => ({ ...span }) as JsonObject);
      traceSpans = spans;
    }
  }
  if (traceSpans !== null && traceSpans.length > 0 && context.tripletExporter !== null) {
    const exporter = context.tripletExporter;
    triplets = await (typeof exporter === "function" ? exporter(traceSpans) : exporter.adapt(traceSpans));
  }
  if (finalReward === null && triplets !== null && triplets.length > 0) {
    const last = triplets[triplets.length - 1];
    if (last?.reward !== null && last?.reward !== undefined) finalReward = last.reward;
  }

  const computed: Partial<RolloutLegacy> = {};
  if (finalReward !== null) computed.final_reward = finalReward;
  if (triplets !== null) computed.triplets = triplets;
  if (trace !== null) computed.trace = trace;
  if (returnedReport !== null) {
    return {
      task: null,
      final_reward: null,
      triplets: null,
      trace: null,
      logs: null,
      metadata: {},
      ...returnedReport,
      ...computed,
    } as RolloutLegacy;
  }
  return {
    rollout_id: context.rolloutId,
    task: null,
    final_reward: null,
    triplets: null,
    trace: null,
    logs: null,
    metadata: {},
    ...computed,
  };
}
