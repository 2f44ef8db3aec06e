import { ExecutionEvent } from "@agentlightning/litagent";
import { type LightningStore, LightningStoreClient } from "@agentlightning/store";
import { LightningStoreServer } from "@agentlightning/store/server";
import { type Logger, nowSeconds, silentLogger } from "@agentlightning/types";
import {
  AglEnvVars,
  type EnvSource,
  type ExecutionRole,
  resolveBoolEnvVar,
  resolveIntEnvVar,
  resolveRole,
  resolveStrEnvVar,
} from "../env-vars.js";
import { ValueError } from "../errors.js";
import { runUntilCompletedOrCanceled } from "./guard.js";
import { onSigint } from "./interrupt.js";
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

/** Environment variables a cs parent sets on the children it forks (TypeScript only). */
export const ChildEnvVars = {
  /** The worker id the child runs. */
  WORKER_ID: "AGL_WORKER_ID",
  /** The pid of the parent that forked the child: the child's strategy runs only its part. */
  CHILD_OF: "AGL_CHILD_OF",
} as const;

/** Which side runs in the calling process when `role` is `both`. */
export type MainProcess = "algorithm" | "runner";

/** Options of {@link ClientServerExecutionStrategy}; durations in seconds. */
export interface ClientServerExecutionStrategyOptions {
  /** `algorithm`, `runner` or `both` (default: `AGL_CURRENT_ROLE`, else `both`). */
  role?: ExecutionRole | null;
  /** Host of the store server (default: `AGL_SERVER_HOST`, else `localhost`). */
  serverHost?: string | null;
  /** Port of the store server (default: `AGL_SERVER_PORT`, else 4747); 0 picks a free port. */
  serverPort?: number | null;
  /** Runner workers, default 1: one child process each (one in-process worker when 1 and role runner). */
  nRunners?: number;
  /** Seconds children get to stop after the stop event, default 10. */
  gracefulTimeout?: number;
  /** Seconds per escalation step (SIGINT, SIGTERM, SIGKILL), default 10. */
  terminateTimeout?: number;
  /** With role `both`: which side runs here, default `algorithm`. */
  mainProcess?: MainProcess;
  /** Serve the store over HTTP and give runners a client (default: `AGL_MANAGED_STORE`, else true). */
  managedStore?: boolean | null;
  /** Child exit codes that count as success, default `[0, -15]` (−15: ended by SIGTERM). */
  allowedExitCodes?: readonly number[];
  /** What children run; default: this process's entry script, arguments and Node flags again. */
  entry?: ChildEntry;
  logger?: Logger;
  /** Where the variables are read (tests); default `process.env`. */
  env?: EnvSource;
}

interface ChildRole {
  role: "runner" | "algorithm";
  workerId: number;
}

/** The part this process plays when a cs parent forked it, else null. */
function childRoleFromEnv(env: EnvSource): ChildRole | null {
  const parent = env[ChildEnvVars.CHILD_OF];
  if (parent === undefined || parent !== String(process.ppid) || typeof process.send !== "function")
    return null;
  const role = env[AglEnvVars.CURRENT_ROLE];
  if (role !== "runner" && role !== "algorithm") return null;
  return { role, workerId: Number.parseInt(env[ChildEnvVars.WORKER_ID] ?? "0", 10) || 0 };
}

function clientHost(host: string): string {
  if (host === "localhost" || host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "::1";
  return host;
}

/**
 * The client-server strategy (`alias "cs"`, the Trainer's default; orchestration §2.5, §7). The
 * algorithm side serves the store over HTTP with a `LightningStoreServer` (managed) and runs the
 * algorithm on the store itself; runners reach it with a `LightningStoreClient`.
 *
 * Child processes re-execute this process's entry script (`process.argv[1]`, same arguments and
 * Node flags; `entry` overrides it) with `AGL_CURRENT_ROLE=runner`, `AGL_SERVER_HOST/PORT` of the
 * running server, `AGL_WORKER_ID` and `AGL_CHILD_OF=<parent pid>`. There, the script builds its
 * Trainer again and calls `fit`, whose strategy sees the variables and runs only that worker; when
 * the worker is done the child process exits (it never returns into the script, like a Python
 * multiprocessing child). The script must therefore reach `fit` the same way in every process.
 *
 * On other machines, run the same script with `AGL_CURRENT_ROLE=runner` and the server's
 * `AGL_SERVER_HOST`/`AGL_SERVER_PORT`; the algorithm machine uses `AGL_CURRENT_ROLE=algorithm`
 * (and `AGL_SERVER_HOST=0.0.0.0` to accept them). With `managedStore: false` nothing is served:
 * each side uses the Trainer's store as given (e.g. a `LightningStoreClient` of an `agl store`).
 *
 * Stopping: the stop event is set when the algorithm ends, on Ctrl+C (SIGINT: `execute` then
 * resolves normally), when a runner process fails, or on an error. Children are told over IPC
 * and finish their in-flight rollouts; survivors after `gracefulTimeout` get SIGINT, then SIGTERM,
 * then SIGKILL, `terminateTimeout` apart. Attempts still running once every runner process is
 * gone are marked failed; then the server stops. A child whose parent disappears stops too.
 */
export class ClientServerExecutionStrategy extends ExecutionStrategy {
  static override readonly alias = "cs";
  /** Options the Trainer may inject defaults into. */
  static readonly acceptedOptions = [
    "role",
    "serverHost",
    "serverPort",
    "nRunners",
    "gracefulTimeout",
    "terminateTimeout",
    "mainProcess",
    "managedStore",
    "allowedExitCodes",
    "entry",
    "logger",
    "env",
  ] as const;

  role: ExecutionRole;
  serverHost: string;
  serverPort: number;
  readonly nRunners: number;
  readonly gracefulTimeout: number;
  readonly terminateTimeout: number;
  readonly mainProcess: MainProcess;
  readonly managedStore: boolean;
  readonly allowedExitCodes: readonly number[];
  readonly entry: ChildEntry;
  readonly logger: Logger;
  /** Set when a cs parent forked this process: it runs only that part. */
  readonly child: ChildRole | null;
  /** The children of the last (or current) `execute`, for inspection. */
  children: ChildHandle[] = [];

  constructor(options: ClientServerExecutionStrategyOptions = {}) {
    super();
    const env = options.env ?? process.env;
    this.child = childRoleFromEnv(env);
    // In a forked child the parent's variables win: they name the running server and the worker.
    const explicit = this.child === null ? options : {};
    this.role = resolveRole(explicit.role, env);
    this.serverHost =
      resolveStrEnvVar(AglEnvVars.SERVER_HOST, explicit.serverHost, "localhost", env) ?? "localhost";
    this.serverPort = resolveIntEnvVar(AglEnvVars.SERVER_PORT, explicit.serverPort, 4747, env) ?? 4747;
    this.managedStore = resolveBoolEnvVar(AglEnvVars.MANAGED_STORE, explicit.managedStore, true, env) ?? true;
    this.nRunners = options.nRunners ?? 1;
    if (!Number.isInteger(this.nRunners) || this.nRunners < 1) {
      throw new ValueError(`nRunners must be an integer >= 1, got ${this.nRunners}`);
    }
    this.gracefulTimeout = options.gracefulTimeout ?? 10;
    this.terminateTimeout = options.terminateTimeout ?? 10;
    this.mainProcess = options.mainProcess ?? "algorithm";
    if (this.mainProcess !== "algorithm" && this.mainProcess !== "runner") {
      throw new ValueError(`main_process must be 'algorithm' or 'runner', got '${String(this.mainProcess)}'`);
    }
    if (this.mainProcess === "runner" && this.child === null) {
      if (this.role !== "both")
        throw new ValueError("main_process='runner' is only supported when role='both'");
      if (this.nRunners !== 1) throw new ValueError("main_process='runner' requires n_runners to be 1");
    }
    this.allowedExitCodes = options.allowedExitCodes ?? [0, -15];
    this.entry = options.entry ?? {};
    this.logger = options.logger ?? silentLogger;
  }

  /** The URL runners use to reach the server. */
  get serverUrl(): string {
    const host = clientHost(this.serverHost);
    return `http://${host.includes(":") ? `[${host}]` : host}:${this.serverPort}`;
  }

  async execute(algorithm: AlgorithmBundle, runner: RunnerBundle, store: LightningStore): Promise<void> {
    if (this.child !== null) return this.executeAsChild(this.child, algorithm, runner, store);
    const role = this.role as string;
    if (role !== "algorithm" && role !== "runner" && role !== "both")
      throw new ValueError(`Unknown role: ${role}`);
    if (role === "runner" && this.nRunners === 1) {
      return this.withStopEvent((event) => this.executeRunner(runner, 0, store, event));
    }
    if (role === "runner") return this.withStopEvent((event) => this.superviseRunnerChildren(event));
    if (role === "both" && this.mainProcess === "runner") {
      return this.withStopEvent((event) => this.executeMainRunner(runner, store, event));
    }
    return this.withStopEvent((event) =>
      this.executeAlgorithmSide(algorithm, store, event, role === "both" ? this.nRunners : 0),
    );
  }

  /**
   * One stop event for the run; Ctrl+C sets it (execute then resolves normally, as upstream, after
   * an orderly shutdown).
   */
  private async withStopEvent(body: (event: ExecutionEvent) => Promise<void>): Promise<void> {
    const event = new ExecutionEvent();
    let interrupted = false;
    const removeSigint = onSigint(() => {
      if (!interrupted) this.logger.warn("KeyboardInterrupt received (SIGINT); shutting down.");
      interrupted = true;
      event.set();
    });
    try {
      await body(event);
    } catch (error) {
      if (!interrupted) throw error;
      this.logger.warn("Error during the interrupted shutdown.", error);
    } finally {
      removeSigint();
    }
  }

  /** Serves the store (when managed), forks `nChildren` runners, runs the algorithm, shuts down in order. */
  private async executeAlgorithmSide(
    algorithm: AlgorithmBundle,
    store: LightningStore,
    event: ExecutionEvent,
    nChildren: number,
  ): Promise<void> {
    const started = nowSeconds();
    const server = await this.startServer(store);
    const errors: unknown[] = [];
    try {
      this.children = Array.from({ length: nChildren }, (_, workerId) =>
        this.fork(`runner-${workerId}`, { role: "runner", workerId }, event, errors),
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
      if (nChildren > 0) await failMaroonedAttempts(store, started, this.logger);
    } finally {
      await server
        ?.stop()
        .catch((error: unknown) => this.logger.error("Error stopping the store server.", error));
    }
    this.checkExitCodes(errors);
    if (errors.length > 0) throw errors[0];
  }

  /** role `runner` with several workers: forks them against the remote server and waits. */
  private async superviseRunnerChildren(event: ExecutionEvent): Promise<void> {
    const errors: unknown[] = [];
    this.children = Array.from({ length: this.nRunners }, (_, workerId) =>
      this.fork(`runner-${workerId}`, { role: "runner", workerId }, event, errors),
    );
    await Promise.race([Promise.all(this.children.map((c) => c.exited)), event.wait()]);
    await shutdownProcesses(this.children, event, this);
    this.checkExitCodes(errors);
    if (errors.length > 0) throw errors[0];
  }

  /** role `both`, main process runner: the algorithm and server in a child, runner 0 here. */
  private async executeMainRunner(
    runner: RunnerBundle,
    store: LightningStore,
    event: ExecutionEvent,
  ): Promise<void> {
    const errors: unknown[] = [];
    const algorithmChild = this.fork("algorithm", { role: "algorithm", workerId: 0 }, event, errors);
    this.children = [algorithmChild];
    try {
      if (this.managedStore) {
        const port = await new Promise<number | null>((resolve) => {
          algorithmChild.process.on("message", (message) => {
            if (isControlMessage(message) && message.agl === "ready") resolve(message.port);
          });
          void algorithmChild.exited.then(() => resolve(null));
        });
        if (port === null) throw new Error("The algorithm process exited before its store server was ready.");
        this.serverPort = port;
      }
      await this.executeRunner(runner, 0, store, event);
      // The algorithm finishes its work by itself (upstream joins it without a timeout), unless stopped.
      await Promise.race([algorithmChild.exited, event.wait()]);
    } catch (error) {
      errors.push(error);
    } finally {
      await shutdownProcesses(this.children, event, this);
    }
    this.checkExitCodes(errors);
    if (errors.length > 0) throw errors[0];
  }

  /** Runs one runner worker against the server (managed: a client made and closed here). */
  private async executeRunner(
    runner: RunnerBundle,
    workerId: number,
    store: LightningStore,
    event: ExecutionEvent,
  ): Promise<void> {
    const client = this.managedStore
      ? new LightningStoreClient({ url: this.serverUrl, logger: this.logger })
      : null;
    try {
      await runner(client ?? store, workerId, event, new AbortController().signal);
    } catch (error) {
      event.set();
      throw error;
    } finally {
      await client
        ?.close()
        .catch((error: unknown) => this.logger.error("Error closing the store client.", error));
    }
  }

  private async startServer(store: LightningStore): Promise<LightningStoreServer | null> {
    if (!this.managedStore) return null;
    const host = this.serverHost === "localhost" ? "127.0.0.1" : this.serverHost;
    const server = new LightningStoreServer({ store, host, port: this.serverPort, logger: this.logger });
    await server.start();
    this.serverPort = server.port;
    return server;
  }

  /** Forks a child for `part`; a child that fails or asks to stop sets the event. */
  private fork(name: string, part: ChildRole, event: ExecutionEvent, errors: unknown[]): ChildHandle {
    const child = forkChild(name, this.entry, {
      [AglEnvVars.CURRENT_ROLE]: part.role,
      [AglEnvVars.SERVER_HOST]: this.serverHost,
      [AglEnvVars.SERVER_PORT]: String(this.serverPort),
      [AglEnvVars.MANAGED_STORE]: this.managedStore ? "1" : "0",
      [ChildEnvVars.WORKER_ID]: String(part.workerId),
      [ChildEnvVars.CHILD_OF]: String(process.pid),
    });
    this.logger.info(`Started ${name} (pid ${child.pid}).`);
    child.process.on("message", (message) => {
      if (isControlMessage(message) && message.agl === "stop") event.set();
    });
    child.process.on("error", (error) => {
      if (isChannelClosedError(error)) {
        this.logger.debug(`${name}: a message raced its exit (${String(error)}).`);
        return;
      }
      this.logger.error(`${name} could not be started or signalled.`, error);
      errors.push(error);
      event.set();
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

  /** Records a "Subprocesses failed" error, or only logs it when another error is already on its way. */
  private checkExitCodes(errors: unknown[]): void {
    const failed = this.children.filter(
      (c) => c.exitCode !== null && !this.allowedExitCodes.includes(c.exitCode),
    );
    if (failed.length === 0) return;
    const message = `Subprocesses failed with unexpected exit codes: ${failed.map((c) => `${c.name} (exitcode=${c.exitCode})`).join(", ")}`;
    if (errors.length > 0) this.logger.warn(message);
    else errors.push(new Error(message));
  }

  /**
   * In a forked child: run only the part the parent asked for, then exit the process (code 0, or
   * 1 after an error). A SIGINT or a stop message sets the event (in-flight rollouts finish); a
   * SIGINT once the event is set exits at once (code 0); losing the parent stops the child.
   */
  private async executeAsChild(
    part: ChildRole,
    algorithm: AlgorithmBundle,
    runner: RunnerBundle,
    store: LightningStore,
  ): Promise<never> {
    const event = new ExecutionEvent();
    const removeSigint = onSigint(() => {
      // A SIGINT after the stop was requested (the parent's escalation, a second Ctrl+C) ends now.
      if (event.isSet()) process.exit(0);
      event.set();
    });
    process.on("message", (message) => {
      if (isControlMessage(message) && message.agl === "stop") event.set();
    });
    process.on("disconnect", () => event.set());
    let code = 0;
    try {
      if (part.role === "runner") {
        await this.executeRunner(runner, part.workerId, store, event);
      } else {
        const server = await this.startServer(store);
        process.send?.({ agl: "ready", port: this.serverPort });
        try {
          await algorithm(store, event, new AbortController().signal);
        } finally {
          await server?.stop();
        }
      }
    } catch (error) {
      this.logger.error(`[${part.role} ${part.workerId}] Failed.`, error);
      if (process.connected) process.send?.({ agl: "stop" });
      code = 1;
    } finally {
      removeSigint();
    }
    process.exit(code);
  }
}
