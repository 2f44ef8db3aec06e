import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { afterAll, beforeAll } from "vitest";
import { createPgliteDriver } from "../src/postgres/driver.js";
import { PostgresLightningStore } from "../src/postgres/postgres-store.js";
import { describeLightningStore } from "../src/testing/index.js";

// The conformance suite on PostgresLightningStore: always on embedded PGlite, and on a real server
// when DATABASE_URL (or TEST_DATABASE_URL) is set. Every store gets a fresh schema, so tests never
// see each other's rows; PGlite shares one instance per file because starting one costs seconds.

let schemaCounter = 0;
function freshSchema(prefix: string): string {
  schemaCounter += 1;
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${schemaCounter}`;
}

let pglite: PGlite | undefined;
beforeAll(async () => {
  pglite = await PGlite.create();
});
afterAll(async () => {
  await pglite?.close();
});

// PGlite is a single connection: SKIP LOCKED never skips there, so the concurrency group checks
// serialisation only; the real-server run below is what exercises row locking.
describeLightningStore("PostgresLightningStore (PGlite)", async (settings) => {
  if (pglite === undefined) throw new Error("PGlite was not started");
  const driver = await createPgliteDriver({ pglite, schema: freshSchema("conf_pglite") });
  return PostgresLightningStore.fromDriver(driver, { ...settings, ownsDriver: true });
});

const databaseUrl = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (databaseUrl !== undefined && databaseUrl !== "") {
  const url = databaseUrl;
  const schemas: string[] = [];
  afterAll(async () => {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      for (const schema of schemas) await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  describeLightningStore("PostgresLightningStore (server)", async (settings) => {
    const schema = freshSchema("conf_server");
    schemas.push(schema);
    return PostgresLightningStore.connect({ url, schema, max: 10, ...settings });
  });
}
