import {
  type AttemptedRollout,
  type LLM,
  type Logger,
  type NamedResources,
  type ProxyLLM,
  type Rollout,
  silentLogger,
} from "@agentlightning/types";
import {
  type FormattablePromptTemplate,
  findLlmResource,
  findPromptTemplateResource,
} from "./resource-lookup.js";

/**
 * What a functional agent receives beside its task: `fn(task, ctx)`. `llm` and `promptTemplate`
 * are looked up when first read, so an agent that never reads one never needs it; reading one
 * that the rollout's resources lack throws an error naming the resources there are.
 */
export interface AgentContext {
  /**
   * The first LLM resource (`llm` or `proxy_llm`, insertion order). A `proxy_llm` is given as a
   * plain `llm` pointing at this rollout's attempt route of the proxy, unless the agent was made
   * with `stripProxy: false`.
   */
  readonly llm: LLM | ProxyLLM;
  /** The first `prompt_template` resource, with a `format(values)` method. */
  readonly promptTemplate: FormattablePromptTemplate;
  /** The rollout being run (with its attempt when run by a runner). */
  readonly rollout: Rollout | AttemptedRollout;
  /** Every resource of the rollout, by name. */
  readonly resources: NamedResources;
}

/** Settings of {@link createAgentContext}. */
export interface AgentContextOptions {
  /** Replace a `proxy_llm` by the plain `llm` of this rollout's attempt route. Default true. */
  stripProxy?: boolean;
  /** Where lookup warnings go (a second LLM or template). */
  logger?: Logger;
  /** Named in lookup errors. */
  agentName?: string;
}

/**
 * The context of one rollout, with lazy, memoised `llm` and `promptTemplate` getters.
 *
 * @example
 * ```ts
 * const ctx = createAgentContext(resources, rollout);
 * const answer = await callModel(ctx.llm.endpoint, ctx.promptTemplate.format({ q: "2+2?" }));
 * ```
 */
export function createAgentContext(
  resources: NamedResources,
  rollout: Rollout | AttemptedRollout,
  options: AgentContextOptions = {},
): AgentContext {
  const stripProxy = options.stripProxy ?? true;
  const logger = options.logger ?? silentLogger;
  let llm: LLM | ProxyLLM | undefined;
  let promptTemplate: FormattablePromptTemplate | undefined;
  return {
    get llm() {
      llm ??= findLlmResource(resources, rollout, { stripProxy, logger, agentName: options.agentName });
      return llm;
    },
    get promptTemplate() {
      promptTemplate ??= findPromptTemplateResource(resources, rollout, {
        logger,
        agentName: options.agentName,
      });
      return promptTemplate;
    },
    rollout,
    resources,
  };
}
