import {
  AglError,
  type LegacyResourcesUpdate,
  LegacyResourcesUpdateSchema,
  type NamedResourcesInput,
  NamedResourcesSchema,
  nowSeconds,
  parseOrThrow,
  pyRepr,
  type RolloutLegacy,
  type RolloutLegacyInput,
  RolloutLegacySchema,
  type Task,
  TaskSchema,
} from "@agentlightning/types";
import {
  AgentLightningClient,
  type AgentLightningClientOptions,
  type PollNextTaskOptions,
} from "./client.js";

/** A resources bundle as a caller may write it (times and version optional, resource defaults optional). */
export type LegacyResourcesUpdateInput = (typeof LegacyResourcesUpdateSchema)["_zod"]["input"];

/** What {@link DevTaskLoader} serves as resources: plain named resources, or a whole bundle. */
export type DevTaskLoaderResources = NamedResourcesInput | LegacyResourcesUpdateInput;

/** Options of {@link DevTaskLoader}: the client options without `endpoint` (always `local://`). */
export type DevTaskLoaderOptions = Omit<AgentLightningClientOptions, "endpoint">;

/** The reply of {@link DevTaskLoader.postRollout}. */
export interface DevTaskLoaderPostResult {
  [key: string]: unknown;
  status: "received";
  rollout_id: string;
}

type Entry = { kind: "task"; task: Task } | { kind: "input"; input: unknown };

/** The bundle id given to plain named resources. */
const LOCAL_RESOURCES_ID = "local";

/**
 * An offline stand-in for the legacy server: serves a fixed list of tasks in a cycle, one
 * resources bundle, and keeps posted rollouts in memory. Pass it wherever an
 * {@link AgentLightningClient} is expected to debug an agent without a server.
 *
 * An element counts as a {@link Task} when it is an object with a string `rollout_id` and an
 * `input` key; anything else is a raw task input. The list must not mix the two.
 *
 * @example
 * ```ts
 * const loader = new DevTaskLoader(["What is 2+2?"], {
 *   main_llm: { resource_type: "llm", endpoint: "http://localhost:8080/v1", model: "gpt-4o" },
 * });
 * const task = await loader.pollNextTask(); // { rollout_id: "local_task_001", input: "What is 2+2?", ... }
 * await loader.postRollout({ rollout_id: task!.rollout_id, final_reward: 1 });
 * loader.rollouts.length; // 1
 * ```
 */
export class DevTaskLoader extends AgentLightningClient {
  protected static override readonly deprecationMessage: string =
    "DevTaskLoader is deprecated. Please use Trainer.dev instead.";

  readonly #entries: Entry[];
  readonly #resources: LegacyResourcesUpdate;
  readonly #rollouts: RolloutLegacy[] = [];
  #nextIndex = 0;

  constructor(
    tasks: readonly unknown[],
    resources: DevTaskLoaderResources,
    options: DevTaskLoaderOptions = {},
  ) {
    super({ ...options, endpoint: "local://" });
    if (tasks.length === 0) {
      throw new AglError("invalid_argument", "DevTaskLoader requires at least one task to be provided.");
    }
    const taskLike = tasks.map(isTaskLike);
    if (taskLike.some(Boolean) && !taskLike.every(Boolean)) {
      throw new AglError("invalid_argument", "All tasks must be either Task or TaskInput objects.");
    }
    this.#entries = tasks.map((item, index) =>
      taskLike[index]
        ? { kind: "task", task: parseOrThrow(TaskSchema, item, "task") }
        : { kind: "input", input: item },
    );
    this.#resources = toBundle(resources);
  }

  /** Rollouts posted so far, oldest first (a copy). */
  get rollouts(): readonly RolloutLegacy[] {
    return [...this.#rollouts];
  }

  /**
   * The next task, cycling through the list forever. Raw inputs become tasks `local_task_001`,
   * `local_task_002`, ... (by position; ids repeat each cycle) with mode `null` and the bundle's id.
   */
  override async pollNextTask(options: PollNextTaskOptions = {}): Promise<Task | null> {
    if (options.signal?.aborted) return null;
    if (this.#nextIndex >= this.#entries.length) this.#nextIndex = 0;
    const position = this.#nextIndex;
    const entry = this.#entries[position]!;
    this.#nextIndex += 1;
    const task: Task =
      entry.kind === "task"
        ? entry.task
        : {
            rollout_id: `local_task_${String(position + 1).padStart(3, "0")}`,
            input: entry.input,
            mode: null,
            resources_id: this.#resources.resources_id,
            create_time: nowSeconds(),
            last_claim_time: null,
            num_claims: null,
            metadata: {},
          };
    const count = this.countReceivedTask();
    this.logger.info(`[Task ${count} Received] ID: ${task.rollout_id}`);
    return task;
  }

  /** The bundle if `resourcesId` is its id; otherwise rejects with a `not_found` {@link AglError}. */
  override async getResourcesById(resourcesId: string): Promise<LegacyResourcesUpdate> {
    if (resourcesId !== this.#resources.resources_id) {
      throw new AglError(
        "not_found",
        `Resource ID '${resourcesId}' not found. Only '${this.#resources.resources_id}' is available.`,
      );
    }
    return this.#resources;
  }

  /** The bundle. */
  override async getLatestResources(): Promise<LegacyResourcesUpdate> {
    return this.#resources;
  }

  /** Records the rollout (see {@link DevTaskLoader.rollouts}) and returns `{ status: "received", rollout_id }`. */
  override async postRollout(rollout: RolloutLegacyInput): Promise<DevTaskLoaderPostResult> {
    const parsed = parseOrThrow(RolloutLegacySchema, rollout, "rollout");
    this.#rollouts.push(parsed);
    this.logger.info(`Rollout ${parsed.rollout_id} recorded by DevTaskLoader.`);
    return { status: "received", rollout_id: parsed.rollout_id };
  }

  /** `DevTaskLoader(num_tasks=<n>, resources=<resources as Python would print them>)`. */
  override toString(): string {
    return `DevTaskLoader(num_tasks=${this.#entries.length}, resources=${reprResources(this.#resources)})`;
  }
}

function isTaskLike(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { rollout_id?: unknown }).rollout_id === "string" &&
    "input" in value
  );
}

function isBundle(value: DevTaskLoaderResources): value is LegacyResourcesUpdateInput {
  const candidate = value as { resources_id?: unknown; resources?: unknown };
  return (
    typeof candidate.resources_id === "string" &&
    typeof candidate.resources === "object" &&
    candidate.resources !== null
  );
}

function toBundle(resources: DevTaskLoaderResources): LegacyResourcesUpdate {
  if (isBundle(resources)) return parseOrThrow(LegacyResourcesUpdateSchema, resources, "resources");
  const now = nowSeconds();
  return {
    resources_id: LOCAL_RESOURCES_ID,
    resources: parseOrThrow(NamedResourcesSchema, resources, "resources"),
    create_time: now,
    update_time: now,
    version: 1,
  };
}

const CLASS_NAMES: Record<string, string> = {
  llm: "LLM",
  proxy_llm: "ProxyLLM",
  prompt_template: "PromptTemplate",
};

// Python prints the mapping of pydantic models: {'main_llm': LLM(resource_type='llm', ...)}.
function reprResources(bundle: LegacyResourcesUpdate): string {
  const items = Object.entries(bundle.resources).map(([name, resource]) => {
    const fields = Object.entries(resource).map(([key, value]) => `${key}=${pyRepr(value)}`);
    return `${pyRepr(name)}: ${CLASS_NAMES[resource.resource_type] ?? "Resource"}(${fields.join(", ")})`;
  });
  return `{${items.join(", ")}}`;
}
