import {
  AglError,
  generateLegacyRolloutId,
  type JsonObject,
  JsonObjectSchema,
  type LegacyResourcesUpdate,
  type Logger,
  type NamedResources,
  type NamedResourcesInput,
  NamedResourcesSchema,
  nowSeconds,
  parseOrThrow,
  parseStorable,
  type RolloutLegacy,
  type RolloutMode,
  RolloutModeSchema,
  silentLogger,
  type Task,
} from "@agentlightning/types";

/** Options of {@link LegacyTaskStore}. */
export interface LegacyTaskStoreOptions {
  /** Receives the "re-claimed" info lines and the stale-task warnings. Silent by default. */
  logger?: Logger;
  /** Clock in float epoch seconds; tests pin it to check the timeout boundary. */
  now?: () => number;
}

/** What {@link LegacyTaskStore.addTask} needs besides the task input. */
export interface AddTaskOptions {
  /** Dataset split; `null` (the default) makes the legacy runner use its validation method. */
  mode?: RolloutMode | null;
  /** Bundle the task must run with; `null` (the default) means "whatever is latest when it runs". */
  resourcesId?: string | null;
  /** Free-form metadata echoed in the task. */
  metadata?: JsonObject | null;
}

interface StoredResources {
  resources: NamedResources;
  createTime: number;
}

/**
 * The in-memory state of the legacy (v0.1) task server: a FIFO of tasks, the claimed ("processing")
 * tasks, the completed rollouts and every published resources bundle (never evicted).
 *
 * Every method is synchronous: Node runs one handler at a time, so each read-modify-write here is
 * atomic without the locks the Python server needs.
 *
 * @example
 * ```ts
 * const store = new LegacyTaskStore();
 * const id = store.addTask({ prompt: "hi" }, { mode: "train" });
 * const task = store.getNextTask(); // task.rollout_id === id, task.num_claims === 1
 * ```
 */
export class LegacyTaskStore {
  readonly #logger: Logger;
  readonly #now: () => number;
  // A plain array: shift() is O(n) but the legacy queue is small and this keeps FIFO order obvious.
  readonly #queue: Task[] = [];
  readonly #processing = new Map<string, Task>();
  readonly #completed = new Map<string, RolloutLegacy>();
  readonly #resources = new Map<string, StoredResources>();
  #latestResourcesId: string | null = null;

  constructor(options: LegacyTaskStoreOptions = {}) {
    this.#logger = options.logger ?? silentLogger;
    this.#now = options.now ?? nowSeconds;
  }

  /** Queues a new task with id `rollout-<uuid4>` and returns it. `resourcesId` is not defaulted to the latest bundle. */
  addTask(input: unknown, options: AddTaskOptions = {}): Task {
    if (input === undefined) {
      throw new AglError(
        "invalid_argument",
        "Invalid task: input is required (use null for an empty input).",
      );
    }
    const resourcesId = options.resourcesId ?? null;
    if (resourcesId !== null && typeof resourcesId !== "string") {
      throw new AglError("invalid_argument", "Invalid task: resourcesId must be a string or null.");
    }
    const task: Task = {
      rollout_id: generateLegacyRolloutId(),
      input,
      mode: parseOrThrow(RolloutModeSchema.nullable(), options.mode ?? null, "task mode"),
      resources_id: resourcesId,
      create_time: this.#now(),
      last_claim_time: null,
      num_claims: 0,
      metadata: parseStorable(JsonObjectSchema, options.metadata ?? {}, "task metadata"),
    };
    this.#queue.push(task);
    return task;
  }

  /**
   * Claims the head of the queue: returns a copy with `last_claim_time` = now and `num_claims` + 1,
   * remembered as processing until its rollout arrives or it times out. `null` when the queue is empty.
   */
  getNextTask(): Task | null {
    const head = this.#queue.shift();
    if (head === undefined) return null;
    const claimed: Task = { ...head, last_claim_time: this.#now(), num_claims: (head.num_claims ?? 0) + 1 };
    this.#processing.set(claimed.rollout_id, claimed);
    if ((claimed.num_claims ?? 0) > 1) {
      this.#logger.info(`Task ${claimed.rollout_id} re-claimed (attempt ${claimed.num_claims}).`);
    }
    return claimed;
  }

  /**
   * Publishes a bundle (validated, defaults filled) under `resourcesId` and marks it latest. An empty
   * bundle is stored but reads as missing.
   */
  updateResources(resourcesId: string, resources: NamedResourcesInput): void {
    const parsed = parseStorable(NamedResourcesSchema, resources, "resources");
    this.#resources.set(resourcesId, { resources: parsed, createTime: this.#now() });
    this.#latestResourcesId = resourcesId;
  }

  /**
   * The bundle with this id in the v0.3.0 shape (times = publish time, version 1), or `null` when
   * unknown or empty (the Python server tests truthiness, so `{}` counts as missing).
   */
  getResourcesById(resourcesId: string): LegacyResourcesUpdate | null {
    const stored = this.#resources.get(resourcesId);
    if (stored === undefined || Object.keys(stored.resources).length === 0) return null;
    return {
      resources_id: resourcesId,
      resources: stored.resources,
      create_time: stored.createTime,
      update_time: stored.createTime,
      version: 1,
    };
  }

  /** The bundle last published, or `null` when none (or it is empty). */
  getLatestResources(): LegacyResourcesUpdate | null {
    return this.#latestResourcesId === null ? null : this.getResourcesById(this.#latestResourcesId);
  }

  /** The id of the bundle last published, even if it is empty. */
  get latestResourcesId(): string | null {
    return this.#latestResourcesId;
  }

  /**
   * Records a completed rollout: any id is accepted, a later post for the same id overwrites the
   * earlier one, and the id leaves the processing set.
   */
  storeRollout(rollout: RolloutLegacy): void {
    this.#processing.delete(rollout.rollout_id);
    this.#completed.set(rollout.rollout_id, rollout);
  }

  /** Removes and returns the completed rollout with this id, or `null`. */
  retrieveRollout(rolloutId: string): RolloutLegacy | null {
    const rollout = this.#completed.get(rolloutId);
    if (rollout === undefined) return null;
    this.#completed.delete(rolloutId);
    return rollout;
  }

  /** Removes and returns every completed rollout, in the order their ids first arrived. */
  retrieveCompletedRollouts(): RolloutLegacy[] {
    const all = [...this.#completed.values()];
    this.#completed.clear();
    return all;
  }

  /** A snapshot of the claimed tasks by rollout id. */
  getProcessingTasks(): Map<string, Task> {
    return new Map(this.#processing);
  }

  /** A snapshot of the queue, head first. */
  getQueuedTasks(): Task[] {
    return [...this.#queue];
  }

  /** Moves a claimed task back to the tail of the queue, keeping its claim count and time. */
  requeueTask(task: Task): void {
    this.#logger.warn(`Requeuing task ${task.rollout_id} after ${task.num_claims ?? 0} claim(s).`);
    this.#processing.delete(task.rollout_id);
    this.#queue.push(task);
  }

  /**
   * Requeues every claimed task whose claim is older than `timeoutSeconds` (strictly) and returns
   * them. The server runs this at the start of every `GET /task`; nothing runs it on a timer.
   */
  requeueStaleTasks(timeoutSeconds: number): Task[] {
    const now = this.#now();
    const stale: Task[] = [];
    for (const task of this.#processing.values()) {
      if (task.last_claim_time !== null && now - task.last_claim_time > timeoutSeconds) stale.push(task);
    }
    for (const task of stale) {
      this.#logger.warn(`Task ${task.rollout_id} timed out after ${timeoutSeconds} s without a rollout.`);
      this.requeueTask(task);
    }
    return stale;
  }
}
