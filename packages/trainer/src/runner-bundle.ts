import type { ExecutionEvent, LitAgent, RunnerHook } from "@agentlightning/litagent";
import type { LightningStore } from "@agentlightning/store";
import type { Logger } from "@agentlightning/types";
import type { RunnerBundle } from "./execution/strategy.js";

/** What the Trainer needs of a runner: `LitAgentRunner` fits. */
export interface TrainerRunner {
  init(agent: LitAgent<never>, options?: { hooks?: readonly RunnerHook[] }): Promise<void>;
  initWorker(workerId: number, store: LightningStore): Promise<void>;
  iter(options?: { event?: ExecutionEvent; signal?: AbortSignal }): Promise<unknown>;
  teardownWorker(workerId: number): Promise<void>;
  teardown(): Promise<void>;
  /** A fresh runner with the same configuration, for a second worker of the same process. */
  clone?(): TrainerRunner;
}

/**
 * The runner bundle (orchestration §1.10): per worker `init(agent, hooks)` → `initWorker(id,
 * store)` → `iter({ event })`, then the teardowns of the steps that succeeded (errors logged).
 * The first worker of a process uses the configured runner; further concurrent workers use a
 * `clone()` of it (orchestration §7: all shm workers share one heap, so each needs its own state).
 */
export function makeRunnerBundle(
  template: TrainerRunner,
  agent: LitAgent<never>,
  hooks: readonly RunnerHook[],
  logger: Logger,
): RunnerBundle {
  let templateInUse = false;
  return async (store, workerId, event) => {
    const useTemplate = !templateInUse;
    if (useTemplate) templateInUse = true;
    const runner = useTemplate ? template : (template.clone?.() ?? template);
    let initialized = false;
    let workerInitialized = false;
    try {
      await runner.init(agent, { hooks });
      initialized = true;
      await runner.initWorker(workerId, store);
      workerInitialized = true;
      await runner.iter({ event });
    } catch (error) {
      logger.error(`[Worker ${workerId}] Runner bundle encountered an error.`, error);
      throw error;
    } finally {
      if (workerInitialized) {
        try {
          await runner.teardownWorker(workerId);
        } catch (error) {
          logger.error(`[Worker ${workerId}] Error during runner worker teardown.`, error);
        }
      }
      if (initialized) {
        try {
          await runner.teardown();
        } catch (error) {
          logger.error(`[Worker ${workerId}] Error during runner teardown.`, error);
        }
      }
      if (useTemplate) templateInUse = false;
    }
  };
}
