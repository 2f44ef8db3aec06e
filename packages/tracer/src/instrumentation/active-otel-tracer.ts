import type { Tracer as OtelApiTracer } from "@opentelemetry/api";
import { getActiveTracer } from "../context/active-tracer.js";
import { getActiveRolloutContext } from "../context/rollout-context.js";
import { OtelTracer } from "../tracer/otel-tracer.js";

/**
 * The OpenTelemetry tracer of the lightning tracer active in the caller's async call chain (an
 * `OtelTracer` or a subclass), or `undefined` when none is active: the call then runs untraced.
 */
export function activeOtelTracer(): OtelApiTracer | undefined {
  const tracer = getActiveTracer();
  return tracer instanceof OtelTracer ? tracer.getOtelTracer() : undefined;
}

/** The rollout and attempt of the enclosing `tracer.trace()` scope, when it has both. */
export function activeRolloutIds(): { rolloutId: string; attemptId: string } | undefined {
  const context = getActiveRolloutContext();
  if (context?.rolloutId === undefined || context.attemptId === undefined) return undefined;
  return { rolloutId: context.rolloutId, attemptId: context.attemptId };
}
