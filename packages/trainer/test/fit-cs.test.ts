// "Done when" items of the cs strategy, with real processes: a user script (fixtures/fit-cs.mjs)
// run with node; its Trainer serves the store and forks 4 runner processes re-running the script.
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { ScriptedOpenAI } from "@agentlightning/scripted-openai";
import { InMemoryLightningStore } from "@agentlightning/store";
import { PostgresLightningStore } from "@agentlightning/store/postgres";
import { LightningStoreServer } from "@agentlightning/store/server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { IMPROVED_TEMPLATE, startArithmeticModel } from "./fixtures/arithmetic-world.mjs";
import { freePort, processExists, runScript, type ScriptRun, waitFor } from "./support.js";

const script = fileURLToPath(new URL("./fixtures/fit-cs.mjs", import.meta.url));
const databaseUrl = process.env.DATABASE_URL;

interface FitResult {
  initialScore: number | null;
  bestScore: number;
  bestPrompt: string | null;
  children: Array<{ name: string; pid: number; exitCode: number | null }>;
}

function resultOf(run: ScriptRun): FitResult {
  const line = run
    .output()
    .split("\n")
    .find((l) => l.startsWith("RESULT "));
  if (line === undefined) throw new Error(`no RESULT line in:\n${run.output()}`);
  return JSON.parse(line.slice("RESULT ".length)) as FitResult;
}

/** Pids of the runner processes, from the parent's "Started runner-<i> (pid N)" log lines. */
function childPids(run: ScriptRun): number[] {
  return [...run.output().matchAll(/Started runner-\d+ \(pid (\d+)\)/g)].map((m) => Number(m[1]));
}

const runs: ScriptRun[] = [];
afterEach(() => {
  // A failed test must not leave its process group behind.
  for (const run of runs.splice(0)) {
    if (run.child.exitCode === null && run.child.pid !== undefined) {
      try {
        process.kill(-run.child.pid, "SIGKILL");
      } catch {}
    }
  }
});

describe("Trainer.fit with cs and 4 runner processes", () => {
  let model: ScriptedOpenAI;
  beforeAll(async () => {
    model = await startArithmeticModel({ agentDelayMs: 0 });
  });
  afterAll(async () => {
    await model.close();
  });

  it("Done when: completes APO on the example agent and improves its validation score; every child exits 0", {
    timeout: 180_000,
  }, async () => {
    const run = runScript(script, {
      MODEL_URL: model.baseUrl,
      N_RUNNERS: "4",
      AGL_SERVER_PORT: String(await freePort()),
    });
    runs.push(run);
    const { code } = await run.exited;
    expect(code, run.output()).toBe(0);
    const result = resultOf(run);
    expect(result.initialScore).toBe(0);
    expect(result.bestScore).toBe(1);
    expect(result.bestPrompt).toBe(IMPROVED_TEMPLATE);
    expect(result.children.map((c) => c.name)).toEqual(["runner-0", "runner-1", "runner-2", "runner-3"]);
    expect(result.children.every((c) => c.exitCode === 0)).toBe(true);
    // The rollouts ran in the runner processes: each child logged progress.
    for (const child of result.children) {
      expect(run.output()).toContain(`[${child.pid} runner] info [Worker-`);
      expect(processExists(child.pid)).toBe(false);
    }
  });
});

describe("cs when the parent dies", () => {
  it("SIGKILL of the parent: its runner processes notice the closed channel, stop and exit (no orphans)", {
    timeout: 180_000,
  }, async () => {
    const model = await startArithmeticModel({ agentDelayMs: 500 });
    try {
      const run = runScript(script, {
        MODEL_URL: model.baseUrl,
        N_RUNNERS: "2",
        VAL_COUNT: "12",
        AGL_SERVER_PORT: String(await freePort()),
      });
      runs.push(run);
      await waitFor(() => /Progress: 1 rollouts/.test(run.output()), 120_000);
      const pids = childPids(run);
      expect(pids).toHaveLength(2);
      process.kill(run.child.pid as number, "SIGKILL");
      await run.exited;
      await waitFor(() => pids.every((pid) => !processExists(pid)), 120_000);
    } finally {
      await model.close();
    }
  });
});

describe("cs with an existing store server (AGL_MANAGED_STORE=0)", () => {
  it("serves nothing itself: the algorithm and 2 runner processes use the given store client; the rollouts land in that server's store", {
    timeout: 180_000,
  }, async () => {
    const model = await startArithmeticModel();
    const store = new InMemoryLightningStore();
    const server = new LightningStoreServer({ store, port: 0 });
    await server.start();
    try {
      const run = runScript(script, {
        MODEL_URL: model.baseUrl,
        N_RUNNERS: "2",
        STORE: "client",
        STORE_URL: server.url,
        AGL_MANAGED_STORE: "0",
        BEAM_ROUNDS: "1",
      });
      runs.push(run);
      const { code } = await run.exited;
      expect(code, run.output()).toBe(0);
      expect(resultOf(run).bestScore).toBe(1);
      expect(run.output()).not.toContain("store server listening");
      const rollouts = (await store.queryRollouts()).items;
      expect(rollouts.length).toBeGreaterThan(0);
      expect(rollouts.every((r) => r.status === "succeeded")).toBe(true);
    } finally {
      await server.stop();
      await model.close();
    }
  });
});

describe.skipIf(databaseUrl === undefined)(
  "Ctrl+C during a cs run (Postgres store, 4 runner processes)",
  () => {
    let model: ScriptedOpenAI;
    beforeAll(async () => {
      // Slow agent answers: rollouts are in flight when the run is interrupted.
      model = await startArithmeticModel({ agentDelayMs: 1500 });
    });
    afterAll(async () => {
      await model.close();
    });

    it.each([
      ["the whole process group (a terminal's Ctrl+C); in-flight rollouts finish", "group", "10", "cs"],
      ["the parent only; in-flight rollouts finish", "parent", "10", "cs"],
      ["the group, with no grace period: runners are interrupted mid-rollout", "group", "0", "cs"],
      ["the group of an ipc run (runners on the IPC store)", "group", "10", "ipc"],
    ])(
      "Done when: SIGINT to %s; no process behind, no rollout running",
      { timeout: 180_000 },
      async (_label, target, graceful, strategy) => {
        const schema = `trainer_sigint_${randomBytes(4).toString("hex")}`;
        const store = await PostgresLightningStore.connect({ url: databaseUrl as string, schema, max: 2 });
        try {
          const run = runScript(script, {
            MODEL_URL: model.baseUrl,
            N_RUNNERS: "4",
            STORE: "postgres",
            STORE_SCHEMA: schema,
            VAL_COUNT: "12",
            GRACEFUL_TIMEOUT: graceful,
            STRATEGY: strategy,
            AGL_SERVER_PORT: String(await freePort()),
          });
          runs.push(run);
          // Wait until rollouts are in flight in the runner processes (claimed: preparing or running).
          await waitFor(async () => {
            if (run.child.exitCode !== null)
              throw new Error(`the run ended before the interrupt:\n${run.output()}`);
            return (await store.queryRollouts({ statusIn: ["preparing", "running"] })).items.length >= 2;
          }, 120_000).catch((error: unknown) => {
            throw new Error(`${String(error)}\n${run.output()}`);
          });
          const pids = childPids(run);
          expect(pids).toHaveLength(4);
          const pid = run.child.pid as number;
          process.kill(target === "group" ? -pid : pid, "SIGINT");
          const { code, signal } = await run.exited;
          expect({ code, signal }, run.output()).toEqual({ code: 0, signal: null });
          expect(run.output()).toContain("KeyboardInterrupt received");
          // fit resolved normally after the interrupt, every runner process is gone ...
          const result = resultOf(run);
          expect(result.children).toHaveLength(4);
          for (const child of pids) expect(processExists(child)).toBe(false);
          // ... and no rollout was left running: in-flight ones finished, or were marked failed.
          const unfinished = await store.queryRollouts({ statusIn: ["preparing", "running"] });
          expect(unfinished.items).toEqual([]);
          const all = (await store.queryRollouts()).items;
          if (graceful === "0") {
            // The runners were interrupted (SIGINT) mid-rollout; APO, stopped by its signal, cancels
            // the rollouts it still waits for; attempts nobody finished are marked failed.
            expect(run.output()).toContain("interrupting (SIGINT)");
            expect(all.some((r) => r.status === "cancelled" || r.status === "failed")).toBe(true);
          } else {
            expect(all.some((r) => r.status === "succeeded")).toBe(true);
            expect(all.some((r) => r.status === "failed")).toBe(false);
          }
        } finally {
          await store.close();
        }
      },
    );
  },
);
