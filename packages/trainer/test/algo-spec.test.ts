// `new Trainer({ algorithm: algo(fn) })`: Python accepts an @algo-decorated function as the
// algorithm itself. Ours is a callable Algorithm instance; it must be used as is, not called as a
// zero-argument factory (which failed with "Algorithm factory returned <class 'Promise'>").
import { Algorithm, algo } from "@agentlightning/algorithm";
import { rollout } from "@agentlightning/litagent";
import { InMemoryLightningStore } from "@agentlightning/store";
import { describe, expect, it } from "vitest";
import { Trainer } from "../src/index.js";

describe("an algo() function as the Trainer's algorithm", () => {
  it("is used as the algorithm itself, and fit runs it", async () => {
    const store = new InMemoryLightningStore();
    const myAlgorithm = algo(async ({ store: injected, trainDataset }) => {
      const items = trainDataset as number[];
      const queued = await Promise.all(items.map((input) => injected.enqueueRollout({ input })));
      await injected.waitForRollouts(
        queued.map((r) => r.rollout_id),
        { timeout: 20 },
      );
    });
    expect(myAlgorithm).toBeInstanceOf(Algorithm);
    const trainer = new Trainer({
      algorithm: myAlgorithm,
      store,
      strategy: { type: "shm", mainThread: "algorithm" },
      nRunners: 1,
    });
    expect(trainer.algorithm).toBe(myAlgorithm);

    await trainer.fit(
      rollout(async (task: number) => task / 10),
      [1, 2, 3],
    );
    const rollouts = await store.queryRollouts();
    expect(rollouts.items.map((r) => r.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
  });
});
