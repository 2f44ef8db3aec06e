import type { MiddlewareHandler } from "hono";

const ALLOWED_METHODS = "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT";

/**
 * CORS as upstream configures Starlette's middleware (docs/store-contract.md §4.8): listed origins (or `*`), any
 * method and header, credentials allowed, every header exposed. A listed origin gets its own
 * value echoed with `access-control-allow-credentials: true`; an unlisted origin gets no CORS
 * headers (the request itself still runs). A preflight from a listed origin is a 200; from an
 * unlisted one a 400.
 */
export function cors(origins: readonly string[]): MiddlewareHandler {
  const any = origins.includes("*");
  const listed = new Set(origins);
  return async (c, next) => {
    const origin = c.req.header("origin");
    if (origin === undefined) return next();
    const allowed = any || listed.has(origin);
    const preflight =
      c.req.method === "OPTIONS" && c.req.header("access-control-request-method") !== undefined;
    if (preflight) {
      if (!allowed) return c.text("Disallowed CORS origin", 400, { Vary: "Origin" });
      return c.text("OK", 200, {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Allow-Methods": ALLOWED_METHODS,
        "Access-Control-Allow-Headers": c.req.header("access-control-request-headers") ?? "*",
        "Access-Control-Max-Age": "600",
        Vary: "Origin",
      });
    }
    await next();
    if (!allowed) return;
    c.res.headers.set("Access-Control-Allow-Origin", origin);
    c.res.headers.set("Access-Control-Allow-Credentials", "true");
    c.res.headers.set("Access-Control-Expose-Headers", "*");
    c.res.headers.append("Vary", "Origin");
  };
}
