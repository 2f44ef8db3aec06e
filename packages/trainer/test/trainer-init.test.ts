// Trainer construction and dev(), orchestration §6 items #23-#35, plus defaults (§1.12),
// deprecated aliases and hooks.
import { APO, Baseline, LLMProxy } from "@agentlightning/algorithm";
import { Hook, LitAgentRunner, rollout } from "@agentlightning/litagent";
import { InMemoryLightningStore, type LightningStore } from "@agentlightning/store";
import {
  DummyTracer,
  InstrumentedTracer,
  TracerTraceToTriplet,
  TraceToMessages,
} from "@agentlightning/tracer";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  type AlgorithmBundle,
  ClientServerExecutionStrategy,
  ExecutionStrategy,
  type RunnerBundle,
  SharedMemoryExecutionStrategy,
  Trainer,
  ValueError,
} from "../src/index.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

/** A strategy that records its calls and runs nothing. */
class RecordingStrategy extends ExecutionStrategy {
  readonly nRunners = 1;
  calls = 0;
  async execute(_algorithm: AlgorithmBundle, _runner: RunnerBundle, _store: LightningStore): Promise<void> {
    this.calls++;
  }
}

const agent = rollout(async () => 1);

describe("Trainer construction", () => {
  it("§1.12 defaults: cs with 1 runner, InstrumentedTracer, TracerTraceToTriplet, in-memory store, LitAgentRunner with that tracer, no algorithm", () => {
    const trainer = new Trainer();
    expect(trainer.nRunners).toBe(1);
    expect(trainer.maxRollouts).toBeNull();
    expect(trainer.tracer).toBeInstanceOf(InstrumentedTracer);
    expect(trainer.adapter).toBeInstanceOf(TracerTraceToTriplet);
    expect(trainer.store).toBeInstanceOf(InMemoryLightningStore);
    expect(trainer.runner).toBeInstanceOf(LitAgentRunner);
    expect((trainer.runner as LitAgentRunner).tracer).toBe(trainer.tracer);
    expect(trainer.algorithm).toBeNull();
    expect(trainer.llmProxy).toBeNull();
    expect(trainer.hooks).toEqual([]);
    const strategy = trainer.strategy as ClientServerExecutionStrategy;
    expect(strategy).toBeInstanceOf(ClientServerExecutionStrategy);
    expect(strategy).toMatchObject({
      role: "both",
      serverHost: "localhost",
      serverPort: 4747,
      managedStore: true,
    });
  });

  it("#25 a tracer instance becomes the default runner's tracer; maxRollouts is forwarded", () => {
    const tracer = new DummyTracer();
    const trainer = new Trainer({ tracer, maxRollouts: 3 });
    expect(trainer.tracer).toBe(tracer);
    expect((trainer.runner as LitAgentRunner).tracer).toBe(tracer);
    expect((trainer.runner as LitAgentRunner).maxRollouts).toBe(3);
    // Injected into a runner spec too.
    const fromSpec = new Trainer({
      tracer,
      maxRollouts: 2,
      runner: { type: "LitAgentRunner", concurrency: 4 },
    });
    expect(fromSpec.runner).toMatchObject({ tracer, maxRollouts: 2, concurrency: 4 });
  });

  it("#26-#28 shm from a name, a dict (snake_case) and an instance whose nRunners wins", () => {
    expect(new Trainer({ strategy: "shm", nRunners: 1 }).strategy).toBeInstanceOf(
      SharedMemoryExecutionStrategy,
    );
    const fromDict = new Trainer({
      strategy: { type: "shm", main_thread: "algorithm", managed_store: false },
      nRunners: 8,
    });
    expect(fromDict.strategy).toMatchObject({ nRunners: 8, mainThread: "algorithm", managedStore: false });
    const prebuilt = new SharedMemoryExecutionStrategy({ nRunners: 4, mainThread: "algorithm" });
    const trainer = new Trainer({ strategy: prebuilt, nRunners: 8 });
    expect(trainer.strategy).toBe(prebuilt);
    expect(trainer.nRunners).toBe(4);
    expect(trainer.nWorkers).toBe(4);
    // The pitfall of §1.6: the injected nRunners conflicts with shm's default main thread.
    expect(() => new Trainer({ strategy: "shm", nRunners: 2 })).toThrow(ValueError);
    expect(() => new Trainer({ strategy: "shm", nRunners: 2 })).toThrow(
      /main_thread='runner' requires n_runners to be 1/,
    );
  });

  it("#29-#32 ports: a dict's server_port, port with no strategy, port ignored by shm, port overriding an instance", () => {
    expect(
      (new Trainer({ strategy: { type: "cs", server_port: 9999 } }).strategy as ClientServerExecutionStrategy)
        .serverPort,
    ).toBe(9999);
    expect((new Trainer({ port: 8081 }).strategy as ClientServerExecutionStrategy).serverPort).toBe(8081);
    expect(
      (
        new Trainer({ strategy: { type: "cs", server_port: 9999 }, port: 8081 })
          .strategy as ClientServerExecutionStrategy
      ).serverPort,
    ).toBe(9999);
    expect(new Trainer({ port: 8082, strategy: "shm" }).strategy).not.toHaveProperty("serverPort");
    const cs = new ClientServerExecutionStrategy({ serverPort: 9000 });
    expect(
      (new Trainer({ strategy: cs, port: 9100 }).strategy as ClientServerExecutionStrategy).serverPort,
    ).toBe(9100);
  });

  it("#33 env: AGL_SERVER_PORT, AGL_CURRENT_ROLE, AGL_MANAGED_STORE are read by a cs strategy built from its name", () => {
    vi.stubEnv("AGL_SERVER_PORT", "10000");
    vi.stubEnv("AGL_CURRENT_ROLE", "algorithm");
    vi.stubEnv("AGL_MANAGED_STORE", "0");
    expect(new Trainer({ strategy: "cs" }).strategy).toMatchObject({
      serverPort: 10000,
      role: "algorithm",
      managedStore: false,
    });
  });

  it("#34-#35 adapters from an upstream dotted name and from a dict without type", () => {
    expect(new Trainer({ adapter: "agentlightning.adapter.TraceToMessages" }).adapter).toBeInstanceOf(
      TraceToMessages,
    );
    const adapter = new Trainer({ adapter: { agent_match: "plan_agent", repair_hierarchy: false } }).adapter;
    expect(adapter).toBeInstanceOf(TracerTraceToTriplet);
    expect(adapter).toMatchObject({ agentMatch: /plan_agent/, repairHierarchy: false });
  });

  it("components from classes, factories and registry names; bad specs name the component", () => {
    expect(new Trainer({ algorithm: Baseline }).algorithm).toBeInstanceOf(Baseline);
    expect(new Trainer({ algorithm: "agentlightning.algorithm.Baseline" }).algorithm).toBeInstanceOf(
      Baseline,
    );
    const store = new InMemoryLightningStore();
    expect(new Trainer({ store: () => store }).store).toBe(store);
    expect(new Trainer({ store: InMemoryLightningStore }).store).toBeInstanceOf(InMemoryLightningStore);
    expect(() => new Trainer({ algorithm: 5 as never })).toThrow(
      new ValueError("Invalid algorithm type: <class 'int'>. Expected Algorithm, str, dict, or None."),
    );
    expect(() => new Trainer({ store: (() => ({})) as never })).toThrow(TypeError);
    expect(() => new Trainer({ strategy: "nope" })).toThrow(/Unknown strategy 'nope'/);
  });

  it("an LLM proxy spec gets the trainer's store", () => {
    const store = new InMemoryLightningStore();
    const trainer = new Trainer({ store, llmProxy: { type: "LLMProxy", port: 0 } });
    expect(trainer.llmProxy).toBeInstanceOf(LLMProxy);
    expect((trainer.llmProxy as unknown as { store: unknown }).store).toBe(store);
  });

  it("deprecated aliases warn; nWorkers/maxTasks/tripletExporter are ignored when the new name is also given", () => {
    const warnings: string[] = [];
    const spy = vi.spyOn(process, "emitWarning").mockImplementation((w: string | Error) => {
      warnings.push(String(w));
    });
    try {
      const old = new Trainer({
        nWorkers: 1,
        maxTasks: 5,
        tripletExporter: new TraceToMessages(),
        dev: true,
      });
      expect(old.nRunners).toBe(1);
      expect(old.maxRollouts).toBe(5);
      expect(old.maxTasks).toBe(5);
      expect(old.adapter).toBeInstanceOf(TraceToMessages);
      expect(old.tripletExporter).toBe(old.adapter);
      const both = new Trainer({
        nRunners: 1,
        nWorkers: 3,
        maxRollouts: 2,
        maxTasks: 9,
        adapter: new TracerTraceToTriplet(),
        tripletExporter: new TraceToMessages(),
      });
      expect(both.nRunners).toBe(1);
      expect(both.maxRollouts).toBe(2);
      expect(both.adapter).toBeInstanceOf(TracerTraceToTriplet);
    } finally {
      spy.mockRestore();
    }
    expect(warnings.some((w) => w.includes("use Trainer.dev()"))).toBe(true);
    expect(warnings.some((w) => w.includes("nWorkers is deprecated; use nRunners"))).toBe(true);
    expect(warnings.some((w) => w.includes("nWorkers is deprecated and ignored"))).toBe(true);
    expect(warnings.some((w) => w.includes("tripletExporter is deprecated and ignored"))).toBe(true);
  });

  it("hooks: a single hook becomes a frozen one-element list", () => {
    class H extends Hook {}
    const hook = new H();
    const trainer = new Trainer({ hooks: hook });
    expect(trainer.hooks).toEqual([hook]);
    expect(Object.isFrozen(trainer.hooks)).toBe(true);
  });
});

describe("cs under a test runner", () => {
  it("refuses to fork runner processes that would re-run vitest, with a clear error", async () => {
    const trainer = new Trainer({
      strategy: { type: "cs", serverPort: 0 },
      nRunners: 2,
      algorithm: new Baseline(),
    });
    await expect(trainer.fit(agent, [1])).rejects.toThrow(
      /Cannot start runner-0 under vitest by re-running the entry script/,
    );
    expect((trainer.strategy as ClientServerExecutionStrategy).children).toEqual([]);
  });
});

describe("Trainer.dev", () => {
  it("#23 a non-FastAlgorithm is a TypeError and the strategy is not called", async () => {
    const strategy = new RecordingStrategy();
    const trainer = new Trainer({ algorithm: new APO({ baseUrl: "http://127.0.0.1:9/v1" }), strategy });
    await expect(trainer.dev(agent)).rejects.toThrow(TypeError);
    await expect(trainer.dev(agent)).rejects.toThrow(/dev\(\) requires a FastAlgorithm subclass .*got APO/);
    expect(strategy.calls).toBe(0);
  });

  it("#24 with Baseline (given, or substituted when none) the strategy runs exactly once", async () => {
    const strategy = new RecordingStrategy();
    await new Trainer({ algorithm: new Baseline(), strategy }).dev(agent);
    expect(strategy.calls).toBe(1);
    const bare = new Trainer({ strategy: new RecordingStrategy() });
    await bare.dev(agent);
    expect((bare.strategy as RecordingStrategy).calls).toBe(1);
    expect(bare.algorithm).toBeNull();
  });
});
