import { describeLightningStore } from "../src/testing/index.js";
import { testDatabaseUrl, usePgliteStores, useServerStores } from "./support/postgres-fixtures.js";

// The conformance suite on PostgresLightningStore: always on embedded PGlite, and on a real server
// when DATABASE_URL (or TEST_DATABASE_URL) is set. PGlite is a single connection: SKIP LOCKED never
// skips there, so its concurrency group checks serialisation only; the real server is what
// exercises row locking.
describeLightningStore("PostgresLightningStore (PGlite)", usePgliteStores("conf_pglite"));

if (testDatabaseUrl !== undefined) {
  describeLightningStore("PostgresLightningStore (server)", useServerStores(testDatabaseUrl, "conf_server"));
}
