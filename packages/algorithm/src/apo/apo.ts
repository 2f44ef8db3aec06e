import type { LightningStore, RolloutConfigInput } from "@agentlightning/store";
import { TraceToMessages } from "@agentlightning/tracer";
import {
  AglError,
  type Logger,
  type NamedResources,
  type PromptTemplate,
  type RolloutMode,
  silentLogger,
} from "@agentlightning/types";
import { Algorithm, type AlgorithmRunOptions, type SpanAdapter, withLlmProxy } from "../algorithm.js";
import { batchIterOverDataset } from "../batch-iter.js";
import { mapWithConcurrency } from "../concurrency.js";
import { type Dataset, datasetLength, datasetToArray } from "../dataset.js";
import { choice, forkRandom, mathRandom, type RandomSource, sample, seededRandom } from "../random.js";
import { type ChatCompletionClient, createChatClient } from "./chat-client.js";
import { evaluateOnBatch } from "./evaluate.js";
import type { ApoBeamEntry, ApoCandidate, ApoPhase, ApoProgressEvent } from "./progress.js";
import {
  type ApoRolloutResult,
  CRITIQUE_BUILDERS,
  type CritiqueBuilder,
  EDIT_BUILDERS,
  type EditBuilder,
} from "./prompts.js";

/** Options of {@link APO}. Defaults are the Python ones (orchestration §3.4). */
export interface ApoOptions {
  /** An OpenAI-compatible client (`new OpenAI()`, or {@link createChatClient}). */
  client?: ChatCompletionClient;
  /** Without `client`: the optimizer model's base URL (`.../v1`); see also `chatClientFromEnv`. */
  baseUrl?: string;
  /** Without `client`: its API key. */
  apiKey?: string | null;
  /** Model that writes critiques. Default `gpt-5-mini`. */
  gradientModel?: string;
  /** Model that rewrites the prompt. Default `gpt-4.1-mini`. */
  applyEditModel?: string;
  /** Temperature of both calls. Default 1. */
  diversityTemperature?: number;
  /** Rollouts per critique (train batch). Default 4. */
  gradientBatchSize?: number;
  /** Validation batch used to rank the beam each round. Default 16. */
  valBatchSize?: number;
  /** Candidates kept per round. Default 4. */
  beamWidth?: number;
  /** Children per parent per round. Default 4. */
  branchFactor?: number;
  /** Rounds of expansion and selection. Default 3. */
  beamRounds?: number;
  /** Seconds to wait for one batch of rollouts. Default 3600. */
  rolloutBatchTimeout?: number;
  /** Score the seed on the whole validation set first (it then sets the bar). Default true. */
  runInitialValidation?: boolean;
  /** Seed of the random choices (batches, parents, critique variants); default: `Math.random`. */
  seed?: number;
  /** A random source instead of `seed`. */
  random?: RandomSource;
  /**
   * Evaluations and optimizer calls run at once (children of a round, candidates of a selection).
   * Default 4; 1 is the Python order. Results do not depend on it for a given seed.
   */
  concurrency?: number;
  /** Config of every rollout APO enqueues (retries, timeouts). Default: the store's default. */
  rolloutConfig?: RolloutConfigInput;
  /** Longest single wait on the store, seconds. Default 10. */
  waitChunkSeconds?: number;
  /** Publish the best prompt as the store's latest resources when done. Default true. */
  publishBest?: boolean;
  /** Prefix of version ids (`v` gives `v0`, `v1`, ...). Default `v`. */
  versionPrefix?: string;
  /** Adapter that turns spans into the transcripts the critique reads. Default: `TraceToMessages`. */
  adapter?: SpanAdapter;
  /** Replace the built-in critique / rewrite requests. */
  critiqueBuilders?: readonly CritiqueBuilder[];
  editBuilders?: readonly EditBuilder[];
  /** Progress lines (round, candidate, score). Default: silent. */
  logger?: Logger;
  /** Structured progress, called synchronously at each step. */
  onProgress?: (event: ApoProgressEvent) => void;
}

/** What {@link APO.run} returns. */
export interface ApoResult {
  /** The best prompt found (the seed when nothing beat it). */
  bestPrompt: PromptTemplate;
  bestVersion: string;
  /** Its score on the whole validation set (−Infinity if never validated). */
  bestScore: number;
  /** The seed's score on the whole validation set (null without initial validation). */
  initialScore: number | null;
  /** Key of the prompt template in the resources. */
  resourceName: string;
  /** Resources id under which the best prompt was published last (null when `publishBest` is off). */
  publishedResourcesId: string | null;
  /** Every version created, in order, with its scores. */
  history: ApoCandidate[];
  /** True when the run was stopped by its signal before the last round. */
  aborted: boolean;
}

class Aborted extends Error {}

/**
 * Automatic Prompt Optimization (orchestration §3.4): beam search over prompt templates. Each round,
 * every parent in the beam is run on train batches; an optimizer model critiques the runs ("textual
 * gradient") and rewrites the prompt; all candidates are scored on a validation batch by REAL
 * rollouts through the store (each under its own resources id = its version); the best few form
 * the next beam, and the leader is scored on the whole validation set. The best prompt is returned,
 * published as the store's latest resources, and kept with every other version's scores
 * ({@link APO.getHistory}).
 *
 * @example
 * ```ts
 * const apo = new APO({ client: chatClientFromEnv(process.env), beamRounds: 2, logger: console });
 * apo.setStore(store);
 * apo.setInitialResources({ prompt: { resource_type: "prompt_template", template: "Answer: {question}", engine: "f-string" } });
 * const { bestPrompt, bestScore, initialScore } = await apo.run(trainTasks, valTasks); // runners do the rollouts
 * ```
 */
export class APO extends Algorithm<ApoResult> {
  readonly gradientModel: string;
  readonly applyEditModel: string;
  readonly diversityTemperature: number;
  readonly gradientBatchSize: number;
  readonly valBatchSize: number;
  readonly beamWidth: number;
  readonly branchFactor: number;
  readonly beamRounds: number;
  readonly rolloutBatchTimeout: number;
  readonly runInitialValidation: boolean;
  readonly concurrency: number;
  private readonly client: ChatCompletionClient;
  private readonly rng: RandomSource;
  private readonly options: ApoOptions;
  private readonly logger: Logger;
  private versionCounter = 0;
  private history: ApoCandidate[] = [];
  private bestPrompt: PromptTemplate | null = null;
  private bestScore = Number.NEGATIVE_INFINITY;
  private bestVersion: string | null = null;
  private messagesAdapter: SpanAdapter | undefined;

  constructor(options: ApoOptions = {}) {
    super();
    if (options.client === undefined && options.baseUrl === undefined) {
      throw new AglError(
        "invalid_argument",
        "APO needs an optimizer model: pass `client` (e.g. new OpenAI()) or `baseUrl`, or chatClientFromEnv(process.env)",
      );
    }
    this.client =
      options.client ?? createChatClient({ baseUrl: options.baseUrl as string, apiKey: options.apiKey });
    this.gradientModel = options.gradientModel ?? "gpt-5-mini";
    this.applyEditModel = options.applyEditModel ?? "gpt-4.1-mini";
    this.diversityTemperature = options.diversityTemperature ?? 1.0;
    this.gradientBatchSize = positiveInt(options.gradientBatchSize ?? 4, "gradientBatchSize");
    this.valBatchSize = positiveInt(options.valBatchSize ?? 16, "valBatchSize");
    this.beamWidth = positiveInt(options.beamWidth ?? 4, "beamWidth");
    this.branchFactor = positiveInt(options.branchFactor ?? 4, "branchFactor");
    this.beamRounds = nonNegativeInt(options.beamRounds ?? 3, "beamRounds");
    this.rolloutBatchTimeout = options.rolloutBatchTimeout ?? 3600;
    this.runInitialValidation = options.runInitialValidation ?? true;
    this.concurrency = positiveInt(options.concurrency ?? 4, "concurrency");
    this.rng = options.random ?? (options.seed === undefined ? mathRandom : seededRandom(options.seed));
    this.logger = options.logger ?? silentLogger;
    this.options = options;
  }

  /** The adapter the critique reads: the `adapter` option, an injected `TraceToMessages`, or a default one. */
  override getAdapter(): SpanAdapter {
    if (this.options.adapter !== undefined) return this.options.adapter;
    if (this.adapter instanceof TraceToMessages) return this.adapter;
    // The Trainer injects a triplet adapter by default; the critique needs chat transcripts.
    this.messagesAdapter ??= new TraceToMessages();
    return this.messagesAdapter;
  }

  /** The best prompt so far; throws before one exists. */
  getBestPrompt(): PromptTemplate {
    if (this.bestPrompt === null)
      throw new AglError("invalid_argument", "No best prompt found yet; run APO first.");
    return this.bestPrompt;
  }

  /** The best prompt's score on the whole validation set (−Infinity before one). */
  getBestScore(): number {
    return this.bestScore;
  }

  /** The best prompt's version (its resources id), or null. */
  getBestVersion(): string | null {
    return this.bestVersion;
  }

  /** Every version created so far, in order, with its scores (copies). */
  getHistory(): ApoCandidate[] {
    return structuredClone(this.history);
  }

  /** Runs the beam search. Both datasets are required; the initial resources must hold a prompt template. */
  async run(
    trainDataset: Dataset | null = null,
    valDataset: Dataset | null = null,
    options: AlgorithmRunOptions = {},
  ): Promise<ApoResult> {
    const store = this.getStore();
    return withLlmProxy(this.getLlmProxy(), () =>
      this.search(store, trainDataset, valDataset, options.signal),
    );
  }

  private async search(
    store: LightningStore,
    train: Dataset | null,
    val: Dataset | null,
    signal: AbortSignal | undefined,
  ): Promise<ApoResult> {
    const { resourceName, seed } = this.seedPrompt();
    if (datasetLength(train, "trainDataset") === 0)
      throw new AglError("invalid_argument", "APO needs a non-empty train dataset.");
    if (datasetLength(val, "valDataset") === 0)
      throw new AglError("invalid_argument", "APO needs a non-empty val dataset.");
    const trainData = train as Dataset;
    const valItems = datasetToArray(val);
    const gradientBatches = batchIterOverDataset(trainData, this.gradientBatchSize, forkRandom(this.rng));
    const valBatches = batchIterOverDataset(valItems, this.valBatchSize, forkRandom(this.rng));

    const seedCandidate = this.newCandidate(seed, null, 0, null);
    this.bestPrompt = seed;
    this.bestScore = Number.NEGATIVE_INFINITY;
    this.bestVersion = seedCandidate.version;
    let beam: ApoCandidate[] = [seedCandidate];
    let initialScore: number | null = null;
    let aborted = false;
    const ctx = { store, resourceName, signal };

    try {
      if (this.runInitialValidation) {
        const { score } = await this.evaluate(ctx, seedCandidate, valItems, "val", {
          round: 0,
          phase: "initial-validation",
        });
        seedCandidate.validationScore = score;
        initialScore = score;
        this.bestScore = score;
        this.emit({
          type: "best",
          round: 0,
          version: seedCandidate.version,
          score,
          improved: true,
          bestVersion: seedCandidate.version,
          bestScore: score,
        });
      }
      for (let round = 1; round <= this.beamRounds; round++) {
        if (signal?.aborted) throw new Aborted();
        this.emit({ type: "round-start", round, rounds: this.beamRounds, beam: beamEntries(beam) });
        this.logger.info(`[Round ${pad(round)}] Beam: ${beamEntries(beam).map(formatEntry).join(", ")}`);
        const children = await this.expand(ctx, round, beam, gradientBatches);
        beam = await this.select(ctx, round, [...beam, ...children], valBatches.next().value);
        const leader = beam[0] as ApoCandidate;
        const { score } = await this.evaluate(ctx, leader, valItems, "val", {
          round,
          phase: "leader-validation",
        });
        leader.validationScore = score;
        const improved = score > this.bestScore;
        if (improved) {
          this.bestPrompt = leader.prompt;
          this.bestScore = score;
          this.bestVersion = leader.version;
          this.logger.info(
            `[Round ${pad(round)}] New best prompt ${leader.version} with validation score ${fmt(score)}`,
          );
        } else {
          this.logger.warn(
            `[Round ${pad(round)}] Leader ${leader.version} scored ${fmt(score)} on validation, not above the best ` +
              `${this.bestVersion} (${fmt(this.bestScore)}); keeping the best.`,
          );
        }
        this.emit({
          type: "best",
          round,
          version: leader.version,
          score,
          improved,
          bestVersion: this.bestVersion as string,
          bestScore: this.bestScore,
        });
      }
    } catch (error) {
      if (!(error instanceof Aborted)) throw error;
      aborted = true;
      this.logger.warn("APO stopped by its signal; returning the best prompt so far.");
    }

    const bestVersion = this.bestVersion as string;
    const bestPrompt = this.bestPrompt as PromptTemplate;
    let publishedResourcesId: string | null = null;
    if (this.options.publishBest ?? true) {
      publishedResourcesId = (
        await store.updateResources(bestVersion, this.resourcesFor(resourceName, bestPrompt))
      ).resources_id;
      this.logger.info(
        `Published the best prompt ${bestVersion} as the latest resources (${publishedResourcesId}).`,
      );
    }
    this.emit({ type: "done", bestVersion, bestScore: this.bestScore, initialScore, aborted });
    return {
      bestPrompt,
      bestVersion,
      bestScore: this.bestScore,
      initialScore,
      resourceName,
      publishedResourcesId,
      history: this.getHistory(),
      aborted,
    };
  }

  /** Expansion: each parent × branch runs on the next train batch, then critique and rewrite. */
  private async expand(
    ctx: EvalContext,
    round: number,
    beam: ApoCandidate[],
    gradientBatches: Generator<unknown[], never, undefined>,
  ): Promise<ApoCandidate[]> {
    const parents = this.sampleParents(round, beam);
    const seen = new Set<number>();
    const tasks: ExpansionTask[] = [];
    for (const [beamPosition, [beamIndex, parent]] of parents.entries()) {
      if (seen.has(beamIndex)) {
        this.logger.warn(
          `[Round ${pad(round)} | Beam ${pad(beamPosition + 1)}] Parent ${parent.version} was already expanded this round.`,
        );
      }
      seen.add(beamIndex);
      for (let branch = 1; branch <= this.branchFactor; branch++) {
        // Drawn in a fixed order before anything runs concurrently, so a seed reproduces the run.
        tasks.push({
          parent,
          beam: beamPosition + 1,
          branch,
          batch: gradientBatches.next().value,
          rng: forkRandom(this.rng),
        });
      }
    }
    const edits = await mapWithConcurrency(tasks, this.concurrency, async (task) => {
      const prefix = `[Round ${pad(round)} | Beam ${pad(task.beam)} | Branch ${pad(task.branch)} | Prompt ${task.parent.version}]`;
      const { results } = await this.evaluate(ctx, task.parent, task.batch, "train", {
        round,
        phase: "gradient-batch",
        beam: task.beam,
        branch: task.branch,
      });
      const edit = await this.critiqueAndRewrite(prefix, task.parent, results, task.rng);
      if (!edit.text) this.logger.error(`${prefix} The rewrite came back empty; no child from this branch.`);
      return edit;
    });
    const children: ApoCandidate[] = [];
    for (const [i, edit] of edits.entries()) {
      const task = tasks[i] as ExpansionTask;
      if (!edit.text) continue;
      const child = this.newCandidate(
        { resource_type: "prompt_template", template: edit.text, engine: task.parent.prompt.engine },
        task.parent.version,
        round,
        edit.critique,
      );
      children.push(child);
      this.logger.info(
        `[Round ${pad(round)} | Beam ${pad(task.beam)} | Branch ${pad(task.branch)} | Prompt ${child.version}] New candidate from ${task.parent.version}`,
      );
      this.emit({
        type: "candidate",
        round,
        beam: task.beam,
        branch: task.branch,
        version: child.version,
        parentVersion: task.parent.version,
        template: edit.text,
      });
    }
    return children;
  }

  private sampleParents(round: number, beam: ApoCandidate[]): Array<[number, ApoCandidate]> {
    if (beam.length < this.beamWidth) {
      this.logger.warn(
        `[Round ${pad(round)}] The beam holds ${beam.length} candidate(s), fewer than beamWidth ${this.beamWidth}; replicating.`,
      );
      return Array.from({ length: this.beamWidth }, (_, i) => [
        i % beam.length,
        beam[i % beam.length] as ApoCandidate,
      ]);
    }
    const indices = sample(
      this.rng,
      Array.from({ length: beam.length }, (_, i) => i),
      this.beamWidth,
    );
    return indices.map((i) => [i, beam[i] as ApoCandidate]);
  }

  /** Selection: every candidate on one shared validation batch, best first, cut to the beam width. */
  private async select(
    ctx: EvalContext,
    round: number,
    candidates: ApoCandidate[],
    batch: unknown[],
  ): Promise<ApoCandidate[]> {
    if (candidates.length === 0) throw new AglError("internal", "No beam candidates any more");
    await mapWithConcurrency(candidates, this.concurrency, async (candidate) => {
      candidate.score = (
        await this.evaluate(ctx, candidate, batch, "val", { round, phase: "selection" })
      ).score;
    });
    const ranked = [...candidates].sort(
      (a, b) => (b.score ?? Number.NEGATIVE_INFINITY) - (a.score ?? Number.NEGATIVE_INFINITY),
    );
    const beam = ranked.slice(0, this.beamWidth);
    this.emit({ type: "selection", round, beam: beamEntries(beam) });
    this.logger.info(`[Round ${pad(round)}] Selected: ${beamEntries(beam).map(formatEntry).join(", ")}`);
    return beam;
  }

  private async critiqueAndRewrite(
    prefix: string,
    parent: ApoCandidate,
    results: ApoRolloutResult[],
    rng: RandomSource,
  ): Promise<{ text: string | null; critique: string | null }> {
    const template = parent.prompt.template;
    let experiments = results;
    if (results.length < this.gradientBatchSize) {
      this.logger.warn(
        `${prefix} Only ${results.length} finished rollout(s) for the critique; using all of them.`,
      );
    } else {
      experiments = sample(rng, results, this.gradientBatchSize);
    }
    const critiqueBuilder = choice(rng, this.options.critiqueBuilders ?? CRITIQUE_BUILDERS);
    const critique = await this.complete(this.gradientModel, critiqueBuilder(template, experiments));
    if (!critique) {
      this.logger.error(`${prefix} The critique came back empty; the child repeats the parent.`);
      return { text: template, critique: null };
    }
    this.logger.debug(`${prefix} Critique: ${critique}`);
    const editBuilder = choice(rng, this.options.editBuilders ?? EDIT_BUILDERS);
    const edited = await this.complete(this.applyEditModel, editBuilder(template, critique));
    return { text: edited ? stripCodeFence(edited) : null, critique };
  }

  private async complete(model: string, messages: ReturnType<CritiqueBuilder>): Promise<string | null> {
    const answer = await this.client.chat.completions.create({
      model,
      messages,
      temperature: this.diversityTemperature,
    });
    return answer.choices[0]?.message.content ?? null;
  }

  private async evaluate(
    ctx: EvalContext,
    candidate: ApoCandidate,
    tasks: unknown[],
    mode: RolloutMode,
    where: { round: number; phase: ApoPhase; beam?: number; branch?: number },
  ): Promise<{ score: number; results: ApoRolloutResult[] }> {
    const evaluation = await evaluateOnBatch({
      store: ctx.store,
      adapter: this.getAdapter(),
      resources: this.resourcesFor(ctx.resourceName, candidate.prompt),
      resourcesId: candidate.version,
      tasks,
      mode,
      timeoutSeconds: this.rolloutBatchTimeout,
      waitChunkSeconds: this.options.waitChunkSeconds ?? 10,
      rolloutConfig: this.options.rolloutConfig,
      metadata: { apo_version: candidate.version, apo_round: where.round, apo_phase: where.phase },
      signal: ctx.signal,
    });
    if (ctx.signal?.aborted) {
      // Leave nothing of an abandoned evaluation in the queue.
      for (const id of evaluation.unfinishedIds) {
        await ctx.store.updateRollout(id, { status: "cancelled" }).catch(() => undefined);
      }
      throw new Aborted();
    }
    const finished = evaluation.results.length;
    candidate.evaluations.push({
      round: where.round,
      phase: where.phase,
      mode,
      score: evaluation.score,
      finished,
      total: tasks.length,
      rolloutIds: evaluation.rolloutIds,
    });
    const prefix = [`Round ${pad(where.round)}`];
    if (where.beam !== undefined) prefix.push(`Beam ${pad(where.beam)}`);
    if (where.branch !== undefined) prefix.push(`Branch ${pad(where.branch)}`);
    prefix.push(`Prompt ${candidate.version}`);
    this.logger.info(
      `[${prefix.join(" | ")}] ${where.phase} (${mode}): score ${fmt(evaluation.score)} over ${finished}/${tasks.length} rollouts`,
    );
    if (evaluation.unfinishedIds.length > 0) {
      this.logger.warn(
        `[${prefix.join(" | ")}] ${evaluation.unfinishedIds.length} rollout(s) unfinished after ${this.rolloutBatchTimeout} s; not counted.`,
      );
    }
    this.emit({
      type: "evaluation",
      round: where.round,
      beam: where.beam ?? null,
      branch: where.branch ?? null,
      version: candidate.version,
      phase: where.phase,
      mode,
      score: evaluation.score,
      finished,
      total: tasks.length,
    });
    return { score: evaluation.score, results: evaluation.results };
  }

  private seedPrompt(): { resourceName: string; seed: PromptTemplate } {
    const resources = this.getInitialResources();
    if (resources === null)
      throw new AglError("invalid_argument", "APO needs initial resources holding a prompt template.");
    for (const [name, resource] of Object.entries(resources)) {
      if (resource.resource_type === "prompt_template") return { resourceName: name, seed: resource };
    }
    throw new AglError("invalid_argument", "APO found no prompt template in the initial resources.");
  }

  /** The initial resources with the prompt replaced: an LLM resource next to the prompt stays available. */
  private resourcesFor(resourceName: string, prompt: PromptTemplate): NamedResources {
    return { ...(this.getInitialResources() ?? {}), [resourceName]: prompt };
  }

  private newCandidate(
    prompt: PromptTemplate,
    parentVersion: string | null,
    round: number,
    critique: string | null,
  ): ApoCandidate {
    const candidate: ApoCandidate = {
      version: `${this.options.versionPrefix ?? "v"}${this.versionCounter++}`,
      prompt,
      parentVersion,
      round,
      critique,
      score: null,
      validationScore: null,
      evaluations: [],
    };
    this.history.push(candidate);
    return candidate;
  }

  private emit(event: ApoProgressEvent): void {
    try {
      this.options.onProgress?.(event);
    } catch (error) {
      this.logger.error(`APO onProgress callback failed: ${String(error)}`);
    }
  }
}

interface EvalContext {
  store: LightningStore;
  resourceName: string;
  signal: AbortSignal | undefined;
}

interface ExpansionTask {
  parent: ApoCandidate;
  beam: number;
  branch: number;
  batch: unknown[];
  rng: RandomSource;
}

function beamEntries(beam: ApoCandidate[]): ApoBeamEntry[] {
  return beam.map((c) => ({ version: c.version, score: c.score }));
}

function formatEntry(entry: ApoBeamEntry): string {
  return `${entry.version} (${entry.score === null ? "unscored" : fmt(entry.score)})`;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

function fmt(score: number): string {
  return Number.isFinite(score) ? score.toFixed(3) : String(score);
}

/** Models often wrap a rewritten prompt in a Markdown code fence; the template is what is inside. */
function stripCodeFence(text: string): string {
  const match = /^\s*```[\w-]*\n([\s\S]*?)\n```\s*$/.exec(text);
  return match ? (match[1] as string) : text.trim() === "" ? "" : text;
}

function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new AglError("invalid_argument", `${name} must be a positive integer (got ${value})`);
  return value;
}

function nonNegativeInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new AglError("invalid_argument", `${name} must be a non-negative integer (got ${value})`);
  }
  return value;
}
