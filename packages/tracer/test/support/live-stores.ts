import { InMemoryLightningStore, type LightningStore, LightningStoreClient } from "@agentlightning/store";
import { LightningStoreServer } from "@agentlightning/store/server";
import type { AttemptedRollout } from "@agentlightning/types";

/** A store under test, the in-memory store behind it, and how to close both. */
export interface LiveStore {
  /** What the tracer writes to: the in-memory store itself, or a client of a live server. */
  store: LightningStore;
  /** The store holding the data (read back through it). */
  backing: InMemoryLightningStore;
  /** HTTP requests the client sent (0 for the in-memory store). */
  requests: () => number;
  close(): Promise<void>;
}

/** The two stores every tracer/emitter test runs against. */
export const STORE_KINDS = ["memory", "http"] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

/** An in-memory store, or a `LightningStoreClient` talking to a `LightningStoreServer` on a loopback port. */
export async function openLiveStore(kind: StoreKind): Promise<LiveStore> {
  const backing = new InMemoryLightningStore();
  if (kind === "memory") return { store: backing, backing, requests: () => 0, close: () => backing.close() };
  const server = new LightningStoreServer({ store: backing, port: 0 });
  await server.start();
  let requests = 0;
  const client = new LightningStoreClient({
    url: server.url,
    retryDelays: [0.05],
    healthRetryDelays: [0.05],
    fetch: (input, init) => {
      requests++;
      return fetch(input, init);
    },
  });
  return {
    store: client,
    backing,
    requests: () => requests,
    close: async () => {
      await client.close();
      await server.stop({ graceMs: 1000 });
      await backing.close();
    },
  };
}

/** A started rollout (a running attempt) to attribute spans to. */
export async function startedRollout(
  store: LightningStore,
  input: unknown = "task",
): Promise<AttemptedRollout> {
  return store.startRollout({ input });
}
