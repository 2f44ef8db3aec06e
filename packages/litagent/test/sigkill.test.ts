// A runner process killed with SIGKILL mid-rollout: the store's watchdog marks its attempts
// unresponsive or timed out, and each rollout is retried or failed exactly as its RolloutConfig
// says. Real child process, real LightningStoreServer, real clock.
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { InMemoryLightningStore, LightningStoreClient } from "@agentlightning/store";
import { LightningStoreServer } from "@agentlightning/store/server";
import { OtelTracer } from "@agentlightning/tracer";
import { afterEach, describe, expect, it } from "vitest";
import { ExecutionEvent } from "../src/execution-event.js";
import { rollout } from "../src/functional-agent.js";
import { LitAgentRunner } from "../src/runner/lit-agent-runner.js";
import { waitUntil } from "./support/stores.js";

const CHILD = fileURLToPath(new URL("./fixtures/hanging-runner.mjs", import.meta.url));

describe("a runner killed with SIGKILL mid-rollout", () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });

  it("leaves attempts the watchdog ends; the rollouts are retried or failed as their config says", async () => {
    const backing = new InMemoryLightningStore({ scanDebounceSeconds: 0 });
    const server = new LightningStoreServer({ store: backing, port: 0 });
    await server.start();
    const client = new LightningStoreClient({ url: server.url });
    try {
      const retried = await client.enqueueRollout({
        input: "retried",
        config: { unresponsive_seconds: 2, max_attempts: 2, retry_condition: ["unresponsive"] },
      });
      const failed = await client.enqueueRollout({
        input: "failed",
        config: { timeout_seconds: 2, max_attempts: 1, retry_condition: ["timeout"] },
      });

      child = spawn(process.execPath, [CHILD, server.url], { stdio: ["ignore", "pipe", "inherit"] });
      const running = new Set<string>();
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      lines.on("line", (line) => running.add((JSON.parse(line) as { running: string }).running));
      await waitUntil(() => running.size === 2, 30_000);
      expect(running).toEqual(new Set([retried.rollout_id, failed.rollout_id]));
      for (const id of running) expect((await backing.getRolloutById(id))?.status).toBe("running");
      const workers = (await backing.queryWorkers()).items.map((w) => w.worker_id).sort();
      expect(workers).toEqual(["Worker-doomed-0", "Worker-doomed-1"]);

      child.kill("SIGKILL");
      await new Promise((resolve) => child?.once("exit", resolve));

      // A healthy runner takes over whatever the store requeues; its dequeues also drive the
      // store's lazy watchdog.
      const runner = new LitAgentRunner({
        tracer: new OtelTracer(),
        pollInterval: 0.1,
        heartbeatInterval: 0,
      });
      const event = new ExecutionEvent();
      const healthy = runner.runContext({ agent: rollout(() => 1), store: client, workerId: "healthy" }, () =>
        runner.iter({ event }),
      );
      await waitUntil(async () => {
        const [a, b] = await Promise.all([
          backing.getRolloutById(retried.rollout_id),
          backing.getRolloutById(failed.rollout_id),
        ]);
        return a?.status === "succeeded" && b?.status === "failed";
      }, 30_000);
      event.set();
      await expect(healthy).resolves.toBe(1);

      // The retried rollout: attempt 1 (killed runner) unresponsive, attempt 2 (healthy) succeeded.
      const retriedAttempts = (await backing.queryAttempts(retried.rollout_id)).items;
      expect(retriedAttempts.map((a) => [a.sequence_id, a.status, a.worker_id])).toEqual([
        [1, "unresponsive", expect.stringMatching(/^Worker-doomed-[01]$/)],
        [2, "succeeded", "Worker-healthy"],
      ]);
      // The failed one: its only attempt timed out; max_attempts 1 allows no retry.
      const failedAttempts = (await backing.queryAttempts(failed.rollout_id)).items;
      expect(failedAttempts.map((a) => [a.sequence_id, a.status])).toEqual([[1, "timeout"]]);
    } finally {
      await client.close();
      await server.stop();
      await backing.close();
    }
  }, 60_000);
});
