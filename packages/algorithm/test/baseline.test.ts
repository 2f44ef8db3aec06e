import { rollout } from "@agentlightning/litagent";
import { InMemoryLightningStore } from "@agentlightning/store";
import { afterEach, describe, expect, it } from "vitest";
import { Baseline } from "../src/index.js";
import { startRunner } from "./support/runner.js";
import { openStore, storeKinds } from "./support/stores.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function recordingLogger() {
  const lines: string[] = [];
  const log = (message: string) => {
    lines.push(message);
  };
  return { lines, logger: { debug: log, info: log, warn: log, error: log } };
}

const prompt = { resource_type: "prompt_template" as const, template: "{x}", engine: "f-string" as const };

describe("Baseline (checklist #83, #84)", () => {
  it.each([...storeKinds, "http" as const])(
    "#83 logs each rollout's attempts, spans and adapted data, and reports final rewards (%s store)",
    async (kind) => {
      const { store, cleanup } = await openStore(kind);
      const runner = startRunner(
        store,
        rollout(async (task: { x: number }) => task.x / 10),
        2,
      );
      cleanups.push(cleanup, () => runner.stop());
      const { lines, logger } = recordingLogger();
      const baseline = new Baseline({ pollingInterval: 0.05, spanVerbosity: "key_values", logger });
      baseline.setStore(store);
      baseline.setAdapter({ adapt: (spans) => ({ spanCount: spans.length, attempt: spans[0]?.attempt_id }) });
      baseline.setInitialResources({ prompt });
      const report = await baseline.run([{ x: 1 }, { x: 2 }], [{ x: 5 }]);

      expect(report.rollouts.map((r) => [r.mode, r.status, r.finalReward])).toEqual([
        ["train", "succeeded", 0.1],
        ["train", "succeeded", 0.2],
        ["val", "succeeded", 0.5],
      ]);
      expect(report.meanReward.train).toBeCloseTo(0.15);
      expect(report.meanReward.val).toBe(0.5);
      const first = report.rollouts[0];
      const stored = await store.getRolloutById(first?.rolloutId ?? "");
      expect(stored?.resources_id).toBe("default");
      const attempt = (await store.queryAttempts(first?.rolloutId ?? "")).items[0];
      const rid = first?.rolloutId;
      expect(
        lines.some((l) =>
          new RegExp(
            `^\\[Rollout ${rid}\\] Finished with status succeeded in \\d+\\.\\d\\d seconds\\.$`,
          ).test(l),
        ),
      ).toBe(true);
      expect(lines).toContain(
        `[Rollout ${rid} | Attempt 1] ID: ${attempt?.attempt_id}. Status: succeeded. Worker: ${attempt?.worker_id}`,
      );
      const spanLine = lines.find((l) =>
        l.startsWith(`[Rollout ${rid} | Attempt ${attempt?.attempt_id} | Span `),
      );
      expect(spanLine).toMatch(
        /#1 \(agentlightning\.annotation\) From .*Attributes: \{"agentlightning\.reward\.0\.name":"primary"/,
      );
      expect(lines).toContain(
        `[Rollout ${rid}] Adapted data: {"spanCount":1,"attempt":"${attempt?.attempt_id}"}`,
      );
      expect(first?.adapted).toEqual({ spanCount: 1, attempt: attempt?.attempt_id });
    },
  );

  it("#84 with maxQueueLength 1 and a slow consumer, every sample is enqueued, in dataset order", async () => {
    const store = new InMemoryLightningStore();
    const runner = startRunner(
      store,
      rollout(async () => {
        await new Promise((r) => setTimeout(r, 20));
        return 1;
      }),
      1,
    );
    cleanups.push(
      () => runner.stop(),
      () => store.close(),
    );
    let maxQueued = 0;
    const watcher = setInterval(async () => {
      const queued = await store.queryRollouts({ statusIn: ["queuing", "requeuing"], limit: 0 });
      maxQueued = Math.max(maxQueued, queued.total);
    }, 2);
    cleanups.push(async () => clearInterval(watcher));
    const baseline = new Baseline({ pollingInterval: 0.01, maxQueueLength: 1 });
    baseline.setStore(store);
    const report = await baseline.run([0, 1, 2, 3, 4]);
    expect(report.rollouts.map((r) => r.index)).toEqual([0, 1, 2, 3, 4]);
    const rollouts = (await store.queryRollouts({ sortBy: "start_time" })).items;
    expect(rollouts.map((r) => r.input)).toEqual([0, 1, 2, 3, 4]);
    expect(rollouts.every((r) => r.status === "succeeded" && r.resources_id === null)).toBe(true);
    expect(maxQueued).toBeLessThanOrEqual(2);
  });

  it("runs nEpochs passes, logs an error for empty datasets, and validates its options", async () => {
    const store = new InMemoryLightningStore();
    const runner = startRunner(
      store,
      rollout(async () => 1),
      2,
    );
    cleanups.push(
      () => runner.stop(),
      () => store.close(),
    );
    const { lines, logger } = recordingLogger();
    const baseline = new Baseline({ nEpochs: 2, pollingInterval: 0.05, spanVerbosity: "none", logger });
    baseline.setStore(store);
    expect((await baseline.run([], null)).rollouts).toEqual([]);
    expect(lines.some((l) => l.includes("both the train and the val dataset are empty"))).toBe(true);
    const report = await baseline.run(["a"], ["b"]);
    expect(report.rollouts.map((r) => [r.epoch, r.mode])).toEqual([
      [0, "train"],
      [0, "val"],
      [1, "train"],
      [1, "val"],
    ]);
    expect(lines.some((l) => l.includes("| Span "))).toBe(false);
    expect(lines.some((l) => l.includes("No adapter set"))).toBe(true);
    expect(() => new Baseline({ trainSplit: 1 })).toThrow("train_split must be between 0 and 1.");
    expect(() => new Baseline({ spanVerbosity: "all" as never })).toThrow(/spanVerbosity/);
  });

  it("an abort stops enqueuing and returns what it has", async () => {
    const store = new InMemoryLightningStore();
    cleanups.push(() => store.close());
    const controller = new AbortController();
    const baseline = new Baseline({ pollingInterval: 0.02, maxQueueLength: 0 });
    baseline.setStore(store);
    const running = baseline.run([1, 2, 3], null, { signal: controller.signal });
    for (let i = 0; i < 100 && (await store.queryRollouts()).total === 0; i++)
      await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const report = await running;
    expect(report.rollouts).toHaveLength(1);
    expect(report.rollouts[0]?.status).toBe("queuing");
    expect((await store.queryRollouts()).total).toBe(1);
  });
});
