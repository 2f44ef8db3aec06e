import type {
  AttemptedRollout,
  Logger,
  NamedResources,
  Rollout,
  RolloutLegacy,
  Task,
} from "@agentlightning/types";
import { AglError } from "@agentlightning/types";
import type { RolloutRawResult } from "./rollout-result.js";
import type { Tracer } from "./tracer-api.js";

/** What an agent needs to know about the runner that runs it. */
export interface AgentRunner {
  /** The tracer every rollout of this runner is traced with. */
  readonly tracer: Tracer;
  /** Where the runner logs; agents made by the rollout helpers log lookup warnings there. */
  readonly logger?: Logger;
}

/** What an agent needs to know about the trainer that owns it. */
export interface AgentTrainer {
  /** The trainer's tracer, used when the agent has no runner. */
  readonly tracer?: Tracer | null;
}

/** Options of the {@link LitAgent} constructor. */
export interface LitAgentOptions {
  /**
   * Deprecated: which agents of a multi-agent trace to train. Select agents with the adapter's
   * `agentMatch` instead; passing it emits a `DeprecationWarning`.
   */
  trainedAgents?: string | null;
}

/**
 * An agent that can be trained: override {@link LitAgent.rollout} (or the training / validation
 * entry points separately). A rollout receives the task input, the resources of the rollout (an
 * LLM endpoint, a prompt template...) and the rollout itself, and returns what happened: nothing
 * (the tracer recorded the spans), a number (the final reward), or a list of spans. Every entry
 * point may be sync or async: the runner always awaits it.
 *
 * Most agents are plain functions wrapped by `rollout`, `llmRollout` or `promptRollout`; subclass
 * `LitAgent` when the agent keeps state or needs the runner or trainer.
 *
 * @example
 * ```ts
 * class Echo extends LitAgent<{ question: string }> {
 *   override async rollout(task: { question: string }, resources: NamedResources): Promise<number> {
 *     return task.question.length > 0 ? 1 : 0;
 *   }
 * }
 * ```
 */
export class LitAgent<T = unknown> {
  /** Deprecated (see {@link LitAgentOptions.trainedAgents}). */
  readonly trainedAgents: string | null;
  // Weak, as upstream: an agent must not keep a finished trainer or runner alive.
  #trainer: WeakRef<AgentTrainer> | null = null;
  #runner: WeakRef<AgentRunner> | null = null;

  constructor(options: LitAgentOptions = {}) {
    this.trainedAgents = options.trainedAgents ?? null;
    if (this.trainedAgents !== null) {
      process.emitWarning(
        "LitAgent's trainedAgents is deprecated: select agents with the adapter's agentMatch instead.",
        "DeprecationWarning",
      );
    }
  }

  /** Always true: every entry point may return a promise, and the runner awaits it. */
  isAsync(): boolean {
    return true;
  }

  /** Remembers (weakly) the trainer that owns this agent. */
  setTrainer(trainer: AgentTrainer): void {
    this.#trainer = new WeakRef(trainer);
  }

  /** The trainer; throws when none was set or it was garbage-collected. */
  getTrainer(): AgentTrainer {
    const trainer = this.#trainer?.deref();
    if (trainer === undefined)
      throw new AglError("invalid_argument", "Trainer has not been set for this agent.");
    return trainer;
  }

  /** The trainer (see {@link LitAgent.getTrainer}). */
  get trainer(): AgentTrainer {
    return this.getTrainer();
  }

  /** Remembers (weakly) the runner that runs this agent; the runner calls it from `init`. */
  setRunner(runner: AgentRunner): void {
    this.#runner = new WeakRef(runner);
  }

  /** The runner; throws when none was set or it was garbage-collected. */
  getRunner(): AgentRunner {
    const runner = this.#runner?.deref();
    if (runner === undefined)
      throw new AglError("invalid_argument", "Runner has not been set for this agent.");
    return runner;
  }

  /** The runner, or null when none is set (no error). */
  protected peekRunner(): AgentRunner | null {
    return this.#runner?.deref() ?? null;
  }

  /** The runner (see {@link LitAgent.getRunner}). */
  get runner(): AgentRunner {
    return this.getRunner();
  }

  /**
   * The runner's tracer, else the trainer's; throws when neither is known. (Upstream throws as soon
   * as the runner is unset, without looking at the trainer.)
   */
  getTracer(): Tracer {
    const runnerTracer = this.#runner?.deref()?.tracer;
    if (runnerTracer !== undefined) return runnerTracer;
    const trainerTracer = this.#trainer?.deref()?.tracer;
    if (trainerTracer !== undefined && trainerTracer !== null) return trainerTracer;
    throw new AglError("invalid_argument", "No tracer: neither a runner nor a trainer with a tracer is set.");
  }

  /** The tracer (see {@link LitAgent.getTracer}). */
  get tracer(): Tracer {
    return this.getTracer();
  }

  /**
   * Runs one task. Override this (or both {@link LitAgent.trainingRollout} and
   * {@link LitAgent.validationRollout}). The base throws "not implemented".
   */
  rollout(
    _task: T,
    _resources: NamedResources,
    _rollout: Rollout | AttemptedRollout,
  ): RolloutRawResult | Promise<RolloutRawResult> {
    throw new AglError(
      "unsupported",
      `${this.constructor.name}.rollout is not implemented: override rollout (or trainingRollout and validationRollout).`,
    );
  }

  /** Runs a task of a `"train"` rollout; delegates to {@link LitAgent.rollout}. */
  trainingRollout(
    task: T,
    resources: NamedResources,
    rollout: Rollout | AttemptedRollout,
  ): RolloutRawResult | Promise<RolloutRawResult> {
    return this.rollout(task, resources, rollout);
  }

  /**
   * Runs a task of any other rollout (`"val"`, `"test"`, no mode); delegates to
   * {@link LitAgent.rollout}, not to `trainingRollout` (as upstream).
   */
  validationRollout(
    task: T,
    resources: NamedResources,
    rollout: Rollout | AttemptedRollout,
  ): RolloutRawResult | Promise<RolloutRawResult> {
    return this.rollout(task, resources, rollout);
  }

  /**
   * Deprecated hook: only `LegacyAgentRunner` calls it, before each task. Use a runner `Hook`
   * (`onRolloutStart`) instead.
   */
  onRolloutStart(_task: Task, _runner: unknown, _tracer: Tracer | null): void | Promise<void> {}

  /**
   * Deprecated hook: only `LegacyAgentRunner` calls it, after each task with the report it posts.
   * Use a runner `Hook` (`onRolloutEnd`) instead.
   */
  onRolloutEnd(
    _task: Task,
    _rollout: RolloutLegacy,
    _runner: unknown,
    _tracer: Tracer | null,
  ): void | Promise<void> {}
}
