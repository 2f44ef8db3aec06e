import { AglError, type Logger, silentLogger } from "@agentlightning/types";
import type { Context } from "@opentelemetry/api";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import type { ReadableSpan, Span as SdkSpan, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { LightningResourceAttributes } from "../../semconv.js";
import { activeRolloutIds } from "../active-otel-tracer.js";

/** Options of {@link LightningOtlpSpanProcessor}. */
export interface LightningOtlpSpanProcessorOptions {
  /**
   * Where to send the spans: the store's OTLP/HTTP traces endpoint (`<store url>/v1/traces`), or
   * a store client, whose `otlpTracesEndpoint()` gives it.
   */
  endpoint: string | { otlpTracesEndpoint(): string };
  /** Extra request headers (e.g. `Authorization` when the store asks for an API key). */
  headers?: Record<string, string>;
  /** Send as soon as this many spans wait (default 512). */
  maxBatchSize?: number;
  /** Send waiting spans this often, in milliseconds (default 1000; the timer never keeps Node alive). */
  flushIntervalMs?: number;
  /** Spans kept for a retry after transient failures (default 10,000); older ones are dropped, and logged. */
  maxQueueSize?: number;
  /** The `fetch` to post with (default: the global one). */
  fetch?: typeof globalThis.fetch;
  logger?: Logger;
}

/** Running totals of a {@link LightningOtlpSpanProcessor} (see its `stats()`). */
export interface OtlpExportStats {
  /** Spans the store accepted. */
  exported: number;
  /** Spans dropped for good (rejected by the store, or over the queue limit). */
  dropped: number;
  /** Spans waiting for the next try. */
  pending: number;
}

function endpointOf(endpoint: LightningOtlpSpanProcessorOptions["endpoint"]): string {
  if (typeof endpoint === "string") return endpoint;
  if (
    endpoint !== null &&
    typeof endpoint === "object" &&
    typeof endpoint.otlpTracesEndpoint === "function"
  ) {
    return endpoint.otlpTracesEndpoint();
  }
  throw new AglError(
    "invalid_argument",
    "LightningOtlpSpanProcessor: endpoint must be the store's /v1/traces URL or a store client",
  );
}

/**
 * An OpenTelemetry span processor that sends spans to a LightningStore's OTLP/HTTP endpoint
 * (`/v1/traces`, protobuf), for code instrumented with any OpenTelemetry instrumentation and its
 * own tracer provider. Each span started inside a `tracer.trace()` scope gets the scope's
 * `agentlightning.rollout_id` / `agentlightning.attempt_id` as span attributes when it starts
 * (the store files it under that rollout and numbers it); spans started outside any rollout scope
 * are not sent. Spans are sent in batches (size and timer), and `forceFlush()` sends the rest.
 * A transient failure (network, 5xx, 429) keeps the batch for the next try; a rejection (other
 * 4xx: unknown rollout, invalid attribute) drops it and logs how many spans and why.
 *
 * @example
 * ```ts
 * const provider = new BasicTracerProvider({
 *   spanProcessors: [new LightningOtlpSpanProcessor({ endpoint: store })], // a LightningStoreClient
 * });
 * ```
 */
export class LightningOtlpSpanProcessor implements SpanProcessor {
  private readonly url: string;
  private readonly headers: Record<string, string>;
  private readonly maxBatchSize: number;
  private readonly maxQueueSize: number;
  private readonly fetch: typeof globalThis.fetch;
  private readonly logger: Logger;
  private queue: ReadableSpan[] = [];
  private sending: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setInterval> | undefined;
  private closed = false;
  private readonly totals: OtlpExportStats = { exported: 0, dropped: 0, pending: 0 };

  constructor(options: LightningOtlpSpanProcessorOptions) {
    this.url = endpointOf(options?.endpoint);
    this.headers = { ...(options.headers ?? {}) };
    this.maxBatchSize = options.maxBatchSize ?? 512;
    this.maxQueueSize = options.maxQueueSize ?? 10_000;
    if (!Number.isInteger(this.maxBatchSize) || this.maxBatchSize < 1) {
      throw new AglError(
        "invalid_argument",
        `maxBatchSize must be a positive integer, got ${options.maxBatchSize}`,
      );
    }
    if (!Number.isInteger(this.maxQueueSize) || this.maxQueueSize < this.maxBatchSize) {
      throw new AglError(
        "invalid_argument",
        `maxQueueSize must be an integer >= maxBatchSize, got ${options.maxQueueSize}`,
      );
    }
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.logger = options.logger ?? silentLogger;
    const interval = options.flushIntervalMs ?? 1000;
    if (interval > 0) {
      this.timer = setInterval(() => void this.send(), interval);
      this.timer.unref?.();
    }
  }

  /** Stamps the rollout and attempt of the enclosing `tracer.trace()` scope on the span. */
  onStart(span: SdkSpan, _parentContext: Context): void {
    const ids = activeRolloutIds();
    if (ids === undefined) return;
    span.setAttribute(LightningResourceAttributes.ROLLOUT_ID, ids.rolloutId);
    span.setAttribute(LightningResourceAttributes.ATTEMPT_ID, ids.attemptId);
  }

  /** Queues a span that belongs to a rollout; sends when a batch is full. */
  onEnd(span: ReadableSpan): void {
    if (this.closed) return;
    if (typeof span.attributes[LightningResourceAttributes.ROLLOUT_ID] !== "string") return;
    if (typeof span.attributes[LightningResourceAttributes.ATTEMPT_ID] !== "string") return;
    this.queue.push(span);
    if (this.queue.length > this.maxQueueSize) {
      const over = this.queue.length - this.maxQueueSize;
      this.queue.splice(0, over);
      this.totals.dropped += over;
      this.logger.error(`OTLP export: queue over ${this.maxQueueSize} spans; dropped the ${over} oldest`);
    }
    if (this.queue.length >= this.maxBatchSize) void this.send();
  }

  /** Sends every queued span now (a batch that fails transiently stays queued; see {@link stats}). */
  async forceFlush(): Promise<void> {
    await this.send();
  }

  /** Running totals of exported, dropped and pending spans. */
  stats(): OtlpExportStats {
    return { ...this.totals, pending: this.queue.length };
  }

  /**
   * Sends what is queued and stops the timer. Spans still unsent after that last try are dropped,
   * and logged with their count. Later spans are ignored.
   */
  async shutdown(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.send();
    this.closed = true;
    if (this.queue.length > 0) {
      this.totals.dropped += this.queue.length;
      this.logger.error(
        `OTLP export: ${this.queue.length} spans could not be sent to ${this.url} before shutdown; dropped them`,
      );
      this.queue = [];
    }
  }

  // One send at a time, so batches reach the store in end order and a retry never races a newer batch.
  private send(): Promise<void> {
    this.sending = this.sending.then(() => this.drain());
    return this.sending;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatchSize);
      const outcome = await this.post(batch);
      if (outcome === "retry") {
        this.queue.unshift(...batch);
        return;
      }
    }
  }

  private async post(batch: ReadableSpan[]): Promise<"ok" | "dropped" | "retry"> {
    // The serializer's span type comes from @opentelemetry/sdk-trace; it is the same interface.
    const body = ProtobufTraceSerializer.serializeRequest(batch as never);
    if (body === undefined) {
      this.totals.dropped += batch.length;
      this.logger.error(`OTLP export: could not encode ${batch.length} spans; dropped them`);
      return "dropped";
    }
    let response: Response;
    try {
      response = await this.fetch(this.url, {
        method: "POST",
        headers: { ...this.headers, "Content-Type": "application/x-protobuf" },
        body: body as Uint8Array<ArrayBuffer>,
      });
    } catch (error) {
      this.logger.warn(
        `OTLP export to ${this.url} failed (${error instanceof Error ? error.message : String(error)}); ${batch.length} spans kept for the next try`,
      );
      return "retry";
    }
    const text = response.ok ? "" : await response.text().catch(() => "");
    if (response.ok) {
      await response.arrayBuffer().catch(() => undefined);
      this.totals.exported += batch.length;
      return "ok";
    }
    if (response.status >= 500 || response.status === 429) {
      this.logger.warn(
        `OTLP export to ${this.url} answered ${response.status}; ${batch.length} spans kept for the next try`,
      );
      return "retry";
    }
    this.totals.dropped += batch.length;
    this.logger.error(
      `OTLP export to ${this.url} rejected ${batch.length} spans (HTTP ${response.status}: ${printable(text)}); dropped them`,
    );
    return "dropped";
  }
}

/** The readable part of a protobuf `google.rpc.Status` body (its message is plain UTF-8 inside). */
function printable(text: string): string {
  let out = "";
  for (const char of text) out += char.charCodeAt(0) < 32 || char === "\ufffd" ? " " : char;
  return out.replace(/ +/g, " ").trim().slice(0, 300);
}
