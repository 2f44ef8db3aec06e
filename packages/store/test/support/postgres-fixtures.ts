import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { afterAll, beforeAll } from "vitest";
import { createPgliteDriver } from "../../src/postgres/driver.js";
import { PostgresLightningStore } from "../../src/postgres/postgres-store.js";
import type { StoreSettings } from "../../src/store.js";

// Postgres stores for the cross-store suites: every store gets a fresh schema so tests never see
// each other's rows. PGlite shares one instance per test file (starting one costs seconds); the real
// server (DATABASE_URL or TEST_DATABASE_URL) gets its schemas dropped after the file.

/** The real server's URL for tests, or undefined when none is configured. */
export const testDatabaseUrl: string | undefined =
  (process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL) || undefined;

let counter = 0;
function freshSchema(prefix: string): string {
  counter += 1;
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter}`;
}

/** Registers a shared PGlite for the file; returns a factory of stores in fresh schemas. */
export function usePgliteStores(
  prefix: string,
): (settings: StoreSettings) => Promise<PostgresLightningStore> {
  let pglite: PGlite | undefined;
  beforeAll(async () => {
    pglite = await PGlite.create();
  });
  afterAll(async () => {
    await pglite?.close();
  });
  return async (settings) => {
    if (pglite === undefined) throw new Error("PGlite was not started");
    const driver = await createPgliteDriver({ pglite, schema: freshSchema(prefix) });
    return PostgresLightningStore.fromDriver(driver, { ...settings, ownsDriver: true });
  };
}

/** Registers schema cleanup on the real server; returns a factory of stores in fresh schemas. */
export function useServerStores(
  url: string,
  prefix: string,
): (settings: StoreSettings) => Promise<PostgresLightningStore> {
  const schemas: string[] = [];
  afterAll(async () => {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      for (const schema of schemas) await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });
  return (settings) => {
    const schema = freshSchema(prefix);
    schemas.push(schema);
    return PostgresLightningStore.connect({ url, schema, max: 10, ...settings });
  };
}
