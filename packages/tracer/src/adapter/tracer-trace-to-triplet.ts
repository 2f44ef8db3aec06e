/**
 * `TracerTraceToTriplet` (runtime contract §5.3): the spans of a traced rollout → triplets, one per
 * LLM call, with rewards matched from reward spans. Tells why when LLM calls do not make it.
 */
import { AglError, type Logger, type Span, silentLogger } from "@agentlightning/types";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { otelSpanToSpan } from "../tracer/span-conversion.js";
import { TraceAdapter } from "./adapter.js";
import { type AdaptDiagnostics, type DroppedSpan, logAdaptOutcome, onceLogger } from "./diagnostics.js";
import { anyResponseId, looksLikeLlmCall, readReward } from "./span-reading.js";
import type { TracerTriplet } from "./span-to-triplet.js";
import { DEFAULT_LLM_CALL_MATCH, type RewardMatchPolicy, TraceTree } from "./trace-tree.js";

/** Options of {@link TracerTraceToTriplet}. */
export interface TracerTraceToTripletOptions {
  /** Move root-level spans under the span that envelopes them in time (default `true`). */
  repairHierarchy?: boolean;
  /**
   * Span names that are LLM calls, a regex searched in the name (default `openai\.chat\.completion`,
   * what the OpenAI and AI SDK instrumentations write; `litellm_request` reads LLM-proxy traces).
   */
  llmCallMatch?: string | RegExp;
  /** Keep only LLM calls under an agent whose name matches this regex (default: all). */
  agentMatch?: string | RegExp | null;
  /** Leave out LLM calls made inside an `agentlightning.reward` operation (default `true`). */
  excludeLlmCallInReward?: boolean;
  /** How reward spans are given to LLM calls (default `first_occurrence`). */
  rewardMatch?: RewardMatchPolicy;
  /** Drop LLM calls without prompt or response token ids (default `false`). */
  skipEmptyTokenSpans?: boolean;
  /** Where the warning about a trace that yields nothing goes (default: silent). */
  logger?: Logger;
}

function isReadableSpan(span: Span | ReadableSpan): span is ReadableSpan {
  return typeof (span as ReadableSpan).spanContext === "function";
}

/** Stored spans as they are; raw OpenTelemetry spans converted with placeholder ids. */
function toStoredSpans(spans: readonly (Span | ReadableSpan)[]): readonly Span[] {
  if (!spans.some(isReadableSpan)) return spans as readonly Span[];
  return spans.map((span) =>
    isReadableSpan(span)
      ? otelSpanToSpan(span, { rolloutId: "dummy", attemptId: "dummy", sequenceId: 0 })
      : span,
  );
}

function checkRegExp(option: string, value: string | RegExp): RegExp {
  if (value instanceof RegExp) return value;
  if (typeof value !== "string")
    throw new AglError("invalid_argument", `${option} must be a string or RegExp`);
  try {
    return new RegExp(value);
  } catch (error) {
    throw new AglError(
      "invalid_argument",
      `${option} is not a valid regular expression: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Spans of one trace → one triplet per LLM call. `adapt(spans)` returns the triplets and logs a
 * warning when LLM-call spans were present but none became a triplet; `adaptWithDiagnostics(spans)`
 * also returns every dropped span with the rule that dropped it.
 *
 * @example
 * ```ts
 * const adapter = new TracerTraceToTriplet({ agentMatch: "planner", logger: console });
 * const spans = (await store.querySpans({ rolloutId })).items;
 * const { triplets, dropped } = adapter.adaptWithDiagnostics(spans);
 * ```
 */
export class TracerTraceToTriplet extends TraceAdapter<TracerTriplet[]> {
  readonly repairHierarchy: boolean;
  readonly llmCallMatch: RegExp;
  readonly agentMatch: RegExp | null;
  readonly excludeLlmCallInReward: boolean;
  readonly rewardMatch: RewardMatchPolicy;
  readonly skipEmptyTokenSpans: boolean;
  private readonly logger: Logger;

  constructor(options: TracerTraceToTripletOptions = {}) {
    super();
    this.repairHierarchy = options.repairHierarchy ?? true;
    this.llmCallMatch = checkRegExp("llmCallMatch", options.llmCallMatch ?? DEFAULT_LLM_CALL_MATCH);
    this.agentMatch =
      options.agentMatch === null || options.agentMatch === undefined
        ? null
        : checkRegExp("agentMatch", options.agentMatch);
    this.excludeLlmCallInReward = options.excludeLlmCallInReward ?? true;
    const rewardMatch = options.rewardMatch ?? "first_occurrence";
    if (rewardMatch !== "first_occurrence" && rewardMatch !== "first_sibling") {
      throw new AglError(
        "invalid_argument",
        `rewardMatch must be "first_occurrence" or "first_sibling", got "${String(rewardMatch)}"`,
      );
    }
    this.rewardMatch = rewardMatch;
    this.skipEmptyTokenSpans = options.skipEmptyTokenSpans ?? false;
    this.logger = options.logger ?? silentLogger;
  }

  /**
   * The triplets of the trace (empty for no spans); see the class for the warning it logs. Raw
   * OpenTelemetry spans (`ReadableSpan`) are converted first, with rollout and attempt ids
   * `"dummy"` and sequence id 0, as the Python adapter does.
   */
  adapt(spans: readonly (Span | ReadableSpan)[]): TracerTriplet[] {
    const stored = toStoredSpans(spans);
    const result = this.diagnose(stored, onceLogger(this.logger));
    logAdaptOutcome(
      "TracerTraceToTriplet",
      result,
      stored.map((span) => span.name),
      this.logger,
    );
    return result.triplets;
  }

  /**
   * The triplets, plus every span that looks like an LLM call but did not become one (agent
   * filter, `llmCallMatch` not matching, no token ids with `skipEmptyTokenSpans`, dedup, inside a
   * reward operation), the triplets left without a reward, and trace-level notes. Logs nothing:
   * everything it found is in the result.
   */
  adaptWithDiagnostics(input: readonly (Span | ReadableSpan)[]): AdaptDiagnostics<TracerTriplet> {
    return this.diagnose(toStoredSpans(input), silentLogger);
  }

  private diagnose(spans: readonly Span[], logger: Logger): AdaptDiagnostics<TracerTriplet> {
    const notes = new Set<string>();
    if (spans.length === 0) {
      return {
        triplets: [],
        llmCallSpans: 0,
        dropped: [],
        unrewarded: [],
        rewardSpans: 0,
        notes: ["no spans"],
      };
    }
    const tree = TraceTree.fromSpans(spans, { logger, notes });
    if (this.repairHierarchy) tree.repairHierarchy();

    const dropped = new Map<string, DroppedSpan>();
    const drop = (node: TraceTree, reason: DroppedSpan["reason"], detail: string): void => {
      dropped.set(node.id, {
        spanId: node.id,
        name: node.span.name,
        sequenceId: node.span.sequence_id,
        reason,
        detail,
      });
    };
    const kept = tree.toTrajectoryNodes({
      llmCallMatch: this.llmCallMatch,
      agentMatch: this.agentMatch,
      excludeLlmCallInReward: this.excludeLlmCallInReward,
      dedupLlmCall: true,
      rewardMatch: this.rewardMatch,
      skipEmptyTokenSpans: this.skipEmptyTokenSpans,
      logger,
      onDrop: drop,
      notes,
    });

    // Spans that carry LLM-call attributes under a name the rule does not match.
    const keptIds = new Set(kept.map(([node]) => node.id));
    const keptResponseIds = new Set(kept.map(([, t]) => t.metadata.response_id).filter((id) => id !== null));
    const parentOf = new Map<TraceTree, TraceTree>();
    for (const node of tree.traverse()) for (const child of node.children) parentOf.set(child, node);
    const nearKept = (node: TraceTree): string | null => {
      for (let up = parentOf.get(node); up !== undefined; up = parentOf.get(up))
        if (keptIds.has(up.id)) return up.id;
      for (const below of node.traverse()) if (below !== node && keptIds.has(below.id)) return below.id;
      const responseId = anyResponseId(node.span.attributes);
      if (responseId !== null && keptResponseIds.has(responseId)) {
        return kept.find(([, t]) => t.metadata.response_id === responseId)![0].id;
      }
      return null;
    };
    const matcher = new RegExp(this.llmCallMatch.source, this.llmCallMatch.flags.replace(/[gy]/g, ""));
    let llmCallSpans = 0;
    let rewardSpans = 0;
    const rolloutIds = new Set(spans.map((span) => span.rollout_id));
    for (const node of tree.traverse()) {
      if (readReward(node.span, { notes }) !== null) rewardSpans++;
      if (matcher.test(node.span.name)) {
        llmCallSpans++;
        continue;
      }
      if (!looksLikeLlmCall(node.span)) continue;
      llmCallSpans++;
      const near = nearKept(node);
      if (near !== null) {
        drop(node, "covered_by_llm_call", `carries LLM-call attributes and belongs to accepted call ${near}`);
      } else {
        drop(
          node,
          "name_not_matched",
          `carries LLM-call attributes but its name does not match llmCallMatch ${String(this.llmCallMatch)}; widen llmCallMatch to read it`,
        );
      }
    }
    if (kept.length > 0 && rewardSpans === 0)
      notes.add("no reward span in the trace: every triplet has reward null");
    if (rolloutIds.size > 1) {
      notes.add(
        `spans of ${rolloutIds.size} rollouts were adapted as one trace; adapt each rollout's spans separately`,
      );
    }
    const triplets = kept.map(([, triplet]) => triplet);
    return {
      triplets,
      llmCallSpans,
      // In depth-first order, as the trace reads.
      dropped: tree
        .traverse()
        .map((node) => dropped.get(node.id))
        .filter((entry) => entry !== undefined),
      unrewarded: kept
        .filter(([, t]) => t.reward === null)
        .map(([node, t]) => ({ spanId: node.id, name: node.span.name, responseId: t.metadata.response_id })),
      rewardSpans,
      notes: [...notes],
    };
  }
}
