import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { InMemoryLightningStore, type LightningStore } from "@agentlightning/store";
import { PostgresLightningStore, redactDatabaseUrl } from "@agentlightning/store/postgres";
import type { StoreServerConfig } from "./config.js";
import type { StructuredLogger } from "./logger.js";

/** An open store and how to release it. */
export interface OpenedStore {
  store: LightningStore;
  /** Human-readable description of the backend, for logs. */
  description: string;
  close(): Promise<void>;
}

/**
 * Opens the store the config asks for: in memory, a PostgreSQL server (`databaseUrl`), or embedded
 * PGlite persisted in `dataDir`. Postgres stores apply their migrations while opening.
 */
export async function openStore(config: StoreServerConfig, logger: StructuredLogger): Promise<OpenedStore> {
  const settings = {
    scanDebounceSeconds: config.scanDebounceSeconds,
    claimLeaseSeconds: config.claimLeaseSeconds,
  };
  if (config.backend === "memory") {
    const budget = config.spanMemoryBudgetBytes;
    const store = new InMemoryLightningStore({
      ...settings,
      ...(budget === "auto" ? {} : { spanMemoryBudgetBytes: budget === "off" ? null : budget }),
    });
    return { store, description: "in-memory (nothing is kept)", close: () => store.close() };
  }
  if (config.databaseUrl !== null) {
    logger.info("connecting to PostgreSQL", {
      url: redactDatabaseUrl(config.databaseUrl),
      timeoutSeconds: config.connectTimeoutSeconds,
    });
    const store = await PostgresLightningStore.connect({
      url: config.databaseUrl,
      connectTimeoutSeconds: config.connectTimeoutSeconds,
      ...(config.databaseSchema === null ? {} : { schema: config.databaseSchema }),
      ...settings,
    });
    const url = new URL(config.databaseUrl);
    return {
      store,
      description: `postgres ${url.host}${url.pathname}${config.databaseSchema ? ` schema ${config.databaseSchema}` : ""}`,
      close: () => store.close(),
    };
  }
  const dataDir = resolve(config.dataDir);
  logger.info("opening embedded database", { dataDir });
  // The driver locks the folder (one process at a time) for as long as the store is open, and
  // initialises a fresh one from the template made at build time (no initdb at a first start).
  const template = fileURLToPath(new URL("./pglite-template", import.meta.url));
  const store = await PostgresLightningStore.pglite({
    dataDir: join(dataDir, "pglite"),
    ...(existsSync(template)
      ? {
          template,
          onTemplateCopied: () =>
            logger.info("initialised the embedded database from the template", { template }),
        }
      : {}),
    ...settings,
  });
  return { store, description: `embedded PGlite in ${dataDir}`, close: () => store.close() };
}
