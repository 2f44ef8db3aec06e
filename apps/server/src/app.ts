import { createTripletApp } from "@agentlightning/algorithm";
import { createLegacyApp } from "@agentlightning/legacy-server";
import type { LightningStore } from "@agentlightning/store";
import { type ExtraApp, LightningStoreServer } from "@agentlightning/store/server";
import type { StoreServerConfig } from "./config.js";
import { bundledDashboardDir, DashboardSite, hasDashboard } from "./dashboard-site.js";
import { StoreLegacyBackend } from "./legacy-bridge.js";
import { componentLogger, type StructuredLogger } from "./logger.js";

/** Paths of the legacy v0.1 task API. */
const LEGACY_PATHS = /^\/(task|rollout|resources(\/.*)?)$/;

/** What the server is built from: an open store, the settings, a logger. */
export interface ServerAppDependencies {
  store: LightningStore;
  config: StoreServerConfig;
  logger: StructuredLogger;
  /** The dashboard served at `/` (see {@link openDashboard}); none: `/` redirects to the API reference. */
  dashboard?: DashboardSite | null;
}

/**
 * The dashboard the `dashboard` setting names: `off` → none; `auto` → the build copied next to the
 * server (`dashboard/`), or none, logged, when the dashboard was not built; a folder → that
 * build, and an error when it holds none (a setting that names a folder must not be ignored).
 */
export function openDashboard(
  config: StoreServerConfig,
  logger: StructuredLogger,
  bundledDir: string = bundledDashboardDir(),
): DashboardSite | null {
  if (config.dashboard === "off") return null;
  if (config.dashboard === "auto") {
    if (hasDashboard(bundledDir)) return DashboardSite.open(bundledDir);
    logger.info("dashboard not built: / redirects to the API reference", { dir: bundledDir });
    return null;
  }
  return DashboardSite.open(config.dashboard);
}

/**
 * Builds the HTTP server of `agl store` from its dependencies, without reading the environment and
 * without listening: the store API (plus OTLP, metrics, docs), the triplet app of
 * `@agentlightning/algorithm`, with `config.legacy` the legacy task API on the same port, and the dashboard's files at `/` when one is given.
 */
export function createServer({
  store,
  config,
  logger,
  dashboard,
}: ServerAppDependencies): LightningStoreServer {
  const extraApps: ExtraApp[] = [];
  if (config.legacy) {
    const legacyLogger = componentLogger(logger, "legacy");
    const legacyApp = createLegacyApp({
      store: new StoreLegacyBackend(store, {
        taskTimeoutSeconds: config.legacyTaskTimeoutSeconds,
        logger: legacyLogger,
      }),
      logger: legacyLogger,
      // The same key as the store API, sent as HTTP Basic credentials (see legacyApiKeyAuth).
      ...(config.apiKey === null ? {} : { apiKey: config.apiKey }),
    });
    extraApps.push({
      matches: (path) => LEGACY_PATHS.test(path),
      fetch: (request) => legacyApp.fetch(request),
    });
  }
  // Ready-made triplets for an external RL trainer (`GET /v1/agl/rollouts/{id}/triplets`,
  // `POST /v1/agl/triplets/search`): an extension, so its own bearer check with the same key.
  extraApps.push(
    createTripletApp({
      store,
      logger: componentLogger(logger, "triplets"),
      ...(config.apiKey === null ? {} : { apiKey: config.apiKey }),
    }),
  );
  // After the legacy API, whose paths keep precedence; before the store app, which then answers
  // only API paths (and `/` redirects to the reference when there is no dashboard).
  if (dashboard) extraApps.push(dashboard);
  return new LightningStoreServer({
    store,
    host: config.host,
    port: config.port,
    ...(config.apiKey === null ? {} : { apiKey: config.apiKey }),
    bodyLimitBytes: config.bodyLimitBytes,
    corsOrigins: config.corsOrigins,
    logger: componentLogger(logger, "store-server"),
    extraApps,
  });
}
