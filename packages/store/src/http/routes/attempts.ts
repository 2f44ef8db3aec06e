import {
  ATTEMPT_SORT_FIELDS,
  AttemptedRolloutSchema,
  AttemptSchema,
  paginatedResultSchema,
  type QueryAttemptsBody,
  QueryAttemptsBodySchema,
  StartAttemptBodySchema,
  UpdateAttemptBodySchema,
} from "@agentlightning/types";
import type { AttemptPatch } from "../../store.js";
import { type ApiRoute, defineRoute, type RouteDeps } from "../api-route.js";
import { checkPageParams, rejectNulls } from "../validate.js";

const AttemptPageSchema = paginatedResultSchema(AttemptSchema);

async function queryAttempts(rolloutId: string, query: QueryAttemptsBody, { store }: RouteDeps) {
  checkPageParams(query, ATTEMPT_SORT_FIELDS);
  return store.queryAttempts(rolloutId, {
    sortBy: query.sort_by,
    sortOrder: query.sort_order,
    limit: query.limit,
    offset: query.offset,
  });
}

const ATTEMPT_PATCH_KEYS = ["status", "worker_id", "last_heartbeat_time", "metadata"] as const;

/**
 * Attempt endpoints under `/rollouts/:rollout_id/attempts`. `search` and `latest` are registered
 * before `:attempt_id` (docs/store-contract.md §4.5).
 */
export const attemptRoutes: ApiRoute[] = [
  defineRoute({
    method: "POST",
    path: "/rollouts/:rollout_id/attempts",
    operationId: "startAttempt",
    summary: "Create a new attempt of a rollout (manual retry)",
    description: "The body is optional. The retry budget (`max_attempts`) is not enforced here.",
    tag: "attempts",
    body: StartAttemptBodySchema,
    bodyRequired: false,
    status: 201,
    response: AttemptedRolloutSchema,
    errors: [404],
    handle: async ({ body, param }, { store }) =>
      store.startAttempt(param("rollout_id"), { workerId: body.worker_id }),
  }),
  defineRoute({
    method: "GET",
    path: "/rollouts/:rollout_id/attempts",
    operationId: "queryAttempts",
    summary: "Page the attempts of a rollout (default order: sequence_id)",
    tag: "attempts",
    query: QueryAttemptsBodySchema,
    status: 200,
    response: AttemptPageSchema,
    errors: [400],
    handle: ({ query, param }, deps) => queryAttempts(param("rollout_id"), query, deps),
  }),
  defineRoute({
    method: "POST",
    path: "/rollouts/:rollout_id/attempts/search",
    operationId: "searchAttempts",
    summary: "Page the attempts of a rollout (body form)",
    description: '`{"sort_by": null}` keeps insertion (= sequence) order.',
    tag: "attempts",
    body: QueryAttemptsBodySchema,
    bodyRequired: true,
    status: 200,
    response: AttemptPageSchema,
    errors: [400],
    handle: ({ body, param }, deps) => queryAttempts(param("rollout_id"), body, deps),
  }),
  defineRoute({
    method: "GET",
    path: "/rollouts/:rollout_id/attempts/latest",
    operationId: "getLatestAttempt",
    summary: "The attempt with the highest sequence id, or null",
    tag: "attempts",
    status: 200,
    response: AttemptSchema.nullable(),
    handle: async ({ param }, { store }) => store.getLatestAttempt(param("rollout_id")),
  }),
  defineRoute({
    method: "POST",
    path: "/rollouts/:rollout_id/attempts/:attempt_id",
    operationId: "updateAttempt",
    summary: "Replace fields of an attempt (`latest` allowed) and re-derive the rollout status",
    description: "Only the keys present change; none may be null (400).",
    tag: "attempts",
    body: UpdateAttemptBodySchema,
    bodyRequired: true,
    status: 200,
    response: AttemptSchema,
    errors: [400, 404],
    async handle({ body, rawBody, param }, { store }) {
      rejectNulls(rawBody, ATTEMPT_PATCH_KEYS);
      const patch: Record<string, unknown> = {};
      for (const key of ATTEMPT_PATCH_KEYS) if (key in rawBody) patch[key] = body[key];
      return store.updateAttempt(param("rollout_id"), param("attempt_id"), patch as AttemptPatch);
    },
  }),
];
