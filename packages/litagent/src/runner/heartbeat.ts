import type { LightningStore } from "@agentlightning/store";
import type { JsonObject, Logger } from "@agentlightning/types";
import { jitteredMs } from "./jitter.js";

/** Takes the snapshot a heartbeat carries. */
export type SnapshotFunction = (includeGpu: boolean) => Promise<JsonObject> | JsonObject;

/** Settings of {@link emitHeartbeat} and {@link startHeartbeatLoop}. */
export interface HeartbeatOptions {
  store: LightningStore;
  /** The worker ids to beat for (one per runner slot); read at every beat. */
  workerIds: () => readonly string[];
  /** Seconds between beats; also the time limit of the snapshot and of the updates. */
  interval: number;
  /** ± seconds of uniform jitter on the interval. */
  jitter: number;
  includeGpu: boolean;
  snapshot: SnapshotFunction;
  logger: Logger;
  /** Stops the beat: no update starts after it aborts, and pending waits end at once. */
  signal?: AbortSignal;
}

const TIMED_OUT = Symbol("timed out");

/**
 * `promise`, or {@link TIMED_OUT} after `ms` or once `stopped` resolves (the timer does not keep
 * the process alive).
 */
async function withTimeout<T>(
  promise: Promise<T> | T,
  ms: number,
  stopped: Promise<typeof TIMED_OUT>,
): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
    timer.unref();
  });
  try {
    return await Promise.race([Promise.resolve(promise), timeout, stopped]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One promise for "the signal aborted", with one listener however many updates wait on it (so no
 * MaxListenersExceededWarning with hundreds of slots), and its release.
 */
function whenAborted(signal: AbortSignal | undefined): {
  stopped: Promise<typeof TIMED_OUT>;
  release: () => void;
} {
  if (signal === undefined) return { stopped: new Promise(() => {}), release: () => {} };
  let onAbort: () => void = () => {};
  const stopped = new Promise<typeof TIMED_OUT>((resolve) => {
    onAbort = () => resolve(TIMED_OUT);
    if (signal.aborted) resolve(TIMED_OUT);
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  return { stopped, release: () => signal.removeEventListener("abort", onAbort) };
}

// Updates in flight at once: enough for hundreds of slots per beat over HTTP without a burst of
// hundreds of connections.
const UPDATE_CONCURRENCY = 16;

/**
 * One heartbeat (runtime contract §7.7): take a snapshot (skipped with a warning when it takes longer
 * than the interval), then `updateWorker(id, snapshot)` for every worker id, each bounded by the
 * interval too (a slow or failed update is logged and skipped). Never throws. Returns how many
 * updates succeeded.
 */
export async function emitHeartbeat(options: HeartbeatOptions): Promise<number> {
  const { stopped, release } = whenAborted(options.signal);
  try {
    return await beat(options, stopped);
  } finally {
    release();
  }
}

async function beat(options: HeartbeatOptions, stopped: Promise<typeof TIMED_OUT>): Promise<number> {
  const { store, logger, interval } = options;
  const limitMs = interval * 1000;
  let snapshot: JsonObject | typeof TIMED_OUT;
  try {
    snapshot = await withTimeout(options.snapshot(options.includeGpu), limitMs, stopped);
  } catch (error) {
    logger.error("Heartbeat skipped: the system snapshot failed.", error);
    return 0;
  }
  if (options.signal?.aborted) return 0;
  if (snapshot === TIMED_OUT) {
    logger.warn(`Heartbeat skipped: the system snapshot took longer than ${interval} s.`);
    return 0;
  }
  const stats = snapshot;
  const ids = [...options.workerIds()];
  let ok = 0;
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < ids.length && options.signal?.aborted !== true) {
      const workerId = ids[next++] as string;
      try {
        const result = await withTimeout(
          store.updateWorker(workerId, { heartbeatStats: stats }),
          limitMs,
          stopped,
        );
        if (options.signal?.aborted) return;
        if (result === TIMED_OUT)
          logger.warn(`Heartbeat of ${workerId} skipped: updateWorker took longer than ${interval} s.`);
        else ok++;
      } catch (error) {
        logger.error(`Heartbeat failed for ${workerId}: updateWorker raised.`, error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(UPDATE_CONCURRENCY, ids.length) }, lane));
  return ok;
}

/**
 * Beats now and then every `interval ± jitter` seconds until the returned `stop()` is called
 * (one async loop on an unref'd timer). After `stop()` resolves no further update starts. Returns
 * null (no loop) when the interval is ≤ 0, or, with a warning, when there is no worker id.
 */
export function startHeartbeatLoop(options: HeartbeatOptions): (() => Promise<void>) | null {
  const { interval, logger } = options;
  if (!(interval > 0)) return null;
  if (options.workerIds().length === 0) {
    logger.warn("Cannot start heartbeat loop without worker_id.");
    return null;
  }
  const controller = new AbortController();
  const signal =
    options.signal === undefined ? controller.signal : AbortSignal.any([options.signal, controller.signal]);
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  const loop = async (): Promise<void> => {
    while (!signal.aborted) {
      try {
        await emitHeartbeat({ ...options, signal });
      } catch (error) {
        logger.error("Heartbeat failed.", error);
      }
      if (signal.aborted) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, jitteredMs(interval, options.jitter));
        timer.unref();
      });
    }
  };
  const running = loop();
  return async () => {
    controller.abort();
    clearTimeout(timer);
    wake?.();
    await running;
  };
}
