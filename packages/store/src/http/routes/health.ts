import { HealthResponseSchema } from "@agentlightning/types";
import { type ApiRoute, defineRoute } from "../api-route.js";

/** `GET /health`: answered before authentication, body limits and the store. */
export const healthRoute: ApiRoute = defineRoute({
  method: "GET",
  path: "/health",
  operationId: "health",
  summary: "Liveness and readiness probe",
  description: "Cheap and never blocked (no store call, no authentication).",
  tag: "server",
  status: 200,
  response: HealthResponseSchema,
  handle: async () => ({ status: "ok" }),
});
