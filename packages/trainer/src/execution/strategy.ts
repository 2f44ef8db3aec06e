import type { ExecutionEvent } from "@agentlightning/litagent";
import type { LightningStore } from "@agentlightning/store";

/**
 * Runs the algorithm role (orchestration §2.1). `event` is the run's stop event; `signal` aborts
 * when the strategy gives up waiting for a graceful stop (the bundle should return at once).
 */
export type AlgorithmBundle = (
  store: LightningStore,
  event: ExecutionEvent,
  signal: AbortSignal,
) => Promise<void>;

/** Runs one runner worker (`workerId` 0..n-1) until the stop event, `maxRollouts`, or an error. */
export type RunnerBundle = (
  store: LightningStore,
  workerId: number,
  event: ExecutionEvent,
  signal: AbortSignal,
) => Promise<void>;

/**
 * Decides where the bundles run (one process, child processes, other machines), what store each
 * sees, and how everything stops (orchestration §2). `execute` resolves when the run is over; a
 * Ctrl+C ends it normally; an error of either side stops the other and is re-thrown.
 */
export abstract class ExecutionStrategy {
  /** The registry short name (`shm`, `cs`, `ipc`); informational. */
  static readonly alias: string = "";
  /** Number of runner workers this strategy starts. */
  abstract readonly nRunners: number;

  abstract execute(algorithm: AlgorithmBundle, runner: RunnerBundle, store: LightningStore): Promise<void>;
}
