import { llmRollout } from "@agentlightning/litagent";
import { startScriptedOpenAI } from "@agentlightning/scripted-openai";
import { InMemoryLightningStore } from "@agentlightning/store";
import { afterEach, describe, expect, it } from "vitest";
import { Baseline, LLMProxy } from "../src/index.js";
import { startRunner } from "./support/runner.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup() {
  const model = await startScriptedOpenAI({ reply: () => "pong" });
  const store = new InMemoryLightningStore();
  const proxy = new LLMProxy({
    store,
    modelList: [
      { model_name: "policy", litellm_params: { model: "openai/scripted", api_base: model.baseUrl } },
    ],
  });
  // The agent calls the proxy through the ProxyLLM resource; it only succeeds while the proxy runs.
  const agent = llmRollout(async (_task: unknown, ctx) => {
    const response = await fetch(`${ctx.llm.endpoint}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "policy", messages: [{ role: "user", content: "ping" }] }),
    });
    return ((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]
      ?.message.content === "pong"
      ? 1
      : 0;
  });
  const runner = startRunner(store, agent as never, 2);
  cleanups.push(
    () => model.close(),
    () => store.close(),
    async () => {
      if (proxy.isRunning()) await proxy.stop();
    },
    () => runner.stop(),
  );
  return { store, proxy };
}

describe("algorithms start a configured LLM proxy that is not running (Python with_llm_proxy)", () => {
  it("Baseline starts the stopped proxy for the run and stops it afterwards", async () => {
    const { store, proxy } = await setup();
    await proxy.start();
    const resource = proxy.asResource(); // the port is known once started
    await proxy.stop();
    const baseline = new Baseline({ pollingInterval: 0.05 });
    baseline.setStore(store);
    baseline.setLlmProxy(proxy);
    baseline.setInitialResources({ main_llm: resource });
    expect(proxy.isRunning()).toBe(false);
    const report = await baseline.run(["a", "b"]);
    expect(report.rollouts.map((r) => [r.status, r.finalReward])).toEqual([
      ["succeeded", 1],
      ["succeeded", 1],
    ]);
    expect(proxy.isRunning()).toBe(false);
  });

  it("leaves a proxy that was already running alone", async () => {
    const { store, proxy } = await setup();
    await proxy.start();
    const baseline = new Baseline({ pollingInterval: 0.05 });
    baseline.setStore(store);
    baseline.setLlmProxy(proxy);
    baseline.setInitialResources({ main_llm: proxy.asResource() });
    const report = await baseline.run(["a"]);
    expect(report.rollouts[0]?.finalReward).toBe(1);
    expect(proxy.isRunning()).toBe(true);
  });
});
