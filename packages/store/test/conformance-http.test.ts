import { InMemoryLightningStore } from "../src/memory/memory-store.js";
import { describeLightningStore } from "../src/testing/index.js";
import { testDatabaseUrl, usePgliteStores, useServerStores } from "./support/postgres-fixtures.js";
import { serveOverHttp } from "./support/served-client.js";

// The conformance suite over the wire: every test talks to a LightningStoreClient, through a live
// LightningStoreServer on a loopback port, to a fresh store of each backend on the suite's clock.
// The client posts a span batch with `POST /spans/batch` (one request per chunk, stored all or
// nothing), so the all-or-nothing batch cases run here too.
const clientOptions = {};

describeLightningStore(
  "HTTP client → server → InMemoryLightningStore",
  async (settings) => serveOverHttp(new InMemoryLightningStore(settings)),
  clientOptions,
);

const pgliteStore = usePgliteStores("conf_http_pglite");
describeLightningStore(
  "HTTP client → server → PostgresLightningStore (PGlite)",
  async (settings) => serveOverHttp(await pgliteStore(settings)),
  clientOptions,
);

if (testDatabaseUrl !== undefined) {
  const serverStore = useServerStores(testDatabaseUrl, "conf_http_server");
  describeLightningStore(
    "HTTP client → server → PostgresLightningStore (server)",
    async (settings) => serveOverHttp(await serverStore(settings)),
    clientOptions,
  );
}
