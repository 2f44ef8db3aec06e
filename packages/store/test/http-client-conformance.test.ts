import { LightningStoreClient } from "../src/client/store-client.js";
import { LightningStoreServer } from "../src/http/server.js";
import { InMemoryLightningStore } from "../src/memory/memory-store.js";
import { describeLightningStore } from "../src/testing/index.js";

// The whole conformance suite through HTTP: LightningStoreClient → LightningStoreServer →
// InMemoryLightningStore, on a real loopback port per test.
describeLightningStore(
  "LightningStoreClient → LightningStoreServer → InMemoryLightningStore",
  async (settings) => {
    const store = new InMemoryLightningStore(settings);
    const server = new LightningStoreServer({ store, port: 0 });
    await server.start();
    const client = new LightningStoreClient({ url: server.url, retryDelays: [], healthRetryDelays: [] });
    const closeClient = client.close.bind(client);
    client.close = async () => {
      await closeClient();
      await server.stop({ graceMs: 1000 });
      await store.close();
    };
    return client;
  },
);
