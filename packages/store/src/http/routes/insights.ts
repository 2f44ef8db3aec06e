import {
  AglError,
  RewardPointsResponseSchema,
  RolloutModeSchema,
  RolloutSummariesBodySchema,
  RolloutSummariesResponseSchema,
  SpanSearchPageSchema,
  StatusCodeSchema,
} from "@agentlightning/types";
import * as z from "zod";
import { isLightningStoreInsights, type LightningStoreInsights } from "../../insights.js";
import type { LightningStore } from "../../store.js";
import { type ApiRoute, defineRoute } from "../api-route.js";

// Our extension endpoints under `P/ext/` (docs/store-contract.md Appendix E, E14–E16): read-only
// aggregates for the dashboard, served when the store implements LightningStoreInsights. The
// Python store has none of them; nothing here changes a Python-compatible route.

/** Path prefix of the extension endpoints, below the API prefix. */
export const EXTENSION_PATH_PREFIX = "/ext";

const FLOAT = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

/** A query parameter holding seconds since the epoch (a float; `1700000000.5`). */
const secondsParam = z
  .string()
  .regex(FLOAT, { message: "Input should be a number of seconds since the epoch" })
  .transform(Number)
  .optional();

const SpanSearchQuerySchema = z.object({
  name: z.string().optional(),
  name_contains: z.string().optional(),
  attribute_key: z.string().optional(),
  attribute_value: z.string().optional(),
  status_code: StatusCodeSchema.optional(),
  rollout_id: z.string().optional(),
  since: secondsParam,
  until: secondsParam,
  limit: z.int().min(0).optional(),
  offset: z.int().min(0).optional(),
});

const RewardQuerySchema = z.object({
  mode: RolloutModeSchema.optional(),
  since: secondsParam,
  limit: z.int().min(0).optional(),
});

function insightsOf(store: LightningStore): LightningStoreInsights {
  if (isLightningStoreInsights(store)) return store;
  throw new AglError(
    "not_found",
    "This store does not serve the extension endpoints /v1/agl/ext/... (it does not implement LightningStoreInsights)",
  );
}

/** The extension endpoints; registered after the Python-compatible ones. */
export const insightRoutes: ApiRoute[] = [
  defineRoute({
    method: "POST",
    path: `${EXTENSION_PATH_PREFIX}/rollouts/summaries`,
    operationId: "summarizeRollouts",
    summary: "Per-rollout aggregates over the latest attempt's spans (extension)",
    description:
      "For each known rollout id (at most 500; unknown ids are left out, repeats answered once), in request order: " +
      "attempts so far, and over the spans of the latest attempt the span, LLM-call and error counts, the final " +
      "reward (primary value of the last reward span), summed token usage, and the first start / last end time. " +
      "An LLM call is a span whose name contains `openai.chat.completion`, or is `litellm_request`; a reward span " +
      "is an `agentlightning.annotation` or `agentlightning.reward` span with a numeric " +
      '`agentlightning.reward.0.value` (or v0.2 `reward`); an error is `status.status_code == "ERROR"`. ' +
      "Not served by the Python store.",
    tag: "extensions",
    body: RolloutSummariesBodySchema,
    bodyRequired: true,
    status: 200,
    response: RolloutSummariesResponseSchema,
    errors: [400, 404],
    handle: async ({ body }, { store }) => ({
      items: await insightsOf(store).summarizeRollouts(body.rollout_ids),
    }),
  }),
  defineRoute({
    method: "GET",
    path: `${EXTENSION_PATH_PREFIX}/spans`,
    operationId: "searchSpansAcrossRollouts",
    summary: "Search spans of every rollout, newest first (extension)",
    description:
      "Conditions combine with AND: exact `name`, `name_contains`, `attribute_key` present (any value) and, " +
      "with it, `attribute_value` equal to the attribute as text (numbers and booleans as JSON), `status_code`, " +
      "`rollout_id`, `since <= start_time < until` (float seconds). Ordered by `start_time` descending (spans " +
      "without one last). `limit` defaults to 100; above 500 it is lowered to 500 (the answer says which). " +
      "Not served by the Python store.",
    tag: "extensions",
    query: SpanSearchQuerySchema,
    status: 200,
    response: SpanSearchPageSchema,
    errors: [400, 404],
    handle: ({ query }, { store }) =>
      insightsOf(store).searchSpans({
        name: query.name,
        nameContains: query.name_contains,
        attributeKey: query.attribute_key,
        attributeValue: query.attribute_value,
        statusCode: query.status_code,
        rolloutId: query.rollout_id,
        since: query.since,
        until: query.until,
        limit: query.limit,
        offset: query.offset,
      }),
  }),
  defineRoute({
    method: "GET",
    path: `${EXTENSION_PATH_PREFIX}/rewards`,
    operationId: "queryRewardPoints",
    summary: "Final rewards of finished rollouts, oldest first (extension)",
    description:
      "Finished rollouts (succeeded, failed, cancelled) whose latest attempt has a reward span, with their mode, " +
      "resources id, end time and final reward, ordered by `end_time`; `mode` filters, `since` keeps " +
      "`end_time >= since`. `limit` defaults to 1000; above 10000 it is lowered to 10000. Not served by the Python store.",
    tag: "extensions",
    query: RewardQuerySchema,
    status: 200,
    response: RewardPointsResponseSchema,
    errors: [400, 404],
    handle: async ({ query }, { store }) => ({
      items: await insightsOf(store).queryRewards({
        mode: query.mode,
        since: query.since,
        limit: query.limit,
      }),
    }),
  }),
];
