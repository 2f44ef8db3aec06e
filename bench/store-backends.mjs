// How the benchmarks open each store backend, plus the raw-SQL reference cycle for Postgres.
import { InMemoryLightningStore } from "../packages/store/dist/index.js";

/** Opens a backend: `fresh()` gives an empty store, `dispose()` frees shared resources. */
export async function openBackend(name, databaseUrl) {
  if (name === "memory") {
    return { fresh: async () => new InMemoryLightningStore(), dispose: async () => {} };
  }
  const { openPostgresBackend } = await import("./postgres-backend.mjs");
  return openPostgresBackend(name, databaseUrl);
}
