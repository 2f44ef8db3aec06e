import { TracerTraceToTriplet } from "@agentlightning/tracer/adapters";
import type { Span } from "@agentlightning/types";

/** The tracer's triplet adapter with its defaults, as algorithms run it. */
const adapter = new TracerTraceToTriplet();

/** Triplets and dropped LLM-call spans, exactly as `TracerTraceToTriplet` produces them. */
export function adapterTriplets(spans: readonly Span[]) {
  return adapter.adaptWithDiagnostics([...spans]);
}
