import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { llmRollout } from "@agentlightning/litagent";
import { chatPromptText, startScriptedOpenAI, tokenIdsOf } from "@agentlightning/scripted-openai";
import { LightningStoreClient } from "@agentlightning/store";
import { LightningStoreServer } from "@agentlightning/store/server";
import { afterEach, describe, expect, it } from "vitest";
import { createTripletApp, LLMProxy, type RolloutTriplets } from "../src/index.js";
import { startRunner } from "./support/runner.js";
import { openStore, storeKinds } from "./support/stores.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface TrainerReport {
  resourcesId: string;
  enqueued: Array<{ rollout_id: string; metadata: Record<string, unknown>; resources_id: string }>;
  finished: Array<{ rollout_id: string; status: string; config: Record<string, unknown> }>;
  spans: Record<string, Array<{ name: string; attempt_id: string; attributes: Record<string, unknown> }>>;
  triplets: RolloutTriplets[];
  single: RolloutTriplets;
}

/** Runs the trainer script in a child process; resolves with its JSON report. */
function runTrainer(env: Record<string, string>): Promise<TrainerReport> {
  const script = fileURLToPath(new URL("./support/external-trainer.mjs", import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    child.stderr.on("data", (chunk) => {
      err += chunk;
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0) resolve(JSON.parse(out) as TrainerReport);
      else reject(new Error(`trainer exited with ${code}: ${err}`));
    });
  });
}

/** The policy model: answers "a + b" with the sum. */
function policyAnswer(text: string): string {
  const match = /(\d+) \+ (\d+)/.exec(text);
  return match ? String(Number(match[1]) + Number(match[2])) : "?";
}

describe.each(storeKinds)("an external RL trainer drives the store over HTTP (%s store)", (kind) => {
  it("publishes a ProxyLLM, enqueues with metadata and config, waits, and reads spans and triplets with token ids", async () => {
    const model = await startScriptedOpenAI({ reply: (req) => policyAnswer(req.lastUserMessage ?? "") });
    const { store, cleanup } = await openStore(kind);
    const server = new LightningStoreServer({ store, port: 0, extraApps: [createTripletApp({ store })] });
    await server.start();
    // The proxy and the runner talk to the store over HTTP, as they would on other machines.
    const proxyStore = new LightningStoreClient({ url: server.url });
    const runnerStore = new LightningStoreClient({ url: server.url });
    const proxy = new LLMProxy({
      store: proxyStore,
      modelList: [
        { model_name: "policy", litellm_params: { model: "hosted_vllm/scripted", api_base: model.baseUrl } },
      ],
    });
    await proxy.start();
    const agent = llmRollout<{ question: string; answer: string }, Promise<number>>(async (task, ctx) => {
      // ctx.llm is the ProxyLLM with its endpoint rewritten to this rollout's attempt route.
      const response = await fetch(`${ctx.llm.endpoint}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: ctx.llm.model, messages: [{ role: "user", content: task.question }] }),
      });
      const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
      return body.choices[0]?.message.content === task.answer ? 1 : 0;
    });
    const runner = startRunner(runnerStore, agent as never, 4);
    cleanups.push(
      () => model.close(),
      cleanup,
      () => server.stop(),
      () => proxyStore.close(),
      () => runnerStore.close(),
      () => proxy.stop(),
      () => runner.stop(),
    );

    const tasks = [
      { question: "What is 2 + 3?", answer: "5" },
      { question: "What is 10 + 4?", answer: "14" },
      { question: "What is 7 + 7?", answer: "15" }, // the policy is "wrong" here: reward 0
    ];
    const report = await runTrainer({
      AGL_STORE_URL: server.url,
      AGL_PROXY_URL: `${proxy.asResource().endpoint}/v1`,
      AGL_TASKS: JSON.stringify(tasks),
      AGL_SAMPLES: "2",
    });

    // Enqueued with the published ProxyLLM resources, the trainer's metadata and its config.
    expect(report.enqueued).toHaveLength(6);
    for (const rollout of report.enqueued) {
      expect(rollout.resources_id).toBe(report.resourcesId);
      expect(rollout.metadata).toMatchObject({ is_train: true, data_id: expect.stringMatching(/^d-\d$/) });
    }
    expect(report.finished.every((r) => r.status === "succeeded")).toBe(true);
    expect(report.finished[0]?.config).toMatchObject({ timeout_seconds: 120, unresponsive_seconds: 120 });

    // The latest attempt's spans hold the proxy's record of the call, with token ids.
    const firstId = report.enqueued[0]?.rollout_id as string;
    const firstSpans = report.spans[firstId] ?? [];
    expect(firstSpans.map((s) => s.name)).toEqual(
      expect.arrayContaining(["litellm_request", "raw_gen_ai_request"]),
    );

    // Ready-made triplets: prompt and response token ids exactly as the model server returned them.
    expect(report.triplets.map((t) => t.rollout_id)).toEqual(report.enqueued.map((r) => r.rollout_id));
    for (const [i, result] of report.triplets.entries()) {
      const task = tasks[Math.floor(i / 2)] as (typeof tasks)[number];
      expect(result.status).toBe("succeeded");
      expect(result.triplets).toHaveLength(1);
      const triplet = result.triplets[0] as {
        prompt: { token_ids: number[] };
        response: { token_ids: number[] };
      };
      expect(triplet.prompt.token_ids).toEqual(
        tokenIdsOf(chatPromptText([{ role: "user", content: task.question }])),
      );
      expect(triplet.response.token_ids).toEqual(tokenIdsOf(policyAnswer(task.question)));
      expect(result.final_reward).toBe(task.answer === policyAnswer(task.question) ? 1 : 0);
    }
    expect(report.single).toEqual(report.triplets[0]);
  });
});
