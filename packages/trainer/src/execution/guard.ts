import type { ExecutionEvent } from "@agentlightning/litagent";
import type { Logger } from "@agentlightning/types";

const sleep = (ms: number) =>
  new Promise<"timeout">((resolve) => {
    setTimeout(() => resolve("timeout"), ms).unref();
  });

/** Options of {@link runUntilCompletedOrCanceled}. */
export interface GuardOptions {
  /** Seconds a bundle may take to finish by itself once the event is set, and again after abort. */
  gracefulDelay: number;
  logger: Logger;
  /** Names the bundle in logs. */
  name?: string;
}

/**
 * Runs a bundle until it completes, or until the stop event is set and it did not finish in time
 * (upstream `_run_until_completed_or_canceled`, orchestration §2.4 step 6): once `event` is set it
 * gets `gracefulDelay` seconds; then its `signal` is aborted and it gets a second `gracefulDelay`;
 * then it is abandoned (its promise keeps running, nobody awaits it). Resolves with the bundle's
 * result, or null when it was cancelled or abandoned; a bundle error is re-thrown (an abort
 * error after cancellation counts as cancelled).
 */
export async function runUntilCompletedOrCanceled<T>(
  bundle: (signal: AbortSignal) => Promise<T>,
  event: ExecutionEvent,
  options: GuardOptions,
): Promise<T | null> {
  const { logger } = options;
  const prefix = options.name === undefined ? "" : `[${options.name}] `;
  const cancel = new AbortController();
  let settled = false;
  const task = Promise.resolve()
    .then(() => bundle(cancel.signal))
    .finally(() => {
      settled = true;
    });
  // Observed here so a late rejection of an abandoned task is never "unhandled".
  task.catch(() => {});
  const first = await Promise.race([
    task.then(() => "done" as const),
    event.wait().then(() => "stop" as const),
  ]);
  if (first === "done" || settled) return task;
  const graceMs = options.gracefulDelay * 1000;
  if (
    (await Promise.race([
      task.then(
        () => "done" as const,
        () => "done" as const,
      ),
      sleep(graceMs),
    ])) === "done"
  ) {
    logger.debug(`${prefix}Bundle finished by itself during grace period.`);
    return task;
  }
  logger.warn(`${prefix}Graceful delay elapsed; canceling bundle task...`);
  cancel.abort(new DOMException("The bundle was cancelled.", "AbortError"));
  if (
    (await Promise.race([
      task.then(
        () => "done" as const,
        () => "done" as const,
      ),
      sleep(graceMs),
    ])) === "done"
  ) {
    try {
      await task;
    } catch (error) {
      if (!isAbortError(error)) throw error;
    }
    return null;
  }
  logger.error(`${prefix}Bundle did not stop after cancellation; abandoning task.`);
  return null;
}

/** An `AbortError` (DOMException or Error named so). */
export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === "AbortError";
}
