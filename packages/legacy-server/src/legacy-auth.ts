import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/**
 * The credentials of an `Authorization` header: the token of `Bearer <token>`, or both parts of
 * `Basic base64(user:password)`. Empty when absent or malformed.
 */
function presentedKeys(header: string | undefined): string[] {
  const match = /^(Bearer|Basic)\s+(\S+)$/i.exec((header ?? "").trim());
  if (match === null) return [];
  const [, scheme, value] = match as unknown as [string, string, string];
  if (scheme.toLowerCase() === "bearer") return [value];
  const decoded = Buffer.from(value, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return [decoded];
  return [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

/**
 * API-key check of the legacy routes. The Python `AgentLightningClient` cannot send a header, and
 * it resolves its paths as absolute (`urljoin(endpoint, "/task")`), which drops any path or query
 * of the endpoint it is given. The one part of that URL that survives is the user info, and both
 * HTTP libraries it uses (`requests`, `aiohttp`) turn `http://user:password@host` into
 * `Authorization: Basic ...`. So the key is accepted as the password (or the user name) of HTTP
 * Basic authentication, e.g. endpoint `http://agl:<key>@host:4747`, and also as
 * `Authorization: Bearer <key>` like the store API. Compared in constant time.
 */
export function legacyApiKeyAuth(apiKey: string): MiddlewareHandler {
  const expected = digest(apiKey);
  return async (c, next) => {
    const keys = presentedKeys(c.req.header("authorization"));
    // Every candidate is compared, so the time taken does not tell which part matched.
    let ok = false;
    for (const key of keys) ok = timingSafeEqual(digest(key), expected) || ok;
    if (ok) return next();
    return c.json({ detail: keys.length === 0 ? "Not authenticated" : "Invalid API key" }, 401, {
      "WWW-Authenticate": 'Basic realm="agentlightning legacy API"',
    });
  };
}
