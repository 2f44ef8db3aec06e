import { existsSync, statSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { extname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gzip as gzipCallback } from "node:zlib";

const gzip = promisify(gzipCallback);

// The dashboard's static build (apps/dashboard/dist, copied to apps/server/dashboard by the build) served
// at `/` beside the store API (docs/store-contract.md §4.8): files as they are, `index.html` for
// browser navigations to the single-page app's own paths, never for API paths. The files hold no
// data, so they are public like the API reference; the dashboard's API calls still need the key.

/** Paths the dashboard never answers: the store API, its alias, OTLP, metrics. */
const API_PATH = /^\/(v1|agl\/v1)(\/|$)|^\/metrics$/;

/** Vite puts content-hashed files here: cacheable forever. */
const HASHED_ASSETS = "/assets/";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".wasm": "application/wasm",
};

/** Types worth gzipping (images and fonts are compressed already). */
const COMPRESSIBLE = /^(text\/|application\/(json|manifest\+json|wasm)|image\/svg\+xml)/;
const MIN_GZIP_BYTES = 1024;

/** The content type of a file name (`application/octet-stream` when unknown). */
export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
}

/** True for the paths the dashboard must leave to the store API. */
export function isApiPath(path: string): boolean {
  return API_PATH.test(path);
}

interface CachedFile {
  etag: string;
  body: Uint8Array;
  gzipped?: Uint8Array;
}

/** Why {@link DashboardSite.open} found no dashboard. */
export class DashboardNotFoundError extends Error {
  constructor(readonly root: string) {
    super(`No dashboard in ${root}: it has no index.html (build it with \`pnpm build\`)`);
    this.name = "DashboardNotFoundError";
  }
}

/**
 * Serves a built single-page app from a folder. Register it as an `ExtraApp` of the store server
 * after the legacy API (whose paths keep precedence) and before the store app.
 */
export class DashboardSite {
  private readonly cache = new Map<string, CachedFile>();

  private constructor(readonly root: string) {}

  /** The site of `root`; throws {@link DashboardNotFoundError} when it has no `index.html`. */
  static open(root: string): DashboardSite {
    const absolute = resolve(root);
    if (!existsSync(resolve(absolute, "index.html"))) throw new DashboardNotFoundError(absolute);
    return new DashboardSite(absolute);
  }

  /** GET and HEAD of every path but the API's. */
  matches(path: string, request: Request): boolean {
    return (request.method === "GET" || request.method === "HEAD") && !isApiPath(path);
  }

  /**
   * A file of the build, else `index.html` when the request accepts HTML (a navigation to one of
   * the app's own paths), else 404. A missing hashed asset is always a 404: answering HTML for a
   * script would only hide the error.
   */
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const file = this.fileOf(url.pathname);
    if (file !== null) {
      const served = await this.serve(request, file, url.pathname.startsWith(HASHED_ASSETS));
      if (served !== null) return served;
    }
    const acceptsHtml = (request.headers.get("accept") ?? "").includes("text/html");
    if (acceptsHtml && !url.pathname.startsWith(HASHED_ASSETS)) {
      const index = await this.serve(request, resolve(this.root, "index.html"), false);
      if (index !== null) return index;
    }
    return Response.json({ detail: "Not Found" }, { status: 404 });
  }

  /** The absolute file a URL path names inside the root (`/` → index.html), or null. */
  private fileOf(pathname: string): string | null {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return null;
    }
    if (decoded.includes("\0") || decoded.split(/[\\/]/).includes("..")) return null;
    const relative = decoded === "/" ? "index.html" : decoded.replace(/^\/+/, "");
    const file = resolve(this.root, relative);
    return file.startsWith(this.root + sep) ? file : null;
  }

  private async serve(request: Request, file: string, immutable: boolean): Promise<Response | null> {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(file);
    } catch {
      return null;
    }
    if (!info.isFile()) return null;
    const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    const type = contentTypeOf(file);
    const headers: Record<string, string> = {
      "Content-Type": type,
      "Cache-Control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
      ETag: etag,
      "X-Content-Type-Options": "nosniff",
    };
    if (request.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers });

    let cached = this.cache.get(file);
    if (cached === undefined || cached.etag !== etag) {
      cached = { etag, body: new Uint8Array(await readFile(file)) };
      this.cache.set(file, cached);
    }
    let body = cached.body;
    if (COMPRESSIBLE.test(type) && body.length >= MIN_GZIP_BYTES) {
      headers.Vary = "Accept-Encoding";
      if (/\bgzip\b/.test(request.headers.get("accept-encoding") ?? "")) {
        cached.gzipped ??= new Uint8Array(await gzip(body));
        body = cached.gzipped;
        headers["Content-Encoding"] = "gzip";
      }
    }
    headers["Content-Length"] = String(body.length);
    return new Response(request.method === "HEAD" ? null : body, { status: 200, headers });
  }
}

/**
 * The folder the server's build copies the dashboard into (`dashboard/` beside `dist/`, the same
 * from `dist/` and `src/`). Not inside `dist/`: that folder holds only what `tsc` emits, which the
 * stale-output pruning and the pack check rely on.
 */
export function bundledDashboardDir(): string {
  return fileURLToPath(new URL("../dashboard/", import.meta.url));
}

/** True if `dir` holds a built dashboard. */
export function hasDashboard(dir: string): boolean {
  try {
    return statSync(resolve(dir, "index.html")).isFile();
  } catch {
    return false;
  }
}
