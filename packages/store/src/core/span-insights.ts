import {
  AglError,
  DEFAULT_REWARD_POINTS_LIMIT,
  DEFAULT_SPAN_SEARCH_LIMIT,
  MAX_REWARD_POINTS_LIMIT,
  MAX_SPAN_SEARCH_LIMIT,
  MAX_SUMMARY_ROLLOUT_IDS,
  type RolloutMode,
  RolloutModeSchema,
  type RolloutSummary,
  type Span,
  type StatusCode,
  StatusCodeSchema,
} from "@agentlightning/types";
import type { RewardQueryOptions, SpanSearchOptions } from "../insights.js";
import { optionalString, requireArray, requireInteger, requireString } from "./arguments.js";

// What the dashboard aggregates count, decided once for every backend (docs/store-contract.md
// Appendix E, E14–E16). The Postgres store writes the same rules in SQL (postgres/insights.ts,
// which imports the names and keys below); test/insights.test.ts holds both to the same answers.
//
// The reward rule repeats the tracer's reward readers (get_reward_value / find_final_reward of
// docs/runtime contract §4.3) because the store cannot depend on the tracer: this file is the only
// copy in the store. It reads the two formats a runner writes (the v0.3 reward list and the v0.2
// `reward` attribute) on spans of the two reward span names, and not the deprecated AgentOps
// `agentops.task.output` format, whose JSON text SQL cannot parse safely.

/** A span name containing this is an LLM call (the triplet adapter's default `llm_call_match`). */
export const LLM_CALL_NAME_MARK = "openai.chat.completion";
/**
 * Other LLM-call span names: the LLM proxy's `litellm_request`. Its child `raw_gen_ai_request`
 * describes the same call (backend token ids) and is not counted, or every proxied call would
 * count twice.
 */
export const LLM_CALL_NAMES: readonly string[] = ["litellm_request"];

/** Span names that may carry a reward: v0.3 `emit_reward` writes annotations, v0.2 wrote `agentlightning.reward`. */
export const REWARD_SPAN_NAMES: readonly string[] = ["agentlightning.annotation", "agentlightning.reward"];
/** The primary (first) dimension of a v0.3 reward list. */
export const REWARD_PRIMARY_VALUE_KEY = "agentlightning.reward.0.value";
/** The v0.2 reward attribute. */
export const LEGACY_REWARD_KEY = "reward";

/** Token count attributes, preferred key first (OpenLLMetry's, then the newer GenAI semconv's). */
export const PROMPT_TOKEN_KEYS: readonly string[] = [
  "gen_ai.usage.prompt_tokens",
  "gen_ai.usage.input_tokens",
];
/** Completion token attributes, preferred key first. */
export const COMPLETION_TOKEN_KEYS: readonly string[] = [
  "gen_ai.usage.completion_tokens",
  "gen_ai.usage.output_tokens",
];
/** Total token attribute; a span without it counts prompt + completion. */
export const TOTAL_TOKENS_KEY = "gen_ai.usage.total_tokens";

/** True if a span of this name is an LLM call. */
export function isLlmCallName(name: string): boolean {
  return name.includes(LLM_CALL_NAME_MARK) || LLM_CALL_NAMES.includes(name);
}

function numberAt(attributes: Record<string, unknown>, key: string): number | null {
  const value = attributes[key];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function firstNumber(attributes: Record<string, unknown>, keys: readonly string[]): number | null {
  for (const key of keys) {
    const value = numberAt(attributes, key);
    if (value !== null) return value;
  }
  return null;
}

/**
 * The primary reward a span carries, or null: on a reward-named span, a numeric
 * `agentlightning.reward.0.value`, else a numeric `reward`.
 */
export function rewardValueOf(span: Pick<Span, "name" | "attributes">): number | null {
  if (!REWARD_SPAN_NAMES.includes(span.name)) return null;
  const attributes = span.attributes as Record<string, unknown>;
  return numberAt(attributes, REWARD_PRIMARY_VALUE_KEY) ?? numberAt(attributes, LEGACY_REWARD_KEY);
}

/** Token counts of one LLM-call span (numbers only; missing counts are 0). */
export function tokenUsageOf(attributes: Record<string, unknown>): {
  prompt: number;
  completion: number;
  total: number;
} {
  const prompt = firstNumber(attributes, PROMPT_TOKEN_KEYS) ?? 0;
  const completion = firstNumber(attributes, COMPLETION_TOKEN_KEYS) ?? 0;
  return { prompt, completion, total: numberAt(attributes, TOTAL_TOKENS_KEY) ?? prompt + completion };
}

/**
 * An attribute value as the text `attribute_value` is compared with, or null when it has none
 * (absent or JSON null): strings as they are, everything else as its JSON text.
 */
export function attributeText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Sums spans of one attempt into a {@link RolloutSummary}; feed them in insertion order. */
export class SpanSummary {
  private spans = 0;
  private llmCalls = 0;
  private errors = 0;
  private prompt = 0;
  private completion = 0;
  private total = 0;
  private first: number | null = null;
  private last: number | null = null;
  private reward: number | null = null;
  private rewardSequence = Number.NEGATIVE_INFINITY;

  add(span: Span): void {
    this.spans += 1;
    if (span.status?.status_code === "ERROR") this.errors += 1;
    if (isLlmCallName(span.name)) {
      this.llmCalls += 1;
      const usage = tokenUsageOf(span.attributes as Record<string, unknown>);
      this.prompt += usage.prompt;
      this.completion += usage.completion;
      this.total += usage.total;
    }
    // The final reward is the last one in span order (sequence id, then insertion), as
    // find_final_reward reads a rollout's spans.
    const reward = rewardValueOf(span);
    if (reward !== null && span.sequence_id >= this.rewardSequence) {
      this.reward = reward;
      this.rewardSequence = span.sequence_id;
    }
    if (typeof span.start_time === "number" && (this.first === null || span.start_time < this.first)) {
      this.first = span.start_time;
    }
    const end = typeof span.end_time === "number" ? span.end_time : span.start_time;
    if (typeof end === "number" && (this.last === null || end > this.last)) this.last = end;
  }

  /** The final reward so far (null without a reward span). */
  get finalReward(): number | null {
    return this.reward;
  }

  result(rolloutId: string, attemptCount: number): RolloutSummary {
    return {
      rollout_id: rolloutId,
      attempt_count: attemptCount,
      span_count: this.spans,
      llm_call_count: this.llmCalls,
      error_span_count: this.errors,
      final_reward: this.reward,
      token_usage: {
        prompt_tokens: this.prompt,
        completion_tokens: this.completion,
        total_tokens: this.total,
      },
      first_span_time: this.first,
      last_span_time: this.last,
    };
  }
}

// ---------------------------------------------------------------- argument checks

function optionalTime(value: unknown, name: string): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new AglError("invalid_argument", `${name} must be a finite number of seconds`);
  }
  return value;
}

function cappedLimit(value: unknown, fallback: number, max: number): number {
  if (value === undefined || value === null) return fallback;
  const limit = requireInteger(value, "limit");
  if (limit < 0) throw new AglError("invalid_argument", "limit must be greater than or equal to 0");
  return Math.min(limit, max);
}

/** The rollout ids of a summaries request, checked and without repeats (first occurrence kept). */
export function resolveSummaryIds(rolloutIds: unknown): string[] {
  const ids = requireArray(rolloutIds, "rollout_ids");
  if (ids.length > MAX_SUMMARY_ROLLOUT_IDS) {
    throw new AglError(
      "invalid_argument",
      `rollout_ids may name at most ${MAX_SUMMARY_ROLLOUT_IDS} rollouts`,
    );
  }
  return [...new Set(ids.map((id, i) => requireString(id, `rollout_ids[${i}]`)))];
}

/** {@link SpanSearchOptions} checked, with the limit lowered to its cap. */
export interface ResolvedSpanSearch {
  name: string | null;
  nameContains: string | null;
  attributeKey: string | null;
  attributeValue: string | null;
  statusCode: StatusCode | null;
  rolloutId: string | null;
  since: number | null;
  until: number | null;
  limit: number;
  offset: number;
}

/** Checks span search options (`invalid_argument` naming the option). */
export function resolveSpanSearch(options: SpanSearchOptions = {}): ResolvedSpanSearch {
  if (options === null || typeof options !== "object") {
    throw new AglError("invalid_argument", "span search options must be an object");
  }
  const attributeKey = optionalString(options.attributeKey, "attribute_key");
  const attributeValue = optionalString(options.attributeValue, "attribute_value");
  if (attributeValue !== null && attributeKey === null) {
    throw new AglError("invalid_argument", "attribute_value needs attribute_key");
  }
  const statusCode = options.statusCode ?? null;
  if (statusCode !== null && !StatusCodeSchema.safeParse(statusCode).success) {
    throw new AglError("invalid_argument", "status_code must be one of UNSET, OK, ERROR");
  }
  const offset = options.offset === undefined ? 0 : requireInteger(options.offset, "offset");
  if (offset < 0) throw new AglError("invalid_argument", "offset must be greater than or equal to 0");
  return {
    name: optionalString(options.name, "name"),
    nameContains: optionalString(options.nameContains, "name_contains"),
    attributeKey,
    attributeValue,
    statusCode,
    rolloutId: optionalString(options.rolloutId, "rollout_id"),
    since: optionalTime(options.since, "since"),
    until: optionalTime(options.until, "until"),
    limit: cappedLimit(options.limit, DEFAULT_SPAN_SEARCH_LIMIT, MAX_SPAN_SEARCH_LIMIT),
    offset,
  };
}

/** {@link RewardQueryOptions} checked, with the limit lowered to its cap. */
export interface ResolvedRewardQuery {
  mode: RolloutMode | null;
  since: number | null;
  limit: number;
}

/** Checks reward query options (`invalid_argument` naming the option). */
export function resolveRewardQuery(options: RewardQueryOptions = {}): ResolvedRewardQuery {
  if (options === null || typeof options !== "object") {
    throw new AglError("invalid_argument", "reward query options must be an object");
  }
  const mode = options.mode ?? null;
  if (mode !== null && !RolloutModeSchema.safeParse(mode).success) {
    throw new AglError("invalid_argument", "mode must be one of train, val, test");
  }
  return {
    mode,
    since: optionalTime(options.since, "since"),
    limit: cappedLimit(options.limit, DEFAULT_REWARD_POINTS_LIMIT, MAX_REWARD_POINTS_LIMIT),
  };
}
