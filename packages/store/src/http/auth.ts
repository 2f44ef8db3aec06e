import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/**
 * Bearer-token authentication: every request must carry `Authorization: Bearer <apiKey>`, else
 * 401 `{"detail": ...}` with `WWW-Authenticate: Bearer`. Compared in constant time.
 */
export function bearerAuth(apiKey: string): MiddlewareHandler {
  const expected = digest(apiKey);
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (match?.[1] === undefined) {
      return c.json({ detail: "Not authenticated" }, 401, { "WWW-Authenticate": "Bearer" });
    }
    if (!timingSafeEqual(digest(match[1]), expected)) {
      return c.json({ detail: "Invalid API key" }, 401, { "WWW-Authenticate": "Bearer" });
    }
    return next();
  };
}
