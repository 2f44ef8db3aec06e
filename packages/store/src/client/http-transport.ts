import type { Logger } from "@agentlightning/types";
import { AglError, assertSafeJson } from "@agentlightning/types";
import { onAbort } from "./abort-fanout.js";
import { errorFromNetworkFailure, errorFromResponse, isRetryableStatus } from "./http-errors.js";

/** Settings of an {@link HttpTransport}; every duration is in seconds. */
export interface HttpTransportOptions {
  /** Address every request path is appended to, e.g. `http://127.0.0.1:4747/v1/agl`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>` on every request, probes included. */
  apiKey?: string | undefined;
  /** Pause before retry 1, 2, ...; `[]` disables retries. */
  retryDelays: readonly number[];
  /** Pauses between health probes; `[]` disables probing (the server counts as healthy). */
  healthRetryDelays: readonly number[];
  /** Per-request limit, body included; null = none. */
  requestTimeout: number | null;
  /** Limit of one health probe. */
  probeTimeout: number;
  fetch: typeof globalThis.fetch;
  logger: Logger;
}

/** One HTTP call. */
export interface HttpRequest {
  method: "GET" | "POST";
  /** Path below the base URL, starting with `/`; ids already percent-encoded. */
  path: string;
  query?: URLSearchParams;
  /** JSON body; `undefined` sends no body at all. */
  body?: unknown;
  /** Overrides the transport's request timeout (seconds); null = wait as long as it takes. */
  timeout?: number | null;
  /** false: one try, no health probe (the dequeue calls). Default true. */
  retry?: boolean;
  /** Failures that mean "nothing there": the call returns null at once (no retry). */
  nullOn?: (error: AglError) => boolean;
  /** The caller's cancellation: aborting it ends the call (and its retries) with `cancelled`. */
  signal?: AbortSignal | undefined;
}

type Call = Pick<HttpRequest, "method" | "path" | "signal">;

/** Abort reason of a request that ran out of time. */
class TimedOut extends Error {
  constructor(readonly seconds: number) {
    super(`no answer within ${seconds} s`);
    this.name = "TimeoutError";
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: AglError; retryable: boolean };

const MAX_BODY_CHARS = 500;

/**
 * JSON over HTTP with the retry policy of the Python `LightningStoreClient` (docs/store-contract.md §5.1): a 4xx
 * other than 408 fails at once; a network failure, a timeout, 408, a 5xx or a 2xx that is not
 * JSON is retried after a health probe of `GET <base>/health`, sleeping `retryDelays[i]` before
 * retry i+1, and given up when the probe fails or the delays run out. Connections are kept alive
 * (Node's fetch pools them per origin). {@link close} aborts everything in flight.
 */
export class HttpTransport {
  private readonly options: HttpTransportOptions;
  private readonly closing = new AbortController();
  /** Path part of the base URL (`/v1/agl`), used in messages. */
  private readonly basePath: string;

  constructor(options: HttpTransportOptions) {
    this.options = options;
    this.basePath = new URL(options.baseUrl).pathname.replace(/\/$/, "");
  }

  /** True once {@link close} was called. */
  get closed(): boolean {
    return this.closing.signal.aborted;
  }

  /** Aborts every request, probe and backoff sleep in flight; later calls fail with `cancelled`. */
  close(): void {
    if (!this.closing.signal.aborted) this.closing.abort();
  }

  /** Performs the call (with retries) and returns the parsed JSON body (null for an empty body). */
  async request(req: HttpRequest): Promise<unknown> {
    // The store's JSON rule before anything is sent, as an in-process store applies it: a body too
    // deep for JSON.stringify, or text the server would refuse, fails here with the same error.
    if (req.body !== undefined) assertSafeJson(req.body, "request body");
    const retry = req.retry !== false;
    const delays = this.options.retryDelays;
    for (let tryIndex = 0; ; tryIndex++) {
      const outcome = await this.once(req);
      if (outcome.ok) return outcome.value;
      if (req.nullOn?.(outcome.error)) return null;
      const tries = tryIndex + 1;
      const error = withTries(outcome.error, tries);
      if (!outcome.retryable || !retry) throw error;
      const healthy = await this.probeHealth(req.signal);
      if (!healthy) {
        this.options.logger.warn(
          `${req.method} ${this.fullPath(req.path)} failed and the server is not healthy: ${error.message}`,
        );
        throw error;
      }
      const delay = delays[tryIndex];
      if (delay === undefined) throw error;
      this.options.logger.warn(
        `${req.method} ${this.fullPath(req.path)} failed (${error.message}); retry ${tries} of ${delays.length} in ${delay} s`,
      );
      await this.sleep(delay, req);
    }
  }

  /**
   * Probes `GET <base>/health` up to `healthRetryDelays.length + 1` times, pausing between probes;
   * the first 200 means healthy.
   */
  async probeHealth(signal?: AbortSignal): Promise<boolean> {
    const delays = this.options.healthRetryDelays;
    if (delays.length === 0) return true;
    const probe: Call = { method: "GET", path: "/health", signal };
    for (let i = 0; i <= delays.length; i++) {
      this.assertActive(probe);
      try {
        const { response } = await this.exchange(
          `${this.options.baseUrl}/health`,
          { method: "GET", headers: this.headers(false) },
          this.options.probeTimeout,
          signal,
        );
        if (response.status === 200) return true;
        this.options.logger.debug(`Health probe ${i + 1} answered HTTP ${response.status}`);
      } catch (cause) {
        this.options.logger.debug(`Health probe ${i + 1} failed: ${String(cause)}`);
      }
      const delay = delays[i];
      if (delay !== undefined) await this.sleep(delay, probe);
    }
    this.assertActive(probe);
    return false;
  }

  private async once(req: HttpRequest): Promise<Outcome> {
    this.assertActive(req);
    const timeout = req.timeout === undefined ? this.options.requestTimeout : req.timeout;
    const path = this.fullPath(req.path);
    const url = req.query && req.query.size > 0 ? `${this.url(req.path)}?${req.query}` : this.url(req.path);
    const hasBody = req.body !== undefined;
    let response: Response;
    let text: string;
    try {
      ({ response, text } = await this.exchange(
        url,
        {
          method: req.method,
          headers: this.headers(hasBody),
          ...(hasBody ? { body: JSON.stringify(req.body) } : {}),
        },
        timeout,
        req.signal,
      ));
    } catch (cause) {
      if (this.stopped(req)) return { ok: false, error: this.cancelledError(req, cause), retryable: false };
      const seconds = cause instanceof TimedOut ? cause.seconds : undefined;
      return { ok: false, error: errorFromNetworkFailure(req.method, path, cause, seconds), retryable: true };
    }
    if (response.status < 200 || response.status >= 300) {
      return {
        ok: false,
        error: errorFromResponse(req.method, path, response.status, response.statusText, text),
        // 408, 5xx and any other non-success that is not a 4xx (an unfollowed redirect) are transient.
        retryable: isRetryableStatus(response.status) || response.status < 400,
      };
    }
    if (text.trim().length === 0) return { ok: true, value: null };
    const details = { method: req.method, path, body: text.slice(0, MAX_BODY_CHARS) };
    const contentType = response.headers.get("content-type") ?? "";
    if (!/[/+]json\b/i.test(contentType)) {
      // A proxy's HTML page or similar: the Python client retries these as transient, so do we.
      const message = `${req.method} ${path} answered HTTP ${response.status} with content type '${contentType}', expected JSON`;
      return {
        ok: false,
        error: new AglError("internal", message, { status: response.status, details }),
        retryable: true,
      };
    }
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch (cause) {
      const message = `${req.method} ${path} answered malformed JSON`;
      return {
        ok: false,
        error: new AglError("internal", message, { cause, status: response.status, details }),
        retryable: false,
      };
    }
  }

  /**
   * One fetch with its body read in full (which also hands the connection back to the keep-alive
   * pool), aborted after `timeoutSeconds`, by {@link close} or by the caller's signal. It uses a
   * per-request controller subscribed through {@link onStop}, not `AbortSignal.any`, which leaks on
   * Node 20 when combined with a long-lived signal.
   */
  private async exchange(
    url: string,
    init: RequestInit,
    timeoutSeconds: number | null,
    callerSignal: AbortSignal | undefined,
  ): Promise<{ response: Response; text: string }> {
    const controller = new AbortController();
    const onStop = (): void => controller.abort();
    const unsubscribe = this.onStop(onStop, callerSignal);
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (timeoutSeconds !== null && Number.isFinite(timeoutSeconds)) {
      const ms = Math.max(1, Math.ceil(timeoutSeconds * 1000));
      timer = setTimeout(() => controller.abort(new TimedOut(timeoutSeconds)), ms);
    }
    try {
      const response = await this.options.fetch(url, { ...init, signal: controller.signal });
      const text = await response.text();
      return { response, text };
    } catch (cause) {
      throw controller.signal.reason instanceof TimedOut ? controller.signal.reason : cause;
    } finally {
      clearTimeout(timer);
      unsubscribe();
    }
  }

  /**
   * Runs `callback` when the client closes or `callerSignal` aborts. Shared signals get one
   * listener each however many calls are in flight ({@link onAbort}), so no
   * MaxListenersExceededWarning at any concurrency. Returns the unsubscribe function.
   */
  private onStop(callback: () => void, callerSignal: AbortSignal | undefined): () => void {
    const offClosing = onAbort(this.closing.signal, callback);
    const offCaller = callerSignal === undefined ? undefined : onAbort(callerSignal, callback);
    return () => {
      offClosing();
      offCaller?.();
    };
  }

  private headers(hasBody: boolean): Record<string, string> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (hasBody) headers["content-type"] = "application/json";
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    return headers;
  }

  private url(path: string): string {
    return `${this.options.baseUrl}${path}`;
  }

  private fullPath(path: string): string {
    return `${this.basePath}${path}`;
  }

  /** True when the call must end: the client closed or the caller aborted. */
  private stopped(call: Call): boolean {
    return this.closed || call.signal?.aborted === true;
  }

  private assertActive(call: Call): void {
    if (this.stopped(call)) throw this.cancelledError(call);
  }

  private cancelledError(call: Call, cause?: unknown): AglError {
    const path = this.fullPath(call.path);
    const why = this.closed ? "the client is closed" : "aborted by the caller";
    return new AglError("cancelled", `${call.method} ${path} cancelled: ${why}`, {
      cause,
      details: { method: call.method, path },
    });
  }

  /** Sleeps `seconds`, waking early (with a `cancelled` error) when the client closes or the caller aborts. */
  private sleep(seconds: number, call: Call): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.stopped(call)) {
        reject(this.cancelledError(call));
        return;
      }
      const cleanup = (): void => {
        clearTimeout(timer);
        unsubscribe();
      };
      const timer = setTimeout(() => {
        cleanup();
        resolve();
      }, seconds * 1000);
      const unsubscribe = this.onStop(() => {
        cleanup();
        reject(this.cancelledError(call));
      }, call.signal);
    });
  }
}

function withTries(error: AglError, tries: number): AglError {
  const details = error.details;
  if (typeof details === "object" && details !== null && !Array.isArray(details)) {
    (details as { tries?: number }).tries = tries;
  }
  return error;
}
