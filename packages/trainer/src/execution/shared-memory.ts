import { ExecutionEvent } from "@agentlightning/litagent";
import type { LightningStore } from "@agentlightning/store";
import { type Logger, silentLogger } from "@agentlightning/types";
import { AglEnvVars, resolveBoolEnvVar } from "../env-vars.js";
import { ValueError } from "../errors.js";
import { runUntilCompletedOrCanceled } from "./guard.js";
import { onSigint } from "./interrupt.js";
import { serializedStore } from "./serialized-store.js";
import { type AlgorithmBundle, ExecutionStrategy, type RunnerBundle } from "./strategy.js";

/** Which bundle's end drives the run in {@link SharedMemoryExecutionStrategy}. */
export type MainThread = "algorithm" | "runner";

/** Options of {@link SharedMemoryExecutionStrategy}; durations in seconds, as upstream. */
export interface SharedMemoryExecutionStrategyOptions {
  /** Runner workers, default 1. */
  nRunners?: number;
  /**
   * `"runner"` (default, needs `nRunners: 1`): when runner 0 ends, wait for the algorithm to
   * finish by itself. `"algorithm"`: when the algorithm ends, set the stop event and let the
   * runners finish.
   */
  mainThread?: MainThread;
  /** How long to wait for the runners after the stop, beyond their grace periods, default 15. */
  joinTimeout?: number;
  /** Time a bundle gets to finish after the stop event, then again after its signal aborted, default 5. */
  gracefulDelay?: number;
  /** Accepted for parity (the event wakes waiters at once here), default 0.05. */
  pollInterval?: number;
  /** Serialize store calls through one async mutex (default: `AGL_MANAGED_STORE`, else true). */
  managedStore?: boolean | null;
  logger?: Logger;
}

/**
 * Runs the algorithm and `nRunners` runners as concurrent async tasks of this one process on a
 * shared store (`alias "shm"`, orchestration §2.4 and §7). The stop event is shared by all; a
 * failure of any bundle sets it and is re-thrown once everything stopped; Ctrl+C (SIGINT) sets it
 * and `execute` resolves normally. Bundles that ignore the event get `gracefulDelay` seconds, then
 * their signal aborts, then they are abandoned.
 *
 * @example
 * ```ts
 * const trainer = new Trainer({ algorithm, strategy: { type: "shm", nRunners: 4, mainThread: "algorithm" } });
 * ```
 */
export class SharedMemoryExecutionStrategy extends ExecutionStrategy {
  static override readonly alias = "shm";
  /** Options the Trainer may inject defaults into. */
  static readonly acceptedOptions = [
    "nRunners",
    "mainThread",
    "joinTimeout",
    "gracefulDelay",
    "pollInterval",
    "managedStore",
    "logger",
  ] as const;

  readonly nRunners: number;
  readonly mainThread: MainThread;
  readonly joinTimeout: number;
  readonly gracefulDelay: number;
  readonly pollInterval: number;
  readonly managedStore: boolean;
  readonly logger: Logger;

  constructor(options: SharedMemoryExecutionStrategyOptions = {}) {
    super();
    this.nRunners = options.nRunners ?? 1;
    if (!Number.isInteger(this.nRunners) || this.nRunners < 1) {
      throw new ValueError(`nRunners must be an integer >= 1, got ${this.nRunners}`);
    }
    this.mainThread = options.mainThread ?? "runner";
    if (this.mainThread !== "algorithm" && this.mainThread !== "runner") {
      throw new ValueError(`main_thread must be 'algorithm' or 'runner', got '${String(this.mainThread)}'`);
    }
    if (this.mainThread === "runner" && this.nRunners !== 1) {
      throw new ValueError(
        `main_thread='runner' requires n_runners to be 1 (got ${this.nRunners}): use main_thread='algorithm' to run several runners, or set n_runners to 1.`,
      );
    }
    this.joinTimeout = options.joinTimeout ?? 15;
    this.gracefulDelay = options.gracefulDelay ?? 5;
    this.pollInterval = options.pollInterval ?? 0.05;
    this.managedStore = resolveBoolEnvVar(AglEnvVars.MANAGED_STORE, options.managedStore, true) ?? true;
    this.logger = options.logger ?? silentLogger;
  }

  async execute(algorithm: AlgorithmBundle, runner: RunnerBundle, store: LightningStore): Promise<void> {
    const event = new ExecutionEvent();
    const shared = this.managedStore ? serializedStore(store) : store;
    const errors: unknown[] = [];
    let interrupted = false;
    const removeSigint = onSigint(() => {
      if (!interrupted) this.logger.warn("KeyboardInterrupt received on main thread; stopping.");
      interrupted = true;
      event.set();
    });
    const guard = <T>(name: string, bundle: (signal: AbortSignal) => Promise<T>) =>
      runUntilCompletedOrCanceled(bundle, event, {
        gracefulDelay: this.gracefulDelay,
        logger: this.logger,
        name,
      }).catch((error: unknown) => {
        this.logger.error(`[${name}] Bundle failed; stopping everything.`, error);
        errors.push(error);
        event.set();
        return null;
      });
    const runAlgorithm = () => guard("algorithm", (signal) => algorithm(shared, event, signal));
    const runRunner = (workerId: number) =>
      guard(`runner-${workerId}`, (signal) => runner(shared, workerId, event, signal));
    try {
      if (this.mainThread === "algorithm") {
        const runners = Array.from({ length: this.nRunners }, (_, id) => runRunner(id));
        await runAlgorithm();
        event.set();
        await this.joinRunners(runners);
      } else {
        const algorithmTask = runAlgorithm();
        await runRunner(0);
        // The algorithm finishes its work by itself (upstream joins it without a timeout); a
        // failure or Ctrl+C has set the event, which it observes.
        await algorithmTask;
      }
    } finally {
      removeSigint();
    }
    if (errors.length > 0) throw errors[0];
  }

  private async joinRunners(runners: Array<Promise<unknown>>): Promise<void> {
    const names = runners.map((_, i) => `runner-${i}`);
    const done = new Set<number>();
    runners.forEach((task, i) => {
      void task.finally(() => done.add(i));
    });
    const limit = (2 * this.gracefulDelay + this.joinTimeout) * 1000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(runners),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, limit);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
    const alive = names.filter((_, i) => !done.has(i));
    if (alive.length > 0) {
      this.logger.warn(
        `Runners still running after the join timeout: ${alive.join(", ")}. Continuing shutdown.`,
      );
    }
  }
}
