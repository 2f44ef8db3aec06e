/**
 * Reading rewards back from spans (runtime contract §4.3). Three formats are recognised, first match
 * wins: the v0.3 annotation format (`agentlightning.reward.<i>.name/.value`), the AgentOps
 * `{type: "reward", value}` output, and the v0.2 format (attribute `reward` on a span named
 * `agentlightning.reward`, or `agentlightning.annotation` as v0.3 reads it; Quirk A2: both names).
 */
import { AglError, type Logger, silentLogger } from "@agentlightning/types";
import { AGL_ANNOTATION, AGL_REWARD, LegacySpanAttributes, LightningSpanAttributes } from "../semconv.js";
import { filterAndUnflattenAttributes } from "../utils/attributes.js";

/** What the readers need of a span: a stored `Span`, `SpanCoreFields` or an OTel span all fit. */
export interface RewardSpanLike {
  name?: string | null;
  attributes?: Readonly<Record<string, unknown>> | null;
}

/** One dimension of a reward; the first one of a span is its primary reward. */
export interface RewardDimension {
  name: string;
  value: number;
}

/** Options of the reward readers. */
export interface RewardReadOptions {
  /** Receives the deprecation warnings of the old formats and the errors about bad values. */
  logger?: Logger;
}

const AGENTOPS_OUTPUT_KEYS = ["agentops.task.output", "agentops.entity.output"] as const;

/**
 * The reward dimensions of a span in the v0.3 format, `[]` when it has no `agentlightning.reward*`
 * attribute.
 *
 * @throws AglError `invalid_argument` when the attributes do not form a list of `{name, value}`.
 */
export function getRewardsFromSpan(span: RewardSpanLike): RewardDimension[] {
  const attributes = span.attributes ?? {};
  const prefix = LightningSpanAttributes.REWARD;
  if (!Object.keys(attributes).some((key) => key.startsWith(prefix))) return [];
  const raw = filterAndUnflattenAttributes(attributes, prefix);
  const where = `span "${span.name ?? "?"}"`;
  // Keys like "agentlightning.reward_model" start with the prefix but are not under it: nothing to read.
  if (raw !== null && typeof raw === "object" && !Array.isArray(raw) && Object.keys(raw).length === 0)
    return [];
  if (!Array.isArray(raw)) {
    throw new AglError(
      "invalid_argument",
      `${where}: "${prefix}.*" must be a list indexed 0..n-1 of {name, value}`,
    );
  }
  return raw.map((item, index) => {
    const entry = item as { name?: unknown; value?: unknown } | null;
    if (entry === null || typeof entry !== "object") {
      throw new AglError("invalid_argument", `${where}: "${prefix}.${index}" must be {name, value}`);
    }
    if (typeof entry.name !== "string") {
      throw new AglError("invalid_argument", `${where}: "${prefix}.${index}.name" must be a string`);
    }
    if (typeof entry.value !== "number") {
      throw new AglError("invalid_argument", `${where}: "${prefix}.${index}.value" must be a number`);
    }
    return { name: entry.name, value: entry.value };
  });
}

function parseAgentOpsOutput(value: unknown): Record<string, unknown> | null {
  let parsed = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value);
    } catch {
      return null;
    }
  }
  return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : null;
}

/**
 * The reward a span carries, or `null`. First match wins: the v0.3 primary reward; an AgentOps
 * `agentops.task.output` / `agentops.entity.output` of `{type: "reward", value}` (object or JSON
 * text); the v0.2 `reward` attribute on a span named `agentlightning.reward` or
 * `agentlightning.annotation`.
 *
 * @example
 * ```ts
 * getRewardValue({ name: "agentlightning.annotation", attributes: {
 *   "agentlightning.reward.0.name": "primary", "agentlightning.reward.0.value": 1 } }); // 1
 * ```
 */
export function getRewardValue(span: RewardSpanLike, options: RewardReadOptions = {}): number | null {
  const logger = options.logger ?? silentLogger;
  const dims = getRewardsFromSpan(span);
  if (dims.length > 0) return dims[0]!.value;

  const attributes = span.attributes ?? {};
  for (const key of AGENTOPS_OUTPUT_KEYS) {
    const output = parseAgentOpsOutput(attributes[key]);
    if (output === null || output.type !== "reward") continue;
    logger.warn(`span "${span.name ?? "?"}": reading a reward from "${key}" (AgentOps format) is deprecated`);
    const value = output.value;
    if (value === null || value === undefined) return null;
    if (typeof value !== "number") {
      logger.error(
        `span "${span.name ?? "?"}": reward value in "${key}" is not a number: ${JSON.stringify(value)}`,
      );
      return null;
    }
    return value;
  }

  if (
    (span.name === AGL_ANNOTATION || span.name === AGL_REWARD) &&
    LegacySpanAttributes.REWARD in attributes
  ) {
    const value = attributes[LegacySpanAttributes.REWARD];
    logger.warn(
      `span "${span.name}": the "reward" attribute is the v0.2 format; emitReward writes the v0.3 one`,
    );
    if (typeof value === "number") return value;
    logger.error(`span "${span.name}": "reward" attribute is not a number: ${JSON.stringify(value)}`);
    return null;
  }
  return null;
}

/** True when {@link getRewardValue} finds a reward on the span. */
export function isRewardSpan(span: RewardSpanLike, options: RewardReadOptions = {}): boolean {
  return getRewardValue(span, options) !== null;
}

/** The spans that carry a reward, in input order. */
export function findRewardSpans<S extends RewardSpanLike>(
  spans: readonly S[],
  options: RewardReadOptions = {},
): S[] {
  return spans.filter((span) => isRewardSpan(span, options));
}

/**
 * The last reward in list order (not time order): scans from the end and returns the first
 * non-null reward, `null` when no span carries one.
 */
export function findFinalReward(
  spans: readonly RewardSpanLike[],
  options: RewardReadOptions = {},
): number | null {
  for (let i = spans.length - 1; i >= 0; i--) {
    const value = getRewardValue(spans[i]!, options);
    if (value !== null) return value;
  }
  return null;
}
