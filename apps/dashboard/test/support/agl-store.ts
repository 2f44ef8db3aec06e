import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, from this file's place in apps/dashboard/test/support. */
export const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));

/**
 * The `agl` entry point the browser tests start: this checkout's build, or another one named by
 * `AGL_E2E_SERVER_MAIN` (to try the dashboard against a different server build).
 */
export const serverMain = process.env.AGL_E2E_SERVER_MAIN || join(repoRoot, "apps/server/dist/main.js");

let dashboardFlag: boolean | undefined;
/** Whether this `agl store` has `--dashboard DIR` (serving a given dashboard build at `/`). */
export function supportsDashboardFlag(): boolean {
  dashboardFlag ??= execFileSync(process.execPath, [serverMain, "store", "--help"], {
    encoding: "utf8",
  }).includes("--dashboard");
  return dashboardFlag;
}

/** A running `agl store` child process. */
export interface AglStore {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts the built `agl store` (apps/server/dist/main.js) on a free loopback port, with the
 * in-memory backend unless told otherwise, and resolves once it logs that it is ready. With
 * `dashboardDir`, a server that has `--dashboard` serves that build.
 */
export function startAglStore(
  args: string[] = ["--backend", "memory"],
  options: { dashboardDir?: string } = {},
): Promise<AglStore> {
  const dataDir = mkdtempSync(join(tmpdir(), "agl-dash-e2e-"));
  const dataArgs =
    args.includes("--backend") || args.includes("--database-url") ? [] : ["--data-dir", dataDir];
  // Serve this checkout's fresh dashboard build, not the copy made when the server was built.
  if (options.dashboardDir !== undefined && supportsDashboardFlag())
    dataArgs.push("--dashboard", options.dashboardDir);
  const child: ChildProcess = spawn(
    process.execPath,
    [serverMain, "store", "--port", "0", ...dataArgs, ...args],
    {
      env: { ...process.env, AGL_LOG_LEVEL: "info", AGL_LOG_FORMAT: "json" },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  return new Promise((resolve, reject) => {
    let buffered = "";
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const ready = buffered.split("\n").find((line) => line.includes('"agl store ready"'));
      if (ready === undefined) return;
      child.stderr?.off("data", onData);
      child.stderr?.resume();
      resolve({
        url: (JSON.parse(ready) as { url: string }).url,
        stop: async () => {
          if (child.exitCode === null) {
            const closed = new Promise((r) => child.once("close", r));
            child.kill("SIGTERM");
            await closed;
          }
          rmSync(dataDir, { recursive: true, force: true });
        },
      });
    };
    child.stderr?.on("data", onData);
    child.once("close", (code) => reject(new Error(`agl store exited with ${code}: ${buffered}`)));
  });
}
