import type { LightningStore } from "@agentlightning/store";
import {
  AglError,
  type AttemptedRollout,
  type Logger,
  type NamedResourcesInput,
  type Rollout,
  type RolloutMode,
  silentLogger,
} from "@agentlightning/types";
import { type ExecutionEvent, toExecutionEvent } from "../execution-event.js";
import type { RunnerHook } from "../hook.js";
import type { LitAgent } from "../lit-agent.js";
import type { Tracer } from "../tracer-api.js";
import { type SnapshotFunction, startHeartbeatLoop } from "./heartbeat.js";
import { IdleGate } from "./idle-gate.js";
import { ResourcesCache } from "./resources-cache.js";
import { runRollout } from "./run-rollout.js";
import { systemSnapshot } from "./system-snapshot.js";

/** Options of {@link LitAgentRunner}. Durations are in seconds, as in the Python runner. */
export interface LitAgentRunnerOptions {
  /** Traces every rollout (one trace scope per rollout; concurrent scopes stay apart). */
  tracer: Tracer;
  /** Rollouts one `iter()` claims before it returns; null/absent = no limit. */
  maxRollouts?: number | null;
  /**
   * Rollouts run at once by this one process (slots), default 1. Agents are I/O-bound: one Node
   * process runs hundreds at once, where the Python runner needs a process per rollout.
   */
  concurrency?: number;
  /**
   * Longest pause of an idle runner before it asks an empty queue again, default 1 (Python: 5):
   * new work is picked up within this time. The pause starts at 0.05 s and doubles up to it.
   */
  pollInterval?: number;
  /** Worker heartbeat period, default 10; ≤ 0 turns heartbeats off. */
  heartbeatInterval?: number;
  /** ± uniform jitter on the poll and heartbeat intervals, default 0.5 (poll pauses only shorten). */
  intervalJitter?: number;
  /** Put a `gpus` list in the heartbeat snapshot, default false. */
  heartbeatIncludeGpu?: boolean;
  /** How heartbeats measure the machine; default {@link systemSnapshot}. */
  systemSnapshot?: SnapshotFunction;
  /**
   * Seconds a resources snapshot fetched by id is reused by later rollouts, default 1 (a snapshot
   * can be replaced under its id by `updateResources`); 0 fetches it for every rollout.
   */
  resourcesCacheSeconds?: number;
  /** Where the runner logs (rollout failures, progress, heartbeats); silent by default. */
  logger?: Logger;
}

/** Options of {@link LitAgentRunner.iter}. */
export interface IterOptions {
  /** Stop when set: no new claims; running rollouts finish. */
  event?: ExecutionEvent;
  /** Stop when aborted (same effect as `event`). */
  signal?: AbortSignal;
}

/** Options of {@link LitAgentRunner.step}. */
export interface StepOptions {
  /** Resources to run with: stored as a new snapshot first. Default: the store's latest. */
  resources?: NamedResourcesInput;
  mode?: RolloutMode | null;
  /** Accepted for parity; unused (a step runs to its end). */
  event?: ExecutionEvent;
}

/** Options of {@link LitAgentRunner.runContext}. */
export interface RunContextOptions<T> {
  agent: LitAgent<T>;
  store: LightningStore;
  hooks?: readonly RunnerHook[];
  /** Worker id given to `initWorker` (default 0). */
  workerId?: number | string;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new AglError("invalid_argument", `${name} must be a number > 0, got ${value}.`);
  }
  return value;
}

/**
 * Runs an agent on the rollouts of a {@link LightningStore} (runtime contract §7): claims rollouts
 * (`dequeueRollout` with the slot's worker id), fetches their resources, runs the agent inside a
 * trace scope, stores what it returned (a reward, spans), and sets the attempt to succeeded or
 * failed; sends worker heartbeats on a timer. One runner runs `concurrency` rollouts at once, each
 * slot with its own worker id (`Worker-<id>` with one slot, `Worker-<id>-<slot>` with more), so
 * the store's worker records, claim leases and watchdog work per attempt.
 *
 * Lifecycle: `init(agent)` → `initWorker(id, store)` → `iter()` / `step()` → `teardownWorker(id)`
 * → `teardown()`; {@link LitAgentRunner.runContext} does all of it around a callback.
 *
 * @example
 * ```ts
 * const runner = new LitAgentRunner({ tracer: new OtelTracer(), concurrency: 16 });
 * const stop = new AbortController();
 * await runner.runContext({ agent, store }, () => runner.iter({ signal: stop.signal }));
 * ```
 */
export class LitAgentRunner<T = unknown> {
  /** The tracer of every rollout. */
  readonly tracer: Tracer;
  /** Where the runner logs. */
  readonly logger: Logger;
  readonly maxRollouts: number | null;
  readonly concurrency: number;
  readonly pollInterval: number;
  readonly heartbeatInterval: number;
  readonly intervalJitter: number;
  readonly heartbeatIncludeGpu: boolean;
  readonly #snapshot: SnapshotFunction;
  readonly #resourcesCacheSeconds: number;
  readonly #options: LitAgentRunnerOptions;
  #agent: LitAgent<T> | null = null;
  #hooks: RunnerHook[] = [];
  #store: LightningStore | null = null;
  #resources: ResourcesCache | null = null;
  #workerId: number | string | null = null;

  constructor(options: LitAgentRunnerOptions) {
    if (options?.tracer === undefined || options.tracer === null) {
      throw new AglError("invalid_argument", "tracer is required: pass { tracer } to LitAgentRunner.");
    }
    this.tracer = options.tracer;
    this.logger = options.logger ?? silentLogger;
    const maxRollouts = options.maxRollouts ?? null;
    if (maxRollouts !== null && (!Number.isInteger(maxRollouts) || maxRollouts < 0)) {
      throw new AglError(
        "invalid_argument",
        `maxRollouts must be an integer >= 0 or null, got ${maxRollouts}.`,
      );
    }
    this.maxRollouts = maxRollouts;
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new AglError("invalid_argument", `concurrency must be an integer >= 1, got ${concurrency}.`);
    }
    this.concurrency = concurrency;
    this.pollInterval = positive("pollInterval", options.pollInterval ?? 1);
    this.heartbeatInterval = options.heartbeatInterval ?? 10;
    if (!Number.isFinite(this.heartbeatInterval)) {
      throw new AglError(
        "invalid_argument",
        `heartbeatInterval must be a number, got ${this.heartbeatInterval}.`,
      );
    }
    this.intervalJitter = options.intervalJitter ?? 0.5;
    if (!Number.isFinite(this.intervalJitter) || this.intervalJitter < 0) {
      throw new AglError(
        "invalid_argument",
        `intervalJitter must be a number >= 0, got ${this.intervalJitter}.`,
      );
    }
    this.heartbeatIncludeGpu = options.heartbeatIncludeGpu ?? false;
    this.#snapshot = options.systemSnapshot ?? systemSnapshot;
    this.#resourcesCacheSeconds = options.resourcesCacheSeconds ?? 1;
    this.#options = { ...options };
  }

  /**
   * A fresh runner with the same options and the same tracer, not initialized: one per worker when
   * several workers share a process (the Trainer's shm strategy), so each has its own agent, store
   * and worker id.
   */
  clone(): LitAgentRunner<T> {
    return new LitAgentRunner<T>(this.#options);
  }

  /** Once: remembers the agent (and tells it this is its runner), copies the hooks, `tracer.init()`. */
  async init(agent: LitAgent<T>, options: { hooks?: readonly RunnerHook[] } = {}): Promise<void> {
    this.#agent = agent;
    agent.setRunner(this);
    this.#hooks = [...(options.hooks ?? [])];
    await this.tracer.init();
  }

  /** Per worker: remembers the store and worker id, `tracer.initWorker(workerId, store)`. */
  async initWorker(workerId: number | string, store: LightningStore): Promise<void> {
    this.#store = store;
    this.#resources = new ResourcesCache(store, this.#resourcesCacheSeconds);
    this.#workerId = workerId;
    await this.tracer.initWorker(workerId, store);
  }

  /** Undoes {@link initWorker}: forgets the worker id, `tracer.teardownWorker(workerId)`. */
  async teardownWorker(workerId: number | string): Promise<void> {
    this.#workerId = null;
    await this.tracer.teardownWorker(workerId);
  }

  /** Undoes {@link init}: forgets agent, store and hooks, `tracer.teardown()`. */
  async teardown(): Promise<void> {
    this.#agent = null;
    this.#store = null;
    this.#resources = null;
    this.#hooks = [];
    this.#workerId = null;
    await this.tracer.teardown();
  }

  /** The agent given to `init`; throws before. */
  getAgent(): LitAgent<T> {
    if (this.#agent === null)
      throw new AglError("invalid_argument", "Agent not initialized. Call init() first.");
    return this.#agent;
  }

  /** The store given to `initWorker`; throws before. */
  getStore(): LightningStore {
    if (this.#store === null) {
      throw new AglError("invalid_argument", "Store not initialized. Call initWorker() first.");
    }
    return this.#store;
  }

  /** The worker id given to `initWorker`, or null. */
  get workerId(): number | string | null {
    return this.#workerId;
  }

  /** `Worker-<id>`, or `Worker-Unknown` before `initWorker`: the worker id `step()` uses in the store. */
  getWorkerId(): string {
    return this.#workerId === null ? "Worker-Unknown" : `Worker-${this.#workerId}`;
  }

  /** The store worker ids of the slots: `[Worker-<id>]` with one slot, `Worker-<id>-<n>` with more. */
  getSlotWorkerIds(): string[] {
    const base = this.getWorkerId();
    if (this.concurrency === 1) return [base];
    return Array.from({ length: this.concurrency }, (_, slot) => `${base}-${slot}`);
  }

  /**
   * Claims and runs rollouts until stopped (`event` set or `signal` aborted), until `maxRollouts`
   * were claimed, or until the store is closed under it. An empty queue does not end the loop: idle
   * slots wait (see `pollInterval`). On stop, no new rollout is claimed and running ones finish
   * before `iter` resolves. A rollout's failure never ends the loop. Resolves with the number of
   * rollouts run.
   */
  async iter(options: IterOptions = {}): Promise<number> {
    const store = this.getStore();
    const agent = this.getAgent();
    const resources = this.#resources as ResourcesCache;
    const event = toExecutionEvent(options);
    const slotIds = this.getSlotWorkerIds();
    const gate = new IdleGate({ pollInterval: this.pollInterval, jitter: this.intervalJitter, event });
    const stopHeartbeat = startHeartbeatLoop({
      store,
      workerIds: () => slotIds,
      interval: this.heartbeatInterval,
      jitter: this.intervalJitter,
      includeGpu: this.heartbeatIncludeGpu,
      snapshot: this.#snapshot,
      logger: this.logger,
    });
    const maxRollouts = this.maxRollouts;
    let claims = 0;
    let processed = 0;

    const slot = async (workerId: string): Promise<void> => {
      const context = {
        agent: agent as LitAgent<unknown>,
        runner: this,
        store,
        tracer: this.tracer,
        hooks: this.#hooks,
        resources,
        logger: this.logger,
        logPrefix: `[${workerId}]`,
      };
      while (!event.isSet()) {
        if (maxRollouts !== null && claims >= maxRollouts) return;
        // Reserve the claim first, so concurrent slots never claim more than maxRollouts.
        claims++;
        let next: AttemptedRollout | null;
        try {
          next = await store.dequeueRollout({ workerId });
        } catch (error) {
          claims--;
          if (AglError.isInstance(error) && error.code === "cancelled") {
            // The store was closed under the runner (LightningStoreClient.close()): nothing more
            // can be claimed or reported, so this is a stop, not a failure.
            this.logger.info(`[${workerId}] The store was closed; stopping.`);
            event.set();
            return;
          }
          this.logger.error(`[${workerId}] Dequeue failed; retrying after a pause.`, error);
          await gate.idle();
          continue;
        }
        if (next === null) {
          claims--;
          await gate.idle();
          continue;
        }
        gate.claimed();
        try {
          await runRollout(next, context);
        } catch (error) {
          // Only the resources lookup can throw here (the store failed): the attempt is left to
          // the store's watchdog, as when the resources are missing.
          this.logger.error(
            `[${workerId}] [Rollout ${next.rollout_id}] Could not fetch its resources.`,
            error,
          );
          if (AglError.isInstance(error) && error.code === "cancelled") {
            event.set();
            return;
          }
        }
        processed++;
        if (processed === 1 || processed % 10 === 0) {
          this.logger.info(
            `[${this.getWorkerId()}] Progress: ${processed}${maxRollouts === null ? "" : `/${maxRollouts}`} rollouts.`,
          );
        }
      }
    };

    try {
      await Promise.all(slotIds.map(slot));
    } finally {
      await stopHeartbeat?.();
    }
    return processed;
  }

  /**
   * Runs one task directly, outside the queue (runtime contract §7.6): stores `resources` as a new
   * snapshot when given, starts a rollout with this runner's worker id, runs it, and resolves with
   * the finished rollout. An agent error is re-thrown after the attempt was marked failed.
   */
  async step(input: T, options: StepOptions = {}): Promise<Rollout> {
    const store = this.getStore();
    const agent = this.getAgent();
    let resourcesId: string | null = null;
    if (options.resources !== undefined) {
      resourcesId = (await store.addResources(options.resources)).resources_id;
    }
    const attempted = await store.startRollout({
      input,
      mode: options.mode ?? null,
      resourcesId,
      workerId: this.getWorkerId(),
    });
    await runRollout(
      attempted,
      {
        agent: agent as LitAgent<unknown>,
        runner: this,
        store,
        tracer: this.tracer,
        hooks: this.#hooks,
        resources: this.#resources as ResourcesCache,
        logger: this.logger,
        logPrefix: `[${this.getWorkerId()}]`,
      },
      true,
    );
    const finished = await store.getRolloutById(attempted.rollout_id);
    if (finished === null) {
      throw new AglError(
        "not_found",
        `Failed to fetch completed rollout by id after step: ${attempted.rollout_id}`,
      );
    }
    return finished;
  }

  /**
   * `init(agent, hooks)` → `initWorker(workerId ?? 0, store)` → `fn()` → `teardownWorker` →
   * `teardown()`. Only steps that succeeded are undone; errors of the teardowns are logged and
   * swallowed; an error of `fn` propagates after the teardowns.
   */
  async runContext<R>(options: RunContextOptions<T>, fn: () => Promise<R> | R): Promise<R> {
    const workerId = options.workerId ?? 0;
    await this.init(options.agent, { hooks: options.hooks ?? [] });
    try {
      await this.initWorker(workerId, options.store);
      try {
        return await fn();
      } finally {
        try {
          await this.teardownWorker(workerId);
        } catch (error) {
          this.logger.error("Error during runner worker teardown.", error);
        }
      }
    } finally {
      try {
        await this.teardown();
      } catch (error) {
        this.logger.error("Error during runner teardown.", error);
      }
    }
  }
}
