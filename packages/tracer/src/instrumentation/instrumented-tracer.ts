import { type Tracer as OtelApiTracer, SpanStatusCode } from "@opentelemetry/api";
import { getActiveTracer } from "../context/active-tracer.js";
import { LightningResourceAttributes } from "../semconv.js";
import type { SpanTransform } from "../tracer/lightning-span-processor.js";
import { OtelTracer, type OtelTracerOptions } from "../tracer/otel-tracer.js";
import type { ResolvedTraceOptions } from "../tracer/tracer.js";
import { mapAiSdkSpan } from "./ai-sdk-span-mapping.js";
import { acquireOpenAIPatch, loadOpenAISdk, type OpenAIModuleLike } from "./openai-global-patch.js";
import type { CallSettings } from "./openai-instrumentation.js";

/** Options of {@link InstrumentedTracer}: those of `OtelTracer`, plus the instrumentations. */
export interface InstrumentedTracerOptions extends OtelTracerOptions {
  /**
   * Record every `openai` SDK chat completion made inside a trace scope (global patching of the
   * SDK's `Completions.prototype.create`, done at `init()` or the first `trace()`, undone at
   * `teardown()`). `false` turns it off (per-client `instrumentOpenAI` still works).
   * `sdk`: the SDK to patch (`import OpenAI from "openai"`), when the one this package would
   * `import("openai")` is another copy (a CommonJS `require`, a bundled copy).
   * `requestTokenIds`: ask the server for vLLM token ids (`return_token_ids: true`).
   * Default: `{ requestTokenIds: false }`.
   */
  openai?: false | { sdk?: OpenAIModuleLike; requestTokenIds?: boolean };
  /** Map the Vercel AI SDK's telemetry spans onto the LLM-call shape (`mapAiSdkSpan`). Default `true`. */
  aiSdk?: boolean;
  /** Wrap each trace in a root span whose status is OK, or ERROR when the body throws. Default `true`. */
  rootSpan?: boolean;
}

/** How the patched `openai` SDK asks the active tracer how to record a call. */
const OPENAI_CALL_SETTINGS = Symbol.for("agentlightning.instrumentation.openai.callSettings");

interface AnswersOpenAICalls {
  [OPENAI_CALL_SETTINGS](): CallSettings | undefined;
}

/** The settings of the active tracer when it is an InstrumentedTracer with OpenAI instrumentation on. */
function activeTracerCallSettings(): CallSettings | undefined {
  const tracer = getActiveTracer() as Partial<AnswersOpenAICalls> | null;
  const answer = tracer?.[OPENAI_CALL_SETTINGS];
  return typeof answer === "function" ? answer.call(tracer) : undefined;
}

/**
 * `OtelTracer` plus the instrumentations Agent Lightning trains from (the TypeScript counterpart of
 * the Python default `AgentOpsTracer`, runtime contract §3.5, §10.2):
 *
 * * every chat completion of the official `openai` SDK made inside a trace scope becomes an
 *   `openai.chat.completion` span with `tool_call.<name>` children (streaming included);
 * * the Vercel AI SDK's telemetry spans (`experimental_telemetry: aiSdkTelemetry()`) are mapped
 *   onto the same shape;
 * * each trace is wrapped in a root span (named after `name`, else the rollout id) whose status is
 *   OK, or ERROR with the error recorded when the body throws (the error is re-thrown).
 *
 * Spans of concurrent rollouts stay apart: the rollout of each span comes from the async call
 * chain that started it, so one client can serve any number of rollouts at once.
 *
 * @example
 * ```ts
 * const tracer = new InstrumentedTracer({ openai: { requestTokenIds: true } });
 * await tracer.trace({ rolloutId, attemptId, store }, async () => {
 *   await new OpenAI({ baseURL }).chat.completions.create({ model, messages });
 *   emitReward(1);
 * });
 * ```
 */
export class InstrumentedTracer extends OtelTracer implements AnswersOpenAICalls {
  private readonly instrumentation: InstrumentedTracerOptions;
  private releaseOpenAI: (() => void) | undefined;
  private patching: Promise<void> | undefined;

  constructor(options: InstrumentedTracerOptions = {}) {
    const transforms: SpanTransform[] = [...(options.spanTransforms ?? [])];
    if (options.aiSdk !== false) transforms.unshift(mapAiSdkSpan);
    super({ ...options, spanTransforms: transforms });
    this.instrumentation = { ...options };
  }

  /** Patches the `openai` SDK (when installed and not turned off). */
  override async init(): Promise<void> {
    await super.init();
    await this.instrument();
  }

  /** Undoes the patching of {@link init} (other InstrumentedTracers keep theirs). */
  override async teardown(): Promise<void> {
    try {
      await super.teardown();
    } finally {
      this.releaseOpenAI?.();
      this.releaseOpenAI = undefined;
      this.patching = undefined;
    }
  }

  /** @internal How the patched SDK records a call made while this tracer is active. */
  [OPENAI_CALL_SETTINGS](): CallSettings | undefined {
    if (this.instrumentation.openai === false) return undefined;
    return { tracer: this.getOtelTracer(), requestTokenIds: this.instrumentation.openai?.requestTokenIds };
  }

  /** Applies the global instrumentation once (also when `trace()` is used without `init()`). */
  instrument(): Promise<void> {
    this.patching ??= (async () => {
      const openai = this.instrumentation.openai;
      if (openai === false) return;
      const sdk = openai?.sdk ?? (await loadOpenAISdk());
      if (sdk === undefined) {
        this.logger.debug("openai is not installed; InstrumentedTracer records no openai SDK calls");
        return;
      }
      this.releaseOpenAI = acquireOpenAIPatch(sdk, activeTracerCallSettings);
      if (this.releaseOpenAI === undefined) {
        this.logger.warn(
          "InstrumentedTracer: options.openai.sdk is not the openai SDK; openai calls are not recorded",
        );
      }
    })();
    return this.patching;
  }

  protected override async runTrace<T>(
    options: ResolvedTraceOptions,
    fn: (tracer: OtelApiTracer) => Promise<T> | T,
  ): Promise<T> {
    await this.instrument();
    if (this.instrumentation.rootSpan === false) return super.runTrace(options, fn);
    const rootName = options.name ?? options.rolloutId ?? "agentlightning.trace";
    const attributes =
      options.rolloutId === undefined
        ? {}
        : {
            [LightningResourceAttributes.ROLLOUT_ID]: options.rolloutId,
            [LightningResourceAttributes.ATTEMPT_ID]: options.attemptId,
          };
    return super.runTrace(options, (otelTracer) =>
      otelTracer.startActiveSpan(rootName, { attributes }, async (root) => {
        try {
          const result = await fn(otelTracer);
          root.setStatus({ code: SpanStatusCode.OK });
          return result;
        } catch (error) {
          root.recordException(error instanceof Error ? error : String(error));
          root.setStatus({
            code: SpanStatusCode.ERROR,
            message: error instanceof Error ? error.message : String(error),
          });
          throw error;
        } finally {
          root.end();
        }
      }),
    );
  }
}
