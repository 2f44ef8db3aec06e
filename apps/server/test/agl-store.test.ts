import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type AglProcess, runAgl, startAglStore } from "./cli-process.js";

const databaseUrl = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const running: AglProcess[] = [];
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop("SIGKILL")));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function start(args: string[], env: Record<string, string> = {}): Promise<AglProcess> {
  const p = await startAglStore(args, env);
  running.push(p);
  return p;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "agl-server-test-"));
  dirs.push(dir);
  return dir;
}

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.json() };
}

async function enqueue(url: string, input: unknown): Promise<string> {
  const { status, body } = await json(`${url}/v1/agl/queues/rollouts/enqueue`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ rollouts: [{ input }] }),
  });
  expect(status).toBe(201);
  return (body as { rollout_id: string }[])[0]!.rollout_id;
}

describe("agl CLI", () => {
  it("prints its version and help", async () => {
    const version = await runAgl(["--version"]);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await runAgl(["store", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--scan-debounce-seconds");
  });

  it("rejects a bad option with exit code 2 and a message naming it", async () => {
    const result = await runAgl(["store", "--port", "nope"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("port must be an integer");
  });

  it("fails fast with exit code 1 when the port is taken", async () => {
    const first = await start(["--backend", "memory"]);
    const port = new URL(first.url).port;
    const second = await runAgl(["store", "--backend", "memory", "--port", port]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain("agl store failed");
    await first.stop();
  });
});

describe("agl store", () => {
  it("serves the in-memory backend, answers health, and stops on SIGTERM", async () => {
    const p = await start(["--backend", "memory", "--scan-debounce-seconds", "0"]);
    expect(await json(`${p.url}/v1/agl/health`)).toEqual({ status: 200, body: { status: "ok" } });
    expect((await json(`${p.url}/agl/v1/health`)).status).toBe(200);
    const id = await enqueue(p.url, { q: 1 });
    expect(id).toMatch(/^ro-[0-9a-f]{12}$/);
    expect(await p.stop("SIGTERM")).toBe(0);
    expect(p.logs.map((l) => l.msg)).toEqual(
      expect.arrayContaining(["agl store ready", "stopping", "stopped"]),
    );
  });

  it("keeps its data across restarts on embedded PGlite, and guards its data folder", async () => {
    const dataDir = tempDir();
    const first = await start(["--data-dir", dataDir]);
    const id = await enqueue(first.url, { keep: "me" });
    const busy = await runAgl(["store", "--port", "0", "--data-dir", dataDir]);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain("is in use by process");
    expect(await first.stop("SIGINT")).toBe(0);

    const second = await start(["--data-dir", dataDir]);
    const { body } = await json(`${second.url}/v1/agl/rollouts/${id}`);
    expect(body).toMatchObject({ rollout_id: id, input: { keep: "me" }, status: "queuing" });
    expect(await second.stop()).toBe(0);
  }, 120_000);

  it("requires the API key on every route but health, the API reference and the dashboard when one is set", async () => {
    const p = await start(["--backend", "memory"], { AGL_API_KEY: "s3cret" });
    expect((await fetch(`${p.url}/v1/agl/health`)).status).toBe(200);
    expect((await fetch(`${p.url}/v1/agl/docs`)).status).toBe(200);
    expect((await fetch(`${p.url}/v1/agl/openapi.json`)).status).toBe(200);
    const root = await fetch(`${p.url}/`, { redirect: "manual" });
    expect(root.status).toBe(200);
    expect(root.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect((await fetch(`${p.url}/v1/agl/statistics`)).status).toBe(401);
    const ok = await fetch(`${p.url}/v1/agl/statistics`, { headers: { authorization: "Bearer s3cret" } });
    expect(ok.status).toBe(200);
    await p.stop();
  });

  it("mounts the legacy task API beside the store API with --legacy", async () => {
    const p = await start(["--backend", "memory", "--legacy"]);
    expect(await json(`${p.url}/task`)).toEqual({ status: 200, body: { is_available: false, task: null } });
    expect((await json(`${p.url}/resources/latest`)).status).toBe(404);
    expect((await json(`${p.url}/v1/agl/health`)).status).toBe(200);
    await p.stop();
  });

  describe.runIf(databaseUrl)("on a real PostgreSQL server (DATABASE_URL)", () => {
    const schema = `agl_cli_${process.pid}_${Date.now().toString(36)}`;

    it("runs with --database-url and migrates at start", async () => {
      const p = await start(["--database-url", databaseUrl!, "--database-schema", schema]);
      const id = await enqueue(p.url, "pg");
      expect((await json(`${p.url}/v1/agl/rollouts/${id}`)).body).toMatchObject({
        rollout_id: id,
        input: "pg",
      });
      await p.stop();
    });

    it("two server processes on one database share one queue without handing a rollout out twice", async () => {
      const args = ["--database-url", databaseUrl!, "--database-schema", `${schema}_q`];
      const a = await start(args);
      const b = await start(args);
      const ids = new Set<string>();
      for (let i = 0; i < 200; i++) ids.add(await enqueue(i % 2 === 0 ? a.url : b.url, i));
      const claimed: string[] = [];
      await Promise.all(
        Array.from({ length: 16 }, async (_, w) => {
          const url = w % 2 === 0 ? a.url : b.url;
          for (;;) {
            const { body } = await json(`${url}/v1/agl/queues/rollouts/dequeue`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ limit: 1, worker_id: `w${w}` }),
            });
            const items = body as { rollout_id: string }[];
            if (items.length === 0) return;
            claimed.push(items[0]!.rollout_id);
          }
        }),
      );
      expect(claimed.length).toBe(200);
      expect(new Set(claimed)).toEqual(ids);
      await Promise.all([a.stop(), b.stop()]);
    }, 120_000);
  });
});
