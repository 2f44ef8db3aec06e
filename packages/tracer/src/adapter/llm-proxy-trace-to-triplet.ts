/**
 * `LlmProxyTraceToTriplet` (runtime contract §5.4): triplets from the spans the LLM proxy writes
 * (`raw_gen_ai_request`, `litellm_request`). Ordering uses `sequence_id` only (clocks of the
 * proxy, the agent and the store are not trusted), so a reward goes to the latest earlier call.
 */
import { type Logger, type Span, silentLogger } from "@agentlightning/types";
import { TraceAdapter } from "./adapter.js";
import { type AdaptDiagnostics, type DroppedSpan, logAdaptOutcome, onceLogger } from "./diagnostics.js";
import { proxyPromptTokenIds, proxyResponseId, proxyResponseTokenIds } from "./proxy-token-ids.js";
import { asIntList, parseLooseLiteral } from "./python-literal.js";
import { anyResponseId, looksLikeLlmCall, readReward } from "./span-reading.js";

/** The raw backend response span of the proxy. */
export const RAW_GEN_AI_REQUEST = "raw_gen_ai_request";
/** The OpenLLMetry-style request span of the proxy. */
export const LITELLM_REQUEST = "litellm_request";

/** A triplet of the proxy adapter: token ids, reward and the request id. */
export type ProxyTriplet = {
  prompt: { token_ids: number[] };
  response: { token_ids: number[] };
  reward: number | null;
  metadata: { response_id: string | null; [key: string]: unknown };
};

/** Options of {@link LlmProxyTraceToTriplet}. */
export interface LlmProxyTraceToTripletOptions {
  /** Where the warning about a trace that yields nothing goes (default: silent). */
  logger?: Logger;
}

interface Call {
  span: Span;
  triplet: ProxyTriplet;
}

function responseIdsOfLitellm(value: unknown): number[] | null {
  const parsed = parseLooseLiteral(value);
  if (Array.isArray(parsed) && parsed.length > 0 && parsed.every(Array.isArray)) return asIntList(parsed[0]);
  return asIntList(parsed);
}

/**
 * LLM-proxy spans → triplets in call order. A call needs both prompt and response token ids
 * (native arrays, JSON text or Python-literal text); a repeated request id is skipped; each reward
 * span goes to the latest call with a strictly smaller `sequence_id` that has no reward yet.
 *
 * @example
 * ```ts
 * const triplets = new LlmProxyTraceToTriplet().adapt((await store.querySpans({ rolloutId })).items);
 * ```
 */
export class LlmProxyTraceToTriplet extends TraceAdapter<ProxyTriplet[]> {
  private readonly logger: Logger;

  constructor(options: LlmProxyTraceToTripletOptions = {}) {
    super();
    this.logger = options.logger ?? silentLogger;
  }

  /** The triplets; logs a warning when proxy LLM-call spans were present but none became a triplet. */
  adapt(spans: readonly Span[]): ProxyTriplet[] {
    const result = this.diagnose(spans, onceLogger(this.logger));
    logAdaptOutcome(
      "LlmProxyTraceToTriplet",
      result,
      spans.map((span) => span.name),
      this.logger,
    );
    return result.triplets;
  }

  /** The triplets, plus every LLM-call span that did not become one and why. Logs nothing. */
  adaptWithDiagnostics(spans: readonly Span[]): AdaptDiagnostics<ProxyTriplet> {
    return this.diagnose(spans, silentLogger);
  }

  private diagnose(spans: readonly Span[], logger: Logger): AdaptDiagnostics<ProxyTriplet> {
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
    const order = (span: Span) => span.start_time ?? Number.POSITIVE_INFINITY;
    const sorted = [...spans].sort((a, b) => a.sequence_id - b.sequence_id || order(a) - order(b));

    const calls: Call[] = [];
    const byRequestId = new Map<string, Span>();
    const dropped: DroppedSpan[] = [];
    const drop = (span: Span, reason: DroppedSpan["reason"], detail: string) =>
      dropped.push({ spanId: span.span_id, name: span.name, sequenceId: span.sequence_id, reason, detail });
    let llmCallSpans = 0;
    const others: Span[] = [];
    for (const span of sorted) {
      const attrs = span.attributes;
      let prompt: number[] | null;
      let response: number[] | null;
      if (span.name === RAW_GEN_AI_REQUEST) {
        prompt = proxyPromptTokenIds(attrs);
        response = proxyResponseTokenIds(attrs);
      } else if (span.name === LITELLM_REQUEST) {
        prompt = asIntList(attrs.prompt_token_ids);
        response = responseIdsOfLitellm(attrs.response_token_ids);
      } else {
        if (looksLikeLlmCall(span)) others.push(span);
        continue;
      }
      llmCallSpans++;
      const missing = [
        prompt === null || prompt.length === 0 ? "prompt" : null,
        response === null || response.length === 0 ? "response" : null,
      ].filter((x) => x !== null);
      if (missing.length > 0) {
        drop(
          span,
          "no_token_ids",
          `no ${missing.join(" or ")} token ids; the backend returns them when asked (vLLM: return_token_ids)`,
        );
        continue;
      }
      const requestId =
        typeof attrs["gen_ai.response.id"] === "string"
          ? attrs["gen_ai.response.id"]
          : proxyResponseId(attrs);
      const taken = requestId === null ? undefined : byRequestId.get(requestId);
      if (taken !== undefined) {
        drop(span, "duplicate_response_id", `request id "${requestId}" was taken by span ${taken.span_id}`);
        continue;
      }
      if (requestId !== null) byRequestId.set(requestId, span);
      calls.push({
        span,
        triplet: {
          prompt: { token_ids: prompt! },
          response: { token_ids: response! },
          reward: null,
          metadata: { response_id: requestId },
        },
      });
    }

    // A request's other spans (the litellm_request above a raw response, the agent-side span) are
    // the same call seen by another layer, not lost calls.
    const keptSpanIds = new Set(calls.map((c) => c.span.span_id));
    const keptParents = new Set(calls.map((c) => c.span.parent_id));
    const covered = (span: Span): boolean => {
      const id = anyResponseId(span.attributes);
      return (
        (id !== null && byRequestId.has(id)) ||
        keptSpanIds.has(span.parent_id ?? "") ||
        keptParents.has(span.span_id)
      );
    };
    const bySpanId = new Map(sorted.map((span) => [span.span_id, span]));
    for (const entry of dropped) {
      const span = bySpanId.get(entry.spanId)!;
      if (entry.reason === "no_token_ids" && covered(span)) {
        entry.reason = "covered_by_llm_call";
        entry.detail = `no token ids of its own; the same request's ${RAW_GEN_AI_REQUEST} span carries them`;
      }
    }
    for (const span of others) {
      llmCallSpans++;
      if (covered(span))
        drop(span, "covered_by_llm_call", "an agent-side record of a call the proxy recorded");
      else
        drop(
          span,
          "name_not_matched",
          `this adapter reads only ${RAW_GEN_AI_REQUEST} and ${LITELLM_REQUEST} spans; TracerTraceToTriplet reads this one`,
        );
    }

    const rewards: [number, number][] = [];
    for (const span of sorted) {
      const value = readReward(span, { logger, notes });
      if (value !== null) rewards.push([span.sequence_id, value]);
    }
    // Rewards in ascending sequence order; `waiting` holds the unrewarded calls with a smaller
    // sequence id, latest on top (calls are already in sequence order).
    const waiting: Call[] = [];
    let nextCall = 0;
    for (const [sequence, value] of rewards.sort((a, b) => a[0] - b[0])) {
      while (nextCall < calls.length && calls[nextCall]!.span.sequence_id < sequence)
        waiting.push(calls[nextCall++]!);
      const call = waiting.pop();
      if (call !== undefined) call.triplet.reward = value;
      else if (calls.length > 0) {
        notes.add(
          `reward ${value} at sequence ${sequence} has no unrewarded call with a smaller sequence id; ignored`,
        );
      }
    }
    if (calls.length > 0 && rewards.length === 0)
      notes.add("no reward span in the trace: every triplet has reward null");
    return {
      triplets: calls.map((c) => c.triplet),
      llmCallSpans,
      dropped,
      unrewarded: calls
        .filter((c) => c.triplet.reward === null)
        .map((c) => ({
          spanId: c.span.span_id,
          name: c.span.name,
          responseId: c.triplet.metadata.response_id,
        })),
      rewardSpans: rewards.length,
      notes: [...notes],
    };
  }
}
