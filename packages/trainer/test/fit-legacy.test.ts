// §1.7: fit given a v0.1 task-server URL instead of a dataset runs the deprecated LegacyAgentRunner
// against a real AgentLightningServer; hooks given to the Trainer reach the runners of a shm fit.

import { AgentLightningServer } from "@agentlightning/legacy-server";
import { Hook, type RolloutStartEvent, rollout } from "@agentlightning/litagent";
import { InMemoryLightningStore } from "@agentlightning/store";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Trainer, ValueError } from "../src/index.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("Trainer.fit with a legacy server URL", () => {
  it("warns, runs nRunners legacy workers until maxRollouts each, and posts the rewards", async () => {
    const warnings: string[] = [];
    vi.spyOn(process, "emitWarning").mockImplementation((w: string | Error) => {
      warnings.push(String(w));
    });
    const server = new AgentLightningServer({ port: 0 });
    await server.start();
    try {
      const resourcesId = await server.updateResources({
        prompt: { resource_type: "prompt_template", template: "{x}", engine: "f-string" },
      });
      const ids = await Promise.all(
        [1, 2, 3, 4].map((x) => server.queueTask({ x }, { mode: "train", resourcesId })),
      );
      const agent = rollout(async (task: { x: number }) => task.x / 10);
      const trainer = new Trainer({ nRunners: 2, maxRollouts: 2 });
      await trainer.fit(agent, server.endpoint);
      const rewards = await Promise.all(
        ids.map(async (id) => (await server.pollCompletedRollout(id, { timeout: 5 }))?.final_reward),
      );
      expect(rewards).toEqual([0.1, 0.2, 0.3, 0.4]);
      expect(warnings.some((w) => w.includes("Passing a server URL to Trainer.fit() is deprecated"))).toBe(
        true,
      );
    } finally {
      await server.stop();
    }
  });

  it("a URL without http(s):// is a ValueError", async () => {
    vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    await expect(
      new Trainer().fit(
        rollout(async () => 1),
        "localhost:1234",
      ),
    ).rejects.toThrow(ValueError);
  });
});

describe("hooks", () => {
  it("reach every runner worker of a fit (shm, 2 workers)", async () => {
    const starts: string[] = [];
    class Recorder extends Hook {
      override async onRolloutStart({ rollout }: RolloutStartEvent) {
        starts.push(rollout.rollout_id);
      }
    }
    const store = new InMemoryLightningStore();
    const trainer = new Trainer({
      store,
      nRunners: 2,
      hooks: [new Recorder()],
      strategy: { type: "shm", main_thread: "algorithm" },
      algorithm: "Baseline",
    });
    await trainer.fit(
      rollout(async () => 1),
      [1, 2, 3, 4],
    );
    expect(starts).toHaveLength(4);
    expect(new Set(starts)).toEqual(new Set((await store.queryRollouts()).items.map((r) => r.rollout_id)));
  });
});
