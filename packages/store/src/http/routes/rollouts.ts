import {
  AttemptedRolloutSchema,
  paginatedResultSchema,
  type QueryRolloutsBody,
  QueryRolloutsBodySchema,
  ROLLOUT_SORT_FIELDS,
  RolloutOrAttemptedSchema,
  RolloutRequestSchema,
  RolloutSchema,
  UpdateRolloutBodySchema,
} from "@agentlightning/types";
import type { QueryRolloutsOptions, RolloutPatch } from "../../store.js";
import { type ApiRoute, defineRoute, type RouteDeps } from "../api-route.js";
import { checkPageParams, rejectNulls } from "../validate.js";

const RolloutPageSchema = paginatedResultSchema(RolloutOrAttemptedSchema);

async function queryRollouts(query: QueryRolloutsBody, { store }: RouteDeps) {
  checkPageParams(query, ROLLOUT_SORT_FIELDS);
  const options: QueryRolloutsOptions = {
    statusIn: query.status_in,
    rolloutIdIn: query.rollout_id_in,
    rolloutIdContains: query.rollout_id_contains,
    filterLogic: query.filter_logic,
    sortBy: query.sort_by,
    sortOrder: query.sort_order,
    limit: query.limit,
    offset: query.offset,
  };
  return store.queryRollouts(options);
}

const ROLLOUT_PATCH_KEYS = ["input", "mode", "resources_id", "status", "config", "metadata"] as const;

/**
 * Rollout endpoints. `POST /rollouts/search` is registered before `POST /rollouts/:rollout_id`
 * so that `search` never reads as an id (docs/store-contract.md §4.5).
 */
export const rolloutRoutes: ApiRoute[] = [
  defineRoute({
    method: "POST",
    path: "/rollouts",
    operationId: "startRollout",
    summary: "Create a rollout and its first attempt, bypassing the queue",
    tag: "rollouts",
    body: RolloutRequestSchema,
    bodyRequired: true,
    status: 201,
    response: AttemptedRolloutSchema,
    async handle({ body }, { store }) {
      return store.startRollout({
        input: body.input,
        mode: body.mode,
        resourcesId: body.resources_id,
        config: body.config,
        metadata: body.metadata,
        workerId: body.worker_id,
      });
    },
  }),
  defineRoute({
    method: "GET",
    path: "/rollouts",
    operationId: "queryRollouts",
    summary: "Filter, sort and page rollouts",
    description:
      "List parameters are repeated keys (`?status_in=failed&status_in=succeeded`). Items carry `attempt` (the latest) iff the rollout has attempts.",
    tag: "rollouts",
    query: QueryRolloutsBodySchema,
    status: 200,
    response: RolloutPageSchema,
    errors: [400],
    handle: ({ query }, deps) => queryRollouts(query, deps),
  }),
  defineRoute({
    method: "POST",
    path: "/rollouts/search",
    operationId: "searchRollouts",
    summary: "Filter, sort and page rollouts (body form)",
    description: "A key absent or null adds no condition; an empty list matches nothing.",
    tag: "rollouts",
    body: QueryRolloutsBodySchema,
    bodyRequired: true,
    status: 200,
    response: RolloutPageSchema,
    errors: [400],
    handle: ({ body }, deps) => queryRollouts(body, deps),
  }),
  defineRoute({
    method: "GET",
    path: "/rollouts/:rollout_id",
    operationId: "getRollout",
    summary: "One rollout with its latest attempt, or null",
    tag: "rollouts",
    status: 200,
    response: RolloutOrAttemptedSchema.nullable(),
    handle: async ({ param }, { store }) => store.getRolloutById(param("rollout_id")),
  }),
  defineRoute({
    method: "POST",
    path: "/rollouts/:rollout_id",
    operationId: "updateRollout",
    summary: "Replace fields of a rollout",
    description:
      "Only the keys present change; `input`, `mode`, `resources_id`, `metadata` may be set to null, `status` and `config` may not (400). Answers the rollout without `attempt`.",
    tag: "rollouts",
    body: UpdateRolloutBodySchema,
    bodyRequired: true,
    status: 200,
    response: RolloutSchema,
    errors: [400, 404],
    async handle({ body, rawBody, param }, { store }) {
      rejectNulls(rawBody, ["status", "config"]);
      const patch: Record<string, unknown> = {};
      for (const key of ROLLOUT_PATCH_KEYS) {
        if (key in rawBody) patch[key] = key === "input" ? rawBody.input : body[key];
      }
      return store.updateRollout(param("rollout_id"), patch as RolloutPatch);
    },
  }),
];
