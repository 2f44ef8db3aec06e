import type { LightningStore } from "@agentlightning/store";
import {
  AglError,
  type Attributes,
  type Span,
  type SpanCoreFields,
  type StatusCode,
  type TraceStatus,
} from "@agentlightning/types";
import type { Tracer as OtelApiTracer } from "@opentelemetry/api";
import { getActiveRolloutContext } from "../context/rollout-context.js";

/** Options of {@link Tracer.trace}. */
export interface TraceOptions {
  /** A name for the trace (kept for parity; `OtelTracer` ignores it, subclasses may name a root span with it). */
  name?: string;
  /** The rollout the spans belong to. Give both ids or neither. */
  rolloutId?: string;
  /** The attempt the spans belong to. Give both ids or neither. */
  attemptId?: string;
  /** Where the spans are written; defaults to the store given to {@link Tracer.initWorker}. */
  store?: LightningStore;
}

/** A {@link TraceOptions} after the ids rule was checked: ids and store together, or none of them. */
export type ResolvedTraceOptions =
  | { name?: string; rolloutId: string; attemptId: string; store: LightningStore }
  | { name?: string; rolloutId?: undefined; attemptId?: undefined; store?: undefined };

/**
 * The handle code inside an operation span gets: it records on the span; the tracer opens and
 * closes it. After the scope ended, {@link getRecordedSpan} returns what was recorded.
 */
export interface SpanRecordingContext {
  /** Records an error: status ERROR with the error's message, plus the exception attributes or event. */
  recordException(error: unknown): void;
  /** Merges attributes into the span. */
  recordAttributes(attributes: Attributes): void;
  /** Replaces the span's status. */
  recordStatus(code: StatusCode, description?: string | null): void;
  /**
   * The span's core fields.
   * @throws AglError `invalid_argument` while the operation is still running (the span is not final).
   */
  getRecordedSpan(): SpanCoreFields;
}

/** Extra settings of {@link Tracer.operation}. */
export interface OperationTimes {
  /** Start of the span, float seconds since the epoch (default: now). */
  startTime?: number;
  /** End of the span, float seconds (`DummyTracer` only; `OtelTracer` ends spans when the scope ends). */
  endTime?: number;
}

/**
 * The tracer contract (runtime contract §3.2): a lifecycle (`init` once, `initWorker` per worker,
 * `teardownWorker`, `teardown`), a trace scope bound to a rollout and attempt whose spans reach
 * the store, the spans of the last scope, one-shot spans and operation scopes.
 *
 * Inside {@link trace} the tracer is the active tracer of that async call chain (emitters find
 * it there), and a nested `trace()` in the same chain is an error. Concurrent `trace()` calls from
 * different async chains are independent.
 */
export abstract class Tracer {
  /** The worker id given to {@link initWorker}, if any. */
  protected workerId: number | string | undefined;
  /** The store given to {@link initWorker}: the default of {@link trace}. */
  protected workerStore: LightningStore | undefined;

  /** Once per process, before any worker. The base does nothing. */
  async init(): Promise<void> {}

  /** Once per worker: remembers the id and the store that traces of rollouts are written to. */
  async initWorker(workerId: number | string, store?: LightningStore): Promise<void> {
    this.workerId = workerId;
    if (store !== undefined) this.workerStore = store;
  }

  /** Undoes {@link initWorker}. The base forgets the store. */
  async teardownWorker(_workerId: number | string): Promise<void> {
    this.workerStore = undefined;
  }

  /** Undoes {@link init}. The base does nothing. */
  async teardown(): Promise<void> {}

  /**
   * Runs `fn` as one trace: the spans it produces are collected (see {@link getLastTrace}) and, when
   * both ids are given, attributed to that rollout and attempt and written to the store (the one in
   * `options`, else the worker's). Resolves once the spans are written (or given up on).
   *
   * @throws AglError `invalid_argument` when exactly one id is given, or both without a store;
   *   `conflict` when called inside another `trace()` scope of the same async call chain.
   */
  async trace<T>(options: TraceOptions, fn: (tracer: OtelApiTracer) => Promise<T> | T): Promise<T> {
    const resolved = this.resolveTraceOptions(options ?? {});
    if (getActiveRolloutContext() !== undefined) {
      throw new AglError(
        "conflict",
        "trace() was called inside another trace() scope; nested trace scopes are not supported",
      );
    }
    return this.runTrace(resolved, fn);
  }

  /**
   * The body of {@link trace} after the checks: open the scope (with `runWithRolloutContext`), run
   * `fn`, write the spans. Tracers that support traces override it; the base throws.
   */
  protected runTrace<T>(
    _options: ResolvedTraceOptions,
    _fn: (tracer: OtelApiTracer) => Promise<T> | T,
  ): Promise<T> {
    return Promise.reject(
      new AglError("unsupported", `${this.constructor.name} does not support trace(); use OtelTracer`),
    );
  }

  /**
   * The spans of the trace scope that ended last in the caller's async call chain (inside a scope:
   * the spans so far). See the implementing tracer for details. The base throws.
   */
  getLastTrace(): Span[] {
    throw new AglError("unsupported", `${this.constructor.name} does not keep traces; use OtelTracer`);
  }

  /**
   * Emits one span now: start = end = `timestamp` (float seconds) or now. Returns its core fields.
   */
  abstract createSpan(
    name: string,
    attributes?: Attributes,
    timestamp?: number | null,
    status?: TraceStatus | null,
  ): SpanCoreFields;

  /**
   * Runs `fn` inside a span named `name` that covers the call: children nest under it, an error
   * thrown by `fn` is recorded (status ERROR) and re-thrown.
   */
  abstract operation<T>(
    name: string,
    attributes: Attributes | undefined,
    fn: (span: SpanRecordingContext) => Promise<T> | T,
    times?: OperationTimes,
  ): Promise<T>;

  /** Writes every buffered span now (where a tracer buffers). The base has nothing to write. */
  async flush(): Promise<void> {}

  /**
   * `init()` → `initWorker(0, store)` → `fn()` → `teardownWorker(0)` → `teardown()`; only the steps
   * that succeeded are undone, also when `fn` throws.
   */
  async lifespan<T>(store: LightningStore | undefined, fn: () => Promise<T> | T): Promise<T> {
    await this.init();
    try {
      await this.initWorker(0, store);
      try {
        return await fn();
      } finally {
        await this.teardownWorker(0);
      }
    } finally {
      await this.teardown();
    }
  }

  /** The ids rule of `trace()`: both ids with a store, or neither id. */
  protected resolveTraceOptions(options: TraceOptions): ResolvedTraceOptions {
    const { rolloutId, attemptId, name } = options;
    if ((rolloutId === undefined) !== (attemptId === undefined)) {
      throw new AglError(
        "invalid_argument",
        "rolloutId and attemptId must be either all provided or all absent",
      );
    }
    if (rolloutId === undefined || attemptId === undefined) return { name };
    const store = options.store ?? this.workerStore;
    if (store === undefined) {
      throw new AglError(
        "invalid_argument",
        "store is required when rolloutId and attemptId are provided (pass it to trace() or initWorker())",
      );
    }
    return { name, rolloutId, attemptId, store };
  }
}
