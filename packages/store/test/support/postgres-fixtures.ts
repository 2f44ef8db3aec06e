import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll } from "vitest";
import {
  createPgliteDriver,
  createPostgresDriver,
  quoteIdent,
  type StoreDriver,
} from "../../src/postgres/driver.js";
import { PostgresLightningStore } from "../../src/postgres/postgres-store.js";
import type { StoreSettings } from "../../src/store.js";

// Postgres stores for the cross-store suites. Each factory migrates ONE schema once (per PGlite
// instance, or per file on the real server) and empties its tables before handing out the next
// store, so tests never see each other's rows without paying for a migration per test (on PGlite
// a migration costs about as much as a whole conformance test). The suites use one store at a
// time, and close it before asking for the next one, so emptying the tables between them is safe.
// PGlite shares one instance per test file (starting one costs seconds); the real server
// (DATABASE_URL or TEST_DATABASE_URL) gets its schema dropped after the file.

/** The real server's URL for tests, or undefined when none is configured. */
export const testDatabaseUrl: string | undefined =
  (process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL) || undefined;

let counter = 0;
function freshSchema(prefix: string): string {
  counter += 1;
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter}`;
}

/**
 * Opens stores on one schema: the first store migrates it, every later one starts from emptied
 * tables (the migrations' bookkeeping table stays, so nothing is migrated again).
 */
function reusedSchemaStores(
  openDriver: () => Promise<StoreDriver>,
): (settings: StoreSettings) => Promise<PostgresLightningStore> {
  let tables: string[] | undefined;
  return async (settings) => {
    const driver = await openDriver();
    try {
      if (tables === undefined) {
        const store = await PostgresLightningStore.fromDriver(driver, { ...settings, ownsDriver: true });
        const rows = await driver.rows<{ tablename: string }>(
          sql`SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> '__drizzle_migrations'`,
        );
        tables = rows.map((r) => r.tablename);
        return store;
      }
      await driver.rows(sql.raw(`TRUNCATE ${tables.map(quoteIdent).join(", ")} RESTART IDENTITY`));
    } catch (error) {
      await driver.close();
      throw error;
    }
    return PostgresLightningStore.fromDriver(driver, { ...settings, ownsDriver: true, migrate: false });
  };
}

/** Registers a shared PGlite for the file; returns a factory of empty stores on one migrated schema. */
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
  const schema = freshSchema(prefix);
  return reusedSchemaStores(async () => {
    if (pglite === undefined) throw new Error("PGlite was not started");
    return createPgliteDriver({ pglite, schema });
  });
}

/** Registers schema cleanup on the real server; returns a factory of empty stores on one migrated schema. */
export function useServerStores(
  url: string,
  prefix: string,
): (settings: StoreSettings) => Promise<PostgresLightningStore> {
  const schema = freshSchema(prefix);
  afterAll(async () => {
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    } finally {
      await admin.end({ timeout: 5 });
    }
  });
  return reusedSchemaStores(() => createPostgresDriver({ url, schema, max: 10 }));
}
