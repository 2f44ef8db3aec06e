import { type Logger, type Span, silentLogger } from "@agentlightning/types";
import { type Context, TraceFlags } from "@opentelemetry/api";
import type { ReadableSpan, Span as SdkSpan, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { getActiveRolloutContext, type RolloutContext } from "../context/rollout-context.js";
import { otelSpanToSpan } from "./span-conversion.js";
import { type ScopeTarget, type SpanWriteSettings, TraceScope } from "./trace-scope.js";

/** A function applied to each converted span before it is buffered (and written). */
export type SpanTransform = (span: Span) => Span;

/** Options of {@link LightningSpanProcessor}. */
export interface LightningSpanProcessorOptions {
  /** Applied in order to every converted span before it is buffered. */
  spanTransforms?: readonly SpanTransform[];
  /** Flush a scope's spans this long after the first unwritten one ended (ms). Default 1000. */
  flushIntervalMs?: number;
  /** Flush a scope's spans once this many wait. Default 100. */
  flushSpanCount?: number;
  /** Unwritten spans a scope keeps while the store is unreachable. Default 10,000. */
  maxUnwrittenSpans?: number;
  /** How long the end of a trace waits for its last write (ms). Default 10,000 (upstream's 10 s). */
  closeTimeoutMs?: number;
  /** Spans kept from outside any scope (the oldest beyond it are forgotten). Default 10,000. */
  maxUnscopedSpans?: number;
  logger?: Logger;
}

const ROLLOUT_DUMMY = "rollout-dummy";
const ATTEMPT_DUMMY = "attempt-dummy";

/**
 * The span processor that turns finished OTel spans into stored {@link Span}s (runtime contract §3.4,
 * TypeScript design). A span belongs to the trace scope that was active (in `AsyncLocalStorage`)
 * when it **started**, so spans of concurrent rollouts never mix; a span started outside any scope
 * goes to the processor-wide scope of {@link withContext} (the upstream parity mode), else to a
 * local list. Each scope buffers its spans and writes them in batches (see `TraceScope`).
 *
 * Only sampled spans with a span context are recorded. `onEnd` never throws.
 */
export class LightningSpanProcessor implements SpanProcessor {
  private readonly settings: SpanWriteSettings;
  private readonly transforms: readonly SpanTransform[];
  private readonly maxUnscoped: number;
  /** Scopes opened by tracers, by the rollout context object they run in. */
  private readonly scopes = new WeakMap<RolloutContext, TraceScope>();
  /** The scope each started span belongs to. */
  private readonly spanScopes = new WeakMap<object, TraceScope>();
  /** Scopes with unwritten spans (flushed by `forceFlush`, drained by `shutdown`). */
  private readonly pending = new Set<TraceScope>();
  /** The processor-wide scope (upstream's `with processor` / `with_context`), while one is open. */
  private processorScope: TraceScope | undefined;
  /** The last processor-wide scope (its spans stay readable after it closed). */
  private lastProcessorScope: TraceScope | undefined;
  /** Spans ended outside any scope. */
  private unscoped: Span[] = [];
  private localSequence = 0;
  private shutDown = false;

  constructor(options: LightningSpanProcessorOptions = {}) {
    this.transforms = options.spanTransforms ?? [];
    this.maxUnscoped = options.maxUnscopedSpans ?? 10_000;
    this.settings = {
      flushIntervalMs: options.flushIntervalMs ?? 1000,
      flushSpanCount: options.flushSpanCount ?? 100,
      maxUnwrittenSpans: options.maxUnwrittenSpans ?? 10_000,
      closeTimeoutMs: options.closeTimeoutMs ?? 10_000,
      logger: options.logger ?? silentLogger,
      nextLocalSequenceId: () => this.localSequence++,
    };
  }

  /** Opens the scope of a `trace()` running in `context` (the spans started in it go there). */
  openScope(context: RolloutContext, target: ScopeTarget): TraceScope {
    const scope = this.newScope(target);
    this.scopes.set(context, scope);
    return scope;
  }

  /** The scope opened for `context`, if this processor opened one. */
  scopeOf(context: RolloutContext | undefined): TraceScope | undefined {
    return context === undefined ? undefined : this.scopes.get(context);
  }

  /**
   * Upstream's processor-wide scope (`with processor:` / `with_context(store, rollout_id,
   * attempt_id)`): spans that started outside any tracer scope while `fn` runs belong to it.
   * Entering it resets the buffer; after it the spans stay readable through {@link spans}.
   * Prefer `tracer.trace()`, which is per async context.
   */
  async withContext<T>(target: ScopeTarget, fn: () => Promise<T> | T): Promise<T> {
    const scope = this.newScope(target);
    this.processorScope = scope;
    this.lastProcessorScope = scope;
    try {
      return await fn();
    } finally {
      if (this.processorScope === scope) this.processorScope = undefined;
      await scope.close();
    }
  }

  /** The spans of the last processor-wide scope, else those ended outside any scope. */
  spans(): Span[] {
    return this.lastProcessorScope?.spans() ?? [...this.unscoped];
  }

  onStart(span: SdkSpan, _parentContext: Context): void {
    const scope = this.scopeOf(getActiveRolloutContext());
    if (scope !== undefined) this.spanScopes.set(span, scope);
  }

  onEnd(span: ReadableSpan): void {
    try {
      const context = span.spanContext();
      if (!context || (context.traceFlags & TraceFlags.SAMPLED) === 0) return;
      const scope = this.spanScopes.get(span) ?? this.processorScope;
      const target = scope?.target;
      let converted = otelSpanToSpan(span, {
        rolloutId: target?.rolloutId ?? ROLLOUT_DUMMY,
        attemptId: target?.attemptId ?? ATTEMPT_DUMMY,
        sequenceId: 0,
      });
      for (const transform of this.transforms) converted = transform(converted);
      if (scope !== undefined) {
        scope.add(converted);
        return;
      }
      converted.sequence_id = this.settings.nextLocalSequenceId();
      this.unscoped.push(converted);
      if (this.unscoped.length > this.maxUnscoped)
        this.unscoped.splice(0, this.unscoped.length - this.maxUnscoped);
    } catch (error) {
      this.settings.logger.error(`Could not record span '${span.name}': ${String(error)}`);
    }
  }

  /** Writes the unwritten spans of every scope now. */
  async forceFlush(): Promise<void> {
    await Promise.all([...this.pending].map((scope) => scope.flush()));
  }

  /** Writes what it can, then drops (and logs) what is still unwritten. Idempotent. */
  async shutdown(): Promise<void> {
    if (this.shutDown) return;
    this.shutDown = true;
    await this.drain();
  }

  /** One last write of every scope's spans; drops (and logs) what cannot be written. */
  async drain(): Promise<void> {
    await Promise.all([...this.pending].map((scope) => scope.drain()));
  }

  /** Scopes with unwritten spans (for diagnostics and tests). */
  get pendingScopes(): number {
    return this.pending.size;
  }

  private newScope(target: ScopeTarget): TraceScope {
    const scope = new TraceScope(target, this.settings);
    scope.onPendingChange = (s, pending) => {
      if (pending) this.pending.add(s);
      else this.pending.delete(s);
    };
    return scope;
  }
}
