/**
 * Token ids in the attributes the LLM proxy writes on `raw_gen_ai_request` spans: the raw backend
 * response flattened as `llm.<provider>.<field>` (`llm.hosted_vllm.prompt_token_ids`,
 * `llm.hosted_vllm.choices`, `llm.hosted_vllm.response_token_ids`). Values may be native arrays,
 * JSON text or Python-literal text (the Python proxy writes reprs).
 */
import { unflattenAttributes } from "../utils/attributes.js";
import { asIntList, parseLooseLiteral } from "./python-literal.js";

/** The provider segment the Python proxy uses for vLLM backends; read first when several exist. */
const PREFERRED_PROVIDER = "hosted_vllm";

/** The attribute values `llm.<provider>.<field>`, the preferred provider first. */
function providerValues(attributes: Readonly<Record<string, unknown>>, field: string): unknown[] {
  const preferred = attributes[`llm.${PREFERRED_PROVIDER}.${field}`];
  const out: unknown[] = preferred === undefined ? [] : [preferred];
  const pattern = new RegExp(`^llm\\.([^.]+)\\.${field}$`);
  for (const [key, value] of Object.entries(attributes)) {
    const match = pattern.exec(key);
    if (match && match[1] !== PREFERRED_PROVIDER) out.push(value);
  }
  return out;
}

/** The first element when the value is a list of lists, the value itself when it is a flat list. */
function firstIdList(value: unknown): number[] | null {
  const parsed = parseLooseLiteral(value);
  if (Array.isArray(parsed) && parsed.length > 0 && parsed.every((item) => Array.isArray(item))) {
    return asIntList(parsed[0]);
  }
  return asIntList(parsed);
}

/** `choices` as an array: one attribute (JSON / literal text, or native), or flattened `choices.<i>.*` keys. */
function providerChoices(attributes: Readonly<Record<string, unknown>>): unknown[] {
  for (const value of providerValues(attributes, "choices")) {
    const parsed = parseLooseLiteral(value);
    if (Array.isArray(parsed)) return parsed;
  }
  const flattened: Record<string, unknown> = {};
  const pattern = /^llm\.[^.]+\.choices\.(.+)$/;
  for (const [key, value] of Object.entries(attributes)) {
    const match = pattern.exec(key);
    if (match) flattened[match[1]!] = value;
  }
  const rebuilt = unflattenAttributes(flattened);
  return Array.isArray(rebuilt) ? rebuilt : [];
}

/** Prompt token ids of a raw proxy span, or `null`. */
export function proxyPromptTokenIds(attributes: Readonly<Record<string, unknown>>): number[] | null {
  for (const value of providerValues(attributes, "prompt_token_ids")) {
    const ids = asIntList(value);
    if (ids !== null) return ids;
  }
  return null;
}

/** Response token ids of a raw proxy span (`response_token_ids[0]`, else `choices[0].token_ids`), or `null`. */
export function proxyResponseTokenIds(attributes: Readonly<Record<string, unknown>>): number[] | null {
  for (const value of providerValues(attributes, "response_token_ids")) {
    const ids = firstIdList(value);
    if (ids !== null) return ids;
  }
  const first = providerChoices(attributes)[0];
  if (first !== null && typeof first === "object" && !Array.isArray(first)) {
    const choice = first as Record<string, unknown>;
    const ids = asIntList(choice.token_ids);
    if (ids !== null) return ids;
    const specific = choice.provider_specific_fields;
    if (specific !== null && typeof specific === "object") {
      return asIntList((specific as Record<string, unknown>).token_ids);
    }
  }
  return null;
}

/** The request id of a raw proxy span: `llm.<provider>.id`. */
export function proxyResponseId(attributes: Readonly<Record<string, unknown>>): string | null {
  for (const value of providerValues(attributes, "id")) if (typeof value === "string") return value;
  return null;
}
