import type { LegacyResourcesUpdate, RolloutLegacy, Task } from "@agentlightning/types";
import type { LegacyTaskStore } from "./task-store.js";

/**
 * What the legacy routes need from the state behind them. {@link LegacyTaskStore} provides it in
 * memory (the v0.1 server); `agl store --legacy` provides it over a `LightningStore`, so that old
 * clients work against a modern store. Errors are `AglError`s: `not_found` answers 404,
 * `conflict` 409, `invalid_argument` 400, `unavailable` 503.
 *
 * @example
 * ```ts
 * const backend: LegacyTaskBackend = {
 *   claimTask: async () => null,
 *   getLatestResources: async () => null,
 *   getResourcesById: async () => null,
 *   recordRollout: async () => {},
 * };
 * const app = createLegacyApp({ store: backend });
 * ```
 */
export interface LegacyTaskBackend {
  /**
   * Claims the next task for the caller of `GET /task` (the backend requeues stale claims first if
   * it has such a rule), or `null` when there is nothing to do.
   */
  claimTask(): Promise<Task | null>;
  /** The latest resources bundle, or `null` when there is none or it is empty. */
  getLatestResources(): Promise<LegacyResourcesUpdate | null>;
  /** The bundle with this id, or `null` when unknown or empty. */
  getResourcesById(resourcesId: string): Promise<LegacyResourcesUpdate | null>;
  /** Records a rollout posted to `POST /rollout` (already validated). */
  recordRollout(rollout: RolloutLegacy): Promise<void>;
}

/**
 * The in-memory {@link LegacyTaskStore} as a {@link LegacyTaskBackend}: every claim first requeues
 * the claims older than `taskTimeoutSeconds` (strictly), as the Python server does on each poll.
 */
export function taskStoreBackend(store: LegacyTaskStore, taskTimeoutSeconds: number): LegacyTaskBackend {
  return {
    claimTask: async () => {
      store.requeueStaleTasks(taskTimeoutSeconds);
      return store.getNextTask();
    },
    getLatestResources: async () => store.getLatestResources(),
    getResourcesById: async (resourcesId) => store.getResourcesById(resourcesId),
    recordRollout: async (rollout) => store.storeRollout(rollout),
  };
}
