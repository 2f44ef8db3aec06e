import { type Logger, silentLogger } from "@agentlightning/types";
import type { Context } from "hono";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { methodNotAllowed } from "hono/method-not-allowed";
import type { LightningStore } from "../store.js";
import { type ApiRoute, pathTemplate, type RouteDeps } from "./api-route.js";
import { bearerAuth } from "./auth.js";
import { cors } from "./cors.js";
import { renderDocsPage } from "./docs-page.js";
import { createErrorHandler } from "./errors.js";
import { PROMETHEUS_CONTENT_TYPE, StoreMetrics } from "./metrics.js";
import { buildOpenApiDocument, type OpenApiDocument } from "./openapi.js";
import { createOtlpTracesHandler } from "./otlp/route.js";
import { parseQuery } from "./query-params.js";
import { attemptRoutes } from "./routes/attempts.js";
import { healthRoute } from "./routes/health.js";
import { insightRoutes } from "./routes/insights.js";
import { queueRoutes } from "./routes/queues.js";
import { resourcesRoutes } from "./routes/resources.js";
import { rolloutRoutes } from "./routes/rollouts.js";
import { spanBatchRoutes } from "./routes/span-batch.js";
import { spanRoutes } from "./routes/spans.js";
import { statisticsRoutes } from "./routes/statistics.js";
import { waitRoutes } from "./routes/waits.js";
import { workerRoutes } from "./routes/workers.js";
import { checkRequestText, parseBody } from "./validate.js";

/** The API prefix of the store routes. */
export const STORE_API_PREFIX = "/v1/agl";
/** A second prefix serving the same routes. */
export const STORE_API_ALIAS_PREFIX = "/agl/v1";
/** Default request body limit: 32 MiB. */
export const DEFAULT_BODY_LIMIT_BYTES = 32 * 1024 * 1024;

const API_VERSION = "0.3.0";

/**
 * Every JSON endpoint below the prefix, in registration order. Order matters: fixed segments
 * (`search`, `latest`) come before the `:id` routes they would otherwise read as (docs/store-contract.md §4.5).
 */
export const STORE_API_ROUTES: readonly ApiRoute[] = [
  healthRoute,
  ...queueRoutes,
  ...rolloutRoutes,
  ...attemptRoutes,
  ...workerRoutes,
  ...statisticsRoutes,
  ...resourcesRoutes,
  ...spanRoutes,
  ...spanBatchRoutes,
  ...waitRoutes,
  // Our extensions under `/ext` (Appendix E14–E16), after every Python-compatible route.
  ...insightRoutes,
];

/** Hono environment of the store app: the matched route template, for metrics. */
export type StoreAppEnv = { Variables: { aglRoute: string } };

/** Options of {@link createStoreApp}. */
export interface StoreAppOptions {
  /** The store to serve. The app never closes it. */
  store: LightningStore;
  /**
   * When set, every route except health requires `Authorization: Bearer <apiKey>` (else 401).
   * Note that the Python client sends no credentials.
   */
  apiKey?: string;
  /** Largest request body accepted, in bytes (also caps a gunzipped OTLP body). Default 32 MiB; over it: 413. */
  bodyLimitBytes?: number;
  /** CORS origins (`"*"` for any). Default: no CORS headers. */
  corsOrigins?: readonly string[];
  /** Serve Prometheus metrics at `/v1/prometheus/` and `/metrics`. Default true. */
  metrics?: boolean;
  /** Receives request-level logs. Silent by default. */
  logger?: Logger;
  /**
   * Aborting it ends pending `waits/rollouts` requests early (they answer what is finished). The
   * server passes one and aborts it when it stops.
   */
  signal?: AbortSignal;
}

function combineSignals(request: AbortSignal, server: AbortSignal | undefined): AbortSignal {
  return server === undefined ? request : AbortSignal.any([request, server]);
}

/**
 * The store HTTP API as a Hono app, without listening and without reading the environment:
 * every endpoint of docs/store-contract.md §4.5 under `/v1/agl/...` and `/agl/v1/...`, OTLP trace ingestion at
 * `/v1/traces`, Prometheus metrics, the OpenAPI document at `/v1/agl/openapi.json` and a
 * reference page at `/v1/agl/docs`. Store errors map to HTTP here, once.
 *
 * @example
 * ```ts
 * import { serve } from "@hono/node-server";
 * const app = createStoreApp({ store: new InMemoryLightningStore() });
 * serve({ fetch: app.fetch, port: 4747 });
 * ```
 */
export function createStoreApp(options: StoreAppOptions): Hono<StoreAppEnv> {
  const { store } = options;
  const logger = options.logger ?? silentLogger;
  const maxBodyBytes = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const metricsEnabled = options.metrics ?? true;
  const deps: RouteDeps = { store, logger };
  const prefixes = [STORE_API_PREFIX, STORE_API_ALIAS_PREFIX];
  const app = new Hono<StoreAppEnv>();

  const metrics = new StoreMetrics();
  app.use("*", async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    if (metricsEnabled)
      metrics.observe(c.req.method, c.get("aglRoute") ?? "unmatched", c.res.status, seconds);
    logger.debug(`${c.req.method} ${c.req.path} ${c.res.status} ${(seconds * 1000).toFixed(1)} ms`);
  });
  if (options.corsOrigins && options.corsOrigins.length > 0) app.use("*", cors(options.corsOrigins));

  const serve = (route: ApiRoute, prefix: string) => {
    const template = `${prefix}${pathTemplate(route.path)}`;
    return async (c: Context<StoreAppEnv>) => {
      c.set("aglRoute", template);
      const searchParams = new URL(c.req.url).searchParams;
      checkRequestText(searchParams, c.req.param());
      const parsed = route.body
        ? await parseBody(c, route.body, route.bodyRequired ?? false, route.fastBody)
        : undefined;
      const query = route.query ? parseQuery(route.query, searchParams) : undefined;
      const result = await route.handle(
        {
          body: parsed?.data,
          rawBody: parsed?.raw ?? {},
          query,
          param: (name) => c.req.param(name) ?? "",
          // Built on demand: only waits need it.
          get signal() {
            return combineSignals(c.req.raw.signal, options.signal);
          },
        },
        deps,
      );
      // `null` is answered as the JSON text `null` (never an empty body).
      return c.json(result ?? null, route.status);
    };
  };

  // Health first: before authentication, the body limit and anything that touches the store.
  for (const prefix of prefixes) app.get(`${prefix}${healthRoute.path}`, serve(healthRoute, prefix));

  let openApi: OpenApiDocument | undefined;
  let docsPage: string | undefined;
  const document = (): OpenApiDocument => {
    openApi ??= buildOpenApiDocument({
      routes: STORE_API_ROUTES,
      prefix: STORE_API_PREFIX,
      aliasPrefix: STORE_API_ALIAS_PREFIX,
      metrics: metricsEnabled,
      auth: options.apiKey !== undefined,
      version: API_VERSION,
    });
    return openApi;
  };
  // The reference holds no data: it is public (also with an API key) so a browser can open it.
  for (const prefix of prefixes) {
    app.get(`${prefix}/openapi.json`, (c) => {
      c.set("aglRoute", `${prefix}/openapi.json`);
      return c.json(document());
    });
    app.get(`${prefix}/docs`, (c) => {
      c.set("aglRoute", `${prefix}/docs`);
      docsPage ??= renderDocsPage(document());
      return c.html(docsPage);
    });
  }

  // Until the dashboard serves `/`, the root points at the reference.
  app.get("/", (c) => {
    c.set("aglRoute", "/");
    return c.redirect(`${STORE_API_PREFIX}/docs`, 302);
  });

  if (options.apiKey !== undefined) app.use("*", bearerAuth(options.apiKey));
  const tooLarge = (c: Context) =>
    c.json({ detail: `Request body too large (limit ${maxBodyBytes} bytes)` }, 413);
  const streamedBodyLimit = bodyLimit({ maxSize: maxBodyBytes, onError: tooLarge });
  app.use("*", async (c, next) => {
    // With a Content-Length the header decides (Node never reads past it), which keeps
    // @hono/node-server's direct body read; hono's streaming limiter wraps the body in a new web
    // Request, several times slower, so it only guards chunked bodies.
    const length = c.req.header("content-length");
    if (length === undefined) return streamedBodyLimit(c, next);
    if (Number(length) > maxBodyBytes) return tooLarge(c);
    await next();
  });
  // A known path with another method is a 405 with `Allow`, built from the registered routes.
  app.use(
    "*",
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) =>
        c.json({ detail: "Method Not Allowed" }, 405, { Allow: methods.join(", ") }),
    }),
  );

  for (const prefix of prefixes) {
    for (const route of STORE_API_ROUTES) {
      if (route === healthRoute) continue;
      app.on(route.method, `${prefix}${route.path}`, serve(route, prefix));
    }
  }

  const otlpTraces = createOtlpTracesHandler({ store, logger, maxBodyBytes });
  app.post("/v1/traces", (c) => {
    c.set("aglRoute", "/v1/traces");
    return otlpTraces(c);
  });
  for (const path of ["/v1/metrics", "/v1/logs", "/v1/development/profiles"]) {
    app.post(path, (c) => {
      c.set("aglRoute", path);
      return c.body(null, 501);
    });
  }

  if (metricsEnabled) {
    for (const path of ["/v1/prometheus/", "/v1/prometheus", "/metrics"]) {
      app.get(path, async (c) => {
        c.set("aglRoute", path);
        return c.body(await metrics.render(store), 200, { "Content-Type": PROMETHEUS_CONTENT_TYPE });
      });
    }
  }

  app.notFound((c) => c.json({ detail: "Not Found" }, 404));
  app.onError(createErrorHandler(logger));
  return app;
}
