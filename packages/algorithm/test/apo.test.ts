import { InMemoryLightningStore } from "@agentlightning/store";
import { AglError, type NamedResources } from "@agentlightning/types";
import { afterEach, describe, expect, it } from "vitest";
import { APO, type ApoProgressEvent } from "../src/index.js";
import {
  arithmeticAgent,
  arithmeticTasks,
  IMPROVED_TEMPLATE,
  INSTRUCTION,
  SEED_TEMPLATE,
  startArithmeticModel,
} from "./support/arithmetic-world.js";
import { startRunner } from "./support/runner.js";
import { openStore, storeKinds } from "./support/stores.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function world(kind: "memory" | "postgres" | "http" = "memory") {
  const model = await startArithmeticModel();
  const { store, cleanup } = await openStore(kind);
  const runner = startRunner(store, arithmeticAgent, 8);
  // Cleanups run in reverse: the runner stops before the store closes.
  cleanups.push(
    () => model.close(),
    cleanup,
    () => runner.stop(),
  );
  const resources: NamedResources = {
    prompt: { resource_type: "prompt_template", template: SEED_TEMPLATE, engine: "f-string" },
    main_llm: {
      resource_type: "llm",
      endpoint: model.baseUrl,
      model: "agent-model",
      api_key: null,
      sampling_parameters: {},
    },
  };
  return { model, store, resources };
}

function recordingLogger() {
  const lines: string[] = [];
  const log = (message: string) => {
    lines.push(message);
  };
  return { lines, logger: { debug: log, info: log, warn: log, error: log } };
}

describe("APO against real rollouts and a scripted optimizer", () => {
  it.each([...storeKinds, "http" as const])(
    "Done when: the best prompt's validation score beats the initial one's (%s store)",
    async (kind) => {
      const { model, store, resources } = await world(kind);
      const events: ApoProgressEvent[] = [];
      const { lines, logger } = recordingLogger();
      const apo = new APO({
        baseUrl: model.baseUrl,
        gradientModel: "critic-model",
        applyEditModel: "editor-model",
        beamWidth: 2,
        branchFactor: 2,
        beamRounds: 2,
        gradientBatchSize: 2,
        valBatchSize: 3,
        seed: 1,
        waitChunkSeconds: 1,
        logger,
        onProgress: (event) => events.push(event),
      });
      apo.setStore(store);
      apo.setInitialResources(resources);
      const result = await apo.run(arithmeticTasks(4), arithmeticTasks(4, 10));

      expect(result.initialScore).toBe(0);
      expect(result.bestScore).toBe(1);
      expect(result.bestScore).toBeGreaterThan(result.initialScore ?? Number.POSITIVE_INFINITY);
      expect(result.bestPrompt.template).toBe(IMPROVED_TEMPLATE); // code fence stripped
      expect(result.bestPrompt.template).toContain(INSTRUCTION);
      expect(result.aborted).toBe(false);
      expect(apo.getBestPrompt()).toEqual(result.bestPrompt);
      expect(apo.getBestScore()).toBe(1);
      expect(apo.getBestVersion()).toBe(result.bestVersion);

      // The best prompt is the store's latest resources, under its version, next to the LLM.
      const latest = await store.getLatestResources();
      expect(latest?.resources_id).toBe(result.bestVersion);
      expect(result.publishedResourcesId).toBe(result.bestVersion);
      expect(latest?.resources.prompt).toEqual(result.bestPrompt);
      expect(latest?.resources.main_llm).toEqual(resources.main_llm);

      // Every version with its scores: the seed scored 0, its children come from it, versions are contiguous.
      const history = apo.getHistory();
      expect(history.map((c) => c.version)).toEqual(history.map((_, i) => `v${i}`));
      expect(history[0]).toMatchObject({ version: "v0", parentVersion: null, round: 0, validationScore: 0 });
      expect(history.length).toBe(1 + 2 * 2 * 2); // seed + beamWidth x branchFactor children per round
      for (const child of history.slice(1)) {
        expect(child.parentVersion).toMatch(/^v\d+$/);
        expect(child.critique).toContain(INSTRUCTION);
        expect(child.evaluations.some((e) => e.phase === "selection")).toBe(true);
      }
      expect(history.find((c) => c.version === result.bestVersion)?.validationScore).toBe(1);

      // Progress: rounds, candidates, scores, as they happened.
      expect(
        events.filter((e) => e.type === "round-start").map((e) => e.type === "round-start" && e.round),
      ).toEqual([1, 2]);
      expect(events.filter((e) => e.type === "candidate")).toHaveLength(8);
      expect(events.at(-1)).toMatchObject({ type: "done", bestScore: 1, initialScore: 0 });
      expect(lines).toContain(
        "[Round 00 | Prompt v0] initial-validation (val): score 0.000 over 4/4 rollouts",
      );
      expect(
        lines.some((l) =>
          l.startsWith("[Round 01 | Beam 01 | Branch 01 | Prompt v0] gradient-batch (train)"),
        ),
      ).toBe(true);

      // Each candidate was scored by real rollouts run with its own resources id.
      const rollouts = (await store.queryRollouts()).items;
      expect(rollouts.every((r) => r.status === "succeeded")).toBe(true);
      expect(new Set(rollouts.map((r) => r.resources_id))).toEqual(new Set(history.map((c) => c.version)));
      // Cost of §3.4: train = rounds x beamWidth x branchFactor x gradient batch; val = 4 + (1+4)x3 + 4 + (2+4)x3 + 4.
      expect(rollouts.filter((r) => r.mode === "train")).toHaveLength(2 * 2 * 2 * 2);
      expect(rollouts.filter((r) => r.mode === "val")).toHaveLength(4 + 15 + 4 + 18 + 4);

      // The optimizer calls used their own models.
      const optimizerModels = model.requests
        .map((r) => (r.body as { model?: string }).model)
        .filter((m) => m !== "agent-model");
      expect(new Set(optimizerModels)).toEqual(new Set(["critic-model", "editor-model"]));
      expect(optimizerModels).toHaveLength(2 * 8);
    },
  );

  it("#101: no initial validation, one round of 1x1 on one train and one val item: 4 rollouts and 2 optimizer calls", async () => {
    const { model, store, resources } = await world();
    const apo = new APO({
      baseUrl: model.baseUrl,
      beamWidth: 1,
      branchFactor: 1,
      beamRounds: 1,
      runInitialValidation: false,
      seed: 3,
      waitChunkSeconds: 1,
    });
    apo.setStore(store);
    apo.setInitialResources(resources);
    const result = await apo.run(arithmeticTasks(1), arithmeticTasks(1, 5));
    const rollouts = (await store.queryRollouts()).items;
    expect(rollouts.filter((r) => r.mode === "train")).toHaveLength(1);
    expect(rollouts.filter((r) => r.mode === "val")).toHaveLength(3);
    expect(model.requests.filter((r) => (r.body as { model?: string }).model !== "agent-model")).toHaveLength(
      2,
    );
    expect(result.initialScore).toBeNull();
    expect(result.bestPrompt.template).toBe(IMPROVED_TEMPLATE);
  });

  it("#100: with initial validation and zero rounds the best is the seed with its score, from one val pass", async () => {
    const { store, resources, model } = await world();
    const apo = new APO({ baseUrl: model.baseUrl, beamRounds: 0, waitChunkSeconds: 1 });
    apo.setStore(store);
    apo.setInitialResources(resources);
    const result = await apo.run(arithmeticTasks(2), arithmeticTasks(3));
    expect(result.bestVersion).toBe("v0");
    expect(result.bestScore).toBe(0);
    expect(result.bestPrompt.template).toBe(SEED_TEMPLATE);
    expect((await store.queryRollouts()).total).toBe(3);
  });

  it("versionPrefix names the versions and their resources ids; a second run continues the numbering", async () => {
    const { store, resources, model } = await world();
    const apo = new APO({
      baseUrl: model.baseUrl,
      beamRounds: 0,
      versionPrefix: "exp1-v",
      waitChunkSeconds: 1,
    });
    apo.setStore(store);
    apo.setInitialResources(resources);
    expect((await apo.run(arithmeticTasks(1), arithmeticTasks(1))).bestVersion).toBe("exp1-v0");
    expect((await store.getLatestResources())?.resources_id).toBe("exp1-v0");
    expect((await apo.run(arithmeticTasks(1), arithmeticTasks(1))).bestVersion).toBe("exp1-v1");
    expect(apo.getHistory().map((c) => c.version)).toEqual(["exp1-v0", "exp1-v1"]);
  });

  it("#87/#95: needs a prompt template and both datasets; getBestPrompt throws before a run", async () => {
    const { store, resources, model } = await world();
    const apo = new APO({ baseUrl: model.baseUrl });
    expect(() => apo.getBestPrompt()).toThrow(/No best prompt/);
    expect(apo.getBestScore()).toBe(Number.NEGATIVE_INFINITY);
    apo.setStore(store);
    await expect(apo.run([1], [1])).rejects.toThrow(/initial resources/);
    apo.setInitialResources({ main_llm: resources.main_llm as NamedResources[string] });
    await expect(apo.run([1], [1])).rejects.toThrow(/no prompt template/);
    apo.setInitialResources(resources);
    await expect(apo.run(null, [1])).rejects.toThrow(/train dataset/);
    await expect(apo.run([1], [])).rejects.toThrow(/val dataset/);
    expect(() => new APO()).toThrow(/needs an optimizer model/);
    expect(() => new APO({ baseUrl: model.baseUrl, beamWidth: 0 })).toThrow(/beamWidth/);
  });

  it("rollouts unfinished at the batch timeout are not counted (no runner: score 0 from 0 rollouts)", async () => {
    const model = await startArithmeticModel();
    const store = new InMemoryLightningStore();
    cleanups.push(
      () => model.close(),
      () => store.close(),
    );
    const { lines, logger } = recordingLogger();
    const apo = new APO({ baseUrl: model.baseUrl, beamRounds: 0, rolloutBatchTimeout: 0.2, logger });
    apo.setStore(store);
    apo.setInitialResources({
      prompt: { resource_type: "prompt_template", template: "{q}", engine: "f-string" },
    });
    const result = await apo.run([{ q: 1 }], [{ q: 1 }, { q: 2 }]);
    expect(result.initialScore).toBe(0);
    expect(result.history[0]?.evaluations[0]).toMatchObject({ finished: 0, total: 2 });
    expect(lines.some((l) => l.includes("2 rollout(s) unfinished after 0.2 s; not counted"))).toBe(true);
  });

  it("an abort returns the best prompt so far and cancels the rollouts it left queued", async () => {
    const model = await startArithmeticModel();
    const store = new InMemoryLightningStore();
    cleanups.push(
      () => model.close(),
      () => store.close(),
    );
    const controller = new AbortController();
    const apo = new APO({
      baseUrl: model.baseUrl,
      waitChunkSeconds: 0.05,
      onProgress: () => undefined,
    });
    apo.setStore(store);
    apo.setInitialResources({
      prompt: { resource_type: "prompt_template", template: "{q}", engine: "f-string" },
    });
    const running = apo.run([{ q: 1 }], [{ q: 1 }], { signal: controller.signal });
    // No runner: the initial validation waits until the abort.
    for (let i = 0; i < 100 && (await store.queryRollouts()).total === 0; i++)
      await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const result = await running;
    expect(result.aborted).toBe(true);
    expect(result.bestVersion).toBe("v0");
    expect((await store.queryRollouts({ statusIn: ["queuing", "requeuing"] })).total).toBe(0);
    expect((await store.queryRollouts({ statusIn: ["cancelled"] })).total).toBe(1);
    expect((await store.getLatestResources())?.resources_id).toBe("v0");
  });

  it("a seed makes the run reproducible", async () => {
    const runOnce = async () => {
      const { model, store, resources } = await world();
      const apo = new APO({
        baseUrl: model.baseUrl,
        beamWidth: 2,
        branchFactor: 2,
        beamRounds: 1,
        gradientBatchSize: 2,
        valBatchSize: 2,
        seed: 9,
        waitChunkSeconds: 1,
      });
      apo.setStore(store);
      apo.setInitialResources(resources);
      await apo.run(arithmeticTasks(5), arithmeticTasks(5, 3));
      const rollouts = (await store.queryRollouts({ sortBy: "start_time" })).items;
      return apo.getHistory().map((c) => ({
        version: c.version,
        parent: c.parentVersion,
        batches: c.evaluations.map((e) =>
          e.rolloutIds.map((id) => JSON.stringify(rollouts.find((r) => r.rollout_id === id)?.input)).sort(),
        ),
      }));
    };
    expect(await runOnce()).toEqual(await runOnce());
  });
});

describe("APO errors", () => {
  it("propagates an optimizer failure as an AglError naming the status", async () => {
    const { store, resources } = await world();
    const { startScriptedOpenAI } = await import("@agentlightning/scripted-openai");
    const broken = await startScriptedOpenAI({ reply: () => ({ status: 401, error: "bad key" }) });
    cleanups.push(() => broken.close());
    const apo = new APO({
      baseUrl: broken.baseUrl,
      beamRounds: 1,
      beamWidth: 1,
      branchFactor: 1,
      runInitialValidation: false,
      waitChunkSeconds: 1,
    });
    apo.setStore(store);
    apo.setInitialResources(resources);
    const error = await apo.run(arithmeticTasks(1), arithmeticTasks(1)).catch((e: unknown) => e);
    expect(AglError.isInstance(error)).toBe(true);
    expect(String(error)).toMatch(/401/);
  });
});
