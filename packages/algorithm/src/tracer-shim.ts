// TEMPORARY: stands in for @agentlightning/tracer's reward reader and adapters until they land.
import type { Span } from "@agentlightning/types";

function rewardOf(span: Span): number | null {
  const attrs = span.attributes as Record<string, unknown>;
  const v = attrs["agentlightning.reward.0.value"];
  if (typeof v === "number") return v;
  if ((span.name === "agentlightning.annotation" || span.name === "agentlightning.reward") && typeof attrs.reward === "number") {
    return attrs.reward;
  }
  return null;
}

export function findFinalReward(spans: readonly Span[]): number | null {
  for (let i = spans.length - 1; i >= 0; i--) {
    const r = rewardOf(spans[i] as Span);
    if (r !== null) return r;
  }
  return null;
}

export class TraceToMessages {
  adapt(_spans: Span[]): unknown[] {
    return [];
  }
}

export class TracerTraceToTriplet {
  adapt(_spans: Span[]): unknown[] {
    return [];
  }
}
