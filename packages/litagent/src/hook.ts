import type { AttemptedRollout, Span } from "@agentlightning/types";
import type { LitAgent } from "./lit-agent.js";
import type { Tracer } from "./tracer-api.js";

/** Arguments of {@link Hook.onRolloutStart}. */
export interface RolloutStartEvent {
  agent: LitAgent<unknown>;
  runner: unknown;
  rollout: AttemptedRollout;
}

/** Arguments of {@link Hook.onTraceStart} and {@link Hook.onTraceEnd}. */
export interface TraceEvent extends RolloutStartEvent {
  tracer: Tracer;
}

/** Arguments of {@link Hook.onRolloutEnd}. */
export interface RolloutEndEvent extends RolloutStartEvent {
  /** The rollout's spans after post-processing; `[]` when the rollout failed. */
  spans: Span[];
}

/**
 * Callbacks around every rollout a runner runs, in this order: `onRolloutStart` →
 * `onTraceStart` (inside the trace scope, before the agent runs) → `onTraceEnd` (after the agent
 * returned, before the scope closes; skipped when it threw) → `onRolloutEnd` (after the result was
 * stored, before the attempt's status is set). Every method may be async and is awaited; one that
 * throws is logged and does not fail the rollout. Extend this class, or pass any object with some
 * of these methods.
 *
 * @example
 * ```ts
 * class CountSpans extends Hook {
 *   override onRolloutEnd({ rollout, spans }: RolloutEndEvent): void {
 *     console.log(rollout.rollout_id, spans.length);
 *   }
 * }
 * ```
 */
export class Hook {
  onRolloutStart(_event: RolloutStartEvent): void | Promise<void> {}
  onTraceStart(_event: TraceEvent): void | Promise<void> {}
  onTraceEnd(_event: TraceEvent): void | Promise<void> {}
  onRolloutEnd(_event: RolloutEndEvent): void | Promise<void> {}
}

/** A hook: a {@link Hook} or any object with some of its methods. */
export type RunnerHook = Partial<Hook>;
