import type { LightningStore } from "@agentlightning/store";
import { InMemoryLightningStore, LightningStoreClient } from "@agentlightning/store";
import { PostgresLightningStore } from "@agentlightning/store/postgres";
import { LightningStoreServer } from "@agentlightning/store/server";
import postgres from "postgres";

/** A real PostgreSQL for tests (`DATABASE_URL` or `TEST_DATABASE_URL`), or undefined. */
export const testDatabaseUrl: string | undefined =
  (process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL) || undefined;

/** The store kinds a test runs on: memory always, Postgres when a server is configured. */
export const storeKinds: Array<"memory" | "postgres"> = testDatabaseUrl ? ["memory", "postgres"] : ["memory"];

let counter = 0;

/**
 * Opens a fresh store of that kind; `cleanup` closes it (and drops the Postgres schema). `http`
 * is a `LightningStoreClient` talking to a live `LightningStoreServer` over an in-memory store.
 */
export async function openStore(
  kind: "memory" | "postgres" | "http",
): Promise<{ store: LightningStore; cleanup(): Promise<void> }> {
  if (kind === "http") {
    const backing = new InMemoryLightningStore();
    const server = new LightningStoreServer({ store: backing, port: 0 });
    await server.start();
    const client = new LightningStoreClient({ url: server.url });
    return {
      store: client,
      async cleanup() {
        await client.close();
        await server.stop();
        await backing.close();
      },
    };
  }
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
