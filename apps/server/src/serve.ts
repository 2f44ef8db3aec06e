import { createServer, openDashboard } from "./app.js";
import type { StoreServerConfig } from "./config.js";
import type { StructuredLogger } from "./logger.js";
import { ensurePortAvailable } from "./port-check.js";
import { openStore } from "./store-opener.js";

/** A started `agl store`. */
export interface RunningServer {
  /** Base URL of the server. */
  url: string;
  /** Graceful stop: in-flight requests finish, then the store closes. */
  stop(): Promise<void>;
}

/** Opens the store of the config (migrations included) and serves it. */
export async function serveStore(
  config: StoreServerConfig,
  logger: StructuredLogger,
): Promise<RunningServer> {
  // Before the database: opening it can take seconds, a taken port is known at once.
  await ensurePortAvailable(config.host, config.port);
  // Also before the database: a dashboard folder that holds no build is a setting error.
  const dashboard = openDashboard(config, logger);
  const opened = await openStore(config, logger);
  const server = createServer({ store: opened.store, config, logger, dashboard });
  try {
    await server.start();
  } catch (error) {
    await opened.close();
    throw error;
  }
  logger.info("agl store ready", {
    url: server.url,
    store: opened.description,
    health: `${server.url}/v1/agl/health`,
    docs: `${server.url}/v1/agl/docs`,
    dashboard: dashboard === null ? "off" : `${server.url}/`,
    legacy: config.legacy,
    auth: config.apiKey !== null,
  });
  return {
    url: server.url,
    stop: async () => {
      await server.stop();
      await opened.close();
    },
  };
}
