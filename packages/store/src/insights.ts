import type {
  PaginatedResult,
  RewardPoint,
  RolloutMode,
  RolloutSummary,
  Span,
  StatusCode,
} from "@agentlightning/types";

/**
 * Options of {@link LightningStoreInsights.searchSpans}: spans of every rollout, every condition
 * ANDed, newest `start_time` first.
 */
export interface SpanSearchOptions {
  /** Exact span name. */
  name?: string | null;
  /** Substring of the span name. */
  nameContains?: string | null;
  /** Spans whose attributes hold this key (any value, null included). */
  attributeKey?: string | null;
  /**
   * With `attributeKey`: the attribute's value as text equals this (strings as they are, numbers
   * and booleans as JSON writes them, arrays as their JSON text). Needs `attributeKey`.
   */
  attributeValue?: string | null;
  statusCode?: StatusCode | null;
  rolloutId?: string | null;
  /** `start_time >= since` (spans without a start time then never match). */
  since?: number | null;
  /** `start_time < until`. */
  until?: number | null;
  /** Default {@link DEFAULT_SPAN_SEARCH_LIMIT}; larger than {@link MAX_SPAN_SEARCH_LIMIT} is lowered to it. */
  limit?: number;
  offset?: number;
}

/** Options of {@link LightningStoreInsights.queryRewards}. */
export interface RewardQueryOptions {
  mode?: RolloutMode | null;
  /** `end_time >= since`. */
  since?: number | null;
  /** Default {@link DEFAULT_REWARD_POINTS_LIMIT}; larger than {@link MAX_REWARD_POINTS_LIMIT} is lowered to it. */
  limit?: number;
}

/**
 * Read-only aggregates over a store, for dashboards (docs/store-contract.md Appendix E, E14–E16).
 * Optional: every store of this package and {@link LightningStoreClient} implement it; the HTTP app
 * serves `/v1/agl/ext/...` only when its store does (see {@link isLightningStoreInsights}).
 *
 * What counts as an LLM call, a reward and an error is decided once, in `core/span-insights.ts`
 * (the SQL of the Postgres store follows it, and one test suite holds every backend to it).
 */
export interface LightningStoreInsights {
  /**
   * Aggregates of each rollout over its latest attempt's spans, in request order; unknown ids are
   * left out, repeated ids answered once. At most {@link MAX_SUMMARY_ROLLOUT_IDS} ids.
   */
  summarizeRollouts(rolloutIds: readonly string[]): Promise<RolloutSummary[]>;
  /** Spans of every rollout matching all conditions, newest `start_time` first (null last). */
  searchSpans(options?: SpanSearchOptions): Promise<PaginatedResult<Span>>;
  /** Finished rollouts that have a final reward, oldest `end_time` first. */
  queryRewards(options?: RewardQueryOptions): Promise<RewardPoint[]>;
}

const INSIGHT_METHODS = ["summarizeRollouts", "searchSpans", "queryRewards"] as const;

/** True if `store` implements {@link LightningStoreInsights}. */
export function isLightningStoreInsights<T extends object>(store: T): store is T & LightningStoreInsights {
  return INSIGHT_METHODS.every((method) => typeof (store as Record<string, unknown>)[method] === "function");
}
