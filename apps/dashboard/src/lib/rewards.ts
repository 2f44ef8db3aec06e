import type { Span } from "@agentlightning/types";

/** One dimension of a reward (`agentlightning.reward.<i>.name` / `.value`, docs: runtime §4.2). */
export interface RewardDimension {
  name: string;
  value: number;
}

const REWARD_PREFIX = "agentlightning.reward.";

/**
 * The v0.3 reward dimensions of a span, primary first; `[]` when it has none or they are
 * malformed (a dashboard shows what it can instead of failing).
 */
export function rewardsOfSpan(span: Span): RewardDimension[] {
  const byIndex = new Map<number, { name?: unknown; value?: unknown }>();
  for (const [key, value] of Object.entries(span.attributes)) {
    if (!key.startsWith(REWARD_PREFIX)) continue;
    const [index, field, ...rest] = key.slice(REWARD_PREFIX.length).split(".");
    if (rest.length > 0 || (field !== "name" && field !== "value") || !/^\d+$/.test(index ?? "")) continue;
    const i = Number(index);
    const entry = byIndex.get(i) ?? {};
    entry[field] = value;
    byIndex.set(i, entry);
  }
  const dims: RewardDimension[] = [];
  for (let i = 0; byIndex.has(i); i++) {
    const { name, value } = byIndex.get(i)!;
    if (typeof name !== "string" || typeof value !== "number") return [];
    dims.push({ name, value });
  }
  return dims;
}

function agentopsReward(raw: unknown): number | null | undefined {
  let value = raw;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (value && typeof value === "object" && (value as { type?: unknown }).type === "reward") {
    const v = (value as { value?: unknown }).value;
    return typeof v === "number" ? v : null;
  }
  return undefined;
}

/**
 * The reward a span carries, read the way adapters read it: the v0.3 primary dimension, else an
 * AgentOps `{type: "reward", value}` output, else the v0.2 `reward` attribute on an annotation or
 * `agentlightning.reward` span; null when none.
 */
export function rewardOfSpan(span: Span): number | null {
  const dims = rewardsOfSpan(span);
  if (dims[0] !== undefined) return dims[0].value;
  for (const key of ["agentops.task.output", "agentops.entity.output"]) {
    if (key in span.attributes) {
      const r = agentopsReward(span.attributes[key]);
      if (r !== undefined) return r;
    }
  }
  if (span.name === "agentlightning.annotation" || span.name === "agentlightning.reward") {
    const r = span.attributes.reward;
    if (typeof r === "number") return r;
  }
  return null;
}

/** The last reward among spans in list order (sequence order), or null. */
export function finalReward(spans: readonly Span[]): number | null {
  for (let i = spans.length - 1; i >= 0; i--) {
    const r = rewardOfSpan(spans[i]!);
    if (r !== null) return r;
  }
  return null;
}
