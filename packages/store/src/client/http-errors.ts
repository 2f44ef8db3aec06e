import { AglError, type AglErrorCode } from "@agentlightning/types";

// How an HTTP answer or a transport failure becomes an AglError: once, here, so every method of
// the client reports failures the same way (the server maps AglError codes to statuses; this is
// the inverse mapping).

/** What the client knows about a failed call, kept in `AglError.details`. */
export interface HttpErrorDetails {
  /** HTTP method of the failed call. */
  method: string;
  /** Path of the failed call (without the server address). */
  path: string;
  /** The server's `detail` (a message, or the 422 validation items), when it sent one. */
  detail?: unknown;
  /** The server's `error_type` (e.g. `ValueError`), when it sent one. */
  errorType?: string;
  /** Raw response text, when it was not JSON (truncated). */
  body?: string;
  /** Number of tries made before giving up. */
  tries?: number;
}

/** Error code for an HTTP error status. */
export function codeForStatus(status: number): AglErrorCode {
  switch (status) {
    case 400:
    case 413:
    case 422:
      return "invalid_argument";
    case 401:
    case 403:
      return "unauthorized";
    case 404:
      return "not_found";
    case 405:
    case 501:
      return "unsupported";
    case 408:
    case 504:
      return "timeout";
    case 409:
      return "conflict";
    case 410:
      return "gone";
    case 429:
    case 502:
    case 503:
      return "unavailable";
    default:
      return status >= 400 && status < 500 ? "invalid_argument" : "internal";
  }
}

/** True for statuses worth another try: 408 and every 5xx (the Python client's rule). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status >= 500;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `rollouts.0.input: Field required` for one 422 item (`loc` without its `body`/`query`/`path` head). */
function formatValidationItem(item: unknown): string {
  if (!isRecord(item)) return JSON.stringify(item);
  const loc = Array.isArray(item.loc) ? item.loc.map(String) : [];
  const field = loc.length > 1 ? loc.slice(1).join(".") : (loc[0] ?? "(request)");
  const msg = typeof item.msg === "string" ? item.msg : "invalid";
  // Name the rejected value when it is a scalar (`sort_order: Input should be 'asc' or 'desc' (got "sideways")`).
  const input = item.input;
  const scalar = typeof input === "string" || typeof input === "number" || typeof input === "boolean";
  return item.type !== "missing" && scalar
    ? `${field}: ${msg} (got ${JSON.stringify(input)})`
    : `${field}: ${msg}`;
}

/** A human message from the server's `detail`: the string itself, or the 422 items joined. */
export function messageFromDetail(detail: unknown): string | undefined {
  if (typeof detail === "string" && detail.length > 0) return detail;
  if (Array.isArray(detail) && detail.length > 0) return detail.map(formatValidationItem).join("; ");
  return undefined;
}

const MAX_BODY_CHARS = 500;

/** The AglError for a non-2xx answer; `text` is the response body as received. */
export function errorFromResponse(
  method: string,
  path: string,
  status: number,
  statusText: string,
  text: string,
  tries?: number,
): AglError {
  const details: HttpErrorDetails = { method, path };
  let parsed: unknown;
  try {
    parsed = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (isRecord(parsed)) {
    if ("detail" in parsed) details.detail = parsed.detail;
    if (typeof parsed.error_type === "string") details.errorType = parsed.error_type;
  } else if (text.length > 0) {
    details.body = text.slice(0, MAX_BODY_CHARS);
  }
  if (tries !== undefined) details.tries = tries;
  const fromServer = messageFromDetail(details.detail);
  const message =
    fromServer ?? `${method} ${path} failed with HTTP ${status}${statusText ? ` ${statusText}` : ""}`;
  return new AglError(codeForStatus(status), message, { status, details });
}

/** The AglError for a call that got no HTTP answer (refused, reset, timed out). */
export function errorFromNetworkFailure(
  method: string,
  path: string,
  cause: unknown,
  timedOutAfterSeconds?: number,
  tries?: number,
): AglError {
  const details: HttpErrorDetails = { method, path };
  if (tries !== undefined) details.tries = tries;
  if (timedOutAfterSeconds !== undefined) {
    return new AglError("timeout", `${method} ${path} got no answer within ${timedOutAfterSeconds} s`, {
      cause,
      details,
    });
  }
  return new AglError("unavailable", `${method} ${path} failed: ${describeCause(cause)}`, { cause, details });
}

/** `connect ECONNREFUSED 127.0.0.1:4747` rather than undici's bare `fetch failed`. */
function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = cause.cause;
    if (inner instanceof Error && inner.message) return inner.message;
    if (isRecord(inner) && typeof inner.code === "string") return inner.code;
    return cause.message;
  }
  return String(cause);
}

/** True if the error says the server could not be reached or did not answer in time. */
export function isNetworkFailure(error: unknown): boolean {
  return (
    AglError.isInstance(error) &&
    error.status === undefined &&
    (error.code === "unavailable" || error.code === "timeout")
  );
}
