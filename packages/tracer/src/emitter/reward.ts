import { AglError, type SpanCoreFields } from "@agentlightning/types";
import { LightningSpanAttributes } from "../semconv.js";
import { emitAnnotation } from "./annotation.js";
import { type ExtraAttributesOption, extraAttributes, type PropagateOption } from "./emitter-tracer.js";

/** Options of {@link emitReward}. */
export interface EmitRewardOptions extends PropagateOption, ExtraAttributesOption {
  /** For a multi-dimensional reward: the dimension that is the primary reward (listed first). Required then. */
  primaryKey?: string;
}

function rewardNumber(value: unknown, what: string): number {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  throw new AglError("invalid_argument", `${what} must be a number or a boolean, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "string" ? `the string ${JSON.stringify(value)}` : typeof value;
}

/**
 * Emits a reward in the v0.3 format: an annotation span whose attributes list the dimensions as
 * `agentlightning.reward.<i>.name` / `.value`, the primary one first. A number (or boolean, read as
 * 1/0) is the one dimension `primary`; an object maps dimension names to numbers and needs
 * `primaryKey`. Links and tags ride along in `attributes` (`makeLinkAttributes`, `makeTagAttributes`).
 *
 * @throws AglError `invalid_argument` for a non-number reward, a mapping without (or with an
 *   unknown) `primaryKey`, or a non-number dimension; `not_found` without an active tracer
 *   (unless `propagate: false`).
 *
 * @example
 * ```ts
 * emitReward(1.0);
 * emitReward({ task_completion: 1, efficiency: 0.8 }, { primaryKey: "task_completion" });
 * ```
 */
export function emitReward(
  reward: number | boolean | Record<string, number | boolean>,
  options: EmitRewardOptions = {},
): SpanCoreFields {
  let dimensions: { name: string; value: number }[];
  if (typeof reward === "number" || typeof reward === "boolean") {
    dimensions = [{ name: "primary", value: rewardNumber(reward, "reward") }];
  } else if (reward !== null && typeof reward === "object" && !Array.isArray(reward)) {
    const entries = Object.entries(reward).map(([name, value]) => ({
      name,
      value: rewardNumber(value, `reward dimension "${name}"`),
    }));
    const { primaryKey } = options;
    if (primaryKey === undefined) {
      throw new AglError(
        "invalid_argument",
        "primaryKey is required when the reward is a mapping of dimensions",
      );
    }
    const primary = entries.find((entry) => entry.name === primaryKey);
    if (primary === undefined) {
      throw new AglError(
        "invalid_argument",
        `primaryKey "${primaryKey}" is not a dimension of the reward (${entries.map((e) => e.name).join(", ")})`,
      );
    }
    dimensions = [primary, ...entries.filter((entry) => entry !== primary)];
  } else {
    throw new AglError(
      "invalid_argument",
      `reward must be a number or a mapping of numbers, got ${describe(reward)}`,
    );
  }
  return emitAnnotation(
    { [LightningSpanAttributes.REWARD]: dimensions, ...extraAttributes(options.attributes) },
    { propagate: options.propagate },
  );
}

/**
 * Wraps a function returning a number so that its result is also emitted as a reward
 * (`emitReward(result)`), the deprecated upstream `@reward` decorator (its AgentOps variant is not
 * ported). The wrapper is async; a result that is not a number makes the call fail (`emitReward`
 * rejects it).
 *
 * @deprecated Call {@link emitReward} where the reward is computed.
 */
export function reward<A extends unknown[]>(
  fn: (...args: A) => number | Promise<number>,
  options: PropagateOption = {},
): (...args: A) => Promise<number> {
  return async function (this: unknown, ...args: A): Promise<number> {
    const value = await fn.apply(this, args);
    emitReward(value, options);
    return value;
  };
}
