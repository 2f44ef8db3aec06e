import type { Logger } from "@agentlightning/types";
import type * as z from "zod";
import type { LightningStore } from "../store.js";

/** What every route handler may use. */
export interface RouteDeps {
  store: LightningStore;
  logger: Logger;
}

/** A request after schema validation. */
export interface RouteRequest<Body, Query> {
  /** The validated body (defaults applied); `undefined` for routes without a body. */
  body: Body;
  /** The body as sent, `{}` when absent: tells an absent key from an explicit null. */
  rawBody: Record<string, unknown>;
  /** The validated query parameters; `undefined` for routes without any. */
  query: Query;
  /** A URL-decoded path parameter. */
  param(name: string): string;
  /** Aborted when the client goes away or the server is stopping. */
  signal: AbortSignal;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

/** One endpoint of the store API: how it is routed, validated, documented and handled. */
export interface ApiRouteSpec<B extends z.ZodType | undefined, Q extends z.ZodObject | undefined> {
  method: "GET" | "POST";
  /** Path below the API prefix, Hono syntax (`/rollouts/:rollout_id`). */
  path: string;
  /** Stable name in the OpenAPI document. */
  operationId: string;
  summary: string;
  description?: string;
  /** OpenAPI tag (groups endpoints in the reference page). */
  tag: string;
  /** JSON body schema. */
  body?: B;
  /** Whether the body may be omitted (then it parses as `{}`). */
  bodyRequired?: boolean;
  /**
   * A cheaper exact check for the common body (after the JSON rule): returns what parsing `body`
   * would, or undefined to parse with `body` (which also words the 422).
   */
  fastBody?: (value: unknown) => Out<B> | undefined;
  /** Query parameter schema; list fields are repeated keys. */
  query?: Q;
  /** Status of a successful answer. */
  status: 200 | 201;
  /** Schema of the successful JSON answer (documentation). */
  response: z.ZodType;
  /** Error statuses this endpoint may answer besides 422/500 (documentation). */
  errors?: readonly (400 | 404 | 410)[];
  /** Semantic checks (400) then the store call; returns the JSON value to send. */
  handle(request: RouteRequest<Out<B>, Out<Q>>, deps: RouteDeps): Promise<unknown>;
}

/** An endpoint with its types erased, as the app and the OpenAPI generator see it. */
export interface ApiRoute {
  method: "GET" | "POST";
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  body?: z.ZodType;
  bodyRequired?: boolean;
  fastBody?: (value: unknown) => unknown;
  query?: z.ZodObject;
  status: 200 | 201;
  response: z.ZodType;
  errors?: readonly (400 | 404 | 410)[];
  handle(request: RouteRequest<unknown, unknown>, deps: RouteDeps): Promise<unknown>;
}

/** Declares an endpoint; the handler's `body` and `query` are typed from the schemas. */
export function defineRoute<
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodObject | undefined = undefined,
>(spec: ApiRouteSpec<B, Q>): ApiRoute {
  return spec as unknown as ApiRoute;
}

/** The path parameter names of a Hono path (`/a/:x/b/:y` → `["x", "y"]`). */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1] as string);
}

/** A Hono path as an OpenAPI/Prometheus template (`/rollouts/:rollout_id` → `/rollouts/{rollout_id}`). */
export function pathTemplate(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}
