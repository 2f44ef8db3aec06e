// "Done when": Trainer.fit with the shm strategy completes the APO example agent and improves its
// validation score: real APO, real runners, a real store, the scripted model on loopback.
import { APO, type ApoProgressEvent } from "@agentlightning/algorithm";
import { InMemoryLightningStore } from "@agentlightning/store";
import { afterEach, describe, expect, it } from "vitest";
import { SharedMemoryExecutionStrategy, Trainer } from "../src/index.js";
import {
  arithmeticAgent,
  arithmeticTasks,
  IMPROVED_TEMPLATE,
  seedResources,
  startArithmeticModel,
} from "./fixtures/arithmetic-world.mjs";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function apo(baseUrl: string, onProgress?: (e: ApoProgressEvent) => void) {
  return new APO({
    baseUrl,
    gradientModel: "critic-model",
    applyEditModel: "editor-model",
    beamWidth: 2,
    branchFactor: 2,
    beamRounds: 2,
    gradientBatchSize: 2,
    valBatchSize: 3,
    seed: 1,
    waitChunkSeconds: 1,
    ...(onProgress ? { onProgress } : {}),
  });
}

describe("Trainer.fit with shm", () => {
  it("Done when: fit completes APO on the example agent and the best validation score beats the initial one (4 runners)", async () => {
    const model = await startArithmeticModel();
    const store = new InMemoryLightningStore();
    cleanups.push(
      () => model.close(),
      () => store.close(),
    );
    const events: ApoProgressEvent[] = [];
    const algorithm = apo(model.baseUrl, (e) => events.push(e));
    const trainer = new Trainer({
      algorithm,
      store,
      nRunners: 4,
      strategy: { type: "shm", main_thread: "algorithm" },
      initialResources: seedResources(model.baseUrl),
    });
    expect(trainer.strategy).toBeInstanceOf(SharedMemoryExecutionStrategy);
    expect(trainer.nRunners).toBe(4);
    await trainer.fit(arithmeticAgent, arithmeticTasks(4), { valDataset: arithmeticTasks(4, 10) });

    const done = events.at(-1);
    expect(done).toMatchObject({ type: "done", initialScore: 0, bestScore: 1 });
    expect(algorithm.getBestScore()).toBe(1);
    expect(algorithm.getBestPrompt().template).toBe(IMPROVED_TEMPLATE);
    // Every rollout ran to its end, spread over the four workers.
    const rollouts = (await store.queryRollouts()).items;
    expect(rollouts.length).toBeGreaterThan(0);
    expect(rollouts.every((r) => r.status === "succeeded")).toBe(true);
    const workers = new Set<string>();
    for (const r of rollouts) {
      const attempt = await store.getLatestAttempt(r.rollout_id);
      if (attempt?.worker_id) workers.add(attempt.worker_id);
    }
    expect(workers.size).toBeGreaterThan(1);
    expect([...workers].every((w) => /^Worker-[0-3]$/.test(w))).toBe(true);
  });
});
