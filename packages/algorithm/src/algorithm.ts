import type { LightningStore } from "@agentlightning/store";
import { AglError, type NamedResources, type Span } from "@agentlightning/types";
import type { Dataset } from "./dataset.js";

/**
 * Anything that turns a rollout's spans into training data: the adapters of
 * `@agentlightning/tracer` (`TracerTraceToTriplet`, `TraceToMessages`, ...) fit, and so does any
 * object with an `adapt(spans)` method.
 */
export interface SpanAdapter<T = unknown> {
  adapt(spans: readonly Span[]): T | Promise<T>;
}

/**
 * What an algorithm needs of an LLM proxy: the `LLMProxy` of this package fits. Algorithms that
 * use one (Baseline, APO) start it when it is configured but not running, and stop it afterwards.
 */
export interface AlgorithmLlmProxy {
  isRunning(): boolean;
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
}

/** Options of {@link Algorithm.run} beyond the datasets. */
export interface AlgorithmRunOptions {
  /** Aborting it asks the algorithm to stop as soon as it can (it then returns what it has). */
  signal?: AbortSignal;
}

/**
 * The base of every algorithm (orchestration §3.1). The Trainer (or you) injects the store, the
 * adapter, the initial resources, an optional LLM proxy and the trainer, then calls
 * `run(trainDataset, valDataset)`. Getters of required parts throw a clear error when unset.
 *
 * @example
 * ```ts
 * class CountRollouts extends Algorithm<number> {
 *   async run(train?: Dataset | null) {
 *     const store = this.getStore();
 *     const queued = await Promise.all(datasetToArray(train).map((input) => store.enqueueRollout({ input })));
 *     return (await store.waitForRollouts(queued.map((r) => r.rollout_id), { timeout: 60 })).length;
 *   }
 * }
 * const algorithm = new CountRollouts();
 * algorithm.setStore(new InMemoryLightningStore());
 * ```
 */
export abstract class Algorithm<Result = unknown> {
  protected trainer: unknown = undefined;
  protected store: LightningStore | undefined = undefined;
  protected adapter: SpanAdapter | undefined = undefined;
  protected llmProxy: AlgorithmLlmProxy | null = null;
  protected initialResources: NamedResources | null = null;

  /** Always true: every algorithm has one async surface (`run` returns a promise). */
  isAsync(): boolean {
    return true;
  }

  /** Records the trainer that drives this algorithm. */
  setTrainer(trainer: unknown): void {
    this.trainer = trainer;
  }

  /** The trainer; throws when none was set. */
  getTrainer(): unknown {
    if (this.trainer === undefined || this.trainer === null) {
      throw new AglError("invalid_argument", "Trainer has not been set for this algorithm.");
    }
    return this.trainer;
  }

  /** Sets (or clears, with null) the LLM proxy the algorithm may publish and manage. */
  setLlmProxy(llmProxy: AlgorithmLlmProxy | null): void {
    this.llmProxy = llmProxy;
  }

  /** The LLM proxy, or null when none was set. */
  getLlmProxy(): AlgorithmLlmProxy | null {
    return this.llmProxy;
  }

  /** Sets the adapter that turns spans into training data. */
  setAdapter(adapter: SpanAdapter): void {
    this.adapter = adapter;
  }

  /** The adapter; throws when none was set. */
  getAdapter(): SpanAdapter {
    if (this.adapter === undefined) {
      throw new AglError("invalid_argument", "Adapter has not been set for this algorithm.");
    }
    return this.adapter;
  }

  /** Sets the store the algorithm enqueues rollouts into and reads spans from. */
  setStore(store: LightningStore): void {
    this.store = store;
  }

  /** The store; throws when none was set. */
  getStore(): LightningStore {
    if (this.store === undefined) {
      throw new AglError("invalid_argument", "Store has not been set for this algorithm.");
    }
    return this.store;
  }

  /** Sets the resources the algorithm starts from (prompt templates, LLM endpoints). */
  setInitialResources(resources: NamedResources | null): void {
    this.initialResources = resources;
  }

  /** The initial resources, or null when none were set. */
  getInitialResources(): NamedResources | null {
    return this.initialResources;
  }

  /** The deprecated v0.1 client hook: not supported. */
  getClient(): never {
    throw new AglError(
      "unsupported",
      "getClient() is a v0.1 hook that algorithms of this package do not provide.",
    );
  }

  /** Runs the algorithm over the datasets. */
  abstract run(
    trainDataset?: Dataset | null,
    valDataset?: Dataset | null,
    options?: AlgorithmRunOptions,
  ): Promise<Result>;
}

/**
 * A marker for algorithms meant for quick developer loops (`Trainer.dev()` accepts only these).
 */
export abstract class FastAlgorithm<Result = unknown> extends Algorithm<Result> {}

/**
 * Runs `fn` with the algorithm's LLM proxy started: a proxy that is configured but not running is
 * started before and stopped after (only if this call started it), as the Python `with_llm_proxy`.
 */
export async function withLlmProxy<T>(
  llmProxy: AlgorithmLlmProxy | null,
  fn: () => Promise<T>,
  options: { required?: boolean } = {},
): Promise<T> {
  if (llmProxy === null) {
    if (options.required)
      throw new AglError("invalid_argument", "An LLM proxy is required by this algorithm.");
    return fn();
  }
  if (llmProxy.isRunning()) return fn();
  await llmProxy.start();
  try {
    return await fn();
  } finally {
    await llmProxy.stop();
  }
}
