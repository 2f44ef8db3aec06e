import { createLegacyApp } from "@agentlightning/legacy-server";
import type { LightningStore } from "@agentlightning/store";
import { type ExtraApp, LightningStoreServer } from "@agentlightning/store/server";
import type { StoreServerConfig } from "./config.js";
import { StoreLegacyBackend } from "./legacy-bridge.js";
import { componentLogger, type StructuredLogger } from "./logger.js";

/** Paths of the legacy v0.1 task API. */
const LEGACY_PATHS = /^\/(task|rollout|resources(\/.*)?)$/;

/** What the server is built from: an open store, the settings, a logger. */
export interface ServerAppDependencies {
  store: LightningStore;
  config: StoreServerConfig;
  logger: StructuredLogger;
}

/**
 * Builds the HTTP server of `agl store` from its dependencies, without reading the environment and
 * without listening: the store API (plus OTLP, metrics, docs) and, with `config.legacy`, the legacy
 * task API on the same port.
 */
export function createServer({ store, config, logger }: ServerAppDependencies): LightningStoreServer {
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
