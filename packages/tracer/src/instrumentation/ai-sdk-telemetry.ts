import type { AttributeValue } from "@agentlightning/types";
import type { Tracer as OtelApiTracer } from "@opentelemetry/api";
import { activeOtelTracer } from "./active-otel-tracer.js";
import { TOKEN_IDS_METADATA_KEY } from "./ai-sdk-span-mapping.js";
import { tokenIdList } from "./openai-attributes.js";

/**
 * The `experimental_telemetry` settings of the Vercel AI SDK (`ai` 6.x/7.x `TelemetrySettings`),
 * typed here so that this package loads without `ai` installed.
 */
export interface AiSdkTelemetrySettings {
  isEnabled: boolean;
  recordInputs?: boolean;
  recordOutputs?: boolean;
  functionId?: string;
  metadata?: Record<string, AttributeValue>;
  tracer?: OtelApiTracer;
}

/** Options of {@link aiSdkTelemetry}. */
export interface AiSdkTelemetryOptions {
  /** The AI SDK's `functionId` (names the call in its spans). */
  functionId?: string;
  /** Extra attributes the AI SDK puts on its spans (`ai.telemetry.metadata.*`). */
  metadata?: Record<string, AttributeValue>;
}

/**
 * The `experimental_telemetry` value that records an AI SDK call (`generateText`, `streamText`,
 * ...) into the rollout of the enclosing `tracer.trace()` scope: enabled, inputs and outputs
 * recorded (the adapters need both), bound to the active lightning tracer's OpenTelemetry
 * tracer. Outside any scope it returns `{ isEnabled: false }`, so the same agent code runs
 * untraced. The AI SDK's spans become `openai.chat.completion` / `tool_call.<name>` spans through
 * {@link mapAiSdkSpan} (a span transform `InstrumentedTracer` installs).
 *
 * @example
 * ```ts
 * const { text } = await generateText({ model, prompt, experimental_telemetry: aiSdkTelemetry() });
 * ```
 */
export function aiSdkTelemetry(options: AiSdkTelemetryOptions = {}): AiSdkTelemetrySettings {
  const tracer = activeOtelTracer();
  if (tracer === undefined) return { isEnabled: false };
  const settings: AiSdkTelemetrySettings = {
    isEnabled: true,
    recordInputs: true,
    recordOutputs: true,
    tracer,
  };
  if (options.functionId !== undefined) settings.functionId = options.functionId;
  if (options.metadata !== undefined) settings.metadata = options.metadata;
  return settings;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
}

function firstChoice(body: unknown): Record<string, unknown> | undefined {
  const choices = record(body)?.choices;
  return Array.isArray(choices) ? record(choices[0]) : undefined;
}

function tokenIdMetadata(promptIds: number[] | undefined, responseIds: number[] | undefined) {
  if (promptIds === undefined && responseIds === undefined) return undefined;
  const ids: Record<string, number[]> = {};
  if (promptIds !== undefined) ids.prompt_token_ids = promptIds;
  if (responseIds !== undefined) ids.response_token_ids = responseIds;
  return { [TOKEN_IDS_METADATA_KEY]: ids };
}

/** The provider settings {@link aiSdkTokenIdSettings} returns (a subset of `createOpenAICompatible`'s). */
export interface AiSdkTokenIdSettings {
  transformRequestBody: (args: Record<string, unknown>) => Record<string, unknown>;
  metadataExtractor: {
    extractMetadata: (input: {
      parsedBody: unknown;
    }) => Promise<Record<string, Record<string, number[]>> | undefined>;
    createStreamExtractor: () => {
      processChunk(parsedChunk: unknown): void;
      buildMetadata(): Record<string, Record<string, number[]>> | undefined;
    };
  };
}

/**
 * Settings for `createOpenAICompatible` (`@ai-sdk/openai-compatible`) that make a vLLM-style
 * server return token ids (`return_token_ids: true`) and carry them through the AI SDK as provider
 * metadata (`providerMetadata.agentlightning`), where {@link mapAiSdkSpan} finds them and records
 * `prompt_token_ids` / `response_token_ids` on the LLM-call span, as for the `openai` client.
 *
 * @example
 * ```ts
 * const vllm = createOpenAICompatible({ name: "vllm", baseURL, ...aiSdkTokenIdSettings() });
 * ```
 */
export function aiSdkTokenIdSettings(): AiSdkTokenIdSettings {
  return {
    transformRequestBody: (args) => ({ ...args, return_token_ids: true }),
    metadataExtractor: {
      extractMetadata: async ({ parsedBody }) =>
        tokenIdMetadata(
          tokenIdList(record(parsedBody)?.prompt_token_ids),
          tokenIdList(firstChoice(parsedBody)?.token_ids),
        ),
      createStreamExtractor: () => {
        let promptIds: number[] | undefined;
        const responseIds: number[] = [];
        return {
          processChunk(chunk: unknown) {
            promptIds ??= tokenIdList(record(chunk)?.prompt_token_ids);
            const ids = firstChoice(chunk)?.token_ids;
            if (Array.isArray(ids)) responseIds.push(...ids.filter((id) => Number.isInteger(id)));
          },
          buildMetadata: () => tokenIdMetadata(promptIds, responseIds.length > 0 ? responseIds : undefined),
        };
      },
    },
  };
}
