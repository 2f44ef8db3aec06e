import {
  AglError,
  type AglErrorCode,
  type Attempt,
  type AttemptedRollout,
  type Rollout,
  type RolloutConfig,
  type RolloutOrAttempted,
  type Worker,
} from "@agentlightning/types";
import { expect, it } from "vitest";
import type { EnqueueRolloutOptions, LightningStore } from "../store.js";
import type { TestClock } from "./test-clock.js";

/** What every conformance test body receives: a fresh store and the clock it runs on. */
export interface StoreTestContext {
  /** The store under test, created for this test only and closed after it. */
  store: LightningStore;
  /** The store's clock; advance it to trigger timeouts instead of sleeping. */
  clock: TestClock;
}

/** Registers one test that runs `body` against a fresh store (closed afterwards). */
export type StoreTest = (
  name: string,
  body: (ctx: StoreTestContext) => Promise<void>,
  options?: { timeoutMs?: number; scanDebounceSeconds?: number },
) => void;

/** Creates the store of one test; implemented by `describeLightningStore`. */
export type OpenStore = (scanDebounceSeconds: number) => Promise<StoreTestContext>;

/** Builds the `StoreTest` registrar over vitest's `it`. */
export function storeTestRegistrar(open: OpenStore): StoreTest {
  return (name, body, options = {}) => {
    it(
      name,
      async () => {
        const ctx = await open(options.scanDebounceSeconds ?? 0);
        try {
          await body(ctx);
        } finally {
          await ctx.store.close();
        }
      },
      options.timeoutMs,
    );
  };
}

/**
 * Asserts that `promise` rejects with an `AglError` of `code` whose message contains every string
 * of `mentions` (the id or field at fault). Returns the error for further checks.
 */
export async function expectAglError(
  promise: Promise<unknown>,
  code: AglErrorCode,
  ...mentions: string[]
): Promise<AglError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a rejection with AglError ${code}`).toBeDefined();
  expect(AglError.isInstance(caught), `expected an AglError, got ${String(caught)}`).toBe(true);
  const error = caught as AglError;
  expect(error.code, `error code (message: ${error.message})`).toBe(code);
  for (const mention of mentions) expect(error.message).toContain(mention);
  return error;
}

/** Asserts that `promise` rejects with an `AglError` of any code and returns it. */
export async function expectRejection(promise: Promise<unknown>): Promise<AglError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(AglError.isInstance(caught), `expected an AglError, got ${String(caught)}`).toBe(true);
  return caught as AglError;
}

/** Asserts a value is neither null nor undefined and returns it typed. */
export function must<T>(value: T | null | undefined, what = "value"): T {
  expect(value, `${what} should exist`).not.toBeNull();
  expect(value, `${what} should exist`).toBeDefined();
  return value as T;
}

/** Asserts a rollout read carries an `attempt` and returns it typed. */
export function attempted(rollout: RolloutOrAttempted | null | undefined): AttemptedRollout {
  const r = must(rollout, "rollout");
  expect(r, "rollout should carry an attempt").toHaveProperty("attempt");
  return r as AttemptedRollout;
}

/** Reads a rollout that must exist. */
export async function readRollout(store: LightningStore, rolloutId: string): Promise<RolloutOrAttempted> {
  return must(await store.getRolloutById(rolloutId), `rollout ${rolloutId}`);
}

/** A rollout read without its `attempt` key, to compare the rollout's own fields. */
export function withoutAttempt(rollout: RolloutOrAttempted): Rollout {
  const { attempt: _attempt, ...rest } = rollout as AttemptedRollout;
  return rest;
}

/** Reads a worker that must exist. */
export async function readWorker(store: LightningStore, workerId: string): Promise<Worker> {
  return must(await store.getWorkerById(workerId), `worker ${workerId}`);
}

/** All attempts of a rollout, in sequence order. */
export async function readAttempts(store: LightningStore, rolloutId: string): Promise<Attempt[]> {
  return (await store.queryAttempts(rolloutId)).items;
}

/** One attempt of a rollout by id. */
export async function readAttempt(
  store: LightningStore,
  rolloutId: string,
  attemptId: string,
): Promise<Attempt> {
  const found = (await readAttempts(store, rolloutId)).find((a) => a.attempt_id === attemptId);
  return must(found, `attempt ${attemptId}`);
}

/** The object counts of `statistics()` (everything but uptime and name), to prove nothing changed. */
export async function counts(store: LightningStore): Promise<Record<string, number>> {
  const s = await store.statistics();
  return {
    total_rollouts: s.total_rollouts,
    total_attempts: s.total_attempts,
    total_spans: s.total_spans,
    total_resources: s.total_resources,
    total_workers: s.total_workers,
  };
}

/** Enqueues one rollout with `input` (and options) and returns its id. */
export async function enqueueId(
  store: LightningStore,
  input: unknown = null,
  options: Omit<EnqueueRolloutOptions, "input"> = {},
): Promise<string> {
  return (await store.enqueueRollout({ ...options, input })).rollout_id;
}

/** Dequeues one rollout that must be there. */
export async function dequeueOne(store: LightningStore, workerId?: string): Promise<AttemptedRollout> {
  const claimed = await store.dequeueRollout(workerId === undefined ? undefined : { workerId });
  return must(claimed, "dequeued rollout");
}

/** Enqueues a rollout with `config` and claims it at once (attempt 1, preparing). */
export async function claimedRollout(
  store: LightningStore,
  config: Partial<RolloutConfig> | null = null,
  workerId?: string,
): Promise<AttemptedRollout> {
  const id = await enqueueId(store, { task: "claimed" }, { config });
  const claimed = await dequeueOne(store, workerId);
  expect(claimed.rollout_id).toBe(id);
  return claimed;
}

/** Real-time sleep (only for wait_for_rollouts scenarios; the store's clock is fake). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Keys a rollout returned by the store must have (§1.4, §1.14): all declared, nothing else. */
export const ROLLOUT_KEYS = [
  "config",
  "end_time",
  "input",
  "metadata",
  "mode",
  "resources_id",
  "rollout_id",
  "start_time",
  "status",
] as const;

/** Keys of an attempt (§1.5). */
export const ATTEMPT_KEYS = [
  "attempt_id",
  "end_time",
  "last_heartbeat_time",
  "metadata",
  "rollout_id",
  "sequence_id",
  "start_time",
  "status",
  "worker_id",
] as const;

/** Keys of a worker (§1.8). */
export const WORKER_KEYS = [
  "current_attempt_id",
  "current_rollout_id",
  "heartbeat_stats",
  "last_busy_time",
  "last_dequeue_time",
  "last_heartbeat_time",
  "last_idle_time",
  "status",
  "worker_id",
] as const;

/** Keys of a resources snapshot (§1.9). */
export const RESOURCES_KEYS = ["create_time", "resources", "resources_id", "update_time", "version"] as const;

/** The default rollout config (§1.3). */
export const DEFAULT_CONFIG: RolloutConfig = {
  timeout_seconds: null,
  unresponsive_seconds: null,
  max_attempts: 1,
  retry_condition: [],
};

/** Sorted own keys of an object, for exact key-set comparisons. */
export function keysOf(value: object): string[] {
  return Object.keys(value).sort();
}

/**
 * Asserts a timestamp equals the expected clock value. A small tolerance lets backends that store
 * times with microsecond precision pass; the fake clock is years away from the wall clock, so a
 * store that ignores `settings.now` still fails.
 */
export function expectTime(actual: number | null | undefined, expected: number): void {
  expect(typeof actual, "timestamp should be a number").toBe("number");
  expect(Math.abs((actual as number) - expected), `timestamp ${actual} should be ${expected}`).toBeLessThan(
    1e-3,
  );
}
