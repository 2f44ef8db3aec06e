import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type AglProcess, runAgl, startAglStore } from "./cli-process.js";

// `agl store` serving a dashboard build at `/` (the `--dashboard` / AGL_DASHBOARD setting), as a
// real child process.

const running: AglProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(running.map((p) => p.stop("SIGKILL")));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "agl-dashboard-cli-"));
  dirs.push(dir);
  return dir;
}

const HTML = { accept: "text/html" };

describe("agl store --dashboard", () => {
  it("serves the dashboard built with it at / by default, as the README's quick start says", async () => {
    // The build copies apps/dashboard/dist to apps/server/dashboard (turbo builds the dashboard first).
    const built = readFileSync(new URL("../dashboard/index.html", import.meta.url), "utf8");
    expect(built).toBe(readFileSync(new URL("../../dashboard/dist/index.html", import.meta.url), "utf8"));
    const p = await startAglStore(["--backend", "memory"]);
    running.push(p);
    expect(p.logs.find((l) => l.msg === "agl store ready")?.dashboard).toBe(`${p.url}/`);
    const root = await fetch(`${p.url}/`, { headers: HTML });
    expect(root.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await root.text()).toBe(built);
    // Every script and stylesheet index.html loads is served with its type, cacheable for good.
    // (Vite writes them relative, `./assets/...`: the app routes in the URL hash, so it always loads from `/`.)
    const assets = [...built.matchAll(/(?:src|href)="\.?(\/assets\/[^"]+\.(js|css))"/g)];
    expect(assets.length).toBeGreaterThan(0);
    for (const [, path, ext] of assets) {
      const res = await fetch(`${p.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type"), path).toBe(
        ext === "js" ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8",
      );
      expect(res.headers.get("cache-control"), path).toContain("immutable");
    }
    expect(await p.stop()).toBe(0);

    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    expect(readme).toContain("Open http://127.0.0.1:4747/ for the dashboard");
  });

  it("serves the given build at / and at the app's paths, beside the API", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "index.html"), "<!doctype html><title>fixture</title>");
    writeFileSync(join(dir, "assets", "a-1.js"), "export {};");
    const p = await startAglStore(["--backend", "memory", "--dashboard", dir]);
    running.push(p);
    expect(p.logs.find((l) => l.msg === "agl store ready")?.dashboard).toBe(`${p.url}/`);
    expect(await (await fetch(`${p.url}/`, { headers: HTML })).text()).toBe(
      "<!doctype html><title>fixture</title>",
    );
    expect(await (await fetch(`${p.url}/rollouts/ro-1`, { headers: HTML })).text()).toContain("fixture");
    expect((await fetch(`${p.url}/assets/a-1.js`)).headers.get("content-type")).toBe(
      "text/javascript; charset=utf-8",
    );
    expect(await (await fetch(`${p.url}/v1/agl/health`, { headers: HTML })).json()).toEqual({ status: "ok" });
    expect(await p.stop()).toBe(0);
  });

  it("AGL_DASHBOARD=off keeps / on the API reference", async () => {
    const p = await startAglStore(["--backend", "memory"], { AGL_DASHBOARD: "off" });
    running.push(p);
    expect(p.logs.find((l) => l.msg === "agl store ready")?.dashboard).toBe("off");
    const root = await fetch(`${p.url}/`, { redirect: "manual", headers: HTML });
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("/v1/agl/docs");
    expect(await p.stop()).toBe(0);
  });

  it("refuses to start on a folder without a build", async () => {
    const empty = tempDir();
    const { code, stderr } = await runAgl([
      "store",
      "--backend",
      "memory",
      "--port",
      "0",
      "--dashboard",
      empty,
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain("has no index.html");
  });
});
