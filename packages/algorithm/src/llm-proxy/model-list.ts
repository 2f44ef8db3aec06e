import { AglError, formatValidationError } from "@agentlightning/types";
import * as z from "zod";

/**
 * Where one model name is served: the LiteLLM `litellm_params` shape the Python `LLMProxy` takes,
 * so a model list written for upstream works unchanged. Unknown keys are kept and ignored.
 */
export const ModelBackendParamsSchema = z.looseObject({
  /** Backend model id, optionally with a provider prefix (`hosted_vllm/Qwen/Qwen2.5-0.5B`, `openai/gpt-4o`). */
  model: z.string().min(1),
  /** Base URL of the OpenAI-compatible server, usually ending in `/v1`. */
  api_base: z.url({ protocol: /^https?$/ }),
  /** Sent as `Authorization: Bearer <api_key>`; without it the caller's `Authorization` is forwarded. */
  api_key: z.string().nullish(),
  /** Per-backend override of the `return_token_ids` callback (false for servers that reject unknown fields). */
  return_token_ids: z.boolean().optional(),
});
/** Where one model name is served. */
export type ModelBackendParams = z.infer<typeof ModelBackendParamsSchema>;

/** One entry of the model list: a public model name and one backend serving it. */
export const ModelListEntrySchema = z.looseObject({
  model_name: z.string().min(1),
  litellm_params: ModelBackendParamsSchema,
});
/** One entry of the model list. Several entries with one `model_name` are balanced. */
export type ModelListEntry = z.infer<typeof ModelListEntrySchema>;

/** The whole model list. */
export const ModelListSchema = z.array(ModelListEntrySchema);

/** A backend as the proxy uses it: resolved once when the model list is set. */
export interface ModelBackend {
  /** The public model name clients ask for. */
  readonly modelName: string;
  /** The model id sent to the backend (provider prefix removed). */
  readonly backendModel: string;
  /** Provider segment of the raw span keys (`llm.<provider>.*`): the prefix, else `hosted_vllm`. */
  readonly provider: string;
  /** Base URL without a trailing slash. */
  readonly apiBase: string;
  /** `<apiBase>/chat/completions`. */
  readonly chatUrl: URL;
  /** `<apiBase>/completions`. */
  readonly completionsUrl: URL;
  readonly apiKey: string | null;
  /** null: follow the proxy's callbacks. */
  readonly returnTokenIds: boolean | null;
  /** Requests in flight on this backend (least-busy balancing). */
  inFlight: number;
  /** Until when (ms since the epoch) this backend is skipped after a connection failure. */
  downUntil: number;
}

/** Providers whose prefix is stripped from `model` (LiteLLM's names for OpenAI-compatible servers). */
const KNOWN_PROVIDERS = new Set([
  "hosted_vllm",
  "openai",
  "vllm",
  "openai_like",
  "custom_openai",
  "ollama_chat",
]);

/**
 * Validates a model list and resolves its backends. Throws `invalid_argument` naming the entry
 * and field at fault.
 */
export function resolveModelList(list: unknown): { entries: ModelListEntry[]; backends: ModelBackend[] } {
  const parsed = ModelListSchema.safeParse(list);
  if (!parsed.success) {
    throw new AglError(
      "invalid_argument",
      `Invalid model_list: ${formatValidationError(parsed.error, list)}`,
    );
  }
  const backends = parsed.data.map((entry): ModelBackend => {
    const params = entry.litellm_params;
    const apiBase = params.api_base.replace(/\/+$/, "");
    const slash = params.model.indexOf("/");
    const prefix = slash > 0 ? params.model.slice(0, slash) : "";
    const known = KNOWN_PROVIDERS.has(prefix);
    return {
      modelName: entry.model_name,
      backendModel: known ? params.model.slice(slash + 1) : params.model,
      // Upstream's adapters read `llm.hosted_vllm.*`; an unprefixed server is recorded under that
      // name so its token ids reach the triplets (the litellm_request span has them either way).
      provider: known ? prefix : "hosted_vllm",
      apiBase,
      chatUrl: new URL(`${apiBase}/chat/completions`),
      completionsUrl: new URL(`${apiBase}/completions`),
      apiKey: params.api_key ?? null,
      returnTokenIds: params.return_token_ids ?? null,
      inFlight: 0,
      downUntil: 0,
    };
  });
  return { entries: parsed.data, backends };
}

/**
 * The model name `asResource` advertises when none is given: the only one in the list. Throws
 * when the list is empty or names several models.
 */
export function defaultModelName(entries: readonly ModelListEntry[]): string {
  const names = [...new Set(entries.map((entry) => entry.model_name))];
  if (names.length === 0) {
    throw new AglError("invalid_argument", "No models are configured in the LLM proxy's model_list.");
  }
  if (names.length > 1) {
    throw new AglError(
      "invalid_argument",
      `Multiple models configured in model_list (${names.join(", ")}); pass \`model\` to choose one.`,
    );
  }
  return names[0]!;
}
