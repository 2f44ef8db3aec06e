import type { LightningStore } from "@agentlightning/store";
import { findFinalReward } from "@agentlightning/tracer";
import {
  AglError,
  isFinishedStatus,
  type Logger,
  type RolloutMode,
  type RolloutOrAttempted,
  type RolloutStatus,
  type Span,
  silentLogger,
} from "@agentlightning/types";
import { type AlgorithmRunOptions, FastAlgorithm, withLlmProxy } from "./algorithm.js";
import { type Dataset, datasetItem, datasetLength } from "./dataset.js";
import { sleepSeconds } from "./sleep.js";

/** How much of each span {@link Baseline} logs. */
export type SpanVerbosity = "keys" | "key_values" | "none";

/** Options of {@link Baseline}. */
export interface BaselineOptions {
  /** Passes over train + val. Default 1. */
  nEpochs?: number;
  /** Kept for parity with Python; must be strictly between 0 and 1. Default 0.5. Unused. */
  trainSplit?: number;
  /** Seconds between queue-depth checks and status polls. Default 5. */
  pollingInterval?: number;
  /** Enqueue only while at most this many rollouts are queuing or requeuing. Default 4. */
  maxQueueLength?: number;
  /** `keys` (default): span attribute keys; `key_values`: whole attributes; `none`: no span lines. */
  spanVerbosity?: SpanVerbosity;
  /** Where the per-rollout report lines go. Default: silent. */
  logger?: Logger;
}

/** What {@link Baseline} found out about one rollout. */
export interface BaselineRolloutReport {
  rolloutId: string;
  /** 0-based epoch and index into train followed by val. */
  epoch: number;
  index: number;
  mode: RolloutMode;
  /** Status when harvesting ended (a non-finished one only when the run was aborted). */
  status: RolloutStatus;
  /** Last reward of the latest attempt's spans, or null. */
  finalReward: number | null;
  attempts: number;
  /** Spans of the rollout, all attempts. */
  spanCount: number;
  /** The adapter's output for the latest attempt's spans (undefined without an adapter). */
  adapted: unknown;
}

/** The result of {@link Baseline.run}. */
export interface BaselineReport {
  rollouts: BaselineRolloutReport[];
  /** Mean final reward per mode over finished rollouts with a reward (null when none). */
  meanReward: { train: number | null; val: number | null };
}

/**
 * The fast debugging algorithm (orchestration §3.3): enqueues every train then val item (in order,
 * keeping at most `maxQueueLength` queued), waits for each rollout, and reports its attempts, its
 * spans and the adapter's output in the log, and in the returned report with each final reward.
 * Publishes the initial resources as `"default"` first.
 *
 * @example
 * ```ts
 * const baseline = new Baseline({ pollingInterval: 0.1, spanVerbosity: "key_values", logger: console });
 * baseline.setStore(store);
 * baseline.setInitialResources({ prompt: { resource_type: "prompt_template", template: "{q}", engine: "f-string" } });
 * const report = await baseline.run([{ q: "2+2?" }], [{ q: "3+3?" }]);
 * console.log(report.meanReward);
 * ```
 */
export class Baseline extends FastAlgorithm<BaselineReport> {
  readonly nEpochs: number;
  readonly trainSplit: number;
  readonly pollingInterval: number;
  readonly maxQueueLength: number;
  readonly spanVerbosity: SpanVerbosity;
  private readonly logger: Logger;

  constructor(options: BaselineOptions = {}) {
    super();
    this.nEpochs = options.nEpochs ?? 1;
    this.trainSplit = options.trainSplit ?? 0.5;
    this.pollingInterval = options.pollingInterval ?? 5;
    this.maxQueueLength = options.maxQueueLength ?? 4;
    this.spanVerbosity = options.spanVerbosity ?? "keys";
    this.logger = options.logger ?? silentLogger;
    if (!(this.trainSplit > 0 && this.trainSplit < 1)) {
      throw new AglError("invalid_argument", "train_split must be between 0 and 1.");
    }
    if (!Number.isInteger(this.nEpochs) || this.nEpochs < 0) {
      throw new AglError("invalid_argument", `nEpochs must be a non-negative integer (got ${this.nEpochs})`);
    }
    if (!(this.pollingInterval > 0)) {
      throw new AglError(
        "invalid_argument",
        `pollingInterval must be positive (got ${this.pollingInterval})`,
      );
    }
    if (!["keys", "key_values", "none"].includes(this.spanVerbosity)) {
      throw new AglError(
        "invalid_argument",
        `spanVerbosity must be keys, key_values or none (got ${this.spanVerbosity})`,
      );
    }
  }

  /** Enqueues, waits for and reports every item of both datasets, `nEpochs` times. */
  async run(
    trainDataset: Dataset | null = null,
    valDataset: Dataset | null = null,
    options: AlgorithmRunOptions = {},
  ): Promise<BaselineReport> {
    const store = this.getStore();
    return withLlmProxy(this.getLlmProxy(), () =>
      this.runWith(store, trainDataset, valDataset, options.signal),
    );
  }

  private async runWith(
    store: LightningStore,
    train: Dataset | null,
    val: Dataset | null,
    signal: AbortSignal | undefined,
  ): Promise<BaselineReport> {
    const trainLength = datasetLength(train, "trainDataset");
    const valLength = datasetLength(val, "valDataset");
    const reports: BaselineRolloutReport[] = [];
    if (trainLength + valLength === 0) {
      this.logger.error("Baseline: both the train and the val dataset are empty; nothing to run.");
      return summarise(reports);
    }
    let resourcesId: string | null = null;
    const initial = this.getInitialResources();
    if (initial !== null) {
      resourcesId = (await store.updateResources("default", initial)).resources_id;
    } else {
      this.logger.warn("Baseline: no initial resources; rollouts run with the store's latest resources.");
    }
    for (let epoch = 0; epoch < this.nEpochs && !signal?.aborted; epoch++) {
      const harvests: Promise<BaselineRolloutReport>[] = [];
      for (let index = 0; index < trainLength + valLength && !signal?.aborted; index++) {
        const isTrain = index < trainLength;
        const input = isTrain
          ? datasetItem(train as Dataset, index)
          : datasetItem(val as Dataset, index - trainLength);
        await this.waitForQueueRoom(store, signal);
        if (signal?.aborted) break;
        const mode: RolloutMode = isTrain ? "train" : "val";
        const rollout = await store.enqueueRollout({ input, mode, resourcesId });
        harvests.push(this.harvest(store, rollout.rollout_id, { epoch, index, mode }, signal));
      }
      reports.push(...(await Promise.all(harvests)));
    }
    return summarise(reports);
  }

  private async waitForQueueRoom(store: LightningStore, signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      const queued = await store.queryRollouts({ statusIn: ["queuing", "requeuing"], limit: 0 });
      if (queued.total <= this.maxQueueLength || signal?.aborted) return;
      await sleepSeconds(this.pollingInterval, signal);
    }
  }

  private async harvest(
    store: LightningStore,
    rolloutId: string,
    where: { epoch: number; index: number; mode: RolloutMode },
    signal: AbortSignal | undefined,
  ): Promise<BaselineRolloutReport> {
    let lastStatus: RolloutStatus | null = null;
    for (;;) {
      // A blocking wait bounded by the polling interval: finishes as soon as the rollout does.
      const [finished] = await store.waitForRollouts([rolloutId], { timeout: this.pollingInterval, signal });
      const rollout = finished ?? (await store.getRolloutById(rolloutId));
      if (rollout === null)
        throw new AglError("not_found", `Rollout ${rolloutId} disappeared from the store`);
      if (rollout.status !== lastStatus) {
        if (lastStatus !== null)
          this.logger.info(`[Rollout ${rolloutId}] Status changed to ${rollout.status}.`);
        lastStatus = rollout.status;
      }
      if (isFinishedStatus(rollout.status) || signal?.aborted) return this.report(store, rollout, where);
    }
  }

  private async report(
    store: LightningStore,
    rollout: RolloutOrAttempted,
    where: { epoch: number; index: number; mode: RolloutMode },
  ): Promise<BaselineRolloutReport> {
    const rid = rollout.rollout_id;
    const end = rollout.end_time ?? Date.now() / 1000;
    this.logger.info(
      `[Rollout ${rid}] Finished with status ${rollout.status} in ${(end - rollout.start_time).toFixed(2)} seconds.`,
    );
    const attempts = (await store.queryAttempts(rid)).items;
    for (const attempt of attempts) {
      this.logger.info(
        `[Rollout ${rid} | Attempt ${attempt.sequence_id}] ID: ${attempt.attempt_id}. Status: ${attempt.status}. Worker: ${attempt.worker_id}`,
      );
    }
    const spans = (await store.querySpans({ rolloutId: rid })).items;
    if (this.spanVerbosity !== "none") for (const span of spans) this.logger.info(this.spanLine(span));
    const latestSpans =
      attempts.length === 0 ? [] : (await store.querySpans({ rolloutId: rid, attemptId: "latest" })).items;
    let adapted: unknown;
    if (this.adapter === undefined) {
      this.logger.warn(`[Rollout ${rid}] No adapter set; skipping adaptation.`);
    } else {
      adapted = await this.adapter.adapt(latestSpans);
      this.logger.info(`[Rollout ${rid}] Adapted data: ${safeJson(adapted)}`);
    }
    return {
      rolloutId: rid,
      epoch: where.epoch,
      index: where.index,
      mode: where.mode,
      status: rollout.status,
      finalReward: findFinalReward(latestSpans),
      attempts: attempts.length,
      spanCount: spans.length,
      adapted,
    };
  }

  private spanLine(span: Span): string {
    const iso = (t: number | null) => (t === null ? "unknown" : new Date(t * 1000).toISOString());
    const elapsed =
      span.start_time !== null && span.end_time !== null
        ? (span.end_time - span.start_time).toFixed(2)
        : "unknown";
    const head =
      `[Rollout ${span.rollout_id} | Attempt ${span.attempt_id} | Span ${span.span_id}] #${span.sequence_id} (${span.name}) ` +
      `From ${iso(span.start_time)}, to ${iso(span.end_time)}, ${elapsed} seconds. `;
    return this.spanVerbosity === "key_values"
      ? `${head}Attributes: ${safeJson(span.attributes)}`
      : `${head}Attribute keys: ${safeJson(Object.keys(span.attributes))}`;
  }
}

function summarise(rollouts: BaselineRolloutReport[]): BaselineReport {
  const mean = (mode: RolloutMode) => {
    const rewards = rollouts
      .filter((r) => r.mode === mode && r.finalReward !== null)
      .map((r) => r.finalReward as number);
    return rewards.length === 0 ? null : rewards.reduce((a, b) => a + b, 0) / rewards.length;
  };
  return { rollouts, meanReward: { train: mean("train"), val: mean("val") } };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
