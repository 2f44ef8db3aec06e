import {
  type Algorithm,
  Baseline,
  type Dataset,
  FastAlgorithm,
  type LLMProxy,
} from "@agentlightning/algorithm";
import { type Hook, type LitAgent, LitAgentRunner, type RunnerHook } from "@agentlightning/litagent";
import { InMemoryLightningStore, type LightningStore } from "@agentlightning/store";
import { InstrumentedTracer, type Tracer, TracerTraceToTriplet } from "@agentlightning/tracer";
import { type Logger, type NamedResources, silentLogger } from "@agentlightning/types";
import { buildComponent, type ComponentSpec } from "./component/build-component.js";
import { ExecutionStrategyRegistry, Kinds } from "./component/kinds.js";
import { ClientServerExecutionStrategy } from "./execution/client-server.js";
import type { AlgorithmBundle, ExecutionStrategy } from "./execution/strategy.js";
import { fitV0 } from "./legacy-fit.js";
import { makeRunnerBundle, type TrainerRunner } from "./runner-bundle.js";

/** Anything with `adapt(spans)`: the adapters of `@agentlightning/tracer` fit. */
export interface TrainerAdapter {
  adapt(spans: never): unknown;
}

/** Options of {@link Trainer} (orchestration §1.2). Every component takes a spec (§1.4). */
export interface TrainerOptions {
  /** The algorithm (instance, class, factory, name or dict); none: `fit` runs runners only. */
  algorithm?: ComponentSpec<Algorithm>;
  /** The store; default a fresh `InMemoryLightningStore`. */
  store?: ComponentSpec<LightningStore>;
  /** The runner; default `LitAgentRunner({ tracer, maxRollouts })` (both injected into specs too). */
  runner?: ComponentSpec<TrainerRunner>;
  /** Resources handed to the algorithm before it runs (prompt templates, LLM endpoints). */
  initialResources?: NamedResources | null;
  /** Runner workers, default 1 (a strategy instance's own `nRunners` wins). */
  nRunners?: number;
  /** Rollouts each runner worker claims before it stops; default unlimited. */
  maxRollouts?: number | null;
  /**
   * Where the bundles run: `"cs"` (default: store server + runner processes), `"shm"` (one
   * process), `"ipc"`, a strategy instance, class or dict (`{ type: "shm", mainThread: "algorithm" }`).
   */
  strategy?: ComponentSpec<ExecutionStrategy>;
  /** The tracer of every rollout; default `InstrumentedTracer` (the counterpart of AgentOpsTracer). */
  tracer?: ComponentSpec<Tracer>;
  /** Hooks the runners call around each rollout. */
  hooks?: Hook | RunnerHook | readonly (Hook | RunnerHook)[] | null;
  /** Turns spans into training data for the algorithm; default `TracerTraceToTriplet`. */
  adapter?: ComponentSpec<TrainerAdapter>;
  /** An LLM proxy handed to the algorithm (its store is set to the run's store). */
  llmProxy?: ComponentSpec<LLMProxy>;
  /** Port of the cs strategy's store server (only the cs strategy reads it). */
  port?: number | null;
  /** Where the Trainer logs; silent by default. Deprecation warnings go to `process.emitWarning`. */
  logger?: Logger;
  /** @deprecated Use `Trainer.dev()`. */
  dev?: boolean;
  /** @deprecated Alias of `nRunners`. */
  nWorkers?: number;
  /** @deprecated Alias of `maxRollouts`. */
  maxTasks?: number | null;
  /** Only affects the legacy `fit(agent, url)` path; `false` is warned about. */
  daemon?: boolean;
  /** @deprecated Alias of `adapter`. */
  tripletExporter?: ComponentSpec<TrainerAdapter>;
}

/** Options of {@link Trainer.fit} and {@link Trainer.dev}. */
export interface FitOptions {
  valDataset?: Dataset | null;
}

function deprecated(message: string): void {
  process.emitWarning(message, "DeprecationWarning");
}

/**
 * What users call to train (orchestration §1): `new Trainer({ algorithm, nRunners }).fit(agent,
 * train, { valDataset })`. The Trainer resolves its components from specs, then hands an
 * algorithm bundle and a runner bundle to the execution strategy, which decides where they run.
 *
 * @example
 * ```ts
 * const trainer = new Trainer({ algorithm: new APO({ baseUrl }), nRunners: 4, initialResources });
 * await trainer.fit(agent, trainTasks, { valDataset: valTasks });
 * ```
 */
export class Trainer {
  readonly algorithm: Algorithm | null;
  readonly store: LightningStore;
  /** The configured runner; further workers of one process use clones of it. */
  readonly runner: TrainerRunner;
  readonly initialResources: NamedResources | null;
  nRunners: number;
  readonly maxRollouts: number | null;
  readonly strategy: ExecutionStrategy;
  readonly tracer: Tracer;
  readonly hooks: readonly RunnerHook[];
  readonly adapter: TrainerAdapter;
  readonly llmProxy: LLMProxy | null;
  readonly port: number | null;
  readonly daemon: boolean;
  readonly logger: Logger;
  /** Legacy mirror of the worker id (always null here). */
  readonly workerId = null;

  constructor(options: TrainerOptions = {}) {
    this.logger = options.logger ?? silentLogger;
    if (options.dev === true) deprecated("Trainer({ dev: true }) is deprecated; use Trainer.dev() instead.");
    // 1. Deprecated aliases.
    let nRunners = options.nRunners;
    if (options.nWorkers !== undefined) {
      if (nRunners !== undefined && nRunners !== options.nWorkers) {
        deprecated(`nWorkers is deprecated and ignored because nRunners (${nRunners}) is also given.`);
      } else {
        deprecated("nWorkers is deprecated; use nRunners.");
        nRunners = options.nWorkers;
      }
    }
    this.nRunners = nRunners ?? 1;
    let maxRollouts = options.maxRollouts;
    if (options.maxTasks !== undefined) {
      if (maxRollouts !== undefined && maxRollouts !== options.maxTasks) {
        deprecated(`maxTasks is deprecated and ignored because maxRollouts (${maxRollouts}) is also given.`);
      } else {
        deprecated("maxTasks is deprecated; use maxRollouts.");
        maxRollouts = options.maxTasks;
      }
    }
    this.maxRollouts = maxRollouts ?? null;
    this.port = options.port ?? null;
    this.daemon = options.daemon ?? true;

    // 2. Tracer.
    this.tracer = buildComponent(options.tracer, {
      specName: "tracer",
      kind: Kinds.tracer,
      defaultFactory: () => new InstrumentedTracer(),
      invalidSpecErrorFmt: "Invalid tracer type: {actual_type}. Expected Tracer, str, dict, or None.",
      typeErrorFmt: "Tracer factory returned {type_name}, which is not a Tracer subclass.",
    }) as Tracer;

    // 3. Adapter (or its deprecated alias).
    let adapterSpec = options.adapter;
    if (options.tripletExporter !== undefined) {
      if (adapterSpec !== undefined)
        deprecated("tripletExporter is deprecated and ignored because adapter is given.");
      else {
        deprecated("tripletExporter is deprecated; use adapter.");
        adapterSpec = options.tripletExporter;
      }
    }
    this.adapter = buildComponent(adapterSpec, {
      specName: "adapter",
      kind: Kinds.adapter,
      defaultFactory: () => new TracerTraceToTriplet(),
      dictRequiresType: false,
      dictDefaultCls: TracerTraceToTriplet,
      invalidSpecErrorFmt: "Invalid adapter type: {actual_type}. Expected TraceAdapter, str, dict, or None.",
      typeErrorFmt: "Adapter factory returned {type_name}, which is not a TraceAdapter subclass.",
    }) as TrainerAdapter;

    // 4. Algorithm; 5. initial resources.
    this.algorithm = buildComponent(options.algorithm, {
      specName: "algorithm",
      kind: Kinds.algorithm,
      allowNone: true,
      invalidSpecErrorFmt: "Invalid algorithm type: {actual_type}. Expected Algorithm, str, dict, or None.",
      typeErrorFmt: "Algorithm factory returned {type_name}, which is not a Algorithm subclass.",
    });
    this.initialResources = options.initialResources ?? null;

    // 6. Strategy (built before the store, as in v0.3), then the n_runners sync.
    const strategyDefaults: Record<string, unknown> = { nRunners: this.nRunners };
    if (this.port !== null) strategyDefaults.serverPort = this.port;
    const strategySpec = options.strategy;
    this.strategy = buildComponent(strategySpec, {
      specName: "strategy",
      kind: Kinds.strategy,
      defaultFactory: () =>
        new ClientServerExecutionStrategy({
          nRunners: this.nRunners,
          ...(this.port !== null ? { serverPort: this.port } : {}),
          logger: this.logger,
        }),
      optionalDefaults: { ...strategyDefaults, logger: this.logger },
      registry: ExecutionStrategyRegistry,
      invalidSpecErrorFmt:
        "Invalid strategy type: {actual_type}. Expected ExecutionStrategy, str, dict, or None.",
      typeErrorFmt: "Strategy factory returned {type_name}, which is not a ExecutionStrategy subclass.",
    }) as ExecutionStrategy;
    if (
      this.port !== null &&
      this.strategy instanceof ClientServerExecutionStrategy &&
      Kinds.strategy.is(strategySpec)
    ) {
      this.strategy.serverPort = this.port;
    }
    const strategyRunners = (this.strategy as { nRunners?: unknown }).nRunners;
    if (typeof strategyRunners === "number" && Number.isInteger(strategyRunners) && strategyRunners > 0) {
      this.nRunners = strategyRunners;
    }

    // 7. Store; 8. runner (needs the tracer and maxRollouts).
    this.store = buildComponent(options.store, {
      specName: "store",
      kind: Kinds.store,
      defaultFactory: () => new InMemoryLightningStore(),
      invalidSpecErrorFmt: "Invalid store type: {actual_type}. Expected LightningStore, str, dict, or None.",
      typeErrorFmt: "Store factory returned {type_name}, which is not a LightningStore subclass.",
    }) as LightningStore;
    const runnerDefaults: Record<string, unknown> = { tracer: this.tracer, logger: this.logger };
    if (this.maxRollouts !== null) runnerDefaults.maxRollouts = this.maxRollouts;
    this.runner = buildComponent(options.runner, {
      specName: "runner",
      kind: Kinds.runner,
      defaultFactory: () =>
        new LitAgentRunner({
          tracer: this.tracer,
          maxRollouts: this.maxRollouts,
          logger: this.logger,
        }) as TrainerRunner,
      optionalDefaults: runnerDefaults,
      invalidSpecErrorFmt: "Invalid runner type: {actual_type}. Expected Runner, str, dict, or None.",
      typeErrorFmt: "Runner factory returned {type_name}, which is not a Runner subclass.",
    }) as TrainerRunner;

    // 9. LLM proxy (its store defaults to the trainer's); 10. hooks.
    this.llmProxy = buildComponent(options.llmProxy, {
      specName: "llm_proxy",
      kind: Kinds.llmProxy,
      allowNone: true,
      optionalDefaults: { store: this.store },
      invalidSpecErrorFmt: "Invalid llm_proxy type: {actual_type}. Expected LLMProxy, str, dict, or None.",
      typeErrorFmt: "LLMProxy factory returned {type_name}, which is not a LLMProxy subclass.",
    }) as LLMProxy | null;
    const hooks = options.hooks ?? [];
    this.hooks = Object.freeze(Array.isArray(hooks) ? [...hooks] : [hooks as RunnerHook]);
    if (!this.daemon) {
      this.logger.warn("daemon is false: legacy worker processes will not be cleaned up automatically.");
    }
  }

  /** Legacy mirror of {@link nRunners}. */
  get nWorkers(): number {
    return this.nRunners;
  }

  /** Legacy mirror of {@link maxRollouts}. */
  get maxTasks(): number | null {
    return this.maxRollouts;
  }

  /** Legacy mirror of {@link adapter}. */
  get tripletExporter(): TrainerAdapter {
    return this.adapter;
  }

  /**
   * Trains: runs the algorithm on `trainDataset` (and `valDataset`) while the runners execute the
   * agent on the rollouts it enqueues, as the strategy arranges (orchestration §1.7). Without an
   * algorithm only the runners run (on rollouts enqueued by others) until stopped. Resolves when
   * the algorithm finished and the runners stopped, or after Ctrl+C; rejects with the first error.
   *
   * A string instead of a dataset is a v0.1 task-server URL: the deprecated `LegacyAgentRunner`
   * path runs `nRunners` workers against it.
   */
  async fit<T>(
    agent: LitAgent<T>,
    trainDataset?: Dataset<T> | string | null,
    options: FitOptions = {},
  ): Promise<void> {
    if (typeof trainDataset === "string") {
      deprecated(
        "Passing a server URL to Trainer.fit() is deprecated; pass a dataset and use a LightningStore.",
      );
      agent.setTrainer(this);
      await fitV0(agent as LitAgent<never>, trainDataset, this);
      return;
    }
    agent.setTrainer(this);
    await this.execute(agent, this.algorithm, trainDataset ?? null, options.valDataset ?? null);
  }

  /**
   * A quick developer loop (orchestration §1.8): like {@link fit}, with the algorithm (a
   * `FastAlgorithm`, default a fresh `Baseline` that logs each rollout's spans and rewards).
   * @throws TypeError when the algorithm is not a `FastAlgorithm` (the strategy is not started).
   */
  async dev<T>(
    agent: LitAgent<T>,
    trainDataset?: Dataset<T> | null,
    options: FitOptions = {},
  ): Promise<void> {
    const algorithm = this.algorithm ?? new Baseline({ logger: this.logger });
    if (!(algorithm instanceof FastAlgorithm)) {
      throw new TypeError(
        `dev() requires a FastAlgorithm subclass (such as Baseline); got ${algorithm.constructor.name}.`,
      );
    }
    agent.setTrainer(this);
    await this.execute(agent, algorithm, trainDataset ?? null, options.valDataset ?? null);
  }

  private execute<T>(
    agent: LitAgent<T>,
    algorithm: Algorithm | null,
    trainDataset: Dataset | null,
    valDataset: Dataset | null,
  ): Promise<void> {
    const runnerBundle = makeRunnerBundle(this.runner, agent as LitAgent<never>, this.hooks, this.logger);
    return this.strategy.execute(
      this.algorithmBundle(algorithm, trainDataset, valDataset),
      runnerBundle,
      this.store,
    );
  }

  /** The algorithm bundle (orchestration §1.9): wire the algorithm to the run's store, then run it. */
  private algorithmBundle(
    algorithm: Algorithm | null,
    trainDataset: Dataset | null,
    valDataset: Dataset | null,
  ): AlgorithmBundle {
    return async (store, event, signal) => {
      if (algorithm === null) {
        // Runners only: they work on rollouts others enqueue, until the run is stopped.
        await event.wait();
        return;
      }
      algorithm.setTrainer(this);
      algorithm.setStore(store);
      algorithm.setAdapter(this.adapter as never);
      if (this.initialResources !== null) algorithm.setInitialResources(this.initialResources);
      if (this.llmProxy !== null) {
        this.llmProxy.setStore(store);
        algorithm.setLlmProxy(this.llmProxy);
      }
      try {
        // Stopping the run (Ctrl+C, a failed runner) asks the algorithm to return what it has.
        await algorithm.run(trainDataset, valDataset, { signal: AbortSignal.any([event.signal, signal]) });
      } catch (error) {
        this.logger.error("Algorithm bundle encountered an error.", error);
        throw error;
      }
    };
  }
}
