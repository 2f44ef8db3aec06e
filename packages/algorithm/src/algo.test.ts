import { InMemoryLightningStore } from "@agentlightning/store";
import { AglError } from "@agentlightning/types";
import { describe, expect, it } from "vitest";
import { type AlgoContext, algo, FunctionalAlgorithm } from "./algo.js";
import { Algorithm } from "./algorithm.js";

const adapter = { adapt: (spans: readonly unknown[]) => spans.length };
const resources = {
  prompt: { resource_type: "prompt_template" as const, template: "{q}", engine: "f-string" as const },
};

describe("algo (checklist #75-#82)", () => {
  it("#75 stays callable as the function, keeps its name, and injects nothing when called directly", async () => {
    async function myAlgorithm(context: AlgoContext) {
      return context;
    }
    const wrapped = algo(myAlgorithm);
    expect(wrapped.name).toBe("myAlgorithm");
    const direct = { marker: 1 } as unknown as AlgoContext;
    expect(await wrapped(direct)).toBe(direct);
  });

  it("#76 is a FunctionalAlgorithm with every Algorithm getter and setter", () => {
    const wrapped = algo(async () => undefined);
    expect(wrapped).toBeInstanceOf(FunctionalAlgorithm);
    expect(wrapped).toBeInstanceOf(Algorithm);
    expect(wrapped.isAsync()).toBe(true);
    expect(() => wrapped.getStore()).toThrow("Store has not been set for this algorithm.");
    expect(() => wrapped.getAdapter()).toThrow("Adapter has not been set for this algorithm.");
    expect(() => wrapped.getTrainer()).toThrow(/Trainer has not been set/);
    expect(wrapped.getLlmProxy()).toBeNull();
    expect(wrapped.getInitialResources()).toBeNull();
    const trainer = { name: "t" };
    wrapped.setTrainer(trainer);
    expect(wrapped.getTrainer()).toBe(trainer);
  });

  it("#77 run(train, val) passes the datasets; run() passes nulls", async () => {
    const wrapped = algo(({ trainDataset, valDataset }) => ({ trainDataset, valDataset }));
    expect(await wrapped.run([1], [2])).toEqual({ trainDataset: [1], valDataset: [2] });
    expect(await wrapped.run()).toEqual({ trainDataset: null, valDataset: null });
  });

  it("#78 run returns a promise that settles when the function does", async () => {
    let finished = false;
    const wrapped = algo(async () => {
      await new Promise((r) => setTimeout(r, 5));
      finished = true;
      return "done";
    });
    const pending = wrapped.run();
    expect(finished).toBe(false);
    expect(await pending).toBe("done");
  });

  it("#79 separate algorithms keep separate state", () => {
    const a = algo(() => 1);
    const b = algo(() => 2);
    a.setStore(new InMemoryLightningStore());
    expect(() => b.getStore()).toThrow(/Store has not been set/);
  });

  it("#80 a store-only function receives the store set with setStore", async () => {
    const store = new InMemoryLightningStore();
    const wrapped = algo(({ store: injected }) => injected, { params: ["store"] });
    wrapped.setStore(store);
    expect(await wrapped.run()).toBe(store);
  });

  it("#81 a dataset the function does not declare is a TypeError", async () => {
    const wrapped = algo(({ store }) => store, { params: ["store"] });
    wrapped.setStore(new InMemoryLightningStore());
    await expect(wrapped.run([1])).rejects.toThrow(TypeError);
    await expect(wrapped.run([1])).rejects.toThrow(/train_dataset is provided but not supported/);
    await expect(wrapped.run(null, [1])).rejects.toThrow(/val_dataset is provided but not supported/);
  });

  it("#82 delivers all six injectables", async () => {
    const store = new InMemoryLightningStore();
    const proxy = { isRunning: () => true, start: async () => undefined, stop: async () => undefined };
    const wrapped = algo((context) => ({ ...context }), {
      params: ["store", "adapter", "llmProxy", "initialResources", "trainDataset", "valDataset"],
    });
    wrapped.setStore(store);
    wrapped.setAdapter(adapter);
    wrapped.setLlmProxy(proxy);
    wrapped.setInitialResources(resources);
    const got = await wrapped.run(["t"], ["v"]);
    expect(got).toMatchObject({ store, adapter, llmProxy: proxy, initialResources: resources });
    expect(got.trainDataset).toEqual(["t"]);
    expect(got.valDataset).toEqual(["v"]);
  });

  it("without params, store and adapter are lazy: only reading an unset one throws", async () => {
    const wrapped = algo(({ trainDataset }) => trainDataset);
    expect(await wrapped.run(["x"])).toEqual(["x"]);
    const readsStore = algo(({ store }) => store);
    const error = await readsStore.run().catch((e: unknown) => e);
    expect(AglError.isInstance(error) && error.code).toBe("invalid_argument");
  });

  it("passes the abort signal of run()", async () => {
    const controller = new AbortController();
    const wrapped = algo(({ signal }) => signal);
    expect(await wrapped.run(null, null, { signal: controller.signal })).toBe(controller.signal);
  });
});
