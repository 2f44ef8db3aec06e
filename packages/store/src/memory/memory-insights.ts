import {
  type Attempt,
  isFinishedStatus,
  type PaginatedResult,
  type RewardPoint,
  type Rollout,
  type RolloutSummary,
  type Span,
} from "@agentlightning/types";
import {
  attributeText,
  type ResolvedRewardQuery,
  type ResolvedSpanSearch,
  SpanSummary,
} from "../core/span-insights.js";
import type { RolloutSpans } from "./rollout-spans.js";

// The dashboard aggregates (LightningStoreInsights) over the in-memory store's records. They decode
// spans from the packed bytes, so they cost a pass over the spans they read; evicted rollouts
// (docs/store-contract.md §2.16) have no spans left and count as having none.

/** What the aggregates read of one stored rollout. */
export interface InsightRecord {
  readonly rollout: Rollout;
  readonly attempts: readonly Attempt[];
  readonly spans: RolloutSpans;
}

function latestSpans(record: InsightRecord): Span[] {
  const latest = record.attempts[record.attempts.length - 1];
  if (latest === undefined || record.spans.evicted) return [];
  const refs = record.spans.refs(record.rollout.rollout_id, latest.attempt_id);
  return refs.map((ref) => record.spans.read(ref.index));
}

/** Summaries of the known ids, in the given order. */
export function summarizeRecords(
  ids: readonly string[],
  lookup: (id: string) => InsightRecord | undefined,
): RolloutSummary[] {
  const items: RolloutSummary[] = [];
  for (const id of ids) {
    const record = lookup(id);
    if (record === undefined) continue;
    const summary = new SpanSummary();
    for (const span of latestSpans(record)) summary.add(span);
    items.push(summary.result(id, record.attempts.length));
  }
  return items;
}

function spanMatches(span: Span, search: ResolvedSpanSearch): boolean {
  if (search.name !== null && span.name !== search.name) return false;
  if (search.nameContains !== null && !span.name.includes(search.nameContains)) return false;
  if (search.statusCode !== null && span.status?.status_code !== search.statusCode) return false;
  if (search.attributeKey !== null) {
    const attributes = span.attributes as Record<string, unknown>;
    if (!Object.hasOwn(attributes, search.attributeKey)) return false;
    if (
      search.attributeValue !== null &&
      attributeText(attributes[search.attributeKey]) !== search.attributeValue
    ) {
      return false;
    }
  }
  if (search.since !== null || search.until !== null) {
    const start = span.start_time;
    if (typeof start !== "number") return false;
    if (search.since !== null && start < search.since) return false;
    if (search.until !== null && start >= search.until) return false;
  }
  return true;
}

/** Spans of every rollout matching `search`, newest `start_time` first (null last), one page. */
export function searchRecords(
  records: Iterable<InsightRecord>,
  search: ResolvedSpanSearch,
): PaginatedResult<Span> {
  const matches: Span[] = [];
  for (const record of records) {
    if (search.rolloutId !== null && record.rollout.rollout_id !== search.rolloutId) continue;
    if (record.spans.evicted) continue;
    const { spans } = record;
    for (let i = 0; i < spans.size; i++) {
      const span = spans.read(i);
      if (spanMatches(span, search)) matches.push(span);
    }
  }
  // Newest first; among equal times the later stored span first (stable sort of a reversed list).
  matches.reverse();
  matches.sort((a, b) => {
    const x = typeof a.start_time === "number" ? a.start_time : Number.NEGATIVE_INFINITY;
    const y = typeof b.start_time === "number" ? b.start_time : Number.NEGATIVE_INFINITY;
    return y - x || 0;
  });
  return {
    items: matches.slice(search.offset, search.offset + search.limit),
    limit: search.limit,
    offset: search.offset,
    total: matches.length,
  };
}

/** Finished rollouts with a final reward, oldest `end_time` first (null last), at most `limit`. */
export function rewardRecords(records: Iterable<InsightRecord>, query: ResolvedRewardQuery): RewardPoint[] {
  const candidates: InsightRecord[] = [];
  for (const record of records) {
    const { rollout } = record;
    if (!isFinishedStatus(rollout.status)) continue;
    if (query.mode !== null && rollout.mode !== query.mode) continue;
    if (query.since !== null && (rollout.end_time === null || rollout.end_time < query.since)) continue;
    candidates.push(record);
  }
  const endOf = (record: InsightRecord) => record.rollout.end_time ?? Number.POSITIVE_INFINITY;
  candidates.sort((a, b) => (endOf(a) === endOf(b) ? 0 : endOf(a) < endOf(b) ? -1 : 1));
  const points: RewardPoint[] = [];
  for (const record of candidates) {
    if (points.length >= query.limit) break;
    const summary = new SpanSummary();
    for (const span of latestSpans(record)) summary.add(span);
    const reward = summary.finalReward;
    if (reward === null) continue;
    const { rollout } = record;
    points.push({
      rollout_id: rollout.rollout_id,
      mode: rollout.mode,
      resources_id: rollout.resources_id,
      end_time: rollout.end_time,
      final_reward: reward,
    });
  }
  return points;
}
