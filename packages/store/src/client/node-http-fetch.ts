import http from "node:http";
import https from "node:https";

/** A `fetch` over `node:http` with its own keep-alive connection pool, and a way to close it. */
export interface NodeHttpFetch {
  fetch: typeof globalThis.fetch;
  /** Closes the pooled connections (requests in flight are not affected until they end). */
  close(): void;
}

function headerRecord(init: RequestInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const headers = init?.headers;
  if (headers === undefined) return out;
  if (headers instanceof Headers || Array.isArray(headers)) {
    for (const [key, value] of new Headers(headers)) out[key] = value;
    return out;
  }
  for (const [key, value] of Object.entries(headers)) out[key] = String(value);
  return out;
}

/** Response headers as a `Headers` object (multi-valued ones joined as fetch would). */
function responseHeaders(raw: http.IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(key, item);
    else headers.set(key, value);
  }
  return headers;
}

/**
 * The parts of a `Response` a reader of a fully received body uses (status, headers, `text()`,
 * `json()`, `arrayBuffer()`), without the stream machinery a real one sets up.
 */
function lightResponse(
  status: number,
  statusText: string,
  raw: http.IncomingHttpHeaders,
  body: Buffer | null,
): Response {
  let used = false;
  const read = (): Buffer => {
    if (used) throw new TypeError("Body is unusable: Body has already been read");
    used = true;
    return body ?? Buffer.alloc(0);
  };
  const light = {
    status,
    statusText,
    ok: status >= 200 && status < 300,
    redirected: false,
    type: "basic",
    url: "",
    headers: responseHeaders(raw),
    body: null,
    get bodyUsed() {
      return used;
    },
    text: async () => read().toString("utf8"),
    json: async () => JSON.parse(read().toString("utf8")) as unknown,
    arrayBuffer: async () => {
      const bytes = read();
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    },
  };
  return light as unknown as Response;
}

/**
 * A `fetch` for the store client built on `node:http` / `node:https` with keep-alive agents: the
 * same requests and answers as the global fetch (undici) for what the client sends (a method,
 * headers, a string or byte body, a signal) and reads (status, headers, the body as text), at about
 * a quarter of the CPU per request, which is what a runner with hundreds of rollouts in flight
 * spends most of its time on. Network failures reject with a `TypeError` whose `cause` is the
 * socket error (as fetch's `fetch failed`); an aborted signal rejects with its reason. Nagle is
 * off, so a small request goes out at once.
 */
export function createNodeHttpFetch(): NodeHttpFetch {
  const agents = {
    "http:": new http.Agent({ keepAlive: true, scheduling: "lifo" }),
    "https:": new https.Agent({ keepAlive: true, scheduling: "lifo" }),
  };
  const fetchImpl = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (input instanceof Request) return globalThis.fetch(input, init);
    const url = typeof input === "string" ? new URL(input) : input;
    const protocol = url.protocol as "http:" | "https:";
    if (protocol !== "http:" && protocol !== "https:") return globalThis.fetch(input, init);
    const signal = init?.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const body = init?.body;
    let payload: Buffer | undefined;
    if (body !== undefined && body !== null) {
      if (typeof body === "string") payload = Buffer.from(body);
      else if (body instanceof Uint8Array)
        payload = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      else return globalThis.fetch(input, init);
    }
    const headers = headerRecord(init);
    if (payload !== undefined) headers["content-length"] = String(payload.length);
    return new Promise<Response>((resolve, reject) => {
      const transport = protocol === "https:" ? https : http;
      let settled = false;
      const onAbort = (): void => {
        request.destroy();
        if (!settled) {
          settled = true;
          reject(signal?.reason);
        }
      };
      const request = transport.request(
        url,
        { method: init?.method ?? "GET", headers, agent: agents[protocol] },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("error", fail);
          response.on("end", () => {
            signal?.removeEventListener("abort", onAbort);
            if (settled) return;
            settled = true;
            const status = response.statusCode ?? 0;
            const nullBody = status === 204 || status === 205 || status === 304 || init?.method === "HEAD";
            resolve(
              lightResponse(
                status,
                response.statusMessage ?? "",
                response.headers,
                nullBody ? null : Buffer.concat(chunks),
              ),
            );
          });
        },
      );
      function fail(error: Error): void {
        signal?.removeEventListener("abort", onAbort);
        if (settled) return;
        settled = true;
        reject(signal?.aborted ? signal.reason : new TypeError("fetch failed", { cause: error }));
      }
      request.on("error", fail);
      request.setNoDelay(true);
      signal?.addEventListener("abort", onAbort, { once: true });
      request.end(payload);
    });
  };
  return {
    fetch: fetchImpl as typeof globalThis.fetch,
    close() {
      agents["http:"].destroy();
      agents["https:"].destroy();
    },
  };
}
