import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

// A purpose-built HTTP server for the client's transport tests: it records every request and
// answers with whatever the test scripts (statuses, bodies, delays, hangs). It is a real server on
// a loopback port, so the client's real fetch, keep-alive and timeouts are exercised.

/** One request as the server saw it. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Raw body text ("" when none was sent). */
  rawBody: string;
  /** Parsed JSON body, or undefined when no body was sent. */
  body: unknown;
  /** Which TCP connection carried it (1-based, in order of connection). */
  connection: number;
}

/** What the server answers. */
export interface Reply {
  status?: number;
  /** JSON body (sent with `application/json`); `null` sends the text `null`. */
  json?: unknown;
  /** Raw body (with `contentType`, default `text/plain`). */
  text?: string;
  contentType?: string;
  /** Answer after this many milliseconds. */
  delayMs?: number;
  /** Never answer (the request stays open until the client gives up or the server closes). */
  hang?: boolean;
  /** Cut the connection without answering. */
  destroy?: boolean;
}

export type Responder = (req: RecordedRequest) => Reply | Promise<Reply>;

/** A running scripted server. */
export interface ScriptedServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  /** Requests to anything but `/v1/agl/health`. */
  calls(): RecordedRequest[];
  /** Requests to `/v1/agl/health`. */
  probes(): RecordedRequest[];
  /** TCP connections accepted so far. */
  connectionCount(): number;
  /** Most requests that were open at the same time. */
  maxConcurrent(): number;
  close(): Promise<void>;
}

export const HEALTH_PATH = "/v1/agl/health";

/** Answers `/v1/agl/health` with 200 and everything else with `responder`. */
export function healthy(responder: Responder): Responder {
  return (req) => (req.path === HEALTH_PATH ? { json: { status: "ok" } } : responder(req));
}

function send(res: ServerResponse, reply: Reply): void {
  const status = reply.status ?? 200;
  if (reply.json !== undefined) {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(reply.json));
  } else if (reply.text !== undefined) {
    res.writeHead(status, { "content-type": reply.contentType ?? "text/plain" });
    res.end(reply.text);
  } else {
    res.writeHead(status);
    res.end();
  }
}

/** Starts a scripted server on a free loopback port. */
export async function startScriptedServer(responder: Responder): Promise<ScriptedServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Map<Socket, number>();
  let connections = 0;
  let open = 0;
  let maxOpen = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const url = new URL(req.url ?? "/", "http://localhost");
      let body: unknown;
      if (rawBody.length > 0) {
        try {
          body = JSON.parse(rawBody);
        } catch {
          body = rawBody;
        }
      }
      const recorded: RecordedRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        rawBody,
        body,
        connection: sockets.get(req.socket) ?? 0,
      };
      requests.push(recorded);
      open += 1;
      maxOpen = Math.max(maxOpen, open);
      res.on("close", () => {
        open -= 1;
      });
      void (async () => {
        const reply = await responder(recorded);
        if (reply.hang) return;
        if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
        if (reply.destroy) {
          req.socket.destroy();
          return;
        }
        if (!res.destroyed) send(res, reply);
      })();
    });
  });
  server.on("connection", (socket: Socket) => {
    connections += 1;
    sockets.set(socket, connections);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    calls: () => requests.filter((r) => r.path !== HEALTH_PATH),
    probes: () => requests.filter((r) => r.path === HEALTH_PATH),
    connectionCount: () => connections,
    maxConcurrent: () => maxOpen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback address nothing listens on (a port that was just freed). */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
