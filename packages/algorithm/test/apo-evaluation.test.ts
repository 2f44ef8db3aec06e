import { rollout } from "@agentlightning/litagent";
import { InMemoryLightningStore } from "@agentlightning/store";
import { emitReward, TracerTraceToTriplet, TraceToMessages } from "@agentlightning/tracer";
import type { Span } from "@agentlightning/types";
import { afterEach, describe, expect, it } from "vitest";
import { APO, evaluateOnBatch } from "../src/index.js";
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

describe("APO evaluation of a prompt on a batch (checklist #93, #94)", () => {
  it("publishes the version's resources, enqueues one rollout per task with them, and scores by final rewards", async () => {
    const store = new InMemoryLightningStore();
    // Two rewards per rollout: the final one (the last reward span) is what counts.
    const agent = rollout(async (task: { value: number }) => {
      emitReward(-1);
      return task.value;
    });
    const runner = startRunner(store, agent, 4);
    cleanups.push(
      () => store.close(),
      () => runner.stop(),
    );
    const seen: Span[][] = [];
    const evaluation = await evaluateOnBatch({
      store,
      adapter: {
        adapt: (spans) => {
          seen.push([...spans]);
          return { spanCount: spans.length };
        },
      },
      resources: { prompt: { resource_type: "prompt_template", template: "{value}", engine: "f-string" } },
      resourcesId: "v7",
      tasks: [{ value: 1 }, { value: 0 }],
      mode: "train",
      timeoutSeconds: 30,
      waitChunkSeconds: 1,
      metadata: { apo_version: "v7" },
    });
    expect(evaluation.score).toBe(0.5);
    expect(evaluation.results.map((r) => r.finalReward)).toEqual([1, 0]);
    expect(evaluation.unfinishedIds).toEqual([]);
    const latest = await store.getLatestResources();
    expect(latest?.resources_id).toBe("v7");
    expect(latest?.resources.prompt).toMatchObject({ template: "{value}" });
    for (const id of evaluation.rolloutIds) {
      const stored = await store.getRolloutById(id);
      expect(stored).toMatchObject({ mode: "train", resources_id: "v7", metadata: { apo_version: "v7" } });
    }
    // The adapter saw every span of the rollout, in sequence order, and its output is kept.
    expect(seen).toHaveLength(2);
    for (const spans of seen) {
      const ids = spans.map((s) => s.sequence_id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      const result = evaluation.results.find((r) => r.rolloutId === spans[0]?.rollout_id);
      expect(result?.messages).toEqual({ spanCount: spans.length });
      expect(result?.spans).toEqual(spans);
    }
  });
});

describe("APO adapter and history rules (checklist #88, #99)", () => {
  it("#88 uses an injected TraceToMessages, and its own one instead of any other adapter", () => {
    const apo = new APO({ baseUrl: "http://127.0.0.1:1/v1" });
    expect(apo.getAdapter()).toBeInstanceOf(TraceToMessages);
    const messages = new TraceToMessages();
    apo.setAdapter(messages);
    expect(apo.getAdapter()).toBe(messages);
    apo.setAdapter(new TracerTraceToTriplet());
    expect(apo.getAdapter()).toBeInstanceOf(TraceToMessages);
  });

  it("#99 a leader that only ties the best does not replace it", async () => {
    const { startScriptedOpenAI } = await import("@agentlightning/scripted-openai");
    // The rewrite changes nothing that matters: every candidate scores 0, like the seed.
    const model = await startScriptedOpenAI({
      reply: (req) => {
        if ((req.body as { model?: string }).model !== "agent-model") {
          return req.messages?.[0]?.role === "system" && String(req.messages[0].content).includes("prompt")
            ? `Please answer. ${SEED_TEMPLATE}`
            : "- be nicer";
        }
        return agentModelAnswer(req.lastUserMessage ?? "");
      },
    });
    const store = new InMemoryLightningStore();
    const runner = startRunner(store, arithmeticAgent, 4);
    cleanups.push(
      () => model.close(),
      () => store.close(),
      () => runner.stop(),
    );
    const lines: string[] = [];
    const log = (line: string) => {
      lines.push(line);
    };
    const apo = new APO({
      baseUrl: model.baseUrl,
      beamWidth: 1,
      branchFactor: 2,
      beamRounds: 1,
      seed: 4,
      waitChunkSeconds: 1,
      logger: { debug: log, info: log, warn: log, error: log },
    });
    apo.setStore(store);
    apo.setInitialResources({
      prompt: { resource_type: "prompt_template", template: SEED_TEMPLATE, engine: "f-string" },
      main_llm: {
        resource_type: "llm",
        endpoint: model.baseUrl,
        model: "agent-model",
        api_key: null,
        sampling_parameters: {},
      },
    });
    const result = await apo.run(arithmeticTasks(2), arithmeticTasks(2, 5));
    expect(result.bestVersion).toBe("v0");
    expect(result.bestScore).toBe(0);
    expect(result.history).toHaveLength(3);
    expect(lines.some((l) => /Leader v\d scored 0\.000 on validation, not above the best v0/.test(l))).toBe(
      true,
    );
    expect((await store.getLatestResources())?.resources_id).toBe("v0");
  });
});
