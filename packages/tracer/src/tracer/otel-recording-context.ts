import { AglError, type Attributes, type SpanCoreFields, type StatusCode } from "@agentlightning/types";
import { type Span as OtelSpan, SpanStatusCode } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { formatExceptionAttributes } from "../utils/attributes.js";
import { errorDescription } from "./dummy-tracer.js";
import { hrTimeToSeconds, toAttributes } from "./span-conversion.js";
import type { SpanRecordingContext } from "./tracer.js";

const STATUS_CODES: Record<StatusCode, SpanStatusCode> = {
  UNSET: SpanStatusCode.UNSET,
  OK: SpanStatusCode.OK,
  ERROR: SpanStatusCode.ERROR,
};

/** A wire status as an OTel status. */
export function toOtelStatus(code: StatusCode, description?: string | null) {
  return description == null
    ? { code: STATUS_CODES[code] }
    : { code: STATUS_CODES[code], message: description };
}

/** The core fields of a finished SDK span. */
export function coreFieldsOf(span: ReadableSpan): SpanCoreFields {
  const name = span.status.code;
  return {
    name: span.name,
    attributes: toAttributes(span.attributes),
    status: {
      status_code: name === SpanStatusCode.OK ? "OK" : name === SpanStatusCode.ERROR ? "ERROR" : "UNSET",
      description: span.status.message ?? null,
    },
    start_time: hrTimeToSeconds(span.startTime),
    end_time: span.ended ? hrTimeToSeconds(span.endTime) : null,
  };
}

/** The recording handle of an `OtelTracer` operation: records on the live OTel span. */
export class OtelSpanRecordingContext implements SpanRecordingContext {
  private ended = false;

  constructor(private readonly span: OtelSpan) {}

  /**
   * Adds the OTel `exception` event, the `exception.*` attributes, and status ERROR with the
   * error's message.
   */
  recordException(error: unknown): void {
    const exception = error instanceof Error ? error : String(error);
    this.span.recordException(exception);
    this.span.setAttributes(formatExceptionAttributes(error));
    this.span.setStatus(toOtelStatus("ERROR", errorDescription(error)));
  }

  recordAttributes(attributes: Attributes): void {
    this.span.setAttributes(attributes);
  }

  recordStatus(code: StatusCode, description?: string | null): void {
    this.span.setStatus(toOtelStatus(code, description));
  }

  /** Marks the span ended (the tracer ends the OTel span). */
  markEnded(): void {
    this.ended = true;
  }

  getRecordedSpan(): SpanCoreFields {
    if (!this.ended)
      throw new AglError("invalid_argument", "The operation is still running: call finalize first");
    return coreFieldsOf(this.span as unknown as ReadableSpan);
  }
}
