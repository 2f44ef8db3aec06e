// LLMProxy's API: resources (#132), aliases, model list, store and lifecycle (#140).
import { InMemoryLightningStore } from "@agentlightning/store";
import { AglError, getLlmBaseUrl, ProxyLLMSchema } from "@agentlightning/types";
import { afterEach, describe, expect, it } from "vitest";
import { LLMProxy, type LLMProxyOptions } from "./llm-proxy.js";
import type { ModelListEntry } from "./model-list.js";

const entry = (name: string, port = 8000): ModelListEntry => ({
  model_name: name,
  litellm_params: { model: `hosted_vllm/${name}`, api_base: `http://127.0.0.1:${port}/v1` },
});

const running: LLMProxy[] = [];
afterEach(async () => {
  for (const proxy of running.splice(0)) if (proxy.isRunning()) await proxy.stop();
});

function started(options: LLMProxyOptions = {}) {
  const proxy = new LLMProxy({ store: new InMemoryLightningStore(), ...options });
  running.push(proxy);
  return proxy;
}

const expectInvalid = (fn: () => unknown, text: string) => {
  try {
    fn();
  } catch (error) {
    expect(AglError.isInstance(error) && error.code).toBe("invalid_argument");
    expect((error as Error).message).toContain(text);
    return;
  }
  throw new Error("expected an invalid_argument error");
};

describe("LLMProxy.asResource (#132)", () => {
  it("gives an llm at <base>/rollout/r/attempt/a with both ids, a proxy_llm at <base> without", async () => {
    const proxy = started({ modelList: [entry("policy")] });
    await proxy.start();
    const base = `http://127.0.0.1:${proxy.port}`;
    expect(proxy.asResource("r", "a")).toEqual({
      resource_type: "llm",
      endpoint: `${base}/rollout/r/attempt/a`,
      model: "policy",
      api_key: null,
      sampling_parameters: {},
    });
    const shared = proxy.asResource(undefined, undefined, undefined, { temperature: 0.7 });
    expect(shared).toEqual({
      resource_type: "proxy_llm",
      endpoint: base,
      model: "policy",
      api_key: null,
      sampling_parameters: { temperature: 0.7 },
    });
    // A runner's per-rollout rewrite of the proxy_llm lands on the same route.
    expect(getLlmBaseUrl(ProxyLLMSchema.parse(shared), "r", "a")).toBe(`${base}/rollout/r/attempt/a`);
  });

  it("refuses one id alone, an empty model list and several model names without `model`", () => {
    const proxy = new LLMProxy({ modelList: [entry("a"), entry("b")], port: 4000 });
    expectInvalid(() => proxy.asResource("r"), "rollout_id and attempt_id must be strings or all be empty");
    expectInvalid(() => proxy.asResource(undefined, "a"), "rollout_id and attempt_id");
    expectInvalid(() => proxy.asResource(), "Multiple models");
    expect(proxy.asResource(undefined, undefined, "b").model).toBe("b");
    expectInvalid(() => new LLMProxy({ port: 4000 }).asResource(), "No models");
  });

  it("takes the shared name when every entry names the same model", () => {
    const proxy = new LLMProxy({ modelList: [entry("same", 1), entry("same", 2)], port: 4000 });
    expect(proxy.asResource().model).toBe("same");
    expect(proxy.asResource().endpoint).toBe("http://127.0.0.1:4000");
  });

  it("advertises publicUrl when given", () => {
    const proxy = new LLMProxy({ modelList: [entry("m")], publicUrl: "http://proxy.internal:4000/" });
    expect(proxy.asResource("r", "a").endpoint).toBe("http://proxy.internal:4000/rollout/r/attempt/a");
  });
});

describe("LLMProxy configuration (#140)", () => {
  it("refuses unknown middleware and callback aliases", () => {
    expectInvalid(
      () => new LLMProxy({ middlewares: ["rollout_attempt", "nope" as never] }),
      "middleware 'nope'",
    );
    expectInvalid(() => new LLMProxy({ callbacks: ["bogus" as never] }), "callback 'bogus'");
    expect(
      () =>
        new LLMProxy({ middlewares: ["message_inspection", "stream_conversion"], callbacks: ["logprobs"] }),
    ).not.toThrow();
  });

  it("refuses a bad model list naming the entry and field, and a bad option", () => {
    expectInvalid(
      () => new LLMProxy({ modelList: [{ model_name: "m", litellm_params: { model: "x" } } as never] }),
      "0.litellm_params.api_base",
    );
    expectInvalid(
      () =>
        new LLMProxy({ modelList: [{ litellm_params: { model: "x", api_base: "http://h/v1" } } as never] }),
      "0.model_name",
    );
    expectInvalid(() => new LLMProxy({ numRetries: -1 }), "numRetries");
    expectInvalid(() => new LLMProxy({ balancing: "random" as never }), "balancing");
  });

  it("updateModelList replaces the model list and applies at once; a bad list changes nothing", async () => {
    const proxy = new LLMProxy({ store: new InMemoryLightningStore(), modelList: [entry("old")] });
    proxy.updateModelList([entry("new", 1), entry("newer", 2)]);
    expect(proxy.modelList.map((e) => e.model_name)).toEqual(["new", "newer"]);
    const models = (await (await proxy.fetch(new Request("http://proxy/v1/models"))).json()) as {
      data: { id: string }[];
    };
    expect(models.data.map((m) => m.id)).toEqual(["new", "newer"]);
    expectInvalid(() => proxy.updateModelList([{ model_name: "" } as never]), "model_list");
    expect(proxy.modelList.map((e) => e.model_name)).toEqual(["new", "newer"]);
  });

  it("getStore / setStore", () => {
    const proxy = new LLMProxy();
    expect(proxy.getStore()).toBeNull();
    const store = new InMemoryLightningStore();
    proxy.setStore(store);
    expect(proxy.getStore()).toBe(store);
  });
});

describe("LLMProxy lifecycle (#140)", () => {
  it("start() without a store throws", async () => {
    await expect(new LLMProxy({ modelList: [entry("m")] }).start()).rejects.toThrow(/needs a store/);
  });

  it("start, isRunning, restart on the same port, stop; stop when stopped only warns", async () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (m: string) => void warnings.push(m) };
    const proxy = started({ modelList: [entry("m")], logger });
    expect(proxy.isRunning()).toBe(false);
    expect(() => proxy.port).toThrow(/start it first/);
    await proxy.start();
    expect(proxy.isRunning()).toBe(true);
    await expect(proxy.start()).rejects.toThrow(/already running/);
    const port = proxy.port;
    expect((await fetch(`${proxy.url}/health`)).status).toBe(200);
    await proxy.restart();
    expect(proxy.isRunning()).toBe(true);
    expect(proxy.port).toBe(port);
    expect((await fetch(`${proxy.url}/health`)).status).toBe(200);
    await proxy.stop();
    expect(proxy.isRunning()).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    await proxy.stop();
    expect(warnings.some((w) => w.includes("not running"))).toBe(true);
  });
});
