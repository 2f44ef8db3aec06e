import * as z from "zod";
import { RolloutModeSchema } from "./enums.js";
import { paginatedResultSchema } from "./pagination.js";
import { SpanSchema } from "./span.js";

// Bodies of the store's extension endpoints under `/v1/agl/ext/...` (docs/store-contract.md
// Appendix E, E14–E16): aggregates the dashboard needs that the Python-compatible API lacks. The
// Python store does not serve them; clients must expect 404 from a store that lacks them.

/** Most rollout ids one `POST /v1/agl/ext/rollouts/summaries` may name. */
export const MAX_SUMMARY_ROLLOUT_IDS = 500;
/** Most spans one `GET /v1/agl/ext/spans` page holds; a larger `limit` is lowered to it. */
export const MAX_SPAN_SEARCH_LIMIT = 500;
/** Page size of `GET /v1/agl/ext/spans` without `limit`. */
export const DEFAULT_SPAN_SEARCH_LIMIT = 100;
/** Most points one `GET /v1/agl/ext/rewards` answers; a larger `limit` is lowered to it. */
export const MAX_REWARD_POINTS_LIMIT = 10_000;
/** Points of `GET /v1/agl/ext/rewards` without `limit`. */
export const DEFAULT_REWARD_POINTS_LIMIT = 1000;

/** Token counts summed over LLM-call spans. */
export const TokenUsageSchema = z.object({
  prompt_tokens: z.number(),
  completion_tokens: z.number(),
  total_tokens: z.number(),
});
/** Token counts summed over LLM-call spans. */
export type TokenUsage = z.infer<typeof TokenUsageSchema>;

/** Aggregates of one rollout, over the spans of its latest attempt. */
export const RolloutSummarySchema = z.object({
  rollout_id: z.string(),
  /** Attempts of the rollout so far (all of them, not only the latest). */
  attempt_count: z.int(),
  span_count: z.int(),
  llm_call_count: z.int(),
  error_span_count: z.int(),
  /** Primary value of the last reward span, or null when there is none. */
  final_reward: z.number().nullable(),
  token_usage: TokenUsageSchema,
  /** Earliest `start_time`, or null without timed spans. */
  first_span_time: z.number().nullable(),
  /** Latest `end_time` (a span without one counts with its `start_time`), or null. */
  last_span_time: z.number().nullable(),
});
/** Aggregates of one rollout, over the spans of its latest attempt. */
export type RolloutSummary = z.infer<typeof RolloutSummarySchema>;

/** `POST /v1/agl/ext/rollouts/summaries` body. */
export const RolloutSummariesBodySchema = z.object({
  rollout_ids: z.array(z.string()).max(MAX_SUMMARY_ROLLOUT_IDS),
});
/** `POST /v1/agl/ext/rollouts/summaries` body. */
export type RolloutSummariesBody = z.infer<typeof RolloutSummariesBodySchema>;

/** `POST /v1/agl/ext/rollouts/summaries` answer: one item per known rollout, in request order. */
export const RolloutSummariesResponseSchema = z.object({ items: z.array(RolloutSummarySchema) });
/** `POST /v1/agl/ext/rollouts/summaries` answer. */
export type RolloutSummariesResponse = z.infer<typeof RolloutSummariesResponseSchema>;

/** `GET /v1/agl/ext/spans` answer: spans of any rollout, newest first. */
export const SpanSearchPageSchema = paginatedResultSchema(SpanSchema);

/** One finished rollout with a final reward. */
export const RewardPointSchema = z.object({
  rollout_id: z.string(),
  mode: RolloutModeSchema.nullable(),
  resources_id: z.string().nullable(),
  end_time: z.number().nullable(),
  final_reward: z.number(),
});
/** One finished rollout with a final reward. */
export type RewardPoint = z.infer<typeof RewardPointSchema>;

/** `GET /v1/agl/ext/rewards` answer, oldest `end_time` first. */
export const RewardPointsResponseSchema = z.object({ items: z.array(RewardPointSchema) });
/** `GET /v1/agl/ext/rewards` answer. */
export type RewardPointsResponse = z.infer<typeof RewardPointsResponseSchema>;
