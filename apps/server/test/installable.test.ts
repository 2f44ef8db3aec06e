import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { cpSync, lstatSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  checkPackedPackage,
  installScratchProject,
  packPackage,
  runCommand,
} from "@agentlightning/vitest-config/pack-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv } from "./cli-process.js";

// The server as users get it outside this repository: (1) installed from the registry tarballs
// and started with `npx @agentlightning/server store`, (2) the self-contained folder `pnpm deploy`
// makes (what the container recipe copies), moved elsewhere and started with node.

const appDir = fileURLToPath(new URL("..", import.meta.url));
const repoDir = resolve(appDir, "../..");
const WORKSPACE_DEPS = [
  "packages/types",
  "packages/store",
  "packages/tracer",
  "packages/legacy-client",
  "packages/litagent",
  "packages/algorithm",
  "packages/legacy-server",
];
const LONG = 300_000;

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "agl-server-install-"));
});
// Removing two installs (about 300 MB of small files) outlasts the default hook timeout on a busy machine.
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
}, LONG);

/** Starts a command that runs `agl store`, resolves with its URL once it logs "agl store ready". */
function startStore(
  command: string,
  args: string[],
  cwd: string,
): Promise<{ url: string; logs: string[]; child: ChildProcess }> {
  const child = spawn(command, args, { cwd, env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
  const logs: string[] = [];
  return new Promise((resolvePromise, reject) => {
    let buffer = "";
    const onData = (data: Buffer) => {
      buffer += data.toString();
      let newline = buffer.indexOf("\n");
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        logs.push(line);
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === "agl store ready" && entry.url) resolvePromise({ url: entry.url, logs, child });
        } catch {
          // not a JSON log line (npm's own output)
        }
        newline = buffer.indexOf("\n");
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("close", (code) =>
      reject(new Error(`agl store exited with ${code}:\n${logs.join("\n")}${buffer}`)),
    );
  });
}

/** SIGTERM, then SIGKILL if it has not exited after 30 s (so a failing test cannot hang). */
function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolvePromise) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.once("close", (code) => {
      clearTimeout(kill);
      resolvePromise(code);
    });
    child.kill("SIGTERM");
  });
}

/** A store that answers health and keeps what it is given, with the dashboard it carries at `/`. */
async function exerciseStore(url: string): Promise<void> {
  expect(await (await fetch(`${url}/v1/agl/health`)).json()).toEqual({ status: "ok" });
  const dashboard = await fetch(`${url}/`, { headers: { accept: "text/html" } });
  expect(dashboard.headers.get("content-type")).toBe("text/html; charset=utf-8");
  expect(await dashboard.text()).toContain('<div id="root">');
  const enqueued = await fetch(`${url}/v1/agl/queues/rollouts/enqueue`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ rollouts: [{ input: { q: "2+2?" } }] }),
  });
  expect(enqueued.status).toBe(201);
  const listed = (await (await fetch(`${url}/v1/agl/rollouts`)).json()) as { items: unknown[] };
  expect(listed.items).toHaveLength(1);
}

/**
 * Symlinks under `dir` whose target lies outside it (a folder that cannot be moved). pnpm's
 * hoisted link of the deployed package to its own source folder is left out: nothing resolves
 * through it (the package is the folder's root), it only dangles after a move.
 */
function linksLeaving(dir: string): string[] {
  const leaving: string[] = [];
  const walk = (path: string) => {
    for (const entry of readdirSync(path)) {
      const full = join(path, entry);
      const stat = lstatSync(full);
      if (stat.isSymbolicLink()) {
        const target = resolve(dirname(full), readlinkSync(full));
        const selfLink = relative(dir, full) === "node_modules/.pnpm/node_modules/@agentlightning/server";
        if (!selfLink && relative(dir, target).startsWith(".."))
          leaving.push(`${relative(dir, full)} -> ${target}`);
      } else if (stat.isDirectory()) {
        walk(full);
      }
    }
  };
  walk(dir);
  return leaving;
}

describe("@agentlightning/server outside the repository", () => {
  it("packs a bin and no tests or build caches", () => {
    const { files, manifest } = checkPackedPackage(appDir);
    expect(manifest.bin).toEqual({ agl: "./dist/main.js" });
    expect(files).toEqual(
      expect.arrayContaining([
        "dist/main.js",
        "LICENSE",
        "README.md",
        "dist/pglite-template/PG_VERSION",
        "dashboard/index.html",
      ]),
    );
    expect(files.filter((f) => /\.test\.|tsbuildinfo/.test(f))).toEqual([]);
  });

  it(
    "installs from its tarballs and runs with `npx @agentlightning/server store` on embedded PGlite",
    async () => {
      const tarballs = join(work, "tarballs");
      const dependencies: Record<string, string> = {};
      for (const dir of [...WORKSPACE_DEPS, "apps/server"]) {
        const name = (await import(join(repoDir, dir, "package.json"), { with: { type: "json" } })).default
          .name as string;
        dependencies[name] = `file:${packPackage(join(repoDir, dir), tarballs)}`;
      }
      const project = join(work, "project");
      await installScratchProject(project, { dependencies });

      // What `npx @agentlightning/server store ...` runs; npx itself is checked on short commands,
      // since it does not pass SIGTERM on to the server it starts.
      const version = await runCommand(project, "npx", [
        "--no-install",
        "@agentlightning/server",
        "--version",
      ]);
      expect(version.trim()).toMatch(/^\d+\.\d+\.\d+/);
      const help = await runCommand(project, "npx", [
        "--no-install",
        "@agentlightning/server",
        "store",
        "--help",
      ]);
      expect(help).toContain("Usage: agl store");

      const store = await startStore(
        join(project, "node_modules", ".bin", "agl"),
        ["store", "--port", "0", "--data-dir", join(project, "data"), "--log-format", "json"],
        project,
      );
      try {
        await exerciseStore(store.url);
        // The packed template (its empty folders dropped by npm) still initialises the database.
        expect(
          store.logs.some((l) => l.includes("initialised the embedded database from the template")),
        ).toBe(true);
      } finally {
        expect(await stop(store.child)).toBe(0);
      }
    },
    LONG,
  );

  it(
    "deploys with `pnpm deploy` to a self-contained folder that runs after a move",
    async () => {
      const deployed = join(work, "deploy");
      execFileSync("pnpm", ["--filter", "@agentlightning/server", "deploy", "--prod", "--legacy", deployed], {
        cwd: repoDir,
        stdio: "pipe",
        env: cleanEnv(),
      });
      const moved = join(work, "elsewhere", "agl");
      cpSync(deployed, moved, { recursive: true, verbatimSymlinks: true });
      rmSync(deployed, { recursive: true, force: true });
      expect(linksLeaving(moved)).toEqual([]);

      const store = await startStore(
        process.execPath,
        [
          join(moved, "dist", "main.js"),
          "store",
          "--port",
          "0",
          "--data-dir",
          join(work, "deployed-data"),
          "--log-format",
          "json",
        ],
        join(work, "elsewhere"),
      );
      try {
        await exerciseStore(store.url);
        expect(
          store.logs.some((l) => l.includes("initialised the embedded database from the template")),
        ).toBe(true);
      } finally {
        expect(await stop(store.child)).toBe(0);
      }
    },
    LONG,
  );
});
