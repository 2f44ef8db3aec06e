import { AglError } from "./errors.js";
import type { LLM, ProxyLLM } from "./resources.js";
import type { AttemptedRollout } from "./rollout.js";

/**
 * The base URL a client should use for this model. For an `llm` it is the endpoint unchanged. For a
 * `proxy_llm` with both ids, `/rollout/{rollout_id}/attempt/{attempt_id}` is inserted before a
 * trailing `/v1` so the proxy can attribute each call to its rollout.
 *
 * @example
 * ```ts
 * getLlmBaseUrl({ resource_type: "proxy_llm", endpoint: "http://h:4000/v1", model: "m", api_key: null,
 *   sampling_parameters: {} }, "ro-1", "at-1"); // "http://h:4000/rollout/ro-1/attempt/at-1/v1"
 * ```
 */
export function getLlmBaseUrl(llm: LLM | ProxyLLM, rolloutId?: unknown, attemptId?: unknown): string {
  if (llm.resource_type === "llm") return llm.endpoint;
  if (rolloutId == null && attemptId == null) return llm.endpoint;
  if (typeof rolloutId !== "string" || typeof attemptId !== "string") {
    throw new AglError("invalid_argument", "rollout_id and attempt_id must be strings or all be empty");
  }
  let base = llm.endpoint.endsWith("/") ? llm.endpoint.slice(0, -1) : llm.endpoint;
  const hadV1 = base.endsWith("/v1");
  if (hadV1) base = base.slice(0, -3);
  return `${base}/rollout/${rolloutId}/attempt/${attemptId}${hadV1 ? "/v1" : ""}`;
}

/**
 * A plain `llm` resource pointing at the proxy route of this rollout's attempt: what an agent
 * should receive instead of the `proxy_llm` itself.
 */
export function proxyLlmForRollout(llm: ProxyLLM, rollout: AttemptedRollout): LLM {
  return {
    resource_type: "llm",
    endpoint: getLlmBaseUrl(llm, rollout.rollout_id, rollout.attempt.attempt_id),
    model: llm.model,
    api_key: llm.api_key,
    sampling_parameters: { ...llm.sampling_parameters },
  };
}
