import { startScriptedOpenAI } from "@agentlightning/scripted-openai";
import { InMemoryLightningStore } from "@agentlightning/store";
import type { NamedResources } from "@agentlightning/types";
import { afterEach, describe, expect, it } from "vitest";
import { APO } from "../src/index.js";
import {
  agentModelAnswer,
  arithmeticAgent,
  arithmeticTasks,
  SEED_TEMPLATE,
} from "./support/arithmetic-world.js";
import { startRunner } from "./support/runner.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A model that answers the agent like the arithmetic world, and the optimizer with `optimizer()`. */
async function setup(optimizer: (callIndex: number) => string) {
  let optimizerCalls = 0;
  const model = await startScriptedOpenAI({
    reply: (req) =>
      (req.body as { model?: string }).model === "agent-model"
        ? agentModelAnswer(req.lastUserMessage ?? "")
        : optimizer(++optimizerCalls),
  });
  const store = new InMemoryLightningStore();
  const runner = startRunner(store, arithmeticAgent, 4);
  cleanups.push(
    () => model.close(),
    () => runner.stop(),
    () => store.close(),
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
  const optimizerRequests = () =>
    model.requests
      .map(
        (r) =>
          r.body as {
            model: string;
            temperature?: number;
            messages: Array<{ role: string; content: string }>;
          },
      )
      .filter((b) => b.model !== "agent-model");
  return { model, store, resources, optimizerRequests };
}

describe("APO optimizer calls (checklist #86, #89-#92)", () => {
  it("#86 keeps every option, starts with no best prompt, validates initially by default", () => {
    const apo = new APO({
      baseUrl: "http://127.0.0.1:1/v1",
      gradientModel: "g",
      applyEditModel: "e",
      diversityTemperature: 0.3,
      gradientBatchSize: 5,
      valBatchSize: 6,
      beamWidth: 7,
      branchFactor: 8,
      beamRounds: 9,
      rolloutBatchTimeout: 10,
    });
    expect(apo).toMatchObject({
      gradientModel: "g",
      applyEditModel: "e",
      diversityTemperature: 0.3,
      gradientBatchSize: 5,
      valBatchSize: 6,
      beamWidth: 7,
      branchFactor: 8,
      beamRounds: 9,
      rolloutBatchTimeout: 10,
      runInitialValidation: true,
    });
    expect(apo.getBestVersion()).toBeNull();
    expect(() => apo.getBestPrompt()).toThrow(/No best prompt/);
  });

  it("#89/#91 critique with the gradient model (variant 1 pinned), then rewrite with the edit model, same temperature", async () => {
    const { store, resources, optimizerRequests, model } = await setup((i) =>
      i === 1 ? "- be terse" : "Terse. {question}",
    );
    const apo = new APO({
      baseUrl: model.baseUrl,
      gradientModel: "critic",
      applyEditModel: "editor",
      diversityTemperature: 0.4,
      beamWidth: 1,
      branchFactor: 1,
      beamRounds: 1,
      gradientBatchSize: 2,
      runInitialValidation: false,
      random: { random: () => 0 }, // every choice takes the first option: critique 1, edit 1
      waitChunkSeconds: 1,
    });
    apo.setStore(store);
    apo.setInitialResources(resources);
    await apo.run(arithmeticTasks(3), arithmeticTasks(2, 7));
    const [critique, edit] = optimizerRequests();
    expect(critique?.model).toBe("critic");
    expect(critique?.temperature).toBe(0.4);
    expect(critique?.messages).toHaveLength(1);
    expect(critique?.messages[0]?.role).toBe("user");
    expect(critique?.messages[0]?.content.startsWith("You optimize a prompt template.")).toBe(true);
    // gradientBatchSize 2 of the 2 train rollouts, each with its final reward.
    expect(critique?.messages[0]?.content.match(/## Experiment \d/g)).toEqual([
      "## Experiment 1",
      "## Experiment 2",
    ]);
    expect(edit?.model).toBe("editor");
    expect(edit?.temperature).toBe(0.4);
    expect(edit?.messages[1]?.content).toContain(SEED_TEMPLATE);
    expect(edit?.messages[1]?.content).toContain("- be terse");
    expect(apo.getHistory()[1]).toMatchObject({ parentVersion: "v0", critique: "- be terse" });
    expect(apo.getHistory()[1]?.prompt.template).toBe("Terse. {question}");
  });

  it("#92 an empty critique makes one call and the child repeats the parent's template", async () => {
    const { store, resources, optimizerRequests, model } = await setup(() => "");
    const apo = new APO({
      baseUrl: model.baseUrl,
      beamWidth: 1,
      branchFactor: 1,
      beamRounds: 1,
      runInitialValidation: false,
      seed: 2,
      waitChunkSeconds: 1,
    });
    apo.setStore(store);
    apo.setInitialResources(resources);
    await apo.run(arithmeticTasks(1), arithmeticTasks(1));
    expect(optimizerRequests()).toHaveLength(1);
    const history = apo.getHistory();
    expect(history).toHaveLength(2);
    expect(history[1]).toMatchObject({ parentVersion: "v0", critique: null });
    expect(history[1]?.prompt.template).toBe(SEED_TEMPLATE);
  });

  it("#90 with fewer finished rollouts than gradientBatchSize, all of them go into the critique", async () => {
    const { store, resources, optimizerRequests, model } = await setup((i) =>
      i === 1 ? "- x" : "X {question}",
    );
    const apo = new APO({
      baseUrl: model.baseUrl,
      beamWidth: 1,
      branchFactor: 1,
      beamRounds: 1,
      gradientBatchSize: 4,
      runInitialValidation: false,
      random: { random: () => 0 },
      waitChunkSeconds: 1,
    });
    apo.setStore(store);
    apo.setInitialResources(resources);
    await apo.run(arithmeticTasks(2), arithmeticTasks(1));
    expect(optimizerRequests()[0]?.messages[0]?.content.match(/## Experiment \d/g)).toHaveLength(2);
  });
});
