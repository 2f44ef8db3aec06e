import { ExecutionEvent } from "@agentlightning/litagent";
import type { LightningStore } from "@agentlightning/store";
import { type Logger, nowSeconds, silentLogger } from "@agentlightning/types";
import { AglEnvVars, type EnvSource } from "../env-vars.js";
import { ValueError } from "../errors.js";
import { ChildEnvVars } from "./client-server.js";
import { runUntilCompletedOrCanceled } from "./guard.js";
import { onSigint } from "./interrupt.js";
import { ipcStoreClient, serveStoreOverIpc } from "./ipc-store.js";
import { failMaroonedAttempts } from "./marooned-rollouts.js";
import {
  type ChildEntry,
  type ChildHandle,
  forkChild,
  isChannelClosedError,
  isControlMessage,
  shutdownProcesses,
} from "./processes.js";
import { type AlgorithmBundle, ExecutionStrategy, type RunnerBundle } from "./strategy.js";

/** Set on the children of an ipc strategy (TypeScript only). */
export const IPC_CHILD_ENV = "AGL_IPC_CHILD";

/** Options of {@link InterProcessExecutionStrategy}; durations in seconds. */
export interface InterProcessExecutionStrategyOptions {
  /** Runner processes, default 1. */
  nRunners?: number;
  /** Seconds children get to stop after the stop event, default 10. */
  gracefulTimeout?: number;
  /** Seconds per escalation step (SIGINT, SIGTERM, SIGKILL), default 10. */
  terminateTimeout?: number;
  /** Child exit codes that count as success, default `[0, -15]`. */
  allowedExitCodes?: readonly number[];
  /** What children run; default: this process's entry script, arguments and Node flags again. */
  entry?: ChildEntry;
  logger?: Logger;
  /** Where the variables are read (tests); default `process.env`. */
  env?: EnvSource;
}

/**
 * Runner processes that reach the store over Node's IPC channel (`alias "ipc"`; Python reserves
 * the name without implementing it). The algorithm runs here on the Trainer's store; `nRunners`
 * children are forked like the cs strategy's (re-running the entry script, `entry` overrides it)
 * and each store call of theirs is a message to this process, answered by the store here: no
 * port, no HTTP server, nothing reachable from outside. Children only, on this machine (use `cs`
 * for other machines). Stopping, the escalation and exit codes are those of the cs strategy.
 *
 * @example
 * ```ts
 * new Trainer({ algorithm, nRunners: 4, strategy: "ipc" });
 * ```
 */
export class InterProcessExecutionStrategy extends ExecutionStrategy {
  static override readonly alias = "ipc";
  /** Options the Trainer may inject defaults into. */
  static readonly acceptedOptions = [
    "nRunners",
    "gracefulTimeout",
    "terminateTimeout",
    "allowedExitCodes",
    "entry",
    "logger",
    "env",
  ] as const;

  readonly nRunners: number;
  readonly gracefulTimeout: number;
  readonly terminateTimeout: number;
  readonly allowedExitCodes: readonly number[];
  readonly entry: ChildEntry;
  readonly logger: Logger;
  /** The worker id when an ipc parent forked this process, else null. */
  readonly childWorkerId: number | null;
  /** The children of the last (or current) `execute`. */
  children: ChildHandle[] = [];

  constructor(options: InterProcessExecutionStrategyOptions = {}) {
    super();
    const env = options.env ?? process.env;
    this.nRunners = options.nRunners ?? 1;
    if (!Number.isInteger(this.nRunners) || this.nRunners < 1) {
      throw new ValueError(`nRunners must be an integer >= 1, got ${this.nRunners}`);
    }
    this.gracefulTimeout = options.gracefulTimeout ?? 10;
    this.terminateTimeout = options.terminateTimeout ?? 10;
    this.allowedExitCodes = options.allowedExitCodes ?? [0, -15];
    this.entry = options.entry ?? {};
    this.logger = options.logger ?? silentLogger;
    const isChild =
      env[IPC_CHILD_ENV] === "1" &&
      env[ChildEnvVars.CHILD_OF] === String(process.ppid) &&
      typeof process.send === "function";
    this.childWorkerId = isChild ? Number.parseInt(env[ChildEnvVars.WORKER_ID] ?? "0", 10) || 0 : null;
  }

  async execute(algorithm: AlgorithmBundle, runner: RunnerBundle, store: LightningStore): Promise<void> {
    if (this.childWorkerId !== null) return this.executeAsChild(this.childWorkerId, runner);
    const event = new ExecutionEvent();
    let interrupted = false;
    const removeSigint = onSigint(() => {
      if (!interrupted) this.logger.warn("KeyboardInterrupt received (SIGINT); shutting down.");
      interrupted = true;
      event.set();
    });
    const started = nowSeconds();
    const errors: unknown[] = [];
    try {
      this.children = Array.from({ length: this.nRunners }, (_, workerId) =>
        this.fork(workerId, store, event),
      );
      try {
        await runUntilCompletedOrCanceled((signal) => algorithm(store, event, signal), event, {
          gracefulDelay: this.gracefulTimeout,
          logger: this.logger,
          name: "algorithm",
        });
      } catch (error) {
        this.logger.error("Algorithm bundle failed; stopping the runners.", error);
        errors.push(error);
      } finally {
        event.set();
      }
      await shutdownProcesses(this.children, event, this);
      await failMaroonedAttempts(store, started, this.logger);
    } finally {
      removeSigint();
    }
    const failed = this.children.filter(
      (c) => c.exitCode !== null && !c.exitedCleanly(this.allowedExitCodes),
    );
    if (failed.length > 0) {
      const message = `Subprocesses failed with unexpected exit codes: ${failed.map((c) => `${c.name} (exitcode=${c.exitCode})`).join(", ")}`;
      if (errors.length > 0 || interrupted) this.logger.warn(message);
      else errors.push(new Error(message));
    }
    if (errors.length > 0 && !interrupted) throw errors[0];
  }

  private fork(workerId: number, store: LightningStore, event: ExecutionEvent): ChildHandle {
    const name = `runner-${workerId}`;
    const child = forkChild(name, this.entry, {
      [AglEnvVars.CURRENT_ROLE]: "runner",
      [IPC_CHILD_ENV]: "1",
      [ChildEnvVars.WORKER_ID]: String(workerId),
      [ChildEnvVars.CHILD_OF]: String(process.pid),
    });
    this.logger.info(`Started ${name} (pid ${child.pid}).`);
    serveStoreOverIpc(child, store, this.logger);
    child.process.on("message", (message) => {
      if (isControlMessage(message) && message.agl === "stop") event.set();
    });
    child.process.on("error", (error) => {
      if (isChannelClosedError(error))
        this.logger.debug(`${name}: a message raced its exit (${String(error)}).`);
      else this.logger.error(`${name}: IPC or signalling error.`, error);
    });
    void child.exited.then((code) => {
      this.logger.info(`${name} (pid ${child.pid}) exited with code ${code}.`);
      if (!this.allowedExitCodes.includes(code) && !event.isSet()) {
        this.logger.error(`${name} failed (exit code ${code}); stopping everything.`);
        event.set();
      }
    });
    return child;
  }

  /** In a forked child: run worker `workerId` on the IPC store, then exit (0, or 1 after an error). */
  private async executeAsChild(workerId: number, runner: RunnerBundle): Promise<never> {
    const event = new ExecutionEvent();
    const removeSigint = onSigint(() => {
      if (event.isSet()) process.exit(0);
      event.set();
    });
    process.on("message", (message) => {
      if (isControlMessage(message) && message.agl === "stop") event.set();
    });
    process.on("disconnect", () => event.set());
    let code = 0;
    try {
      await runner(ipcStoreClient(), workerId, event, new AbortController().signal);
    } catch (error) {
      this.logger.error(`[runner ${workerId}] Failed.`, error);
      if (process.connected) process.send?.({ agl: "stop" });
      code = 1;
    } finally {
      removeSigint();
    }
    process.exit(code);
  }
}
