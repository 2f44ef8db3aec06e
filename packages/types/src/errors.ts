/** Every failure category a caller may need to tell apart. Closed on purpose: map it to HTTP once. */
export type AglErrorCode =
  | "invalid_argument"
  | "not_found"
  | "conflict"
  | "gone"
  | "timeout"
  | "cancelled"
  | "unavailable"
  | "unauthorized"
  | "unsupported"
  | "internal";

/** All values of {@link AglErrorCode}, in a stable order. */
export const AGL_ERROR_CODES: readonly AglErrorCode[] = [
  "invalid_argument",
  "not_found",
  "conflict",
  "gone",
  "timeout",
  "cancelled",
  "unavailable",
  "unauthorized",
  "unsupported",
  "internal",
];

const MARKER = Symbol.for("agentlightning.AglError");

/** Options of the {@link AglError} constructor. */
export interface AglErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
  /** Structured, JSON-safe context (e.g. the validation issues). */
  details?: unknown;
  /** HTTP status the error came with, when it was received from a server. */
  status?: number;
}

/**
 * The one error class of Agent Lightning. Code decides handling; message is for humans and names
 * the field or id at fault.
 *
 * @example
 * ```ts
 * try { await store.updateRollout("ro-000000000000", { status: "failed" }); }
 * catch (e) { if (AglError.isInstance(e) && e.code === "not_found") console.warn(e.message); }
 * ```
 */
export class AglError extends Error {
  /** What kind of failure this is. */
  readonly code: AglErrorCode;
  /** Structured context, JSON-safe. */
  readonly details: unknown;
  /** HTTP status, when the error was received over HTTP. */
  readonly status: number | undefined;

  constructor(code: AglErrorCode, message: string, options: AglErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AglError";
    this.code = code;
    this.details = options.details;
    this.status = options.status;
    Object.defineProperty(this, MARKER, { value: true });
  }

  /** True for any `AglError`, also one created by another copy of this package. */
  static isInstance(value: unknown): value is AglError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}
