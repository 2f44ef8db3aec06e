import type { LightningStore } from "@agentlightning/store";
import type { NamedResources } from "@agentlightning/types";
import {
  Algorithm,
  type AlgorithmLlmProxy,
  type AlgorithmRunOptions,
  type SpanAdapter,
} from "./algorithm.js";
import type { Dataset } from "./dataset.js";

/** What an {@link algo} function may receive. */
export type AlgoParamName =
  | "store"
  | "adapter"
  | "llmProxy"
  | "initialResources"
  | "trainDataset"
  | "valDataset";

/** The single argument of an {@link algo} function. */
export interface AlgoContext {
  /** The injected store (throws on access when none was set). */
  readonly store: LightningStore;
  /** The injected adapter (throws on access when none was set). */
  readonly adapter: SpanAdapter;
  readonly llmProxy: AlgorithmLlmProxy | null;
  readonly initialResources: NamedResources | null;
  readonly trainDataset: Dataset | null;
  readonly valDataset: Dataset | null;
  /** Aborted when the caller asks the algorithm to stop. */
  readonly signal: AbortSignal | undefined;
}

/** A function turned into an algorithm by {@link algo}. */
export type AlgoFunction<Result = unknown> = (context: AlgoContext) => Result | Promise<Result>;

/** Options of {@link algo}. */
export interface AlgoOptions {
  /**
   * The parts the function uses. When given, only these are put into the context (the store and
   * adapter getters run eagerly, so a missing one fails before the function starts), and passing a
   * non-null dataset the function does not declare throws a `TypeError` (as the Python `@algo`
   * does by parameter name). When absent, every part is available through lazy getters.
   */
  params?: readonly AlgoParamName[];
}

/**
 * An algorithm made of one function (orchestration §3.2). `run(train, val)` calls the function
 * with the injected parts; calling the object itself calls the function unchanged.
 */
export class FunctionalAlgorithm<Result = unknown> extends Algorithm<Result> {
  protected readonly fn: AlgoFunction<Result>;
  protected readonly params: readonly AlgoParamName[] | undefined;

  constructor(fn: AlgoFunction<Result>, options: AlgoOptions = {}) {
    super();
    this.fn = fn;
    this.params = options.params;
  }

  /** Calls the function with the injected store, adapter, proxy, initial resources and datasets. */
  async run(
    trainDataset: Dataset | null = null,
    valDataset: Dataset | null = null,
    options: AlgorithmRunOptions = {},
  ): Promise<Result> {
    return this.fn(this.buildContext(trainDataset ?? null, valDataset ?? null, options.signal));
  }

  private buildContext(
    train: Dataset | null,
    val: Dataset | null,
    signal: AbortSignal | undefined,
  ): AlgoContext {
    const getters: Record<AlgoParamName, () => unknown> = {
      store: () => this.getStore(),
      adapter: () => this.getAdapter(),
      llmProxy: () => this.getLlmProxy(),
      initialResources: () => this.getInitialResources(),
      trainDataset: () => train,
      valDataset: () => val,
    };
    if (this.params === undefined) {
      const context = { signal } as AlgoContext;
      for (const [name, get] of Object.entries(getters)) {
        Object.defineProperty(context, name, { get, enumerable: true });
      }
      return context;
    }
    const declared = new Set(this.params);
    const label = this.fn.name || "anonymous";
    if (train !== null && !declared.has("trainDataset")) {
      throw new TypeError(`train_dataset is provided but not supported by the algorithm function: ${label}`);
    }
    if (val !== null && !declared.has("valDataset")) {
      throw new TypeError(`val_dataset is provided but not supported by the algorithm function: ${label}`);
    }
    const context: Record<string, unknown> = { signal };
    for (const name of declared) context[name] = getters[name]();
    return context as unknown as AlgoContext;
  }
}

/**
 * Turns a function into an algorithm. The result is a {@link FunctionalAlgorithm} (setters,
 * getters, `run`) that is also still callable as the original function, with the same name.
 *
 * @example
 * ```ts
 * const evaluate = algo(async ({ store, trainDataset }) => {
 *   const rollouts = await store.enqueueManyRollouts(datasetToArray(trainDataset).map((input) => ({ input })));
 *   return store.waitForRollouts(rollouts.map((r) => r.rollout_id), { timeout: 60 });
 * });
 * evaluate.setStore(store);
 * const finished = await evaluate.run([{ question: "2+2?" }]);
 * ```
 */
export function algo<Result>(
  fn: AlgoFunction<Result>,
  options: AlgoOptions = {},
): FunctionalAlgorithm<Awaited<Result>> & AlgoFunction<Result> {
  const instance = new FunctionalAlgorithm<Awaited<Result>>(fn as AlgoFunction<Awaited<Result>>, options);
  const callable = function (this: unknown, context: AlgoContext) {
    return fn.call(this, context);
  };
  Object.setPrototypeOf(callable, FunctionalAlgorithm.prototype);
  Object.assign(callable, instance);
  Object.defineProperty(callable, "name", { value: fn.name, configurable: true });
  return callable as unknown as FunctionalAlgorithm<Awaited<Result>> & AlgoFunction<Result>;
}
