import { afterEach } from "vitest";
import { LightningStoreClient, type LightningStoreClientOptions } from "../../src/client/store-client.js";
import { type Responder, type ScriptedServer, startScriptedServer } from "./scripted-server.js";

/** A scripted loopback server and a client of it with short retry delays. */
export interface ScriptedClient {
  server: ScriptedServer;
  client: LightningStoreClient;
}

/** What {@link useScriptedClients} gives a test file. */
export interface ScriptedClients {
  /** Starts a scripted server and a client of it (short retry delays); both close after the test. */
  setup(responder?: Responder, options?: Partial<LightningStoreClientOptions>): Promise<ScriptedClient>;
  /** Closes a client the test built itself after the test. */
  track(client: LightningStoreClient): void;
}

/** Registers per-test cleanup for the file's scripted servers and clients. */
export function useScriptedClients(defaultResponder?: Responder): ScriptedClients {
  const open: { server?: ScriptedServer; client: LightningStoreClient }[] = [];
  afterEach(async () => {
    for (const { server, client } of open.splice(0)) {
      await client.close();
      await server?.close();
    }
  });
  const setup = async (responder = defaultResponder, options: Partial<LightningStoreClientOptions> = {}) => {
    if (responder === undefined) throw new Error("useScriptedClients: no responder given");
    const server = await startScriptedServer(responder);
    const client = new LightningStoreClient({
      url: server.url,
      retryDelays: [0.01, 0.01, 0.01],
      healthRetryDelays: [0.01],
      ...options,
    });
    open.push({ server, client });
    return { server, client };
  };
  return { setup, track: (client) => open.push({ client }) };
}
