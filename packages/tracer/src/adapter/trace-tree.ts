/**
 * The span tree of one trace, and the walk that turns it into triplets (runtime contract §5.2).
 */
import { AglError, type Logger, randomHex, type Span, silentLogger } from "@agentlightning/types";
import { AGL_OPERATION, AGL_REWARD, AGL_VIRTUAL, LightningSpanAttributes } from "../semconv.js";
import type { DropReason } from "./diagnostics.js";
import { proxyPromptTokenIds, proxyResponseTokenIds } from "./proxy-token-ids.js";
import { repairHierarchy } from "./repair-hierarchy.js";
import { firstString, RESPONSE_ID_KEYS, type ReadContext, readReward } from "./span-reading.js";
import { spanToTriplet, type TracerTriplet } from "./span-to-triplet.js";

/** `[label, children]`: a span name (with ` [agent]` when the span names an agent) and its subtree. */
export type NamesTuple = [string, NamesTuple[]];

/** JSON form of a tree: `{id, span, children}`. */
export interface TraceTreeJson {
  id: string;
  span: Span;
  children: TraceTreeJson[];
}

/** How rewards are given to LLM calls. */
export type RewardMatchPolicy = "first_occurrence" | "first_sibling";

/** Called for every span the LLM-call walk passes over although its name matched. */
export type LlmCallDropListener = (node: TraceTree, reason: DropReason, detail: string) => void;

/** Options of {@link TraceTree.findLlmCalls}. */
export interface FindLlmCallsOptions {
  /** Span names that are LLM calls (regex search). */
  llmCallMatch: string | RegExp;
  /** Keep only calls under an agent whose name matches (regex search); `null` keeps all. */
  agentMatch: string | RegExp | null;
  /** Agent label of the current subtree; `null` excludes it until a matching agent appears. */
  withinMatchingSubtree: string | null;
  /** `true` inside a reward subtree (excluded); `null` disables the rule. */
  withinReward: boolean | null;
  /** `true` inside an accepted call (then a matching span without response id is a copy); `null` disables dedup of nested calls. */
  withinLlmCall: boolean | null;
  /** Response ids taken so far; shared across the walk, so dedup is global in DFS order. */
  existingResponseIds: Set<string>;
  /** Receives the spans the walk passes over. */
  onDrop?: LlmCallDropListener;
}

/** Options of {@link TraceTree.toTrajectory}. */
export interface TrajectoryOptions {
  llmCallMatch?: string | RegExp;
  agentMatch?: string | RegExp | null;
  excludeLlmCallInReward?: boolean;
  dedupLlmCall?: boolean;
  rewardMatch?: RewardMatchPolicy;
  /** Overwrites the last triplet's reward when given. */
  finalReward?: number | null;
  /** Drop calls whose prompt or response token ids are empty (they take no reward either). */
  skipEmptyTokenSpans?: boolean;
  logger?: Logger;
  onDrop?: LlmCallDropListener;
  /** Trace-level notes (malformed rewards...). */
  notes?: Set<string>;
}

/** The default LLM-call span name rule: the spans the OpenAI instrumentation writes. */
export const DEFAULT_LLM_CALL_MATCH = "openai\\.chat\\.completion";

/**
 * How far a call's end may pass a reward's start and still count as "before" it. OpenTelemetry JS
 * takes span start times from `Date.now()` (whole milliseconds) and end times from the
 * high-resolution clock, so a reward emitted within a millisecond of a call's end can appear to
 * start before that call ended. Without this, the last call of a fast agent loses its reward.
 */
export const CLOCK_RESOLUTION_SECONDS = 0.001;

/** The id of the synthetic root that joins several roots. */
export const VIRTUAL_ROOT_ID = "virtual-root";

function toRegExp(pattern: string | RegExp): RegExp {
  // A global or sticky regex keeps state between test() calls; a search needs none.
  return typeof pattern === "string"
    ? new RegExp(pattern)
    : new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ""));
}

/** A span made up by the tree (virtual parents and roots), shaped as `Span.from_attributes` does. */
function syntheticSpan(fields: {
  name: string;
  span_id: string;
  template: Span;
  start_time: number | null;
  end_time: number | null;
}): Span {
  const { template } = fields;
  return {
    rollout_id: template.rollout_id,
    attempt_id: template.attempt_id,
    sequence_id: template.sequence_id,
    trace_id: template.trace_id,
    span_id: fields.span_id,
    parent_id: null,
    name: fields.name,
    status: { status_code: "OK", description: null },
    attributes: {},
    events: [],
    links: [],
    start_time: fields.start_time,
    end_time: fields.end_time,
    context: { trace_id: template.trace_id, span_id: fields.span_id, is_remote: false, trace_state: {} },
    parent: null,
    resource: { attributes: {}, schema_url: "" },
  };
}

function minOf(values: (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length === 0 ? null : Math.min(...present);
}
function maxOf(values: (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length === 0 ? null : Math.max(...present);
}

/** Options of {@link TraceTree.fromSpans}. */
export interface FromSpansOptions {
  /** Receives the warning about parent cycles. */
  logger?: Logger;
  notes?: Set<string>;
}

/**
 * One node of a span tree: a span and its children. Build it with {@link TraceTree.fromSpans}.
 *
 * @example
 * ```ts
 * const tree = TraceTree.fromSpans(spans);
 * tree.repairHierarchy();
 * const triplets = tree.toTrajectory({ agentMatch: "planner" });
 * ```
 */
export class TraceTree {
  constructor(
    /** The span id, or `"virtual-root"` for the synthetic root. */
    readonly id: string,
    readonly span: Span,
    public children: TraceTree[] = [],
  ) {}

  /** The span's start time (seconds). */
  get startTime(): number | null {
    return this.span.start_time;
  }

  /** The span's end time (seconds). */
  get endTime(): number | null {
    return this.span.end_time;
  }

  /**
   * Builds the tree of a trace. A later span with the same id replaces an earlier one. A parent id
   * with no span becomes a virtual node (`agentlightning.virtual`, ids copied from its first child,
   * spanning its children); several roots hang under a synthetic `virtual-root` (start of the first
   * root, end of the last: Quirk A7). Spans caught in a parent cycle are cut loose at the first of
   * them, with a warning, instead of looping forever.
   *
   * @throws AglError `invalid_argument` for an empty list.
   */
  static fromSpans(spans: readonly Span[], options: FromSpansOptions = {}): TraceTree {
    if (spans.length === 0)
      throw new AglError("invalid_argument", "TraceTree.fromSpans needs at least one span");
    const byId = new Map<string, Span>();
    for (const span of spans) byId.set(span.span_id, span);

    const order: string[] = [];
    const seen = new Set<string>();
    for (const span of spans) {
      if (!seen.has(span.span_id)) {
        seen.add(span.span_id);
        order.push(span.span_id);
      }
    }
    const childrenOf = new Map<string, string[]>();
    const rootIds: string[] = [];
    const lostParents: string[] = [];
    for (const id of order) {
      const span = byId.get(id)!;
      const parent = span.parent_id;
      if (parent === null || parent === undefined) {
        rootIds.push(id);
        continue;
      }
      const list = childrenOf.get(parent);
      if (list) list.push(id);
      else childrenOf.set(parent, [id]);
      if (!byId.has(parent) && !lostParents.includes(parent)) lostParents.push(parent);
    }

    const built = new Set<string>();
    const build = (id: string): TraceTree => {
      built.add(id);
      const childIds = (childrenOf.get(id) ?? []).filter((child) => !built.has(child));
      const children = childIds.map(build);
      const span = byId.get(id);
      if (span) return new TraceTree(id, span, children);
      const first = byId.get(childIds[0]!)!;
      return new TraceTree(
        id,
        syntheticSpan({
          name: AGL_VIRTUAL,
          span_id: id,
          template: first,
          start_time: minOf(children.map((c) => c.startTime)),
          end_time: maxOf(children.map((c) => c.endTime)),
        }),
        children,
      );
    };

    const roots = [...rootIds, ...lostParents].map(build);
    for (const id of order) {
      if (built.has(id)) continue;
      // Only spans on a parent cycle are left: make the first one a root to keep its calls.
      const note = `span ${id} "${byId.get(id)!.name}" is on a parent cycle; it was made a root`;
      (options.logger ?? silentLogger).warn(note);
      options.notes?.add(note);
      roots.push(build(id));
    }

    if (roots.length === 1) return roots[0]!;
    const first = roots[0]!;
    const last = roots[roots.length - 1]!;
    return new TraceTree(
      VIRTUAL_ROOT_ID,
      syntheticSpan({
        name: VIRTUAL_ROOT_ID,
        span_id: randomHex(8),
        template: first.span,
        start_time: first.startTime,
        end_time: last.endTime,
      }),
      roots,
    );
  }

  /**
   * The agent this span stands for, from the attributes agent frameworks write (OpenAI Agents SDK
   * `agent.name`, AgentOps agent spans, AutoGen, LangGraph, agent-framework, Weave), or `null`.
   */
  agentName(): string | null {
    const attrs = this.span.attributes;
    const text = (value: unknown): string | null =>
      value === undefined || value === null || value === "" ? null : String(value);
    const direct = text(attrs["agent.name"]);
    if (direct !== null) return direct;
    if (attrs["agentops.span.kind"] === "agent") {
      const name = text(attrs["operation.name"]);
      if (name !== null) return name;
    }
    for (const key of ["recipient_agent_type", "langchain.chain.type", "executor.id"]) {
      const value = text(attrs[key]);
      if (value !== null) return value;
    }
    if (attrs.type === "agent") {
      const name = text(attrs[`${LightningSpanAttributes.OPERATION_INPUT}.name`]);
      if (name !== null) return name;
    }
    if (this.span.name.startsWith("langchain.Chain.")) return text(attrs.lc_name);
    return null;
  }

  /** `[name [agent], children]`, recursively: a compact picture of the tree for tests and logs. */
  namesTuple(): NamesTuple {
    const agent = this.agentName();
    return [this.span.name + (agent !== null ? ` [${agent}]` : ""), this.children.map((c) => c.namesTuple())];
  }

  /** Every node, depth-first pre-order (this node first). */
  traverse(): TraceTree[] {
    const out: TraceTree[] = [];
    const stack: TraceTree[] = [this];
    while (stack.length > 0) {
      const node = stack.pop()!;
      out.push(node);
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
    }
    return out;
  }

  /** The node with this id, or `null`. */
  findId(id: string): TraceTree | null {
    return this.traverse().find((node) => node.id === id) ?? null;
  }

  /** `{id, span, children}`, recursively. */
  toJson(): TraceTreeJson {
    return { id: this.id, span: this.span, children: this.children.map((c) => c.toJson()) };
  }

  /** `{type: "reward", value}` when the span carries a reward, else `{}`. */
  maybeRewardDict(context: ReadContext = {}): { type: "reward"; value: number } | Record<string, never> {
    const value = readReward(this.span, context);
    return value === null ? {} : { type: "reward", value };
  }

  /**
   * True when the span carries a reward, or is an `agentlightning.operation` named
   * `agentlightning.reward` (a reward computation, whose LLM calls are not training data).
   */
  isRewardSpan(context: ReadContext = {}): boolean {
    if (readReward(this.span, context) !== null) return true;
    return (
      this.span.name === AGL_OPERATION &&
      this.span.attributes[LightningSpanAttributes.OPERATION_NAME] === AGL_REWARD
    );
  }

  /**
   * Moves spans that an instrumentation hung directly under the root into the span that envelopes
   * them most tightly in time (smallest positive slack), so that LLM calls end up under the agent
   * that made them. A chain of single children is followed first (a session wrapper). Only
   * root-level children move (Quirk A8), and never into their own subtree. Ties of equal slack go
   * to the node first in depth-first order; the cost grows with spans × nesting depth, not spans².
   */
  repairHierarchy(): void {
    repairHierarchy(this);
  }

  /**
   * The LLM calls of the tree, depth-first, each with the agent label it was found under
   * (`"*"` without an agent). See {@link FindLlmCallsOptions} for the rules.
   */
  findLlmCalls(options: FindLlmCallsOptions, context: ReadContext = {}): [TraceTree, string][] {
    const llm = toRegExp(options.llmCallMatch);
    const agentRe = options.agentMatch === null ? null : toRegExp(options.agentMatch);
    const out: [TraceTree, string][] = [];
    const owners = new Map<string, string>();
    const walk = (
      node: TraceTree,
      matching: string | null,
      excludedBy: string | null,
      inReward: boolean | null,
      inCall: boolean | null,
      callId: string | null,
    ): void => {
      let childInCall = inCall;
      let childCallId = callId;
      if (llm.test(node.span.name)) {
        const drop = (reason: DropReason, detail: string) => options.onDrop?.(node, reason, detail);
        if (matching === null) {
          drop(
            "agent_filter",
            excludedBy !== null
              ? `under agent "${excludedBy}", which does not match agentMatch ${String(agentRe)}`
              : `no agent span above it matches agentMatch ${String(agentRe)} (a call hung under the root is only found after repairHierarchy)`,
          );
        } else if (inReward === true) {
          drop(
            "inside_reward",
            "inside an agentlightning.reward operation; set excludeLlmCallInReward: false to keep it",
          );
        } else {
          const responseId = firstString(node.span.attributes, RESPONSE_ID_KEYS);
          if (responseId === null && inCall === true) {
            drop(
              "nested_llm_call",
              `matches ${String(llm)} without a response id inside accepted call ${callId}`,
            );
          } else if (responseId !== null && options.existingResponseIds.has(responseId)) {
            drop(
              "duplicate_response_id",
              `response id "${responseId}" was taken by span ${owners.get(responseId) ?? "?"}`,
            );
          } else {
            out.push([node, matching]);
            if (responseId !== null) {
              options.existingResponseIds.add(responseId);
              owners.set(responseId, node.id);
            }
            if (inCall !== null) {
              childInCall = true;
              childCallId = node.id;
            }
          }
        }
      }
      let childMatching = matching;
      let childExcludedBy = excludedBy;
      const agent = node.agentName();
      if (agent !== null) {
        if (agentRe === null || agentRe.test(agent)) {
          childMatching = agent;
          childExcludedBy = null;
        } else {
          childMatching = null;
          childExcludedBy = agent;
        }
      }
      const childInReward = inReward !== null && node.isRewardSpan(context) ? true : inReward;
      for (const child of node.children)
        walk(child, childMatching, childExcludedBy, childInReward, childInCall, childCallId);
    };
    walk(this, options.withinMatchingSubtree, null, options.withinReward, options.withinLlmCall, null);
    return out;
  }

  /**
   * Gives each reward span's value to an LLM call: the most recent call (in time order, or among
   * earlier siblings for `first_sibling`) that ended before the reward started and has no reward
   * yet. Returns call node id → reward (`null` when none was matched).
   */
  matchRewards(
    policy: RewardMatchPolicy,
    llmCalls: readonly TraceTree[],
    context: ReadContext = {},
  ): Map<string, number | null> {
    const rewards = new Map<string, number | null>(llmCalls.map((call) => [call.id, null]));
    const isCall = new Set(llmCalls.map((call) => call.id));
    const give = (candidates: TraceTree[], rewardNode: TraceTree, value: number): void => {
      const start = rewardNode.startTime;
      for (let i = candidates.length - 1; i >= 0; i--) {
        const call = candidates[i]!;
        const end = call.endTime;
        if (end === null || start === null || end > start + CLOCK_RESOLUTION_SECONDS) continue;
        if (rewards.get(call.id) !== null) continue;
        rewards.set(call.id, value);
        return;
      }
    };
    if (policy === "first_occurrence") {
      const key = (node: TraceTree) => node.startTime ?? Number.POSITIVE_INFINITY;
      const nodes = this.traverse().sort((a, b) => key(a) - key(b));
      const pushed: TraceTree[] = [];
      for (const node of nodes) {
        if (isCall.has(node.id)) pushed.push(node);
        const value = readReward(node.span, context);
        if (value !== null) give(pushed, node, value);
      }
    } else if (policy === "first_sibling") {
      for (const node of this.traverse()) {
        const seen: TraceTree[] = [];
        for (const child of node.children) {
          if (isCall.has(child.id)) seen.push(child);
          const value = readReward(child.span, context);
          if (value !== null) give(seen, child, value);
        }
      }
    } else {
      throw new AglError(
        "invalid_argument",
        `rewardMatch must be "first_occurrence" or "first_sibling", got "${String(policy)}"`,
      );
    }
    return rewards;
  }

  /**
   * The triplet of this node's LLM call, reward `null` (runtime contract §5.2 table). When the span
   * has no token ids of its own, the raw provider response recorded on it or below it (the LLM
   * proxy's `raw_gen_ai_request`, `llm.<provider>.*`) supplies them: an addition to the Python
   * adapter, so that `llmCallMatch: "litellm_request"` reads proxy traces with token ids.
   */
  spanToTriplet(agentName: string, context: ReadContext = {}): TracerTriplet {
    const triplet = spanToTriplet(this.span, agentName, context);
    if (triplet.prompt.token_ids.length > 0 && triplet.response.token_ids.length > 0) return triplet;
    for (const node of this.traverse()) {
      const prompt = proxyPromptTokenIds(node.span.attributes);
      const response = proxyResponseTokenIds(node.span.attributes);
      if (prompt === null || response === null || prompt.length === 0 || response.length === 0) continue;
      if (triplet.prompt.token_ids.length === 0) triplet.prompt.token_ids = prompt;
      if (triplet.response.token_ids.length === 0) triplet.response.token_ids = response;
      break;
    }
    return triplet;
  }

  /**
   * The triplets of the tree's LLM calls in depth-first order, with rewards matched per
   * `rewardMatch`. Defaults: `llmCallMatch` {@link DEFAULT_LLM_CALL_MATCH}, no agent filter, calls
   * inside reward operations excluded, dedup on, `first_occurrence`.
   */
  toTrajectory(options: TrajectoryOptions = {}): TracerTriplet[] {
    return this.toTrajectoryNodes(options).map(([, triplet]) => triplet);
  }

  /** {@link toTrajectory}, each triplet with the node it came from (for diagnostics). */
  toTrajectoryNodes(options: TrajectoryOptions = {}): [TraceTree, TracerTriplet][] {
    const context: ReadContext = { logger: options.logger, notes: options.notes };
    const agentMatch = options.agentMatch ?? null;
    const calls = this.findLlmCalls(
      {
        llmCallMatch: options.llmCallMatch ?? DEFAULT_LLM_CALL_MATCH,
        agentMatch,
        withinMatchingSubtree: agentMatch !== null ? null : "*",
        withinReward: (options.excludeLlmCallInReward ?? true) ? false : null,
        withinLlmCall: (options.dedupLlmCall ?? true) ? false : null,
        existingResponseIds: new Set(),
        onDrop: options.onDrop,
      },
      context,
    );
    const kept: [TraceTree, TracerTriplet][] = [];
    for (const [node, agent] of calls) {
      const triplet = node.spanToTriplet(agent, context);
      if (options.skipEmptyTokenSpans === true) {
        const missing = [
          triplet.prompt.token_ids.length === 0 ? "prompt" : null,
          triplet.response.token_ids.length === 0 ? "response" : null,
        ].filter((x) => x !== null);
        if (missing.length > 0) {
          const detail = `no ${missing.join(" or ")} token ids (prompt_token_ids / response_token_ids); ask the server for them (vLLM: return_token_ids) or turn skipEmptyTokenSpans off`;
          (options.logger ?? silentLogger).warn(
            `skipping LLM call span ${node.id} "${node.span.name}": ${detail}`,
          );
          options.onDrop?.(node, "no_token_ids", detail);
          continue;
        }
      }
      kept.push([node, triplet]);
    }
    const rewards = this.matchRewards(
      options.rewardMatch ?? "first_occurrence",
      kept.map(([node]) => node),
      context,
    );
    const out = kept.map(([node, triplet]): [TraceTree, TracerTriplet] => [
      node,
      { ...triplet, reward: rewards.get(node.id) ?? null },
    ]);
    const last = out[out.length - 1];
    if (options.finalReward !== undefined && options.finalReward !== null && last !== undefined) {
      last[1].reward = options.finalReward;
    }
    return out;
  }
}
