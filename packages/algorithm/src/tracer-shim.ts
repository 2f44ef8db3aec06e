// TEMPORARY: stands in for @agentlightning/tracer's reward reader and adapters until they land.
import type { Span } from "@agentlightning/types";

export class TraceToMessages {
  adapt(_spans: Span[]): unknown[] {
    return [];
  }
}

export class TracerTraceToTriplet {
  adapt(_spans: Span[]): unknown[] {
    return [];
  }
}

export class LlmProxyTraceToTriplet {
  adapt(_spans: Span[]): unknown[] {
    return [];
  }
}
