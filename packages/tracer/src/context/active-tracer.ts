import { AglError } from "@agentlightning/types";
import type { Tracer } from "../tracer/tracer.js";
import { getActiveRolloutContext } from "./rollout-context.js";

// The process-wide slot of the Python registry, kept for code that sets a tracer outside any
// `trace()` scope. Inside a scope the scope's tracer wins (read from AsyncLocalStorage), so
// concurrent rollouts never see each other's tracer through it.
let globalTracer: Tracer | null = null;

/**
 * The tracer emitters write to: the tracer of the innermost `trace()` scope around the caller,
 * else the one set with {@link setActiveTracer}, else `null`.
 */
export function getActiveTracer(): Tracer | null {
  return getActiveRolloutContext()?.tracer ?? globalTracer;
}

/**
 * Makes `tracer` the process-wide active tracer (used outside `trace()` scopes).
 * @throws AglError `conflict` when one is already set (clear it first).
 */
export function setActiveTracer(tracer: Tracer): void {
  if (globalTracer !== null) {
    throw new AglError(
      "conflict",
      "An active tracer is already set; call clearActiveTracer() before setting another one",
    );
  }
  globalTracer = tracer;
}

/** Empties the process-wide active tracer slot (scopes opened by `trace()` are not affected). */
export function clearActiveTracer(): void {
  globalTracer = null;
}
