import type { Span } from "@agentlightning/types";
import { isLlmCallSpan, type LlmCall, readLlmCall } from "./llm-call.js";
import { rewardOfSpan } from "./rewards.js";
import { buildSpanForest, visibleRows } from "./span-tree.js";

/** A prompt / response / reward view of one LLM call, in the order the adapter emits them. */
export interface TripletView {
  span: Span;
  call: LlmCall;
  reward: number | null;
}

/**
 * The training triplets of an attempt as the default triplet adapter forms them, simplified for
 * display: every LLM-call span in depth-first tree order (a call nested inside another call with
 * the same response id counts once), and each reward span given to the latest earlier call that
 * has no reward yet (the `first_occurrence` policy, docs: runtime §5.2). Calls inside a reward
 * span are left out, as the adapter does by default.
 */
export function tripletsOf(spans: readonly Span[]): TripletView[] {
  if (spans.length === 0) return [];
  const forest = buildSpanForest(spans);
  const rows = visibleRows(forest, new Set());
  const calls: TripletView[] = [];
  const seenResponses = new Set<string>();
  // Depth of the closest enclosing reward span / LLM call on the current path.
  const path: Array<{ depth: number; reward: boolean; llm: boolean }> = [];
  for (const row of rows) {
    while (path.length > 0 && path[path.length - 1]!.depth >= row.depth) path.pop();
    const inReward = path.some((p) => p.reward);
    const inLlm = path.some((p) => p.llm);
    const isReward = rewardOfSpan(row.span) !== null;
    let isCall = false;
    if (!inReward && isLlmCallSpan(row.span)) {
      const call = readLlmCall(row.span);
      const duplicate =
        (call.responseId !== null && seenResponses.has(call.responseId)) ||
        (inLlm && call.responseId === null);
      if (!duplicate) {
        if (call.responseId !== null) seenResponses.add(call.responseId);
        calls.push({ span: row.span, call, reward: null });
        isCall = true;
      }
    }
    path.push({ depth: row.depth, reward: isReward, llm: isCall || (inLlm && isLlmCallSpan(row.span)) });
  }
  const byStart = [...spans].sort(
    (a, b) => (a.start_time ?? 0) - (b.start_time ?? 0) || a.sequence_id - b.sequence_id,
  );
  const callIndex = new Map(calls.map((c, i) => [c.span, i]));
  const seen: number[] = [];
  for (const span of byStart) {
    const i = callIndex.get(span);
    if (i !== undefined) {
      seen.push(i);
      continue;
    }
    const reward = rewardOfSpan(span);
    if (reward === null) continue;
    for (let j = seen.length - 1; j >= 0; j--) {
      const c = calls[seen[j]!]!;
      if (c.reward === null && (c.span.end_time ?? 0) <= (span.start_time ?? 0)) {
        c.reward = reward;
        break;
      }
    }
  }
  return calls;
}
