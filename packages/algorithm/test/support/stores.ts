import type { LightningStore } from "@agentlightning/store";
import { InMemoryLightningStore } from "@agentlightning/store";
import { PostgresLightningStore } from "@agentlightning/store/postgres";
import postgres from "postgres";

/** A real PostgreSQL for tests (`DATABASE_URL` or `TEST_DATABASE_URL`), or undefined. */
export const testDatabaseUrl: string | undefined =
  (process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL) || undefined;

/** The store kinds a test runs on: memory always, Postgres when a server is configured. */
export const storeKinds: Array<"memory" | "postgres"> = testDatabaseUrl ? ["memory", "postgres"] : ["memory"];

let counter = 0;

/** Opens a fresh store of that kind; `cleanup` closes it (and drops the Postgres schema). */
export async function openStore(
  kind: "memory" | "postgres",
): Promise<{ store: LightningStore; cleanup(): Promise<void> }> {
  if (kind === "memory") {
    const store = new InMemoryLightningStore();
    return { store, cleanup: () => store.close() };
  }
  const url = testDatabaseUrl as string;
  counter += 1;
  const schema = `algo_${process.pid}_${Date.now().toString(36)}_${counter}`;
  const store = await PostgresLightningStore.connect({ url, schema });
  return {
    store,
    async cleanup() {
      await store.close();
      const sql = postgres(url, { max: 1, onnotice: () => undefined });
      try {
        await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await sql.end();
      }
    },
  };
}
