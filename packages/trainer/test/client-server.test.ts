// The cs strategy with real child processes, orchestration §6 items #48-#51, #56-#58, #63-#67,
// #69, #71: environment, validation, the four-step shutdown escalation, and execute's outcomes.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ExecutionEvent } from "@agentlightning/litagent";
import { InMemoryLightningStore } from "@agentlightning/store";
import { silentLogger } from "@agentlightning/types";
import { describe, expect, it } from "vitest";
import {
  ChildHandle,
  ClientServerExecutionStrategy,
  exitCodeOf,
  failMaroonedAttempts,
  isChannelClosedError,
  joinUntilDeadline,
  shutdownProcesses,
  signalProcesses,
} from "../src/index.js";
import { runScript } from "./support.js";

const behaviourScript = fileURLToPath(new URL("./fixtures/child-behaviour.mjs", import.meta.url));
const bundlesScript = fileURLToPath(new URL("./fixtures/cs-bundles.mjs", import.meta.url));

async function child(behaviour: string): Promise<ChildHandle> {
  const handle = new ChildHandle(
    behaviour,
    fork(behaviourScript, [behaviour], { stdio: ["ignore", "inherit", "inherit", "ipc"] }),
  );
  await new Promise<void>((resolve) => handle.process.once("message", () => resolve()));
  return handle;
}

const fast = { gracefulTimeout: 0.3, terminateTimeout: 0.5, logger: silentLogger };

describe("ClientServerExecutionStrategy configuration", () => {
  it("#48/#49 env role, host and port; defaults localhost:4747, main process algorithm, managed, role both", () => {
    const env = { AGL_CURRENT_ROLE: "both", AGL_SERVER_HOST: "0.0.0.0", AGL_SERVER_PORT: "5123" };
    expect(new ClientServerExecutionStrategy({ env, mainProcess: "runner" })).toMatchObject({
      role: "both",
      serverHost: "0.0.0.0",
      serverPort: 5123,
      mainProcess: "runner",
    });
    expect(new ClientServerExecutionStrategy({ env: {} })).toMatchObject({
      role: "both",
      serverHost: "localhost",
      serverPort: 4747,
      mainProcess: "algorithm",
      managedStore: true,
      allowedExitCodes: [0, -15],
    });
  });

  it("#50/#51 bad port and managed-store values; explicit values beat the environment", () => {
    expect(() => new ClientServerExecutionStrategy({ env: { AGL_SERVER_PORT: "abc" } })).toThrow(
      "AGL_SERVER_PORT must be an integer",
    );
    expect(new ClientServerExecutionStrategy({ env: { AGL_MANAGED_STORE: "0" } }).managedStore).toBe(false);
    expect(
      new ClientServerExecutionStrategy({ env: { AGL_MANAGED_STORE: "0" }, managedStore: true }).managedStore,
    ).toBe(true);
    expect(() => new ClientServerExecutionStrategy({ env: { AGL_MANAGED_STORE: "maybe" } })).toThrow(
      "AGL_MANAGED_STORE must be one of",
    );
  });

  it("#69 validation of role and main process", async () => {
    expect(
      () => new ClientServerExecutionStrategy({ env: {}, role: "runner", mainProcess: "runner" }),
    ).toThrow("main_process='runner' is only supported when role='both'");
    expect(() => new ClientServerExecutionStrategy({ env: {}, mainProcess: "runner", nRunners: 2 })).toThrow(
      "main_process='runner' requires n_runners to be 1",
    );
    const strategy = new ClientServerExecutionStrategy({ env: {} });
    strategy.role = "nonsense" as never;
    await expect(
      strategy.execute(
        async () => {},
        async () => {},
        new InMemoryLightningStore(),
      ),
    ).rejects.toThrow("Unknown role: nonsense");
  });

  it("exit statuses map to upstream numbers", () => {
    expect(exitCodeOf(0, null)).toBe(0);
    expect(exitCodeOf(3, null)).toBe(3);
    expect(exitCodeOf(null, "SIGTERM")).toBe(-15);
    expect(exitCodeOf(null, "SIGKILL")).toBe(-9);
  });

  it("a message racing a child's exit (EPIPE) is not a failure of the child; a spawn error is", () => {
    expect(isChannelClosedError(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }))).toBe(true);
    expect(isChannelClosedError(Object.assign(new Error("closed"), { code: "ERR_IPC_CHANNEL_CLOSED" }))).toBe(
      true,
    );
    expect(isChannelClosedError(Object.assign(new Error("spawn node ENOENT"), { code: "ENOENT" }))).toBe(
      false,
    );
  });
});

describe("shutdown escalation with real processes", () => {
  it("#56 joinUntilDeadline returns the running child, not the finished one, also with timeout 0", async () => {
    const running = await child("ignore-all");
    const finishing = await child("cooperative");
    finishing.send({ agl: "stop" });
    await finishing.exited;
    expect(await joinUntilDeadline([running, finishing], 0.05)).toEqual([running]);
    expect(await joinUntilDeadline([running, finishing], 0)).toEqual([running]);
    running.process.kill("SIGKILL");
    await running.exited;
  });

  it("#57 signalProcesses applies the action to each child and swallows an action's error", async () => {
    const a = await child("cooperative");
    const b = await child("cooperative");
    const seen: string[] = [];
    signalProcesses(
      [a, b],
      (c) => {
        seen.push(c.name);
        if (seen.length === 1) throw new Error("cannot signal");
        c.send({ agl: "stop" });
      },
      silentLogger,
    );
    expect(seen).toEqual(["cooperative", "cooperative"]);
    a.send({ agl: "stop" });
    expect(await Promise.all([a.exited, b.exited])).toEqual([0, 0]);
  });

  it("a child killed by the SIGINT the escalation sent exited cleanly; by another signal, not", async () => {
    const starting = await child("cooperative");
    starting.sentSignals.add("SIGINT");
    starting.process.kill("SIGINT");
    expect(await starting.exited).toBe(-2);
    expect(starting.exitedCleanly([0])).toBe(true);
    const other = await child("cooperative");
    other.process.kill("SIGINT");
    await other.exited;
    expect(other.exitedCleanly([0])).toBe(false);
  });

  it("#58 each step of the escalation: stop message, SIGINT, SIGTERM, SIGKILL", async () => {
    await shutdownProcesses([], new ExecutionEvent(), fast);
    const children = await Promise.all(
      ["cooperative", "sigint-handler", "ignore-sigint", "ignore-all"].map((b) => child(b)),
    );
    const event = new ExecutionEvent();
    await shutdownProcesses(children, event, fast);
    expect(event.isSet()).toBe(true);
    expect(children.map((c) => [c.name, c.exitCode])).toEqual([
      ["cooperative", 0],
      ["sigint-handler", 0],
      ["ignore-sigint", -15],
      ["ignore-all", -9],
    ]);
  });
});

describe("execute with child processes re-running the entry script", () => {
  const run = async (scenario: string) => {
    const script = runScript(bundlesScript, { SCENARIO: scenario });
    await script.exited;
    return script.output();
  };

  it("#63/#65 role both: runner processes work through the served store, stop when the algorithm returns, exit 0", async () => {
    expect(await run("noop")).toContain("OK rollouts=2 children=runner-0:0,runner-1:0");
  });

  it("#64 runner processes whose bundle throws: execute rejects with the exit codes", async () => {
    const output = await run("runner-crash");
    // The first crash stops the run; the other runner crashed too, or was stopped while starting.
    expect(output).toMatch(/ERROR Subprocesses failed with unexpected exit codes: runner-\d \(exitcode=1\)/);
  });

  it("#67 an algorithm error propagates from execute; runners are stopped cleanly", async () => {
    expect(await run("algo-crash")).toContain("ERROR algo boom children=runner-0:0,runner-1:0");
  });

  it("#71 runners ignoring the stop, SIGINT and SIGTERM are killed; execute rejects", async () => {
    expect(await run("stubborn")).toMatch(
      /ERROR Subprocesses failed with unexpected exit codes: runner-0 \(exitcode=-9\)/,
    );
  });

  it("#66/#70 main process runner: the algorithm and server in a child; the parent's runner uses it; the child finishes its work", async () => {
    // Both rollouts are in the child's store (the caller's store records nothing, #73).
    expect(await run("main-runner")).toContain("OK rollouts=0 children=algorithm:0");
  });
});

describe("failMaroonedAttempts", () => {
  it("marks failed the attempts still running that started since the run began, and only those", async () => {
    const store = new InMemoryLightningStore();
    const old = await store.startRollout({ input: "old" });
    const since = old.attempt.start_time + 0.001;
    await new Promise((resolve) => setTimeout(resolve, 10));
    const stuck = await store.startRollout({ input: "stuck" });
    const done = await store.startRollout({ input: "done" });
    await store.updateAttempt(done.rollout_id, done.attempt.attempt_id, { status: "succeeded" });
    expect(await failMaroonedAttempts(store, since, silentLogger)).toEqual([stuck.rollout_id]);
    expect((await store.getRolloutById(stuck.rollout_id))?.status).toBe("failed");
    expect((await store.getLatestAttempt(stuck.rollout_id))?.metadata).toMatchObject({
      stopped_by: expect.stringContaining("trainer shutdown"),
    });
    expect((await store.getRolloutById(old.rollout_id))?.status).toBe(old.status);
  });
});
