// The shm strategy and its guard, orchestration §6 items #36-#47, with real bundles on a real
// in-memory store. Ctrl+C is delivered as a SIGINT event on this process (process.emit), which
// reaches the strategy's handler exactly as a real signal does.
import { ExecutionEvent } from "@agentlightning/litagent";
import { InMemoryLightningStore, type LightningStore } from "@agentlightning/store";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runUntilCompletedOrCanceled } from "./guard.js";
import { SharedMemoryExecutionStrategy } from "./shared-memory.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

function recordingLogger() {
  const lines: string[] = [];
  const log = (message: string) => {
    lines.push(message);
  };
  return { lines, logger: { debug: log, info: log, warn: log, error: log } };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("SharedMemoryExecutionStrategy", () => {
  it("#36 managedStore from AGL_MANAGED_STORE; an explicit value beats the variable", () => {
    vi.stubEnv("AGL_MANAGED_STORE", "false");
    expect(new SharedMemoryExecutionStrategy().managedStore).toBe(false);
    vi.stubEnv("AGL_MANAGED_STORE", "0");
    expect(new SharedMemoryExecutionStrategy({ managedStore: true }).managedStore).toBe(true);
  });

  it("#37 unmanaged: both bundles get the identical store; managed: a serializing wrapper over it", async () => {
    const store = new InMemoryLightningStore();
    const seen: LightningStore[] = [];
    await new SharedMemoryExecutionStrategy({ managedStore: false }).execute(
      async (s) => {
        seen.push(s);
      },
      async (s) => {
        seen.push(s);
      },
      store,
    );
    expect(seen).toEqual([store, store]);
    expect(seen[0]).toBe(store);
    seen.length = 0;
    await new SharedMemoryExecutionStrategy({ managedStore: true }).execute(
      async (s) => {
        seen.push(s);
        await s.enqueueRollout({ input: 1 });
      },
      async (s) => {
        seen.push(s);
      },
      store,
    );
    expect(seen[0]).not.toBe(store);
    expect((await store.queryRollouts()).total).toBe(1);
  });

  it("#43 main thread algorithm with 2 runners: when the algorithm returns both runners see the stop and finish", async () => {
    const stopped: number[] = [];
    await new SharedMemoryExecutionStrategy({ nRunners: 2, mainThread: "algorithm" }).execute(
      async () => {
        await sleep(20);
      },
      async (_store, workerId, event) => {
        await event.wait();
        stopped.push(workerId);
      },
      new InMemoryLightningStore(),
    );
    expect(stopped.sort()).toEqual([0, 1]);
  });

  it("#44 main thread runner: a runner that finishes quickly does not set the event; execute waits for the algorithm", async () => {
    let algorithmSawEvent: boolean | null = null;
    let algorithmDone = false;
    await new SharedMemoryExecutionStrategy().execute(
      async (_store, event) => {
        await sleep(100);
        algorithmSawEvent = event.isSet();
        algorithmDone = true;
      },
      async () => {},
      new InMemoryLightningStore(),
    );
    expect(algorithmDone).toBe(true);
    expect(algorithmSawEvent).toBe(false);
  });

  it("#45 a crashing runner: execute rejects with its error, the algorithm saw the stop and finished", async () => {
    let algorithmStopped = false;
    const run = new SharedMemoryExecutionStrategy({ nRunners: 2, mainThread: "algorithm" }).execute(
      async (_store, event) => {
        await event.wait();
        algorithmStopped = true;
      },
      async (_store, workerId) => {
        if (workerId === 1) throw new Error("runner boom");
      },
      new InMemoryLightningStore(),
    );
    await expect(run).rejects.toThrow("runner boom");
    expect(algorithmStopped).toBe(true);
  });

  it("#42 an algorithm error sets the event (runners stop) and is re-thrown", async () => {
    let runnerStopped = false;
    const run = new SharedMemoryExecutionStrategy({ nRunners: 1, mainThread: "algorithm" }).execute(
      async () => {
        throw new Error("algo boom");
      },
      async (_store, _id, event) => {
        await event.wait();
        runnerStopped = true;
      },
      new InMemoryLightningStore(),
    );
    await expect(run).rejects.toThrow("algo boom");
    expect(runnerStopped).toBe(true);
  });

  it.each(["algorithm", "runner"] as const)(
    "#46/#47 Ctrl+C (SIGINT) with main thread %s: everything stops and execute resolves normally",
    async (mainThread) => {
      const { lines, logger } = recordingLogger();
      const stopped: string[] = [];
      const run = new SharedMemoryExecutionStrategy({ mainThread, logger }).execute(
        async (_store, event) => {
          await event.wait();
          stopped.push("algorithm");
        },
        async (_store, _id, event) => {
          await event.wait();
          stopped.push("runner");
        },
        new InMemoryLightningStore(),
      );
      await sleep(20);
      process.emit("SIGINT", "SIGINT");
      await expect(run).resolves.toBeUndefined();
      expect(stopped.sort()).toEqual(["algorithm", "runner"]);
      expect(lines.some((l) => l.includes("KeyboardInterrupt received on main thread"))).toBe(true);
      // The handler is removed afterwards.
      expect(process.listenerCount("SIGINT")).toBe(0);
    },
  );

  it("validates main_thread and nRunners", () => {
    expect(() => new SharedMemoryExecutionStrategy({ mainThread: "x" as never })).toThrow(/main_thread/);
    expect(() => new SharedMemoryExecutionStrategy({ nRunners: 2 })).toThrow(/n_runners to be 1/);
  });
});

describe("runUntilCompletedOrCanceled", () => {
  it("#38 returns the bundle's result when it completes", async () => {
    const { logger } = recordingLogger();
    await expect(
      runUntilCompletedOrCanceled(async () => 42, new ExecutionEvent(), { gracefulDelay: 1, logger }),
    ).resolves.toBe(42);
  });

  it("#39 event already set, cooperative bundle: its result, 'finished by itself during grace period'", async () => {
    const { lines, logger } = recordingLogger();
    const event = new ExecutionEvent();
    event.set();
    const result = await runUntilCompletedOrCanceled(
      async () => {
        await sleep(20);
        return "done";
      },
      event,
      { gracefulDelay: 2, logger },
    );
    expect(result).toBe("done");
    expect(lines.some((l) => l.includes("finished by itself during grace period"))).toBe(true);
  });

  it("#40 a bundle ignoring the event is cancelled through its signal after the grace delay (null)", async () => {
    const { lines, logger } = recordingLogger();
    const event = new ExecutionEvent();
    let aborted = false;
    setTimeout(() => event.set(), 10);
    const result = await runUntilCompletedOrCanceled(
      (signal) =>
        new Promise<string>((_resolve, reject) => {
          signal.addEventListener("abort", () => {
            aborted = true;
            reject(signal.reason);
          });
        }),
      event,
      { gracefulDelay: 0.1, logger },
    );
    expect(result).toBeNull();
    expect(aborted).toBe(true);
    expect(lines).toContain("Graceful delay elapsed; canceling bundle task...");
  });

  it("#41 a bundle that does not stop after cancellation is abandoned (null, logged)", async () => {
    const { lines, logger } = recordingLogger();
    const event = new ExecutionEvent();
    event.set();
    const result = await runUntilCompletedOrCanceled(() => sleep(2000).then(() => "late"), event, {
      gracefulDelay: 0.05,
      logger,
    });
    expect(result).toBeNull();
    expect(lines.some((l) => l.includes("did not stop after cancellation; abandoning task"))).toBe(true);
  });

  it("#42 a bundle error is re-thrown", async () => {
    const { logger } = recordingLogger();
    await expect(
      runUntilCompletedOrCanceled(
        async () => {
          throw new Error("bundle boom");
        },
        new ExecutionEvent(),
        { gracefulDelay: 1, logger },
      ),
    ).rejects.toThrow("bundle boom");
  });
});
