import { type ChildProcess, fork } from "node:child_process";
import { constants } from "node:os";
import type { ExecutionEvent } from "@agentlightning/litagent";
import type { Logger } from "@agentlightning/types";

/** A message between a strategy's parent process and its children (over the fork IPC channel). */
export type ControlMessage =
  | { agl: "stop" }
  | { agl: "ready"; port: number }
  | { agl: "call"; id: number; method: string; args: unknown[] }
  | { agl: "result"; id: number; ok: true; value: unknown }
  | { agl: "result"; id: number; ok: false; error: { name: string; message: string; code?: string } };

/**
 * Whether a child process error is only its IPC channel closing under a send (EPIPE and the like,
 * when a message races the child's exit): not a failure of the child.
 */
export function isChannelClosedError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "EPIPE" || code === "ERR_IPC_CHANNEL_CLOSED" || code === "ECONNRESET";
}

/** Whether `value` is a {@link ControlMessage}. */
export function isControlMessage(value: unknown): value is ControlMessage {
  return typeof value === "object" && value !== null && typeof (value as { agl?: unknown }).agl === "string";
}

/**
 * A Node `(code, signal)` exit status as the upstream number: the code, or −N when killed by
 * signal N (SIGTERM → −15, SIGKILL → −9), so `allowedExitCodes` reads as in Python.
 */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  if (signal !== null) return -(constants.signals[signal] ?? 1);
  return 1;
}

/** The script a child re-executes: the entry script of this process, with its arguments and flags. */
export interface ChildEntry {
  /** Module to run; default `process.argv[1]` (the entry script of this process). */
  script?: string;
  /** Its arguments; default this process's (`process.argv.slice(2)`). */
  args?: readonly string[];
  /** Node flags (`--import tsx`); default this process's `process.execArgv`. */
  execArgv?: readonly string[];
}

/** One child process of a strategy. */
export class ChildHandle {
  readonly name: string;
  readonly process: ChildProcess;
  /** Resolves with the upstream-style exit code once the process exited. */
  readonly exited: Promise<number>;
  /** Signals the strategy sent (its shutdown escalation). */
  readonly sentSignals = new Set<NodeJS.Signals>();
  #exitCode: number | null = null;

  constructor(name: string, child: ChildProcess) {
    this.name = name;
    this.process = child;
    this.exited = new Promise<number>((resolve) => {
      child.once("exit", (code, signal) => {
        this.#exitCode = exitCodeOf(code, signal);
        resolve(this.#exitCode);
      });
    });
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  /** The exit code, null while it runs. */
  get exitCode(): number | null {
    return this.#exitCode;
  }

  /**
   * Whether the exit counts as success given `allowed` codes: also a death by the SIGINT the
   * strategy itself sent (a child still starting up has no handler yet; for a Python child that
   * SIGINT is a swallowed KeyboardInterrupt, exit 0).
   */
  exitedCleanly(allowed: readonly number[]): boolean {
    if (this.#exitCode === null) return false;
    return allowed.includes(this.#exitCode) || (this.#exitCode === -2 && this.sentSignals.has("SIGINT"));
  }

  get alive(): boolean {
    return this.#exitCode === null;
  }

  /** Sends a control message when the channel is open; false otherwise. */
  send(message: ControlMessage): boolean {
    if (!this.process.connected) return false;
    try {
      this.process.send(message);
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * Forks `entry` as child `name` with `env` (added to this process's environment). The IPC channel
 * uses the structured-clone ("advanced") serialization, so store calls keep their value types.
 */
export function forkChild(name: string, entry: ChildEntry, env: Record<string, string>): ChildHandle {
  const script = entry.script ?? process.argv[1];
  if (script === undefined) {
    throw new Error(
      `Cannot start ${name}: this process has no entry script to re-run (a REPL?). Pass the strategy an entry ({ script }) or use the shm strategy.`,
    );
  }
  if (entry.script === undefined && /[\\/]vitest[\\/]/.test(script)) {
    // Re-running argv[1] here would start the test runner again in every child.
    throw new Error(
      `Cannot start ${name} under vitest by re-running the entry script (${script}): pass the strategy an entry ({ script }) naming a module that builds the Trainer, run the training script as its own process, or use the shm strategy.`,
    );
  }
  const child = fork(script, [...(entry.args ?? process.argv.slice(2))], {
    env: { ...process.env, ...env },
    execArgv: [...(entry.execArgv ?? process.execArgv)],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    serialization: "advanced",
  });
  return new ChildHandle(name, child);
}

/**
 * Waits for the children against one shared deadline of `timeout` seconds (a zero or negative
 * remainder still checks), and returns those still alive.
 */
export async function joinUntilDeadline(
  children: readonly ChildHandle[],
  timeout: number,
): Promise<ChildHandle[]> {
  const alive = children.filter((child) => child.alive);
  if (alive.length > 0 && timeout > 0) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(alive.map((child) => child.exited)),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeout * 1000);
      }),
    ]);
    clearTimeout(timer);
  }
  return children.filter((child) => child.alive);
}

/** Applies `action` to each child, logging and suppressing a failure of one. */
export function signalProcesses(
  children: readonly ChildHandle[],
  action: (child: ChildHandle) => void,
  logger: Logger,
): void {
  for (const child of children) {
    try {
      action(child);
    } catch (error) {
      logger.error(`Error signalling ${child.name} (pid ${child.pid}).`, error);
    }
  }
}

/** Options of {@link shutdownProcesses}; seconds. */
export interface ShutdownOptions {
  gracefulTimeout: number;
  terminateTimeout: number;
  logger: Logger;
}

/**
 * Stops children in four steps (orchestration §2.5): set the event (children are told over IPC)
 * and wait `gracefulTimeout`; SIGINT the survivors and wait `terminateTimeout`; SIGTERM; SIGKILL.
 * Resolves once all exited (or, if even SIGKILL did not end one, after logging it).
 */
export async function shutdownProcesses(
  children: readonly ChildHandle[],
  event: ExecutionEvent,
  options: ShutdownOptions,
): Promise<void> {
  if (children.length === 0) return;
  const { logger } = options;
  event.set();
  signalProcesses(children, (child) => child.send({ agl: "stop" }), logger);
  let alive = await joinUntilDeadline(children, options.gracefulTimeout);
  const steps: Array<[NodeJS.Signals, string]> = [
    ["SIGINT", "interrupting"],
    ["SIGTERM", "terminating"],
    ["SIGKILL", "killing"],
  ];
  for (const [signal, verb] of steps) {
    if (alive.length === 0) return;
    logger.warn(
      `Processes still running; ${verb} (${signal}): ${alive.map((c) => `${c.name} (pid ${c.pid})`).join(", ")}.`,
    );
    signalProcesses(
      alive,
      (child) => {
        child.sentSignals.add(signal);
        child.process.kill(signal);
      },
      logger,
    );
    alive = await joinUntilDeadline(alive, options.terminateTimeout);
  }
  if (alive.length > 0) {
    logger.error(
      `Processes still alive after SIGKILL: ${alive.map((c) => `${c.name} (pid ${c.pid})`).join(", ")}.`,
    );
  }
}
