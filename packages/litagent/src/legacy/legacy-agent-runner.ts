import type { AgentLightningClient } from "@agentlightning/legacy-client";
import {
  type Logger,
  type NamedResources,
  type Rollout,
  type RolloutLegacy,
  type Span,
  silentLogger,
  type Task,
} from "@agentlightning/types";
import { type ExecutionEvent, toExecutionEvent } from "../execution-event.js";
import type { LitAgent } from "../lit-agent.js";
import { type Tracer, TracerTraceToTriplet } from "../tracer-api.js";
import { type TripletExporter, toRolloutLegacy } from "./legacy-result.js";

/** Options of {@link LegacyAgentRunner}. */
export interface LegacyAgentRunnerOptions<T> {
  agent: LitAgent<T>;
  /** The v0.1 task client (or a `DevTaskLoader`). */
  client: AgentLightningClient;
  /** Traces each task (a trace scope without store ids: the spans are kept and posted in the report). */
  tracer: Tracer;
  /**
   * Turns the trace into the report's triplets; default `new TracerTraceToTriplet()` (as the Python
   * runner); null: only triplets the agent returns are posted.
   */
  tripletExporter?: TripletExporter | null;
  workerId?: number | string | null;
  /** Tasks `iter()` processes before it returns; null/absent = no limit. */
  maxTasks?: number | null;
  logger?: Logger;
}

/** The arguments a v0.1-style agent receives (see {@link LegacyAgentRunner}). */
export interface LegacyRolloutArguments {
  input: unknown;
  rolloutId: string;
  resources: NamedResources;
}

/**
 * Whether the agent uses the v0.1 calling convention: `static legacyRolloutApi = true` on its class
 * (or `legacyRolloutApi = true` on the instance). Python detects a `rollout_id` parameter by name,
 * which TypeScript cannot see.
 */
function usesV01Api(agent: LitAgent<unknown>): boolean {
  const own = (agent as { legacyRolloutApi?: unknown }).legacyRolloutApi;
  const stat = (agent.constructor as { legacyRolloutApi?: unknown }).legacyRolloutApi;
  return own === true || stat === true;
}

/**
 * @deprecated Runs an agent against the deprecated v0.1 task server (`AgentLightningServer`, or
 * `agl store --legacy`) through an `AgentLightningClient` (docs/legacy-contract.md §7): polls a task, fetches
 * its resources, runs the agent in a trace scope, and always posts a `RolloutLegacy` report (also
 * after the agent failed; nothing when the resources are missing). Use {@link LitAgentRunner} with
 * a LightningStore for new code.
 *
 * Agents are called as `trainingRollout(input, resources, report)` for `"train"` tasks and
 * `validationRollout(...)` otherwise, where the third argument is the default report (a
 * `RolloutLegacy`, not a store rollout). An agent whose class sets `static legacyRolloutApi = true`
 * is called v0.1-style, with one `{ input, rolloutId, resources }` argument.
 */
export class LegacyAgentRunner<T = unknown> {
  readonly agent: LitAgent<T>;
  readonly client: AgentLightningClient;
  readonly tracer: Tracer;
  readonly tripletExporter: TripletExporter | null;
  readonly maxTasks: number | null;
  readonly logger: Logger;
  #workerId: number | string | null;

  constructor(options: LegacyAgentRunnerOptions<T>) {
    process.emitWarning(
      "LegacyAgentRunner is deprecated. Please use LitAgentRunner with a LightningStore instead.",
      "DeprecationWarning",
    );
    this.agent = options.agent;
    this.client = options.client;
    this.tracer = options.tracer;
    this.tripletExporter =
      options.tripletExporter === undefined ? new TracerTraceToTriplet() : options.tripletExporter;
    this.#workerId = options.workerId ?? null;
    this.maxTasks = options.maxTasks ?? null;
    this.logger = options.logger ?? silentLogger;
  }

  /** The worker id (from the options or `initWorker`). */
  get workerId(): number | string | null {
    return this.#workerId;
  }

  async init(): Promise<void> {}

  async initWorker(workerId: number | string): Promise<void> {
    this.#workerId = workerId;
  }

  async teardownWorker(_workerId: number | string): Promise<void> {}

  async teardown(): Promise<void> {}

  #prefix(rolloutId?: string): string {
    const worker = `Worker ${this.#workerId ?? "Unknown"}`;
    return rolloutId === undefined ? `[${worker}]` : `[${worker} | RolloutLegacy ${rolloutId}]`;
  }

  /**
   * One task: poll, run, report. Resolves true when a task was processed (its report posted), false
   * when there was none (`signal` ended the poll) or its resources were missing.
   */
  async step(options: { signal?: AbortSignal } = {}): Promise<boolean> {
    const agent = this.agent as LitAgent<unknown>;
    agent.setRunner(this);
    const task = await this.client.pollNextTask(
      options.signal === undefined ? {} : { signal: options.signal },
    );
    if (task === null) {
      this.logger.info(`${this.#prefix()} Poll returned no task.`);
      return false;
    }
    const rolloutId = task.rollout_id;
    const prefix = this.#prefix(rolloutId);
    const update =
      task.resources_id === null
        ? await this.client.getLatestResources()
        : await this.client.getResourcesById(task.resources_id);
    if (update === null) {
      this.logger.error(
        `${prefix} Failed to fetch resources; nothing is posted (the server requeues the task).`,
      );
      return false;
    }
    let report: RolloutLegacy = {
      rollout_id: rolloutId,
      task,
      final_reward: null,
      triplets: null,
      trace: null,
      logs: null,
      metadata: {},
    };
    const started = performance.now();
    try {
      try {
        await agent.onRolloutStart(task, this, this.tracer);
      } catch (error) {
        this.logger.error(`${prefix} Exception during onRolloutStart.`, error);
      }
      const result = await this.tracer.trace({ name: `rollout_${rolloutId}` }, () =>
        this.#callAgent(agent, task, update.resources, report),
      );
      report = await toRolloutLegacy(result, {
        rolloutId,
        lastTrace: (): Span[] => this.tracer.getLastTrace(),
        tripletExporter: this.tripletExporter,
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      this.logger.info(
        `${prefix} Completed in ${seconds}s. Triplet length: ${report.triplets?.length ?? 0}. Reward: ${report.final_reward}`,
      );
    } catch (error) {
      this.logger.error(`${prefix} Exception during rollout.`, error);
    } finally {
      try {
        await agent.onRolloutEnd(task, report, this, this.tracer);
      } catch (error) {
        this.logger.error(`${prefix} Exception during onRolloutEnd.`, error);
      }
      await this.client.postRollout(report);
    }
    return true;
  }

  #callAgent(
    agent: LitAgent<unknown>,
    task: Task,
    resources: NamedResources,
    report: RolloutLegacy,
  ): unknown {
    const train = task.mode === "train";
    if (usesV01Api(agent)) {
      const args: LegacyRolloutArguments = { input: task.input, rolloutId: task.rollout_id, resources };
      const method = (train ? agent.trainingRollout : agent.validationRollout) as unknown as (
        args: LegacyRolloutArguments,
      ) => unknown;
      return method.call(agent, args);
    }
    // Upstream passes the default report where a store rollout would go.
    const rollout = report as unknown as Rollout;
    return train
      ? agent.trainingRollout(task.input, resources, rollout)
      : agent.validationRollout(task.input, resources, rollout);
  }

  /**
   * Runs {@link step} until `maxTasks` tasks were processed, or until stopped (`event` set or
   * `signal` aborted: the pending poll ends, a running task finishes). Resolves with the count.
   */
  async iter(options: { event?: ExecutionEvent; signal?: AbortSignal } = {}): Promise<number> {
    const event = toExecutionEvent(options);
    let processed = 0;
    while (!event.isSet() && (this.maxTasks === null || processed < this.maxTasks)) {
      if (await this.step({ signal: event.signal })) processed++;
      if (processed === 1 || processed % 10 === 0) {
        this.logger.info(
          `${this.#prefix()} Progress: ${processed}${this.maxTasks === null ? "" : `/${this.maxTasks}`} tasks.`,
        );
      }
    }
    return processed;
  }
}
