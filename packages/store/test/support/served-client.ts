import { LightningStoreClient } from "../../src/client/store-client.js";
import { LightningStoreServer } from "../../src/http/server.js";
import type { LightningStore } from "../../src/store.js";

/** A client that also stops its server and closes the backing store when closed. */
class ServedClient extends LightningStoreClient {
  constructor(
    url: string,
    private readonly server: LightningStoreServer,
    private readonly backing: LightningStore,
  ) {
    // Short retries keep a failing test fast while still going through the retry path.
    super({ url, retryDelays: [0.05, 0.1], healthRetryDelays: [0.05] });
  }

  override async close(): Promise<void> {
    await super.close();
    await this.server.stop({ graceMs: 1000 });
    await this.backing.close();
  }
}

/** Serves `backing` on a loopback port and returns a client of it that owns both. */
export async function serveOverHttp(backing: LightningStore): Promise<LightningStoreClient> {
  const server = new LightningStoreServer({ store: backing, port: 0 });
  await server.start();
  return new ServedClient(server.url, server, backing);
}
