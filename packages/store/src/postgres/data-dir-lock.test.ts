import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AglError } from "@agentlightning/types";
import { afterAll, describe, expect, it } from "vitest";
import { DATA_DIR_LOCK_NAME, lockDataDir } from "./data-dir-lock.js";

// The lock with real processes: a holder killed with SIGKILL leaves its socket file behind, and
// the next process takes the lock over; a live holder (another process) refuses it, naming its pid.

const root = mkdtempSync(join(tmpdir(), "agl-lock-unit-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// The child runs the built module (Node 20 cannot import TypeScript).
const LOCK_MODULE = new URL("../../dist/postgres/data-dir-lock.js", import.meta.url).pathname;

/** A child process that takes the lock of `dir` and prints "locked"; resolves once it has. */
function holder(dir: string) {
  const code = `const { lockDataDir } = await import(${JSON.stringify(LOCK_MODULE)}); await lockDataDir(${JSON.stringify(dir)}); console.log("locked"); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", code], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d) => String(d).includes("locked") && resolve());
    child.on("close", (c) => reject(new Error(`holder exited with ${c}`)));
  });
  const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
  return { child, ready, exited };
}

describe("data-folder lock", () => {
  it("refuses while another process holds it and takes it over after that process is killed", async () => {
    const dir = mkdtempSync(join(root, "d"));
    const other = holder(dir);
    await other.ready;
    await expect(lockDataDir(dir)).rejects.toSatisfy(
      (e) =>
        AglError.isInstance(e) && e.code === "conflict" && e.message.includes(`process ${other.child.pid}`),
    );
    other.child.kill("SIGKILL");
    await other.exited;
    expect(existsSync(join(dir, DATA_DIR_LOCK_NAME))).toBe(true); // left behind by the dead holder
    const lock = await lockDataDir(dir);
    await expect(lockDataDir(dir)).rejects.toThrow(`process ${process.pid}`);
    await lock.release();
    await (await lockDataDir(dir)).release();
  }, 60_000);
});
