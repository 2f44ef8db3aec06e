import { AsyncLocalStorage } from "node:async_hooks";
import type { LightningStore } from "@agentlightning/store";
import type { Tracer } from "../tracer/tracer.js";

/**
 * What a `tracer.trace()` scope makes visible to the code it runs: the tracer, and the store,
 * rollout and attempt the spans are written for. One per scope, kept in `AsyncLocalStorage`, so
 * concurrent rollouts in one process each see their own.
 */
export interface RolloutContext {
  /** The tracer whose `trace()` opened the scope (the active tracer inside it). */
  readonly tracer: Tracer;
  /** The store the scope's spans are written to; absent when spans are only kept locally. */
  readonly store?: LightningStore;
  /** The rollout the spans belong to; absent for a scope without ids. */
  readonly rolloutId?: string;
  /** The attempt the spans belong to; absent for a scope without ids. */
  readonly attemptId?: string;
}

// One storage for the whole process: the context must be found by any emitter, instrumentation or
// tracer instance, whichever copy of the code opened it. It holds no connection, only the current
// scope's descriptor.
const rolloutStorage = new AsyncLocalStorage<RolloutContext>();

/**
 * The rollout context of the current async call chain: the innermost `trace()` scope this code
 * runs in, or `undefined` outside any scope.
 *
 * @example
 * ```ts
 * await tracer.trace({ rolloutId, attemptId, store }, async () => {
 *   getActiveRolloutContext()?.rolloutId; // rolloutId
 * });
 * ```
 */
export function getActiveRolloutContext(): RolloutContext | undefined {
  return rolloutStorage.getStore();
}

/**
 * Runs `fn` with `context` as the active rollout context (and its tracer as the active tracer).
 * Tracers call it from `trace()`; code that starts its own scopes (tests, custom tracers) may too.
 */
export function runWithRolloutContext<T>(context: RolloutContext, fn: () => T): T {
  return rolloutStorage.run(context, fn);
}
