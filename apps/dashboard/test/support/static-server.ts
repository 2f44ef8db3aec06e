import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/** A static file server with an SPA fallback that forwards `/v1/...` to a store server. */
export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the built dashboard the way `agl store` does (files at `/`, unknown paths fall back to
 * index.html, `/v1/...` goes to the store), for as long as the store does not serve it itself.
 */
export async function startStaticServer(root: string, storeUrl: string): Promise<StaticServer> {
  const store = new URL(storeUrl);
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? "/").split("?")[0] ?? "/");
    if (path.startsWith("/v1/")) {
      const upstream = httpRequest(
        {
          host: store.hostname,
          port: store.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: store.host },
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on("error", () => {
        res.writeHead(502).end();
      });
      req.pipe(upstream);
      return;
    }
    let file = normalize(join(root, path));
    if (!file.startsWith(root) || !existsSync(file) || statSync(file).isDirectory())
      file = join(root, "index.html");
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Whether the store server itself serves the dashboard at `/` (once `agl store` does). */
export async function storeServesDashboard(storeUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${storeUrl}/`, { redirect: "manual" });
    if (!res.ok) return false;
    return (await res.text()).includes('<div id="root">');
  } catch {
    return false;
  }
}
