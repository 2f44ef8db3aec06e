import {
  AglError,
  type Attributes,
  nowSeconds,
  type SpanCoreFields,
  type StatusCode,
  type TraceStatus,
} from "@agentlightning/types";
import { formatExceptionAttributes } from "../utils/attributes.js";
import { type OperationTimes, type SpanRecordingContext, Tracer } from "./tracer.js";

/** Options of {@link DummyTracer}. */
export interface DummyTracerOptions {
  /** Clock in float seconds since the epoch (tests pass a fake one). Default: the wall clock. */
  now?: () => number;
}

/** The message of an error, as `String(err)` would put it for an `Error` (without the name). */
export function errorDescription(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The recording handle of a {@link DummyTracer} operation: records into plain core fields; the
 * span is final once the operation ended.
 */
export class DummySpanRecordingContext implements SpanRecordingContext {
  private readonly fields: SpanCoreFields;
  private finalized = false;

  constructor(name: string, attributes: Attributes, startTime: number) {
    this.fields = {
      name,
      attributes: { ...attributes },
      status: { status_code: "OK", description: null },
      start_time: startTime,
      end_time: null,
    };
  }

  recordException(error: unknown): void {
    this.recordStatus("ERROR", errorDescription(error));
    Object.assign(this.fields.attributes, formatExceptionAttributes(error));
  }

  recordAttributes(attributes: Attributes): void {
    Object.assign(this.fields.attributes, attributes);
  }

  recordStatus(code: StatusCode, description: string | null = null): void {
    this.fields.status = { status_code: code, description };
  }

  /** Ends the span at `endTime` (once). Called by the tracer when the operation ends. */
  finalize(endTime: number): void {
    if (this.fields.end_time === null) this.fields.end_time = endTime;
    this.finalized = true;
  }

  getRecordedSpan(): SpanCoreFields {
    if (!this.finalized) {
      throw new AglError("invalid_argument", "The operation is still running: call finalize first");
    }
    return { ...this.fields, attributes: { ...this.fields.attributes }, status: { ...this.fields.status } };
  }
}

/**
 * A tracer with no backend and no store: `createSpan` and `operation` only build the core fields
 * they would record. Emitters use it when `propagate` is false. It keeps no traces (`trace()` and
 * `getLastTrace()` throw `unsupported`).
 */
export class DummyTracer extends Tracer {
  private readonly now: () => number;

  constructor(options: DummyTracerOptions = {}) {
    super();
    this.now = options.now ?? nowSeconds;
  }

  createSpan(
    name: string,
    attributes?: Attributes,
    timestamp?: number | null,
    status?: TraceStatus | null,
  ): SpanCoreFields {
    const time = timestamp ?? this.now();
    return {
      name,
      attributes: { ...(attributes ?? {}) },
      status: status ?? { status_code: "OK", description: null },
      start_time: time,
      end_time: time,
    };
  }

  async operation<T>(
    name: string,
    attributes: Attributes | undefined,
    fn: (span: SpanRecordingContext) => Promise<T> | T,
    times: OperationTimes = {},
  ): Promise<T> {
    const recording = new DummySpanRecordingContext(name, attributes ?? {}, times.startTime ?? this.now());
    try {
      const result = await fn(recording);
      recording.finalize(times.endTime ?? this.now());
      return result;
    } catch (error) {
      recording.recordException(error);
      recording.finalize(times.endTime ?? this.now());
      throw error;
    }
  }
}
