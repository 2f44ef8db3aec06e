import type { LightningStore, RolloutConfigInput } from "@agentlightning/store";
import { findFinalReward } from "@agentlightning/tracer";
import type { JsonObject, NamedResourcesInput, RolloutMode } from "@agentlightning/types";
import type { SpanAdapter } from "../algorithm.js";
import { mapWithConcurrency } from "../concurrency.js";
import type { ApoRolloutResult } from "./prompts.js";

/** What one evaluation of a prompt on a batch of tasks needs. */
export interface EvaluateBatchOptions {
  store: LightningStore;
  adapter: SpanAdapter;
  /** Published under `resourcesId` (which becomes the store's latest resources). */
  resources: NamedResourcesInput;
  resourcesId: string;
  tasks: readonly unknown[];
  mode: RolloutMode;
  /** Give up waiting after this many seconds; unfinished rollouts are neither cancelled nor counted. */
  timeoutSeconds: number;
  /** Longest single `waitForRollouts` call (bounded so an abort or an HTTP hop is never stuck). */
  waitChunkSeconds: number;
  rolloutConfig?: RolloutConfigInput;
  metadata?: JsonObject;
  signal?: AbortSignal;
}

/** The outcome of one evaluation. */
export interface BatchEvaluation {
  results: ApoRolloutResult[];
  /** Sum of final rewards (missing = 0) over finished rollouts, divided by max(1, finished). */
  score: number;
  rolloutIds: string[];
  /** Rollouts still unfinished when the evaluation ended (deadline or abort). */
  unfinishedIds: string[];
}

/**
 * Scores a prompt by real rollouts (orchestration §3.4 "evaluation of one prompt on a batch"):
 * publishes the resources under the candidate's version, enqueues one rollout per task with that
 * resources id, waits for them, and reads each rollout's spans, adapted messages and final reward.
 */
export async function evaluateOnBatch(options: EvaluateBatchOptions): Promise<BatchEvaluation> {
  const { store, signal } = options;
  const snapshot = await store.updateResources(options.resourcesId, options.resources);
  const rollouts = await store.enqueueManyRollouts(
    options.tasks.map((input) => ({
      input,
      mode: options.mode,
      resourcesId: snapshot.resources_id,
      config: options.rolloutConfig ?? null,
      metadata: options.metadata ?? null,
    })),
  );
  const rolloutIds = rollouts.map((r) => r.rollout_id);
  const deadline = Date.now() / 1000 + options.timeoutSeconds;
  let finished = rolloutIds.length === 0 ? [] : await store.waitForRollouts(rolloutIds, { timeout: 0 });
  while (finished.length < rolloutIds.length && !signal?.aborted) {
    const remaining = deadline - Date.now() / 1000;
    if (remaining <= 0) break;
    finished = await store.waitForRollouts(rolloutIds, {
      timeout: Math.min(remaining, options.waitChunkSeconds),
      signal,
    });
  }
  const done = new Set(finished.map((r) => r.rollout_id));
  // One span query per rollout, a few at a time (each is a round trip when the store is remote).
  const results: ApoRolloutResult[] = await mapWithConcurrency(finished, 8, async (rollout) => {
    const spans = (await store.querySpans({ rolloutId: rollout.rollout_id })).items;
    return {
      rolloutId: rollout.rollout_id,
      status: rollout.status,
      finalReward: findFinalReward(spans),
      spans,
      messages: await options.adapter.adapt(spans),
    };
  });
  const total = results.reduce((sum, r) => sum + (r.finalReward ?? 0), 0);
  return {
    results,
    score: total / Math.max(1, results.length),
    rolloutIds,
    unfinishedIds: rolloutIds.filter((id) => !done.has(id)),
  };
}
