import { AglError, type AttemptedRollout, type NamedResources, type Rollout } from "@agentlightning/types";
import { type AgentContext, createAgentContext } from "./agent-context.js";
import { LitAgent } from "./lit-agent.js";
import type { RolloutRawResult } from "./rollout-result.js";

/** Which resource a functional agent needs: checked before it runs. `null`: none in particular. */
export type FunctionalAgentKind = "llm" | "prompt" | null;

/** A function an agent is made of: the task input and the rollout's context. */
export type AgentFunction<T, R extends RolloutRawResult | Promise<RolloutRawResult>> = (
  task: T,
  ctx: AgentContext,
) => R;

/** Settings of a {@link FunctionalLitAgent}. */
export interface FunctionalAgentOptions {
  /** The resource the agent needs (checked before it runs, so a missing one fails fast). */
  kind?: FunctionalAgentKind;
  /** Give a `proxy_llm` as the plain `llm` of the rollout's attempt route. Default true. */
  stripProxy?: boolean;
  /** A name for logs and errors; default: the function's name. */
  name?: string;
}

/**
 * A {@link LitAgent} made from a function `fn(task, ctx)`. Made by {@link rollout},
 * {@link llmRollout} and {@link promptRollout}, which return it as a callable: calling the agent
 * calls `fn` with the same arguments and returns its result unchanged.
 */
export class FunctionalLitAgent<
  T = unknown,
  R extends RolloutRawResult | Promise<RolloutRawResult> = RolloutRawResult | Promise<RolloutRawResult>,
> extends LitAgent<T> {
  /** The wrapped function. */
  readonly fn: AgentFunction<T, R>;
  /** The resource the agent needs. */
  readonly kind: FunctionalAgentKind;
  /** Whether a `proxy_llm` is given as a plain `llm`. */
  readonly stripProxy: boolean;
  /** The agent's name (the function's, unless given). */
  readonly name: string;

  constructor(fn: AgentFunction<T, R>, options: FunctionalAgentOptions = {}) {
    super();
    if (typeof fn !== "function") {
      throw new TypeError(
        `An agent must be a function (task, ctx) => result, got ${fn === null ? "null" : typeof fn}.`,
      );
    }
    const kind = options.kind ?? null;
    if (kind !== null && kind !== "llm" && kind !== "prompt") {
      throw new AglError(
        "invalid_argument",
        `Agent function ${fn.name || "(anonymous)"} does not match any known agent patterns: kind must be "llm", "prompt" or absent, got ${JSON.stringify(kind)}.`,
      );
    }
    this.fn = fn;
    this.kind = kind;
    this.stripProxy = options.stripProxy ?? true;
    this.name = options.name ?? (fn.name || "agent");
  }

  /** The context `fn` receives for this rollout (its lookups warn through the runner's logger). */
  createContext(resources: NamedResources, rollout: Rollout | AttemptedRollout): AgentContext {
    const logger = this.peekRunner()?.logger;
    return createAgentContext(resources, rollout, {
      stripProxy: this.stripProxy,
      agentName: this.name,
      ...(logger === undefined ? {} : { logger }),
    });
  }

  override rollout(task: T, resources: NamedResources, rollout: Rollout | AttemptedRollout): R {
    const ctx = this.createContext(resources, rollout);
    // Fail before the agent runs (and before it spends model calls) when its resource is missing.
    if (this.kind === "llm") void ctx.llm;
    else if (this.kind === "prompt") void ctx.promptTemplate;
    return this.fn(task, ctx);
  }
}

/** A {@link FunctionalLitAgent} that can also be called like the function it wraps. */
export type FunctionalAgent<T, R extends RolloutRawResult | Promise<RolloutRawResult>> = FunctionalLitAgent<
  T,
  R
> &
  AgentFunction<T, R>;

/**
 * The agent as a callable: a proxy whose target is a function forwarding to `fn` and whose
 * properties, methods and prototype are the agent's, so `agent(task, ctx)` calls `fn` while
 * `agent instanceof LitAgent` holds and the runner uses it as any agent.
 */
function callableAgent<T, R extends RolloutRawResult | Promise<RolloutRawResult>>(
  agent: FunctionalLitAgent<T, R>,
): FunctionalAgent<T, R> {
  const fn = agent.fn;
  const call = (task: T, ctx: AgentContext): R => fn(task, ctx);
  const bound = new Map<PropertyKey, unknown>();
  const proxy = new Proxy(call, {
    get(_target, key) {
      if (key === "name") return agent.name;
      if (key === "length") return fn.length;
      const value: unknown = Reflect.get(agent, key, agent);
      if (typeof value !== "function") return value;
      // Methods run on the agent itself (its private fields are not on the proxy).
      let method = bound.get(key);
      if (method === undefined || (method as { original?: unknown }).original !== value) {
        const wrapper = (...args: unknown[]): unknown =>
          (value as (...a: unknown[]) => unknown).apply(agent, args);
        (wrapper as { original?: unknown }).original = value;
        bound.set(key, wrapper);
        method = wrapper;
      }
      return method;
    },
    set(_target, key, value) {
      return Reflect.set(agent, key, value, agent);
    },
    has(_target, key) {
      return key in agent;
    },
    getPrototypeOf() {
      return Object.getPrototypeOf(agent);
    },
  });
  return proxy as unknown as FunctionalAgent<T, R>;
}

/**
 * Makes an agent from a function `fn(task, ctx)`. `kind` says which resource it needs (`"llm"`
 * or `"prompt"`), checked before it runs; without it the agent reads whatever it wants from
 * `ctx`. The result is the agent, callable like `fn`.
 *
 * @example
 * ```ts
 * const agent = rollout(async (task: { q: string }, ctx) => (ctx.resources.answer ? 1 : 0));
 * ```
 */
export function rollout<T, R extends RolloutRawResult | Promise<RolloutRawResult>>(
  fn: AgentFunction<T, R>,
  options: FunctionalAgentOptions = {},
): FunctionalAgent<T, R> {
  return callableAgent(new FunctionalLitAgent(fn, options));
}

/**
 * Makes an agent that calls an LLM: `fn(task, ctx)` reads `ctx.llm` (the first `llm` or
 * `proxy_llm` resource). With `stripProxy` (default) a `proxy_llm` is given as the plain `llm`
 * whose endpoint is this rollout's attempt route of the LLM proxy. A rollout whose resources have
 * no LLM fails before `fn` runs, with an error naming the resources there are.
 *
 * @example
 * ```ts
 * const agent = llmRollout(async (task: { question: string }, ctx) => {
 *   const client = new OpenAI({ baseURL: ctx.llm.endpoint, apiKey: ctx.llm.api_key ?? "none" });
 *   const reply = await client.chat.completions.create({
 *     model: ctx.llm.model,
 *     messages: [{ role: "user", content: task.question }],
 *   });
 *   return reply.choices[0]?.message.content === "4" ? 1 : 0;
 * });
 * ```
 */
export function llmRollout<T, R extends RolloutRawResult | Promise<RolloutRawResult>>(
  fn: AgentFunction<T, R>,
  options: { stripProxy?: boolean; name?: string } = {},
): FunctionalAgent<T, R> {
  return callableAgent(new FunctionalLitAgent(fn, { ...options, kind: "llm" }));
}

/**
 * Makes an agent driven by a prompt template: `fn(task, ctx)` reads `ctx.promptTemplate` (the
 * first `prompt_template` resource, with `format(values)`). A rollout whose resources have no
 * template fails before `fn` runs.
 *
 * @example
 * ```ts
 * const agent = promptRollout((task: { q: string }, ctx) => (ctx.promptTemplate.format(task).length > 0 ? 1 : 0));
 * ```
 */
export function promptRollout<T, R extends RolloutRawResult | Promise<RolloutRawResult>>(
  fn: AgentFunction<T, R>,
  options: { name?: string } = {},
): FunctionalAgent<T, R> {
  return callableAgent(new FunctionalLitAgent(fn, { ...options, kind: "prompt", stripProxy: true }));
}
