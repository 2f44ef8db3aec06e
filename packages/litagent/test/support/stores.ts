import { InMemoryLightningStore, type LightningStore } from "@agentlightning/store";

/**
 * A real in-memory store whose calls are counted per method (the store itself is not replaced:
 * every call goes through to it).
 */
export function countingStore(store: LightningStore = new InMemoryLightningStore()): {
  store: LightningStore;
  calls: Map<string, number>;
  workerIdsOfDequeues: string[];
} {
  const calls = new Map<string, number>();
  const workerIdsOfDequeues: string[] = [];
  const proxy = new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== "function" || typeof key !== "string") return value;
      return (...args: unknown[]) => {
        calls.set(key, (calls.get(key) ?? 0) + 1);
        if (key === "dequeueRollout") {
          workerIdsOfDequeues.push(String((args[0] as { workerId?: string } | undefined)?.workerId));
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls, workerIdsOfDequeues };
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `predicate()` holds (checked every 5 ms); rejects after `limitMs`. */
export async function waitUntil(
  predicate: () => boolean | Promise<boolean>,
  limitMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await sleep(5);
  }
}
