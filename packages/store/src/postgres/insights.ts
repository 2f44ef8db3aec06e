import {
  FINISHED_STATUSES,
  type PaginatedResult,
  type RewardPoint,
  type RolloutMode,
  type RolloutSummary,
  type Span,
} from "@agentlightning/types";
import { type SQL, sql } from "drizzle-orm";
import {
  COMPLETION_TOKEN_KEYS,
  LEGACY_REWARD_KEY,
  LLM_CALL_NAME_MARK,
  LLM_CALL_NAMES,
  PROMPT_TOKEN_KEYS,
  REWARD_PRIMARY_VALUE_KEY,
  REWARD_SPAN_NAMES,
  type ResolvedRewardQuery,
  type ResolvedSpanSearch,
  TOTAL_TOKENS_KEY,
} from "../core/span-insights.js";
import type { Row } from "./rows.js";
import { pagedQuery, type SqlPool, textArray } from "./sql-query.js";
import type { StoreRuntime } from "./store-runtime.js";
import { R, R_TABLE, S, S_TABLE } from "./tables.js";

// The dashboard aggregates (LightningStoreInsights) in SQL: the rules of core/span-insights.ts, one
// statement each. Spans are kept as `json` text (schema.ts), so a span's status and attributes are
// read from its payload; attributes are converted to jsonb once per LLM-call or reward span, and
// only those spans' attributes are read at all.
//
// Indexes used: a summary or a reward reads one attempt's spans through the primary key
// (rollout_id, attempt_id, span_id); the cross-rollout span search walks spans_start_time_idx
// newest first; the reward query walks rollouts_end_time_idx oldest first (drizzle/0003).

/** A numeric attribute of a jsonb attributes object as float8, else NULL. */
function numberAt(attributes: SQL, key: string): SQL {
  return sql`CASE WHEN jsonb_typeof(${attributes} -> ${key}::text) = 'number' THEN (${attributes} ->> ${key}::text)::float8 END`;
}

function firstNumber(attributes: SQL, keys: readonly string[]): SQL {
  return sql`COALESCE(${sql.join(
    keys.map((key) => numberAt(attributes, key)),
    sql`, `,
  )})`;
}

/** `isLlmCallName` of core/span-insights.ts over a name column. */
function isLlmCall(name: SQL): SQL {
  return sql`(strpos(${name}, ${LLM_CALL_NAME_MARK}::text) > 0 OR ${name} = ANY(${textArray(LLM_CALL_NAMES)}))`;
}

function isRewardName(name: SQL): SQL {
  return sql`(${name} = ANY(${textArray(REWARD_SPAN_NAMES)}))`;
}

/** `rewardValueOf` of core/span-insights.ts; `attributes` is jsonb (NULL unless a reward name). */
function rewardValue(attributes: SQL): SQL {
  return sql`COALESCE(${numberAt(attributes, REWARD_PRIMARY_VALUE_KEY)}, ${numberAt(attributes, LEGACY_REWARD_KEY)})`;
}

const FINISHED = textArray(FINISHED_STATUSES);

/** Aggregates of the given rollouts over their latest attempt's spans, in `ids` order. */
export async function summarizeRollouts(rt: StoreRuntime, ids: readonly string[]): Promise<RolloutSummary[]> {
  if (ids.length === 0) return [];
  await rt.scan();
  const attrs = sql.raw(`"x"."attrs"`);
  const prompt = sql`COALESCE(${firstNumber(attrs, PROMPT_TOKEN_KEYS)}, 0)`;
  const completion = sql`COALESCE(${firstNumber(attrs, COMPLETION_TOKEN_KEYS)}, 0)`;
  const rows = await rt.read(sql`
    SELECT ${R.rollout_id} AS rollout_id, ${R.attempt_count} AS attempt_count,
      count(t.span_id)::int AS span_count,
      count(*) FILTER (WHERE t.llm)::int AS llm_call_count,
      count(*) FILTER (WHERE t.status_code = 'ERROR')::int AS error_span_count,
      COALESCE(sum(t.prompt), 0)::float8 AS prompt_tokens,
      COALESCE(sum(t.completion), 0)::float8 AS completion_tokens,
      COALESCE(sum(t.total), 0)::float8 AS total_tokens,
      min(t.start_time) AS first_span_time,
      max(COALESCE(t.end_time, t.start_time)) AS last_span_time,
      (array_agg(t.reward ORDER BY t.sequence_id DESC, t.seq DESC) FILTER (WHERE t.reward IS NOT NULL))[1] AS final_reward
    FROM ${R_TABLE}
    LEFT JOIN LATERAL (
      SELECT ${S.span_id} AS span_id, ${S.sequence_id} AS sequence_id, ${S.seq} AS seq,
        ${S.start_time} AS start_time, ${S.end_time} AS end_time,
        json_extract_path_text(${S.payload}, 'status', 'status_code') AS status_code,
        x.llm,
        CASE WHEN x.llm THEN ${prompt} END AS prompt,
        CASE WHEN x.llm THEN ${completion} END AS completion,
        CASE WHEN x.llm THEN COALESCE(${numberAt(attrs, TOTAL_TOKENS_KEY)}, ${prompt} + ${completion}) END AS total,
        ${rewardValue(sql`(CASE WHEN x.reward_name THEN x.attrs END)`)} AS reward
      FROM ${S_TABLE}
      CROSS JOIN LATERAL (
        SELECT ${isLlmCall(sql`${S.name}`)} AS llm, ${isRewardName(sql`${S.name}`)} AS reward_name,
          CASE WHEN ${isLlmCall(sql`${S.name}`)} OR ${isRewardName(sql`${S.name}`)}
            THEN json_extract_path(${S.payload}, 'attributes')::jsonb END AS attrs
        -- OFFSET 0 keeps the planner from inlining x: each use of x.attrs would parse the span again.
        OFFSET 0
      ) x
      WHERE ${S.rollout_id} = ${R.rollout_id} AND ${S.attempt_id} = ${R.latest_attempt_id}
    ) t ON TRUE
    WHERE ${R.rollout_id} = ANY(${textArray(ids)})
    GROUP BY ${R.rollout_id}, ${R.attempt_count}
  `);
  const byId = new Map(rows.map((row) => [row.rollout_id as string, row]));
  const items: RolloutSummary[] = [];
  for (const id of ids) {
    const row = byId.get(id);
    if (row !== undefined) items.push(summaryOf(row));
  }
  return items;
}

function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function summaryOf(row: Row): RolloutSummary {
  return {
    rollout_id: row.rollout_id as string,
    attempt_count: Number(row.attempt_count),
    span_count: Number(row.span_count),
    llm_call_count: Number(row.llm_call_count),
    error_span_count: Number(row.error_span_count),
    final_reward: numberOrNull(row.final_reward),
    token_usage: {
      prompt_tokens: Number(row.prompt_tokens),
      completion_tokens: Number(row.completion_tokens),
      total_tokens: Number(row.total_tokens),
    },
    first_span_time: numberOrNull(row.first_span_time),
    last_span_time: numberOrNull(row.last_span_time),
  };
}

/** Spans of every rollout matching `search`, newest `start_time` first (null last). */
export async function searchSpans(
  rt: StoreRuntime,
  search: ResolvedSpanSearch,
): Promise<PaginatedResult<Span>> {
  await rt.scan();
  const pool: SqlPool = [];
  if (search.rolloutId !== null) pool.push(sql`${S.rollout_id} = ${search.rolloutId}::text`);
  if (search.name !== null) pool.push(sql`${S.name} = ${search.name}::text`);
  if (search.nameContains !== null) pool.push(sql`strpos(${S.name}, ${search.nameContains}::text) > 0`);
  if (search.since !== null) pool.push(sql`${S.start_time} >= ${search.since}::float8`);
  if (search.until !== null) pool.push(sql`${S.start_time} < ${search.until}::float8`);
  if (search.statusCode !== null) {
    pool.push(
      sql`json_extract_path_text(${S.payload}, 'status', 'status_code') = ${search.statusCode}::text`,
    );
  }
  if (search.attributeKey !== null) {
    // json_extract_path answers SQL NULL only for an absent key (a JSON null is the json value
    // `null`); the _text form answers NULL for both, so a JSON null never equals a value
    // (attributeText's rule). One pass over the span's text each, unlike chained `->`.
    pool.push(
      search.attributeValue === null
        ? sql`json_extract_path(${S.payload}, 'attributes', ${search.attributeKey}::text) IS NOT NULL`
        : sql`json_extract_path_text(${S.payload}, 'attributes', ${search.attributeKey}::text) = ${search.attributeValue}::text`,
    );
  }
  const where = pool.length === 0 ? sql`TRUE` : sql.join(pool, sql` AND `);
  return pagedQuery(
    rt.db,
    {
      select: sql`${S.payload}`,
      from: sql`${S_TABLE}`,
      countFrom: sql`${S_TABLE}`,
      where,
      order: sql`ORDER BY ${S.start_time} DESC NULLS LAST, ${S.seq} DESC`,
      page: { sortBy: null, sortOrder: "desc", limit: search.limit, offset: search.offset },
    },
    (row) => row.payload as Span,
  );
}

/** Finished rollouts with a final reward, oldest `end_time` first, at most `limit`. */
export async function queryRewards(rt: StoreRuntime, query: ResolvedRewardQuery): Promise<RewardPoint[]> {
  if (query.limit === 0) return [];
  await rt.scan();
  const pool: SqlPool = [sql`${R.status} = ANY(${FINISHED})`];
  if (query.mode !== null) pool.push(sql`${R.mode} = ${query.mode}::text`);
  if (query.since !== null) pool.push(sql`${R.end_time} >= ${query.since}::float8`);
  const rows = await rt.read(sql`
    SELECT ${R.rollout_id} AS rollout_id, ${R.mode} AS mode, ${R.resources_id} AS resources_id,
      ${R.end_time} AS end_time, fr.value AS final_reward
    FROM ${R_TABLE}
    CROSS JOIN LATERAL (
      SELECT v.value FROM ${S_TABLE}
      -- OFFSET 0: parse the attributes once, not once per use in the reward expression.
      CROSS JOIN LATERAL (SELECT json_extract_path(${S.payload}, 'attributes')::jsonb AS attrs OFFSET 0) a
      CROSS JOIN LATERAL (SELECT ${rewardValue(sql.raw(`"a"."attrs"`))} AS value) v
      WHERE ${S.rollout_id} = ${R.rollout_id} AND ${S.attempt_id} = ${R.latest_attempt_id}
        AND ${isRewardName(sql`${S.name}`)} AND v.value IS NOT NULL
      ORDER BY ${S.sequence_id} DESC, ${S.seq} DESC
      LIMIT 1
    ) fr
    WHERE ${sql.join(pool, sql` AND `)}
    ORDER BY ${R.end_time} ASC NULLS LAST, ${R.seq} ASC
    LIMIT ${query.limit}::bigint
  `);
  return rows.map((row) => ({
    rollout_id: row.rollout_id as string,
    mode: (row.mode as RolloutMode | null) ?? null,
    resources_id: (row.resources_id as string | null) ?? null,
    end_time: numberOrNull(row.end_time),
    final_reward: Number(row.final_reward),
  }));
}
