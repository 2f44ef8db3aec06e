import {
  AglError,
  type AttemptedRollout,
  formatPromptTemplate,
  isAttemptedRollout,
  type LLM,
  type Logger,
  type NamedResources,
  type PromptTemplate,
  type ProxyLLM,
  proxyLlmForRollout,
  type Rollout,
} from "@agentlightning/types";

/** A prompt template resource that can render itself (`format` = `formatPromptTemplate`). */
export type FormattablePromptTemplate = PromptTemplate & {
  /** Renders the template with its engine (`f-string`: Python `str.format`; `jinja`; `poml` throws). */
  format(values: Record<string, unknown>): string;
};

function resourceNames(resources: NamedResources): string {
  const names = Object.entries(resources).map(([name, r]) => `${name} (${r.resource_type})`);
  return names.length === 0 ? "none" : names.join(", ");
}

/**
 * The first resource that is an LLM (`llm` or `proxy_llm`), in insertion order. A second one is
 * ignored with a warning naming it. With `stripProxy`, a `proxy_llm` becomes the plain `llm` that
 * points at this rollout's attempt route of the proxy.
 *
 * @throws AglError `not_found` naming the resources there are, when there is no LLM;
 *   `invalid_argument` when a proxy must be stripped for a rollout without an attempt.
 */
export function findLlmResource(
  resources: NamedResources,
  rollout: Rollout | AttemptedRollout,
  options: { stripProxy: boolean; logger: Logger; agentName?: string },
): LLM | ProxyLLM {
  let found: [string, LLM | ProxyLLM] | null = null;
  for (const [name, resource] of Object.entries(resources)) {
    if (resource.resource_type !== "llm" && resource.resource_type !== "proxy_llm") continue;
    if (found === null) found = [name, resource];
    else options.logger.warn(`Multiple LLM resources found: using '${found[0]}', ignoring '${name}'.`);
  }
  if (found === null) {
    throw new AglError(
      "not_found",
      `No LLM resource found in the provided resources (rollout ${rollout.rollout_id} has: ${resourceNames(resources)}). ` +
        `The agent${options.agentName ? ` '${options.agentName}'` : ""} reads ctx.llm: publish an "llm" or "proxy_llm" resource ` +
        "(store.addResources) before enqueueing rollouts.",
    );
  }
  const llm = found[1];
  if (llm.resource_type !== "proxy_llm" || !options.stripProxy) return llm;
  if (!isAttemptedRollout(rollout)) {
    throw new AglError(
      "invalid_argument",
      `Rollout is not an AttemptedRollout: a proxy_llm needs the rollout's attempt id (rollout ${rollout.rollout_id}).`,
    );
  }
  return proxyLlmForRollout(llm, rollout);
}

/**
 * The first `prompt_template` resource, in insertion order, with a `format` method. A second one
 * is ignored with a warning naming it.
 *
 * @throws AglError `not_found` naming the resources there are, when there is no prompt template.
 */
export function findPromptTemplateResource(
  resources: NamedResources,
  rollout: Rollout | AttemptedRollout,
  options: { logger: Logger; agentName?: string },
): FormattablePromptTemplate {
  let found: [string, PromptTemplate] | null = null;
  for (const [name, resource] of Object.entries(resources)) {
    if (resource.resource_type !== "prompt_template") continue;
    if (found === null) found = [name, resource];
    else
      options.logger.warn(
        `Multiple prompt template resources found: using '${found[0]}', ignoring '${name}'.`,
      );
  }
  if (found === null) {
    throw new AglError(
      "not_found",
      `No prompt template resource found in the provided resources (rollout ${rollout.rollout_id} has: ${resourceNames(resources)}). ` +
        `The agent${options.agentName ? ` '${options.agentName}'` : ""} reads ctx.promptTemplate: publish a "prompt_template" resource ` +
        "(store.addResources) before enqueueing rollouts.",
    );
  }
  const template = found[1];
  return { ...template, format: (values) => formatPromptTemplate(template, values) };
}
