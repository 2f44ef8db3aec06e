import {
  paginatedResultSchema,
  type QueryWorkersBody,
  QueryWorkersBodySchema,
  UpdateWorkerBodySchema,
  WORKER_SORT_FIELDS,
  WorkerSchema,
} from "@agentlightning/types";
import { type ApiRoute, defineRoute, type RouteDeps } from "../api-route.js";
import { checkPageParams, rejectNulls } from "../validate.js";

const WorkerPageSchema = paginatedResultSchema(WorkerSchema);

async function queryWorkers(query: QueryWorkersBody, { store }: RouteDeps) {
  checkPageParams(query, WORKER_SORT_FIELDS);
  return store.queryWorkers({
    statusIn: query.status_in,
    workerIdContains: query.worker_id_contains,
    filterLogic: query.filter_logic,
    sortBy: query.sort_by,
    sortOrder: query.sort_order,
    limit: query.limit,
    offset: query.offset,
  });
}

/** Worker endpoints; `POST /workers/search` precedes `POST /workers/:worker_id` (docs/store-contract.md §4.5). */
export const workerRoutes: ApiRoute[] = [
  defineRoute({
    method: "GET",
    path: "/workers",
    operationId: "queryWorkers",
    summary: "Filter, sort and page workers",
    tag: "workers",
    query: QueryWorkersBodySchema,
    status: 200,
    response: WorkerPageSchema,
    errors: [400],
    handle: ({ query }, deps) => queryWorkers(query, deps),
  }),
  defineRoute({
    method: "POST",
    path: "/workers/search",
    operationId: "searchWorkers",
    summary: "Filter, sort and page workers (body form)",
    tag: "workers",
    body: QueryWorkersBodySchema,
    bodyRequired: true,
    status: 200,
    response: WorkerPageSchema,
    errors: [400],
    handle: ({ body }, deps) => queryWorkers(body, deps),
  }),
  defineRoute({
    method: "GET",
    path: "/workers/:worker_id",
    operationId: "getWorker",
    summary: "One worker, or null",
    tag: "workers",
    status: 200,
    response: WorkerSchema.nullable(),
    handle: async ({ param }, { store }) => store.getWorkerById(param("worker_id")),
  }),
  defineRoute({
    method: "POST",
    path: "/workers/:worker_id",
    operationId: "updateWorker",
    summary: "Worker heartbeat: upsert, stamp last_heartbeat_time, replace heartbeat_stats if given",
    description: "The body is optional; `heartbeat_stats: null` is a 400.",
    tag: "workers",
    body: UpdateWorkerBodySchema,
    bodyRequired: false,
    status: 200,
    response: WorkerSchema,
    errors: [400],
    async handle({ body, rawBody, param }, { store }) {
      rejectNulls(rawBody, ["heartbeat_stats"]);
      const stats = body.heartbeat_stats;
      return store.updateWorker(param("worker_id"), stats == null ? {} : { heartbeatStats: stats });
    },
  }),
];
