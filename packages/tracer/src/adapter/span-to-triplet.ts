/**
 * One LLM-call span → one triplet (runtime contract §5.2, `span_to_triplet`): token ids, the raw
 * prompt and completion, image urls, logprobs, and the request/response metadata, each read from
 * the first attribute family present (OpenLLMetry `gen_ai.*`, then the operation keys a Weave-style
 * producer writes).
 */
import type { Logger, Span } from "@agentlightning/types";
import { unflattenAttributes } from "../utils/attributes.js";
import { asIntList, parseLooseLiteral } from "./python-literal.js";
import { firstString, RESPONSE_ID_KEYS, type ReadContext } from "./span-reading.js";

/** The prompt side of a triplet. */
export type TripletPrompt = {
  /** Prompt token ids (`[]` when the span has none). */
  token_ids: number[];
  /** The prompt messages as recorded (`gen_ai.prompt.*` unflattened), or `null`. */
  raw_content: unknown;
  /** Image urls of `image_url` content parts, in order. */
  image_urls: string[];
};

/** The response side of a triplet. */
export type TripletResponse = {
  /** Response token ids (`[]` when the span has none). */
  token_ids: number[];
  /** The completion choices as recorded (`gen_ai.completion.*` unflattened), or `null`. */
  raw_content: unknown;
  /** The parsed `logprobs.content`, only when the span has it. */
  logprobs?: unknown;
};

/** Metadata of a triplet made from a traced LLM call. */
export type TripletMetadata = {
  response_id: string | null;
  /** The agent label the call was found under (`"*"` without an agent filter or agent ancestor). */
  agent_name: string;
  /** Request parameters (`gen_ai.request.*`) without the messages. */
  request: unknown;
  /** Response fields (`gen_ai.response.*`) without choices and token ids. */
  response: unknown;
  [key: string]: unknown;
};

/** A triplet made by the trace adapters: the wire `Triplet` with typed prompt, response and metadata. */
export type TracerTriplet = {
  prompt: TripletPrompt;
  response: TripletResponse;
  reward: number | null;
  metadata: TripletMetadata;
};

const PROMPT_TOKEN_KEYS = ["prompt_token_ids", "agentlightning.operation.output.prompt_token_ids"];
const RESPONSE_TOKEN_KEYS = [
  "response_token_ids",
  "agentlightning.operation.output.response_token_ids.0",
  "agentlightning.operation.output.choices.0.token_ids",
  "agentlightning.operation.output.choices.0.provider_specific_fields.token_ids",
];

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && Object.keys(value).length === 0;
}

/**
 * `filterAndUnflattenAttributes`, tolerant of a value stored at the prefix itself: newer
 * OpenTelemetry GenAI conventions write `gen_ai.prompt` as one JSON text, which is read when no
 * dotted key is present (the Python adapter would fail on it).
 */
export function unflattenUnder(attributes: Readonly<Record<string, unknown>>, prefix: string): unknown {
  const dotted = `${prefix}.`;
  const under: Record<string, unknown> = {};
  let found = false;
  for (const key in attributes) {
    if (key.startsWith(dotted) && Object.hasOwn(attributes, key)) {
      under[key.slice(dotted.length)] = attributes[key];
      found = true;
    }
  }
  if (found) return unflattenAttributes(under);
  return Object.hasOwn(attributes, prefix) ? parseLooseLiteral(attributes[prefix]) : {};
}

function firstNonEmpty(attributes: Readonly<Record<string, unknown>>, prefixes: readonly string[]): unknown {
  for (const prefix of prefixes) {
    const value = unflattenUnder(attributes, prefix);
    if (!isEmpty(value)) return value;
  }
  return null;
}

function tokenIds(
  span: Pick<Span, "attributes" | "span_id">,
  keys: readonly string[],
  logger: Logger | undefined,
): number[] {
  for (const key of keys) {
    if (!(key in span.attributes)) continue;
    const ids = asIntList(span.attributes[key]);
    if (ids !== null) return ids;
    logger?.warn(`span ${span.span_id}: "${key}" is not a list of integers; trying the next key`);
  }
  return [];
}

function withoutKeys(value: unknown, keys: readonly string[]): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const key of keys) delete out[key];
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * The image urls of a recorded prompt: `raw` is a list of messages, or an object whose numeric
 * keys are messages (ordered by number; no numeric key → the object is one message). A message's
 * `content` may be a content-part array or its JSON text; every `image_url` part with a `url`
 * counts, in order. Anything else → `[]`.
 */
export function extractPromptImageUrls(raw: unknown): string[] {
  let messages: unknown[];
  if (Array.isArray(raw)) messages = raw;
  else if (isRecord(raw)) {
    const numeric = Object.keys(raw)
      .filter((key) => /^\d+$/.test(key))
      .sort((a, b) => Number(a) - Number(b));
    messages = numeric.length > 0 ? numeric.map((key) => raw[key]) : [raw];
  } else return [];
  const urls: string[] = [];
  for (const message of messages) {
    if (!isRecord(message) || !("content" in message)) continue;
    let content = message.content;
    if (typeof content === "string") {
      // Only a content-part array can hold images; skip parsing plain text (exceptions are costly).
      if (!content.trimStart().startsWith("[")) continue;
      try {
        content = JSON.parse(content);
      } catch {
        continue;
      }
    }
    if (!Array.isArray(content)) continue;
    for (const part of content) {
      if (!isRecord(part) || part.type !== "image_url") continue;
      const image = part.image_url;
      if (isRecord(image) && typeof image.url === "string") urls.push(image.url);
    }
  }
  return urls;
}

/** The triplet of one LLM-call span, reward `null`; see the field table of runtime contract §5.2. */
export function spanToTriplet(
  span: Pick<Span, "attributes" | "span_id">,
  agentName: string,
  context: ReadContext = {},
): TracerTriplet {
  const attrs = span.attributes;
  const promptRaw = firstNonEmpty(attrs, ["gen_ai.prompt", "agentlightning.operation.input.messages"]);
  const response: TripletResponse = {
    token_ids: tokenIds(span, RESPONSE_TOKEN_KEYS, context.logger),
    raw_content: firstNonEmpty(attrs, ["gen_ai.completion", "agentlightning.operation.output.choices"]),
  };
  const logprobs = attrs["logprobs.content"];
  if (typeof logprobs === "string") {
    try {
      response.logprobs = JSON.parse(logprobs);
    } catch {
      context.logger?.warn(`span ${span.span_id}: "logprobs.content" is not JSON text; logprobs left out`);
    }
  }
  const request = firstNonEmpty(attrs, ["gen_ai.request", "agentlightning.operation.input"]);
  const responseMeta = firstNonEmpty(attrs, ["gen_ai.response", "agentlightning.operation.output"]);
  return {
    prompt: {
      token_ids: tokenIds(span, PROMPT_TOKEN_KEYS, context.logger),
      raw_content: promptRaw,
      image_urls: extractPromptImageUrls(promptRaw),
    },
    response,
    reward: null,
    metadata: {
      response_id: firstString(attrs, RESPONSE_ID_KEYS),
      agent_name: agentName,
      request: withoutKeys(request ?? {}, ["messages"]),
      response: withoutKeys(responseMeta ?? {}, ["choices", "prompt_token_ids", "response_token_ids"]),
    },
  };
}
