import {
  type Attributes,
  type Logger,
  type Span,
  type SpanCoreFields,
  silentLogger,
  type TraceStatus,
} from "@agentlightning/types";
import {
  createContextKey,
  type HrTime,
  type Tracer as OtelApiTracer,
  context as otelContext,
  trace as otelTrace,
  ROOT_CONTEXT,
} from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, type ReadableSpan, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { currentLastTraceSlot, enterLastTraceSlot } from "../context/last-trace-slot.js";
import {
  getActiveRolloutContext,
  type RolloutContext,
  runWithRolloutContext,
} from "../context/rollout-context.js";
import { LightningResourceAttributes } from "../semconv.js";
import { LightningSpanProcessor, type SpanTransform } from "./lightning-span-processor.js";
import { coreFieldsOf, OtelSpanRecordingContext, toOtelStatus } from "./otel-recording-context.js";
import type { TraceScope } from "./trace-scope.js";
import {
  type OperationTimes,
  type ResolvedTraceOptions,
  type SpanRecordingContext,
  type TraceOptions,
  Tracer,
} from "./tracer.js";

/** Options of {@link OtelTracer}. */
export interface OtelTracerOptions {
  /** Applied in order to each converted span before it is buffered and written (e.g. to map AI SDK spans). */
  spanTransforms?: SpanTransform[];
  /** Flush a rollout's spans this long after the first unwritten one ended (ms). Default 1000. */
  flushIntervalMs?: number;
  /** Flush a rollout's spans once this many wait. Default 100. */
  flushSpanCount?: number;
  /** Unwritten spans one rollout keeps while the store is unreachable (oldest dropped beyond). Default 10,000. */
  maxUnwrittenSpans?: number;
  /** How long the end of `trace()` waits for the last write (ms). Default 10,000. */
  closeTimeoutMs?: number;
  /** Also register the provider as the global OTel tracer provider (for third-party instrumentations). Default false. */
  registerGlobal?: boolean;
  /** Extra resource attributes of every span (`agentlightning.tracer.name` is set to `otel`). */
  resourceAttributes?: Attributes;
  /** More span processors for the provider (e.g. an OTLP exporter), after the Lightning processor. */
  spanProcessors?: SpanProcessor[];
  /** Where warnings about writes and drops go. Default: silent. */
  logger?: Logger;
}

const PROBE_KEY = createContextKey("agentlightning.context-probe");

/**
 * Makes sure the OTel API has a working context manager (spans nest across `await`): if the one
 * registered does not propagate a context through `with`, registers an `AsyncLocalStorage` one.
 */
function ensureContextManager(): void {
  const probe = ROOT_CONTEXT.setValue(PROBE_KEY, true);
  if (otelContext.with(probe, () => otelContext.active().getValue(PROBE_KEY)) === true) return;
  otelContext.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

/** Float seconds as an OTel `HrTime` (a plain number would be read as milliseconds). */
function toHrTime(seconds: number): HrTime {
  const whole = Math.floor(seconds);
  return [whole, Math.round((seconds - whole) * 1e9)];
}

/**
 * A tracer on the OpenTelemetry JS SDK 2.x (runtime contract §3.4): it owns a `BasicTracerProvider`
 * whose {@link LightningSpanProcessor} turns every finished span into a stored span. It records
 * whatever is created through its provider (emitters, operations, instrumentations given
 * {@link getOtelTracer}); it does not instrument LLM clients itself.
 *
 * Each `trace()` scope has its own buffer: finished spans are written with one
 * `store.addManySpans` per flush (the store numbers them), at the end of the scope (awaited), every
 * `flushIntervalMs` and every `flushSpanCount` spans, so a long rollout's spans appear while it runs.
 * Transient write failures keep the spans for the next try; spans the store refuses, and spans
 * still unwritten at teardown, are dropped and logged with counts and the reason.
 *
 * @example
 * ```ts
 * const tracer = new OtelTracer();
 * await tracer.trace({ rolloutId, attemptId, store }, async () => {
 *   emitReward(1.0);
 * });
 * tracer.getLastTrace(); // [the reward span, numbered by the store]
 * ```
 */
export class OtelTracer extends Tracer {
  protected readonly options: OtelTracerOptions;
  protected readonly logger: Logger;
  private provider: BasicTracerProvider | undefined;
  private processorInstance: LightningSpanProcessor | undefined;
  private otelTracer: OtelApiTracer | undefined;
  /** The last scope that ended, process-wide (the fallback of `getLastTrace()`). */
  private lastScope: TraceScope | undefined;

  constructor(options: OtelTracerOptions = {}) {
    super();
    this.options = { ...options };
    this.logger = options.logger ?? silentLogger;
  }

  /** The span processor of the provider. */
  get processor(): LightningSpanProcessor {
    this.ensureProvider();
    return this.processorInstance as LightningSpanProcessor;
  }

  /** The OTel SDK provider this tracer owns (created on first use). */
  getTracerProvider(): BasicTracerProvider {
    return this.ensureProvider();
  }

  /**
   * The OTel API tracer whose spans this tracer records: instrumentations must create their spans
   * with it (or with the global provider when `registerGlobal` is set).
   */
  getOtelTracer(): OtelApiTracer {
    this.ensureProvider();
    return this.otelTracer as OtelApiTracer;
  }

  override async initWorker(
    workerId: number | string,
    store?: Parameters<Tracer["initWorker"]>[1],
  ): Promise<void> {
    await super.initWorker(workerId, store);
    this.ensureProvider();
  }

  /** Writes what is pending, then forgets the worker's store (the provider stays installed). */
  override async teardownWorker(workerId: number | string): Promise<void> {
    await this.flush();
    await super.teardownWorker(workerId);
  }

  /** Writes what it can; drops and logs (counts, reason) what is still unwritten. */
  override async teardown(): Promise<void> {
    if (this.processorInstance) await this.processorInstance.drain();
    await super.teardown();
  }

  override async flush(): Promise<void> {
    if (this.processorInstance) await this.processorInstance.forceFlush();
  }

  override async trace<T>(options: TraceOptions, fn: (tracer: OtelApiTracer) => Promise<T> | T): Promise<T> {
    // Entered synchronously, before the first await, so the caller's continuation sees it.
    enterLastTraceSlot();
    return super.trace(options, fn);
  }

  protected override async runTrace<T>(
    options: ResolvedTraceOptions,
    fn: (tracer: OtelApiTracer) => Promise<T> | T,
  ): Promise<T> {
    const otelTracer = this.getOtelTracer();
    const rolloutContext: RolloutContext = {
      tracer: this,
      store: options.store,
      rolloutId: options.rolloutId,
      attemptId: options.attemptId,
    };
    const scope = this.processor.openScope(rolloutContext, {
      store: options.store,
      rolloutId: options.rolloutId,
      attemptId: options.attemptId,
    });
    currentLastTraceSlot()?.set(this, () => scope.spans());
    try {
      return await runWithRolloutContext(rolloutContext, () => fn(otelTracer));
    } finally {
      await scope.close();
      this.lastScope = scope;
    }
  }

  /**
   * The spans of a trace, in the order they ended, as stored (with the store's sequence ids):
   *
   * * inside a `trace()` scope of this tracer: that scope's spans so far;
   * * after `await tracer.trace(...)`: the spans of the scope that call opened, as long as
   *   `getLastTrace()` is called from the same async function that awaited it (each concurrent
   *   `trace()` call gives its caller's async context its own result, so 100 concurrent rollouts
   *   each read their own spans);
   * * elsewhere: the spans of the scope that ended last in the process (racy with concurrency).
   */
  override getLastTrace(): Span[] {
    const active = this.processorInstance?.scopeOf(getActiveRolloutContext());
    if (active !== undefined) return active.spans();
    const fromSlot = currentLastTraceSlot()?.get(this);
    if (fromSlot !== undefined) return fromSlot();
    return this.lastScope?.spans() ?? this.processorInstance?.spans() ?? [];
  }

  createSpan(
    name: string,
    attributes?: Attributes,
    timestamp?: number | null,
    status?: TraceStatus | null,
  ): SpanCoreFields {
    const startTime = timestamp == null ? undefined : toHrTime(timestamp);
    const span = this.getOtelTracer().startSpan(name, { attributes, startTime });
    if (status != null) span.setStatus(toOtelStatus(status.status_code, status.description));
    span.end(startTime);
    return coreFieldsOf(span as unknown as ReadableSpan);
  }

  async operation<T>(
    name: string,
    attributes: Attributes | undefined,
    fn: (span: SpanRecordingContext) => Promise<T> | T,
    times: OperationTimes = {},
  ): Promise<T> {
    if (times.endTime !== undefined) {
      this.logger.warn("OtelTracer.operation ignores endTime: the span ends when the operation ends");
    }
    const startTime = times.startTime === undefined ? undefined : toHrTime(times.startTime);
    return this.getOtelTracer().startActiveSpan(name, { attributes, startTime }, async (span) => {
      const recording = new OtelSpanRecordingContext(span);
      try {
        return await fn(recording);
      } catch (error) {
        recording.recordException(error);
        throw error;
      } finally {
        span.end();
        recording.markEnded();
      }
    });
  }

  private ensureProvider(): BasicTracerProvider {
    if (this.provider !== undefined) return this.provider;
    ensureContextManager();
    const processor = new LightningSpanProcessor({
      spanTransforms: this.options.spanTransforms,
      flushIntervalMs: this.options.flushIntervalMs,
      flushSpanCount: this.options.flushSpanCount,
      maxUnwrittenSpans: this.options.maxUnwrittenSpans,
      closeTimeoutMs: this.options.closeTimeoutMs,
      logger: this.logger,
    });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({
        ...this.options.resourceAttributes,
        [LightningResourceAttributes.TRACER_NAME]: "otel",
      }),
      spanProcessors: [processor, ...(this.options.spanProcessors ?? [])],
      // Upstream keeps every attribute; an LLM span with a long conversation has hundreds.
      spanLimits: { attributeCountLimit: Number.POSITIVE_INFINITY },
    });
    if (this.options.registerGlobal && !otelTrace.setGlobalTracerProvider(provider)) {
      this.logger.error(
        "A global OpenTelemetry tracer provider is already registered; third-party instrumentations keep " +
          "feeding it. This tracer records only the spans created through getOtelTracer().",
      );
    }
    this.provider = provider;
    this.processorInstance = processor;
    this.otelTracer = provider.getTracer("agentlightning");
    return provider;
  }
}
