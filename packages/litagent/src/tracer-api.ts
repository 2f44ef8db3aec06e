// The parts of @agentlightning/tracer this package uses, in one place.
import { OtelTracer, type Tracer } from "@agentlightning/tracer";

export type { TraceOptions } from "@agentlightning/tracer";
export {
  emitReward,
  findFinalReward,
  otelSpanToSpan,
  spanFromCoreFields,
  Tracer,
  TracerTraceToTriplet,
} from "@agentlightning/tracer";

/** Whether the tracer records OpenTelemetry spans itself (spans an agent returns may be duplicates). */
export function isOtelTracer(tracer: Tracer): boolean {
  return tracer instanceof OtelTracer;
}
