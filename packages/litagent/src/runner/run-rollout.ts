import type { LightningStore } from "@agentlightning/store";
import {
  AglError,
  type AttemptedRollout,
  type JsonObject,
  type Logger,
  type NamedResources,
  type Span,
} from "@agentlightning/types";
import type { RolloutEndEvent, RolloutStartEvent, RunnerHook, TraceEvent } from "../hook.js";
import type { LitAgent } from "../lit-agent.js";
import { postProcessRolloutResult, rewardOf } from "../rollout-result.js";
import { emitReward, findFinalReward, isOtelTracer, type Tracer } from "../tracer-api.js";
import type { ResourcesCache } from "./resources-cache.js";

/** Everything one rollout run needs from its runner. */
export interface RolloutRunContext {
  agent: LitAgent<unknown>;
  runner: unknown;
  store: LightningStore;
  tracer: Tracer;
  hooks: readonly RunnerHook[];
  resources: ResourcesCache;
  logger: Logger;
  /** Prefix of log lines, e.g. `[Worker-0-3]`. */
  logPrefix: string;
}

type HookName = "onRolloutStart" | "onTraceStart" | "onTraceEnd" | "onRolloutEnd";
type HookArgument<K extends HookName> = K extends "onRolloutEnd"
  ? RolloutEndEvent
  : K extends "onRolloutStart"
    ? RolloutStartEvent
    : TraceEvent;

/** Awaits every hook's `name` in registration order; one that throws is logged and skipped. */
export async function triggerHooks<K extends HookName>(
  hooks: readonly RunnerHook[],
  name: K,
  event: HookArgument<K>,
  logger: Logger,
): Promise<void> {
  for (const hook of hooks) {
    const method = hook[name] as ((event: HookArgument<K>) => unknown) | undefined;
    if (typeof method !== "function") continue;
    try {
      await method.call(hook, event);
    } catch (error) {
      logger.error(`Exception during ${name} hook ${hook.constructor?.name ?? "hook"}.`, error);
    }
  }
}

/** The agent's returned reward was emitted inside its trace scope. */
const REWARD_EMITTED = Symbol("reward emitted");

/** The error as attempt metadata: `{ exception: { type, message, stacktrace } }`. */
function exceptionMetadata(error: unknown): JsonObject {
  if (error instanceof Error) {
    return {
      exception: {
        type: error.name,
        message: error.message,
        stacktrace: error.stack ?? `${error.name}: ${error.message}`,
        ...(AglError.isInstance(error) ? { code: error.code } : {}),
      },
    };
  }
  return { exception: { type: typeof error, message: String(error), stacktrace: String(error) } };
}

/**
 * Runs one claimed rollout (runtime contract §7.3) and returns its id: resources (cached by id), hooks,
 * the agent inside a trace scope named after the rollout, the result post-processed into spans,
 * then the attempt set to `succeeded` or `failed` (a failure's message and stack go into the
 * attempt's metadata as `exception`). Resources named by the rollout but missing from the store: an
 * error is logged and the attempt is left as it is (upstream quirk A5; the store's watchdog or
 * claim lease ends it), or, with `raiseOnException`, an error is thrown. A rollout without a
 * resources id while the store has none at all runs with no resources (upstream gives up there too). Errors of the agent, the post-processing, the hooks and
 * the final update are logged; only with `raiseOnException` is the agent's error re-thrown (after
 * the attempt was marked failed).
 */
export async function runRollout(
  rollout: AttemptedRollout,
  context: RolloutRunContext,
  raiseOnException = false,
): Promise<string> {
  const { agent, runner, store, tracer, hooks, logger, logPrefix } = context;
  const rolloutId = rollout.rollout_id;
  const attemptId = rollout.attempt.attempt_id;
  const prefix = `${logPrefix} [Rollout ${rolloutId}]`;
  const started = performance.now();

  // No resources id and nothing published yet: the agent runs with no resources (upstream gives up
  // as below; an agent that needs a resource fails with an error naming it instead).
  const update = await context.resources.get(rollout.resources_id);
  if (update === null && rollout.resources_id !== null) {
    const what = `resources ${rollout.resources_id} not found`;
    if (raiseOnException) {
      throw new AglError("not_found", `${prefix} Cannot run the rollout: ${what} in the store.`);
    }
    logger.error(`${prefix} Cannot run the rollout: ${what} in the store. The attempt is left as it is.`);
    return rolloutId;
  }
  const resources: NamedResources = update?.resources ?? {};

  let spans: Span[] = [];
  let failure: { error: unknown } | null = null;
  try {
    await triggerHooks(hooks, "onRolloutStart", { agent, runner, rollout }, logger);
    // An OtelTracer writes every span its scope records in one batch when the scope closes, so a
    // returned reward is emitted inside the scope and joins that batch (upstream writes it with
    // its own store calls after the scope closed; the stored span is the same).
    const rewardInScope = isOtelTracer(tracer);
    const result = await tracer.trace({ name: rolloutId, rolloutId, attemptId }, async () => {
      await triggerHooks(hooks, "onTraceStart", { agent, runner, tracer, rollout }, logger);
      let raw: unknown =
        rollout.mode === "train"
          ? await agent.trainingRollout(rollout.input, resources, rollout)
          : await agent.validationRollout(rollout.input, resources, rollout);
      if (rewardInScope && (typeof raw === "number" || typeof raw === "boolean")) {
        emitReward(rewardOf(raw, logger));
        raw = REWARD_EMITTED;
      }
      await triggerHooks(hooks, "onTraceEnd", { agent, runner, tracer, rollout }, logger);
      return raw;
    });
    spans =
      result === REWARD_EMITTED
        ? tracer.getLastTrace()
        : await postProcessRolloutResult(rollout, result, {
            store,
            tracer,
            logger,
            lastTrace: () => tracer.getLastTrace(),
          });
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    logger.debug(
      `${prefix} Completed in ${seconds}s. Collected ${spans.length} span(s). Final reward: ${findFinalReward(spans)}`,
    );
  } catch (error) {
    failure = { error };
    logger.error(`${prefix} Exception during rollout.`, error);
  } finally {
    await triggerHooks(
      hooks,
      "onRolloutEnd",
      { agent, runner, rollout, spans: failure ? [] : spans },
      logger,
    );
    try {
      await store.updateAttempt(
        rolloutId,
        attemptId,
        failure === null
          ? { status: "succeeded" }
          : {
              status: "failed",
              metadata: { ...(rollout.attempt.metadata ?? {}), ...exceptionMetadata(failure.error) },
            },
      );
    } catch (error) {
      logger.error(`${prefix} Could not set the attempt's final status.`, error);
    }
  }
  if (failure !== null && raiseOnException) throw failure.error;
  return rolloutId;
}
