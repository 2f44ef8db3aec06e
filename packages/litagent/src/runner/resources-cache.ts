import type { LightningStore } from "@agentlightning/store";
import type { ResourcesUpdate } from "@agentlightning/types";

/** Snapshots kept at most: a run uses a handful of resource versions at a time. */
const MAX_ENTRIES = 64;

/**
 * The resources of rollouts, fetched once per id for `ttlSeconds` and shared by every slot of a
 * runner: concurrent rollouts of the same snapshot make one store call. Entries expire because a
 * snapshot can be replaced under the same id (`updateResources`). "Latest" (a rollout without a
 * resources id) is asked each time, concurrent asks sharing one call. Failures and misses are not
 * cached.
 */
export class ResourcesCache {
  readonly #store: LightningStore;
  readonly #ttlMs: number;
  readonly #entries = new Map<string, { value: ResourcesUpdate; expires: number }>();
  readonly #inFlight = new Map<string, Promise<ResourcesUpdate | null>>();

  constructor(store: LightningStore, ttlSeconds: number) {
    this.#store = store;
    this.#ttlMs = Math.max(0, ttlSeconds) * 1000;
  }

  /**
   * The snapshot with this id (null: the latest), or null when the store has none. Each caller
   * gets its own copy, so an agent that changes its resources changes no other rollout's.
   */
  async get(resourcesId: string | null): Promise<ResourcesUpdate | null> {
    const value = await this.#get(resourcesId);
    return value === null ? null : structuredClone(value);
  }

  #get(resourcesId: string | null): Promise<ResourcesUpdate | null> {
    const key = resourcesId ?? "";
    if (resourcesId !== null) {
      const entry = this.#entries.get(key);
      if (entry !== undefined) {
        if (entry.expires > performance.now()) return Promise.resolve(entry.value);
        this.#entries.delete(key);
      }
    }
    const pending = this.#inFlight.get(key);
    if (pending !== undefined) return pending;
    const request = (
      resourcesId === null ? this.#store.getLatestResources() : this.#store.getResourcesById(resourcesId)
    ).then(
      (value) => {
        this.#inFlight.delete(key);
        if (value !== null && this.#ttlMs > 0) {
          // Latest is cached under its own id, so rollouts naming it next hit the cache.
          this.#remember(value);
        }
        return value;
      },
      (error: unknown) => {
        this.#inFlight.delete(key);
        throw error;
      },
    );
    this.#inFlight.set(key, request);
    return request;
  }

  #remember(value: ResourcesUpdate): void {
    if (this.#entries.size >= MAX_ENTRIES) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(value.resources_id, { value, expires: performance.now() + this.#ttlMs });
  }
}
