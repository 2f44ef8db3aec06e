import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { cleanEnv } from "./cli-process.js";

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

// Ctrl+C on the README's start command (item 17): the terminal sends SIGINT to the whole
// foreground process group (pnpm, the script's shell, node), and pnpm forwards it once more.
// A detached child is its own process group, so signalling the group reproduces that exactly.
describe("Ctrl+C on `pnpm agl store`", () => {
  it("stops the server cleanly and ends with exit code 0, without pnpm's ELIFECYCLE", async () => {
    const child = spawn("pnpm", ["agl", "store", "--backend", "memory", "--port", "0"], {
      cwd: REPO_ROOT,
      env: cleanEnv(),
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const ready = new Promise<void>((resolve) => {
      const onData = (chunk: Buffer) => {
        output += chunk;
        if (output.includes("agl store ready")) resolve();
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
    });
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on("close", (code, signal) => resolve([code, signal])),
    );
    await Promise.race([ready, exited]);
    expect(output).toContain("agl store ready");
    process.kill(-child.pid!, "SIGINT");
    const [code, signal] = await exited;
    expect(output).toContain('"msg":"stopped"');
    expect(output).not.toContain("ELIFECYCLE");
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  }, 120_000);
});
