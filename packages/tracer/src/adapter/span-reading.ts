/**
 * Small readers the adapters share: rewards that never throw, response ids, and the test for
 * "this span looks like an LLM call" that the diagnostics use to notice calls the name rule misses.
 */
import type { Logger, Span } from "@agentlightning/types";
import { getRewardValue } from "../emitter/reward-readers.js";

/** Where the adapters report what they noticed while reading. */
export interface ReadContext {
  logger?: Logger;
  /** Trace-level notes (deduplicated by the caller). */
  notes?: Set<string>;
}

/**
 * `getRewardValue`, except that a malformed reward (e.g. `agentlightning.reward.0.value` not a
 * number) counts as no reward with a warning and a note, instead of failing the whole trace.
 */
export function readReward(
  span: Pick<Span, "name" | "attributes" | "span_id">,
  context: ReadContext = {},
): number | null {
  try {
    return getRewardValue(span, { logger: context.logger });
  } catch (error) {
    const note = `span ${span.span_id} "${span.name}" has malformed reward attributes, read as no reward: ${(error as Error).message}`;
    context.logger?.warn(note);
    context.notes?.add(note);
    return null;
  }
}

/** The first string among the given attribute keys. */
export function firstString(
  attributes: Readonly<Record<string, unknown>>,
  keys: readonly string[],
): string | null {
  for (const key of keys) {
    const value = attributes[key];
    if (typeof value === "string") return value;
  }
  return null;
}

/** Keys the triplet adapter reads a response id from (runtime contract §5.2). */
export const RESPONSE_ID_KEYS = ["gen_ai.response.id", "agentlightning.operation.output.id"] as const;

const PROVIDER_ID_KEY = /^llm\.[^.]+\.id$/;

/** A response id for matching layers of one call: the adapter keys, then any `llm.<provider>.id`. */
export function anyResponseId(attributes: Readonly<Record<string, unknown>>): string | null {
  const known = firstString(attributes, RESPONSE_ID_KEYS);
  if (known !== null) return known;
  for (const [key, value] of Object.entries(attributes)) {
    if (PROVIDER_ID_KEY.test(key) && typeof value === "string") return value;
  }
  return null;
}

const LLM_KEY_PREFIXES = [
  "gen_ai.prompt.",
  "gen_ai.completion.",
  "llm.hosted_vllm.",
  "agentlightning.operation.input.messages.",
  "agentlightning.operation.output.choices.",
  "ai.prompt.messages",
];
const LLM_KEYS = new Set(["prompt_token_ids", "response_token_ids", "gen_ai.prompt", "gen_ai.completion"]);
const PROVIDER_TOKEN_KEY = /^llm\.[^.]+\.(prompt_token_ids|response_token_ids|choices)$/;

/**
 * True when a span carries what an LLM call records (prompt or completion messages, token ids,
 * a raw provider response), whatever its name.
 */
export function looksLikeLlmCall(span: Pick<Span, "attributes">): boolean {
  for (const key of Object.keys(span.attributes)) {
    if (LLM_KEYS.has(key) || PROVIDER_TOKEN_KEY.test(key)) return true;
    if (LLM_KEY_PREFIXES.some((prefix) => key.startsWith(prefix))) return true;
  }
  return false;
}
