import { countRolloutSpans, type LegacyTaskBackend, rolloutLegacySpans } from "@agentlightning/legacy-server";
import type { LightningStore } from "@agentlightning/store";
import {
  AglError,
  type Attempt,
  type AttemptedRollout,
  isAttemptedRollout,
  type JsonObject,
  type LegacyResourcesUpdate,
  type Logger,
  nowSeconds,
  type ResourcesUpdate,
  type RolloutLegacy,
  silentLogger,
  type Task,
} from "@agentlightning/types";

/**
 * Key of the attempt metadata object that marks a claim made through `GET /task` and, once the
 * rollout is posted, keeps the legacy rollout's `metadata` and `logs`.
 */
export const LEGACY_ATTEMPT_METADATA_KEY = "legacy";

/** Options of {@link StoreLegacyBackend}. */
export interface StoreLegacyBackendOptions {
  /**
   * A claim made through `GET /task` whose rollout has not been posted after this many seconds
   * (strictly) is marked `timeout`; the rollout's own retry settings then requeue or fail it.
   */
  taskTimeoutSeconds: number;
  logger?: Logger;
  /** Clock in float epoch seconds. */
  now?: () => number;
}

/**
 * The legacy v0.1 task API served from a {@link LightningStore}, so that an old
 * `AgentLightningClient` works against a modern store:
 *
 * - `GET /task` dequeues a rollout and marks its new attempt `running` at once (a legacy client
 *   sends nothing until it posts its result, so "preparing" would look like a lost claim); the task
 *   carries the rollout's id, input, mode, resources id and metadata, `create_time` = the
 *   rollout's start, `last_claim_time` = the attempt's start and `num_claims` = its sequence id.
 * - `GET /resources/latest` and `/resources/{id}` read the store's resources (an empty bundle reads
 *   as missing, as on the v0.1 server).
 * - `POST /rollout` adds the rollout's spans (trace, triplets, final reward: see
 *   `rolloutLegacySpans`) to the rollout's latest attempt, keeps `metadata` and `logs` in the
 *   attempt's metadata under {@link LEGACY_ATTEMPT_METADATA_KEY}, and marks the attempt `succeeded`.
 *
 * @example
 * ```ts
 * const backend = new StoreLegacyBackend(store, { taskTimeoutSeconds: 300 });
 * const app = createLegacyApp({ store: backend });
 * ```
 */
export class StoreLegacyBackend implements LegacyTaskBackend {
  readonly #store: LightningStore;
  readonly #timeoutSeconds: number;
  readonly #logger: Logger;
  readonly #now: () => number;
  #lastSweep = Number.NEGATIVE_INFINITY;

  constructor(store: LightningStore, options: StoreLegacyBackendOptions) {
    this.#store = store;
    this.#timeoutSeconds = options.taskTimeoutSeconds;
    this.#logger = options.logger ?? silentLogger;
    this.#now = options.now ?? nowSeconds;
  }

  async claimTask(): Promise<Task | null> {
    await this.#timeOutStaleClaims();
    const claimed = await this.#store.dequeueRollout();
    if (claimed === null) return null;
    const attempt = await this.#store.updateAttempt(claimed.rollout_id, claimed.attempt.attempt_id, {
      status: "running",
      metadata: { ...claimed.attempt.metadata, [LEGACY_ATTEMPT_METADATA_KEY]: { claimed: true } },
    });
    if (attempt.sequence_id > 1) {
      this.#logger.info(`Task ${claimed.rollout_id} re-claimed (attempt ${attempt.sequence_id}).`);
    }
    return toTask(claimed, attempt);
  }

  async getLatestResources(): Promise<LegacyResourcesUpdate | null> {
    return toLegacyResources(await this.#store.getLatestResources());
  }

  async getResourcesById(resourcesId: string): Promise<LegacyResourcesUpdate | null> {
    return toLegacyResources(await this.#store.getResourcesById(resourcesId));
  }

  async recordRollout(rollout: RolloutLegacy): Promise<void> {
    const rolloutId = rollout.rollout_id;
    const stored = await this.#store.getRolloutById(rolloutId);
    if (stored === null) throw new AglError("not_found", `Rollout ${rolloutId} not found.`);
    if (!isAttemptedRollout(stored)) {
      throw new AglError(
        "conflict",
        `Rollout ${rolloutId} has no attempt yet: claim it with GET /task before posting its result.`,
      );
    }
    const attempt = stored.attempt;
    const count = countRolloutSpans(rollout);
    const sequenceIds =
      count === 0
        ? []
        : await this.#store.getManySpanSequenceIds(
            Array.from({ length: count }, () => [rolloutId, attempt.attempt_id] as const),
          );
    const spans = rolloutLegacySpans(rollout, {
      rolloutId,
      attemptId: attempt.attempt_id,
      sequenceIds,
      now: this.#now(),
    });
    if (spans.length > 0) await this.#store.addManySpans(spans);
    const previous = legacyMetadata(attempt);
    await this.#store.updateAttempt(rolloutId, attempt.attempt_id, {
      status: "succeeded",
      metadata: {
        ...attempt.metadata,
        [LEGACY_ATTEMPT_METADATA_KEY]: { ...previous, metadata: rollout.metadata, logs: rollout.logs },
      },
    });
  }

  /**
   * Marks `timeout` the latest attempts claimed through `GET /task` that have run longer than the
   * task timeout. Runs before a claim (as the v0.1 server's sweep does), at most once a second (or
   * per half timeout when that is shorter), since it lists the running rollouts.
   */
  async #timeOutStaleClaims(): Promise<void> {
    const now = this.#now();
    if (now - this.#lastSweep < Math.min(1, this.#timeoutSeconds / 2)) return;
    this.#lastSweep = now;
    const running = await this.#store.queryRollouts({ statusIn: ["preparing", "running"] });
    for (const rollout of running.items) {
      if (!isAttemptedRollout(rollout)) continue;
      const { attempt } = rollout;
      if (legacyMetadata(attempt) === null) continue;
      if (attempt.status !== "preparing" && attempt.status !== "running") continue;
      if (now - attempt.start_time <= this.#timeoutSeconds) continue;
      this.#logger.warn(
        `Task ${rollout.rollout_id} timed out after ${this.#timeoutSeconds} s without a rollout (attempt ${attempt.sequence_id}).`,
      );
      await this.#store.updateAttempt(rollout.rollout_id, attempt.attempt_id, { status: "timeout" });
    }
  }
}

function legacyMetadata(attempt: Attempt): JsonObject | null {
  const value = attempt.metadata?.[LEGACY_ATTEMPT_METADATA_KEY];
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as JsonObject) : null;
}

function toTask(rollout: AttemptedRollout, attempt: Attempt): Task {
  return {
    rollout_id: rollout.rollout_id,
    input: rollout.input,
    mode: rollout.mode,
    resources_id: rollout.resources_id,
    create_time: rollout.start_time,
    last_claim_time: attempt.start_time,
    num_claims: attempt.sequence_id,
    metadata: rollout.metadata ?? {},
  };
}

function toLegacyResources(update: ResourcesUpdate | null): LegacyResourcesUpdate | null {
  if (update === null || Object.keys(update.resources).length === 0) return null;
  return {
    resources_id: update.resources_id,
    resources: update.resources,
    create_time: update.create_time,
    update_time: update.update_time,
    version: update.version,
  };
}
