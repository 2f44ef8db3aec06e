import { StoreStatisticsSchema } from "@agentlightning/types";
import { type ApiRoute, defineRoute } from "../api-route.js";

/** `GET /statistics`. */
export const statisticsRoutes: ApiRoute[] = [
  defineRoute({
    method: "GET",
    path: "/statistics",
    operationId: "statistics",
    summary: "Object counts and uptime of the store",
    tag: "server",
    status: 200,
    response: StoreStatisticsSchema,
    handle: async (_request, { store }) => store.statistics(),
  }),
];
