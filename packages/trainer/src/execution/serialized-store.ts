import type { LightningStore } from "@agentlightning/store";

/** Store methods that wait for something to happen: holding the lock while they wait would deadlock. */
const UNSERIALIZED = new Set<PropertyKey>(["waitForRollouts", "close", "then"]);

/**
 * The shm strategy's managed store (the TypeScript form of `LightningStoreThreaded`, orchestration
 * §2.4/§7): every store call runs under one async mutex, one at a time, in call order. Waiting calls
 * (`waitForRollouts`) and `close` are not serialized. Everything else (properties, `instanceof`)
 * reads through to the wrapped store.
 */
export function serializedStore(store: LightningStore): LightningStore {
  let tail: Promise<unknown> = Promise.resolve();
  const cache = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      if (UNSERIALIZED.has(property)) return value.bind(target);
      let wrapped = cache.get(property);
      if (wrapped === undefined) {
        wrapped = (...args: unknown[]) => {
          const run = tail.then(() => value.apply(target, args));
          tail = run.catch(() => {});
          return run;
        };
        cache.set(property, wrapped);
      }
      return wrapped;
    },
  });
}
