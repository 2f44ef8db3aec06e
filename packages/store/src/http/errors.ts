import type { Logger } from "@agentlightning/types";
import { AglError, type ValidationDetailItem } from "@agentlightning/types";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";

/**
 * A request that failed schema validation (body, query or path). Answered with 422 and the
 * FastAPI-style `detail` items the Python clients know.
 */
export class RequestValidationError extends Error {
  readonly detail: ValidationDetailItem[];

  constructor(detail: ValidationDetailItem[]) {
    super(detail.map((d) => `${d.loc.join(".")}: ${d.msg}`).join("; "));
    this.name = "RequestValidationError";
    this.detail = detail;
  }
}

/** A semantic check of the request failed (bad `sort_by`, `limit`, forbidden null): 400. */
export function badRequest(message: string): AglError {
  return new AglError("invalid_argument", message);
}

/** The JSON error body and status of an error thrown by a handler or the store. */
export interface ErrorReply {
  status: 400 | 401 | 404 | 410 | 413 | 422 | 500;
  body: { detail: unknown; error_type?: string };
}

/**
 * Maps any error to its HTTP reply, the one place where error codes become statuses:
 * `not_found` → 404 `ValueError`, `invalid_argument` → 400, `gone` → 410 `RuntimeError`,
 * validation → 422, everything else → 500 without internals.
 */
export function errorReply(error: unknown): ErrorReply {
  if (error instanceof RequestValidationError) return { status: 422, body: { detail: error.detail } };
  if (AglError.isInstance(error)) {
    switch (error.code) {
      case "not_found":
        return { status: 404, body: { detail: error.message, error_type: "ValueError" } };
      case "invalid_argument":
        return { status: 400, body: { detail: error.message } };
      case "gone":
        return { status: 410, body: { detail: error.message, error_type: "RuntimeError" } };
      default:
        return { status: 500, body: { detail: "Internal server error", error_type: error.name } };
    }
  }
  const name = error instanceof Error ? error.constructor.name || error.name : typeof error;
  return { status: 500, body: { detail: "Internal server error", error_type: name } };
}

/** Hono `onError` handler built on {@link errorReply}; logs server faults, never leaks them. */
export function createErrorHandler(logger: Logger) {
  return (error: Error, c: Context): Response => {
    if (error instanceof HTTPException) {
      const res = error.getResponse();
      return c.json({ detail: error.message || res.statusText }, res.status as 400);
    }
    const reply = errorReply(error);
    if (reply.status >= 500) logger.error(`${c.req.method} ${c.req.path} failed.`, error);
    return c.json(reply.body, reply.status);
  };
}
