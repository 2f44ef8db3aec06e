// Real stores for the instrumentation tests: the in-memory store in-process, and a live
// LightningStoreServer (backed by an in-memory store) reached over HTTP with LightningStoreClient.
import { InMemoryLightningStore, type LightningStore, LightningStoreClient } from "@agentlightning/store";
import { LightningStoreServer } from "@agentlightning/store/server";

/** A store under test and how to stop it. */
export interface StoreUnderTest {
  store: LightningStore;
  /** The store's HTTP address (HTTP kind only). */
  url?: string;
  close(): Promise<void>;
}

/** `[name, start]` pairs for `describe.each`. */
export const STORE_KINDS: Array<[string, () => Promise<StoreUnderTest>]> = [
  [
    "an in-memory store",
    async () => {
      const store = new InMemoryLightningStore();
      return { store, close: () => store.close() };
    },
  ],
  [
    "a live LightningStoreServer over HTTP",
    async () => {
      const backing = new InMemoryLightningStore();
      const server = new LightningStoreServer({ store: backing, port: 0 });
      await server.start();
      const store = new LightningStoreClient({ url: server.url });
      return {
        store,
        url: server.url,
        close: async () => {
          await store.close();
          await server.stop();
          await backing.close();
        },
      };
    },
  ],
];

/** Enqueues a rollout and claims it: the ids a runner traces under. */
export async function claimRollout(
  store: LightningStore,
  input: unknown = {},
): Promise<{ rolloutId: string; attemptId: string }> {
  const queued = await store.enqueueRollout({ input });
  const claimed = await store.dequeueRollout({ workerId: "worker-1" });
  if (claimed === null || claimed.rollout_id !== queued.rollout_id)
    throw new Error(`could not claim rollout ${queued.rollout_id}: got ${claimed?.rollout_id ?? "nothing"}`);
  return { rolloutId: claimed.rollout_id, attemptId: claimed.attempt.attempt_id };
}
