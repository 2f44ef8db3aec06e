import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type AglProcess, runAgl, startAglStore } from "./cli-process.js";

// The embedded database's folder lock (item 10), with real processes: one process at a time, and
// a holder that dies in any way (SIGKILL here) leaves nothing that blocks the next start, even
// when its pid now belongs to another live process.

const running: AglProcess[] = [];
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop("SIGKILL")));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function start(args: string[]): Promise<AglProcess> {
  const p = await startAglStore(args);
  running.push(p);
  return p;
}

describe("the embedded database's data-folder lock", () => {
  it("refuses a second process, survives SIGKILL and a reused pid, and keeps the data", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "agl-lock-test-"));
    dirs.push(dataDir);
    const first = await start(["--data-dir", dataDir]);
    // A fresh folder starts from the template made at build time (item 14), not from initdb.
    expect(first.logs.map((l) => l.msg)).toContain("initialised the embedded database from the template");
    const created = await fetch(`${first.url}/v1/agl/queues/rollouts/enqueue`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ rollouts: [{ input: { keep: "me" } }] }),
    });
    const id = ((await created.json()) as { rollout_id: string }[])[0]!.rollout_id;

    const second = await runAgl(["store", "--port", "0", "--data-dir", dataDir]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`is in use by process ${first.child.pid}`);

    expect(await first.stop("SIGKILL")).toBe(null);
    // What a pid file would now say after a crash: a pid that a live process owns (this one).
    writeFileSync(join(dataDir, "agl-server.pid"), String(process.pid));

    const restarted = await start(["--data-dir", dataDir]);
    expect(restarted.logs.map((l) => l.msg)).not.toContain(
      "initialised the embedded database from the template",
    );
    const res = await fetch(`${restarted.url}/v1/agl/rollouts/${id}`);
    expect(await res.json()).toMatchObject({ rollout_id: id, input: { keep: "me" } });
    expect(await restarted.stop("SIGINT")).toBe(0);

    // A clean stop releases the lock too.
    const again = await start(["--data-dir", dataDir]);
    expect(await again.stop()).toBe(0);
  }, 180_000);
});
