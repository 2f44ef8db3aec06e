// TEMPORARY seam until @agentlightning/tracer lands its contract: the parts of the tracer this
// package uses. Replaced by re-exports from "@agentlightning/tracer".
import type { LightningStore } from "@agentlightning/store";
import {
  generateSpanId,
  generateTraceId,
  nowSeconds,
  type Span,
  type SpanCoreFields,
} from "@agentlightning/types";

export interface TraceOptions {
  name?: string;
  rolloutId?: string;
  attemptId?: string;
  store?: LightningStore;
}

export interface Tracer {
  init(): Promise<void>;
  initWorker(workerId: number | string, store?: LightningStore): Promise<void>;
  teardownWorker(workerId: number | string): Promise<void>;
  teardown(): Promise<void>;
  trace<T>(options: TraceOptions, fn: (tracer: unknown) => Promise<T> | T): Promise<T>;
  getLastTrace(): Span[];
  flush(): Promise<void>;
}

export function emitReward(value: number, _options: { propagate: false }): SpanCoreFields {
  const t = nowSeconds();
  return {
    name: "agentlightning.annotation",
    attributes: { "agentlightning.reward.0.name": "primary", "agentlightning.reward.0.value": value },
    status: { status_code: "OK", description: null },
    start_time: t,
    end_time: t,
  };
}

export function spanFromCoreFields(
  core: SpanCoreFields,
  ids: { rolloutId?: string; attemptId?: string; sequenceId?: number } = {},
): Span {
  const traceId = generateTraceId();
  const spanId = generateSpanId();
  return {
    rollout_id: ids.rolloutId ?? "",
    attempt_id: ids.attemptId ?? "",
    sequence_id: ids.sequenceId ?? 0,
    trace_id: traceId,
    span_id: spanId,
    parent_id: null,
    name: core.name,
    status: core.status,
    attributes: { ...core.attributes },
    events: [],
    links: [],
    start_time: core.start_time || nowSeconds(),
    end_time: core.end_time,
    context: { trace_id: traceId, span_id: spanId, is_remote: false, trace_state: {} },
    parent: null,
    resource: { attributes: {}, schema_url: "" },
  };
}

export function findFinalReward(spans: readonly Span[]): number | null {
  for (let i = spans.length - 1; i >= 0; i--) {
    const value = spans[i]?.attributes["agentlightning.reward.0.value"];
    if (typeof value === "number") return value;
  }
  return null;
}

export function isOtelReadableSpan(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { spanContext?: unknown }).spanContext === "function" &&
    Array.isArray((value as { startTime?: unknown }).startTime)
  );
}

export function otelSpanToSpan(
  _span: unknown,
  _ids: { rolloutId: string; attemptId: string; sequenceId: number },
): Span {
  throw new Error("not yet");
}

export function isOtelTracer(_tracer: Tracer): boolean {
  return false;
}
