import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { InMemoryLightningStore, type LightningStore } from "@agentlightning/store";
import { PostgresLightningStore } from "@agentlightning/store/postgres";
import { AglError } from "@agentlightning/types";
import type { StoreServerConfig } from "./config.js";
import type { StructuredLogger } from "./logger.js";

/** An open store and how to release it. */
export interface OpenedStore {
  store: LightningStore;
  /** Human-readable description of the backend, for logs. */
  description: string;
  close(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes the data folder for this process: PGlite must never be opened by two processes at once
 * (it would corrupt the folder), so a pid file guards it; a stale file of a dead process is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockFile = join(dataDir, "agl-server.pid");
  try {
    writeFileSync(lockFile, String(process.pid), { flag: "wx" });
  } catch {
    const holder = Number(readFileSync(lockFile, "utf8").trim());
    if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
      throw new AglError(
        "conflict",
        `Data folder ${dataDir} is in use by process ${holder}; stop it or pass --data-dir`,
      );
    }
    writeFileSync(lockFile, String(process.pid));
  }
  return () => rmSync(lockFile, { force: true });
}

/**
 * Opens the store the config asks for: in memory, a PostgreSQL server (`databaseUrl`), or embedded
 * PGlite persisted in `dataDir`. Postgres stores apply their migrations while opening.
 */
export async function openStore(config: StoreServerConfig, logger: StructuredLogger): Promise<OpenedStore> {
  const settings = { scanDebounceSeconds: config.scanDebounceSeconds };
  if (config.backend === "memory") {
    const store = new InMemoryLightningStore(settings);
    return { store, description: "in-memory (nothing is kept)", close: () => store.close() };
  }
  if (config.databaseUrl !== null) {
    const store = await PostgresLightningStore.connect({
      url: config.databaseUrl,
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
  const unlock = lockDataDir(dataDir);
  try {
    logger.info("opening embedded database", { dataDir });
    const store = await PostgresLightningStore.pglite({ dataDir: join(dataDir, "pglite"), ...settings });
    return {
      store,
      description: `embedded PGlite in ${dataDir}`,
      close: async () => {
        try {
          await store.close();
        } finally {
          unlock();
        }
      },
    };
  } catch (error) {
    unlock();
    throw error;
  }
}
