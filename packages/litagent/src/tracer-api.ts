// The parts of @agentlightning/tracer this package uses, in one place.
import { AGL_ANNOTATION, LightningSpanAttributes, OtelTracer, type Tracer } from "@agentlightning/tracer";
import { nowSeconds, type SpanCoreFields } from "@agentlightning/types";

export type { TraceOptions } from "@agentlightning/tracer";
export { findFinalReward, otelSpanToSpan, spanFromCoreFields, Tracer } from "@agentlightning/tracer";

/** Whether the tracer records OpenTelemetry spans itself (spans an agent returns may be duplicates). */
export function isOtelTracer(tracer: Tracer): boolean {
  return tracer instanceof OtelTracer;
}

/**
 * The core fields `emitReward(value, { propagate: false })` returns: an `agentlightning.annotation`
 * span with one primary reward dimension (runtime contract §4.2), status OK, now.
 */
export function rewardCoreFields(value: number): SpanCoreFields {
  const time = nowSeconds();
  const prefix = LightningSpanAttributes.REWARD;
  return {
    name: AGL_ANNOTATION,
    attributes: { [`${prefix}.0.name`]: "primary", [`${prefix}.0.value`]: value },
    status: { status_code: "OK", description: null },
    start_time: time,
    end_time: time,
  };
}
