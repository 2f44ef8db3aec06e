import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { InMemoryLightningStore } from "@agentlightning/store";
import type { LightningStoreServer } from "@agentlightning/store/server";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createServer, openDashboard } from "./app.js";
import { STORE_DEFAULTS } from "./config.js";
import { DashboardNotFoundError, DashboardSite } from "./dashboard-site.js";
import type { StructuredLogger } from "./logger.js";
import type { StoreServerConfig } from "./options.js";

// The dashboard's files served by the `agl store` app (docs/store-contract.md §4.8), from a small
// fixture build shaped like Vite's output: a real server on a loopback port, spoken to with fetch.

const INDEX_HTML =
  '<!doctype html><html><head><script type="module" src="/assets/app-1a2b3c.js"></script></head><body><div id="root">fixture dashboard</div></body></html>';
const APP_JS = `console.log(${JSON.stringify("x".repeat(4000))});\n`;

const dirs: string[] = [];
function fixtureBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), "agl-dashboard-fixture-"));
  dirs.push(dir);
  mkdirSync(join(dir, "assets"));
  writeFileSync(join(dir, "index.html"), INDEX_HTML);
  writeFileSync(join(dir, "assets", "app-1a2b3c.js"), APP_JS);
  writeFileSync(join(dir, "assets", "style-9f8e.css"), "body{margin:0}");
  writeFileSync(join(dir, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
  return dir;
}
function tempDirectory(): string {
  const dir = mkdtempSync(join(tmpdir(), "agl-dashboard-empty-"));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface LogLine {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}
function memoryLogger(lines: LogLine[]): StructuredLogger {
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    void lines.push({ level, message, ...(fields === undefined ? {} : { fields }) });
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

const running: LightningStoreServer[] = [];
afterEach(async () => {
  while (running.length > 0) await running.pop()?.stop({ graceMs: 500 });
});

async function serve(
  overrides: Partial<StoreServerConfig>,
  dashboard: DashboardSite | null,
): Promise<{ url: string; store: InMemoryLightningStore }> {
  const config: StoreServerConfig = { ...STORE_DEFAULTS, port: 0, ...overrides };
  const store = new InMemoryLightningStore();
  const server = createServer({ store, config, logger: memoryLogger([]), dashboard });
  await server.start();
  running.push(server);
  return { url: server.url, store };
}

const HTML = { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };

describe("the dashboard at /", () => {
  it("serves index.html at / and the app's files with their types and caching", async () => {
    const { url } = await serve({}, DashboardSite.open(fixtureBuild()));
    const root = await fetch(`${url}/`, { headers: HTML });
    expect(root.status).toBe(200);
    expect(root.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(root.headers.get("cache-control")).toBe("no-cache");
    expect(await root.text()).toBe(INDEX_HTML);

    const js = await fetch(`${url}/assets/app-1a2b3c.js`, { headers: { "accept-encoding": "identity" } });
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(js.headers.get("content-encoding")).toBeNull();
    expect(await js.text()).toBe(APP_JS);
    expect((await fetch(`${url}/assets/style-9f8e.css`)).headers.get("content-type")).toBe(
      "text/css; charset=utf-8",
    );
    const svg = await fetch(`${url}/favicon.svg`);
    expect(svg.headers.get("content-type")).toBe("image/svg+xml");
    expect(svg.headers.get("cache-control")).toBe("no-cache");
  });

  it("gzips text files for clients that accept it, and answers 304 to a matching ETag", async () => {
    const { url } = await serve({}, DashboardSite.open(fixtureBuild()));
    // Node's fetch decodes gzip itself; read the raw bytes through a plain HTTP request instead.
    const { request } = await import("node:http");
    const raw = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
      const req = request(
        `${url}/assets/app-1a2b3c.js`,
        { headers: { "accept-encoding": "gzip" } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(raw.headers["content-encoding"]).toBe("gzip");
    expect(raw.headers.vary).toBe("Accept-Encoding");
    expect(raw.body.length).toBeLessThan(APP_JS.length);
    expect(gunzipSync(raw.body).toString()).toBe(APP_JS);

    const first = await fetch(`${url}/`);
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^W\/"/);
    const again = await fetch(`${url}/`, { headers: { "if-none-match": etag as string } });
    expect(again.status).toBe(304);
    const head = await fetch(`${url}/`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await head.text()).toBe("");
  });

  it("answers the app's own paths with index.html for browsers, and 404 otherwise", async () => {
    const { url } = await serve({}, DashboardSite.open(fixtureBuild()));
    const deep = await fetch(`${url}/rollouts/ro-123?tab=spans`, { headers: HTML });
    expect(deep.status).toBe(200);
    expect(await deep.text()).toBe(INDEX_HTML);
    // Not a navigation (a script, an API-minded client): no HTML in place of the missing thing.
    const script = await fetch(`${url}/rollouts/ro-123`, { headers: { accept: "application/json" } });
    expect(script.status).toBe(404);
    expect(await script.json()).toEqual({ detail: "Not Found" });
    // A missing hashed asset is a 404 even for a browser.
    expect((await fetch(`${url}/assets/app-old.js`, { headers: HTML })).status).toBe(404);
    // Nothing outside the build folder is reachable.
    for (const path of ["/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd", "/assets/%00.js"]) {
      const res = await fetch(`${url}${path}`, { headers: { accept: "*/*" } });
      expect(res.status, path).toBe(404);
    }
  });

  it("leaves every API path to the store: /v1/..., the alias, the reference, metrics, health", async () => {
    const { url } = await serve({}, DashboardSite.open(fixtureBuild()));
    const health = await fetch(`${url}/v1/agl/health`, { headers: HTML });
    expect(await health.json()).toEqual({ status: "ok" });
    const docs = await fetch(`${url}/v1/agl/docs`, { headers: HTML });
    expect(docs.headers.get("content-type")).toMatch(/text\/html/);
    expect(await docs.text()).not.toContain("fixture dashboard");
    const unknown = await fetch(`${url}/v1/agl/no-such-route`, { headers: HTML });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ detail: "Not Found" });
    expect((await fetch(`${url}/agl/v1/rollouts`, { headers: HTML })).status).toBe(200);
    const metrics = await fetch(`${url}/metrics`, { headers: HTML });
    expect(metrics.headers.get("content-type")).toMatch(/text\/plain/);
    expect((await fetch(`${url}/v1/prometheus/`, { headers: HTML })).headers.get("content-type")).toMatch(
      /text\/plain/,
    );
    // Other methods on the dashboard's paths are the store's answers.
    expect((await fetch(`${url}/`, { method: "POST" })).status).toBe(405);
  });

  it("is served without the API key, while the API still needs it", async () => {
    const { url } = await serve({ apiKey: "secret" }, DashboardSite.open(fixtureBuild()));
    expect(await (await fetch(`${url}/`, { headers: HTML })).text()).toBe(INDEX_HTML);
    expect((await fetch(`${url}/rollouts`, { headers: HTML })).status).toBe(200);
    expect((await fetch(`${url}/v1/agl/rollouts`)).status).toBe(401);
    const authed = await fetch(`${url}/v1/agl/rollouts`, { headers: { authorization: "Bearer secret" } });
    expect(authed.status).toBe(200);
  });

  it("keeps the legacy API's paths for the legacy API", async () => {
    const { url, store } = await serve({ legacy: true }, DashboardSite.open(fixtureBuild()));
    await store.addResources({ llm: { resource_type: "llm", endpoint: "http://x", model: "m" } });
    const latest = await fetch(`${url}/resources/latest`, { headers: HTML });
    expect(latest.headers.get("content-type")).toMatch(/application\/json/);
    expect(await latest.text()).not.toContain("fixture dashboard");
    // Other paths still reach the dashboard.
    expect(await (await fetch(`${url}/workers`, { headers: HTML })).text()).toBe(INDEX_HTML);
  });

  it("without a dashboard, / redirects to the API reference", async () => {
    const { url } = await serve({}, null);
    const root = await fetch(`${url}/`, { redirect: "manual" });
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("/v1/agl/docs");
  });
});

describe("openDashboard (the dashboard setting)", () => {
  const config = (dashboard: string): StoreServerConfig => ({ ...STORE_DEFAULTS, dashboard });

  it("off serves none; a folder serves that build; a folder without one is an error", () => {
    const lines: LogLine[] = [];
    expect(openDashboard(config("off"), memoryLogger(lines))).toBeNull();
    const dir = fixtureBuild();
    expect(openDashboard(config(dir), memoryLogger(lines))?.root).toBe(dir);
    const empty = tempDirectory();
    expect(() => openDashboard(config(empty), memoryLogger(lines))).toThrow(DashboardNotFoundError);
    expect(() => openDashboard(config(empty), memoryLogger(lines))).toThrow(/has no index\.html/);
  });

  it("auto serves the build copied next to the server, or logs that there is none", () => {
    const lines: LogLine[] = [];
    const built = fixtureBuild();
    expect(openDashboard(config("auto"), memoryLogger(lines), built)?.root).toBe(built);
    expect(lines).toEqual([]);
    const missing = join(tempDirectory(), "dashboard");
    expect(openDashboard(config("auto"), memoryLogger(lines), missing)).toBeNull();
    expect(lines).toEqual([
      {
        level: "info",
        message: "dashboard not built: / redirects to the API reference",
        fields: { dir: missing },
      },
    ]);
  });
});
