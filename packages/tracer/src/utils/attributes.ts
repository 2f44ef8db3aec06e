/**
 * Attribute helpers shared by the emitters and the adapters (Python `agentlightning/utils/otel.py`,
 * v0.3.0). Their exact behaviour decides the attribute keys on the wire, so every rule here
 * matters: dotted keys, index segments for arrays, compact leaf lists.
 *
 * One deliberate deviation (runtime contract, quirk A15): JS has one number type, so an array of
 * numbers is always homogeneous (Python treats `[1, 2.0]` as mixed int/float).
 */
import {
  AglError,
  type Attributes,
  type AttributeValue,
  type Logger,
  silentLogger,
} from "@agentlightning/types";
import { ExceptionAttributes, LightningSpanAttributes } from "../semconv.js";

/** A flattened attribute map before sanitising: leaves may still be `null` or any other value. */
export type FlatAttributes = Record<string, unknown>;

/** Options of {@link flattenAttributes}. */
export interface FlattenOptions {
  /** Expand arrays of primitives by index too (`a.0`, `a.1`) instead of keeping them as one value. */
  expandLeafLists?: boolean;
  /** Receives the warning about arrays that mix primitive types. */
  logger?: Logger;
}

type PrimitiveKind = "string" | "boolean" | "number";

function primitiveKind(value: unknown): PrimitiveKind | null {
  const kind = typeof value;
  return kind === "string" || kind === "boolean" || kind === "number" ? kind : null;
}

/** A value we walk into: a plain object (not a Date, Set, class instance...). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function joinKey(prefix: string, key: string): string {
  return prefix === "" ? key : `${prefix}.${key}`;
}

/**
 * Flattens nested objects and arrays into dotted keys (`{a: {b: 1}}` → `{"a.b": 1}`); array
 * elements get their index as a segment. A non-empty array of one primitive type stays one value
 * unless `expandLeafLists`; an array mixing primitive types is expanded by index, with a warning.
 * Empty arrays and objects produce no key, `null` leaves are kept, and a bare primitive at the root
 * becomes `{"": value}`. Leaves that are neither objects nor arrays are kept as they are (sanitise
 * or check them before writing).
 *
 * @example
 * ```ts
 * flattenAttributes({ a: { b: 1, c: [2, 3] } }); // {"a.b": 1, "a.c": [2, 3]}
 * ```
 */
export function flattenAttributes(value: unknown, options: FlattenOptions = {}): FlatAttributes {
  const out: FlatAttributes = {};
  const logger = options.logger ?? silentLogger;
  const walk = (node: unknown, prefix: string): void => {
    if (Array.isArray(node)) {
      if (node.length === 0) return;
      const kinds = new Set(node.map(primitiveKind));
      const allPrimitive = !kinds.has(null);
      if (allPrimitive && kinds.size === 1 && options.expandLeafLists !== true) {
        out[prefix] = [...node];
        return;
      }
      if (allPrimitive && kinds.size > 1) {
        logger.warn(
          `flattenAttributes: list at "${prefix}" has mixed primitive types (${[...kinds].join(", ")}); expanding it by index`,
        );
      }
      node.forEach((item, index) => {
        walk(item, joinKey(prefix, String(index)));
      });
      return;
    }
    if (isPlainObject(node)) {
      for (const [key, item] of Object.entries(node)) walk(item, joinKey(prefix, key));
      return;
    }
    out[prefix] = node;
  };
  walk(value, "");
  return out;
}

// Containers built while unflattening: a class of its own, so that no leaf value (even a Map) is
// mistaken for one, and a Map, so that keys like "__proto__" are plain data.
class TreeNode {
  readonly entries = new Map<string, unknown>();
}

/** Object keys exactly "0".."n-1" (as canonical integers) in some order. */
function isIndexKeys(keys: string[]): boolean {
  if (keys.length === 0) return false;
  for (const key of keys) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || index >= keys.length || String(index) !== key) return false;
  }
  return true;
}

function finishTree(node: unknown): unknown {
  if (!(node instanceof TreeNode)) return node;
  const keys = [...node.entries.keys()];
  if (isIndexKeys(keys)) {
    const list = new Array<unknown>(keys.length);
    for (const [key, value] of node.entries) list[Number(key)] = finishTree(value);
    return list;
  }
  // Object.fromEntries defines data properties, so a "__proto__" key stays an ordinary key.
  return Object.fromEntries(keys.map((key) => [key, finishTree(node.entries.get(key))]));
}

/**
 * Rebuilds nested values from dotted keys, then turns every object whose keys are exactly
 * `"0".."n-1"` into an array (the root included). Gaps or extra keys keep an object. When both
 * `a` and `a.b` are present, the nested value wins.
 *
 * @example
 * ```ts
 * unflattenAttributes({ "a.0": "x", "a.1": "y" }); // {a: ["x", "y"]}
 * ```
 */
export function unflattenAttributes(flat: FlatAttributes): unknown {
  const root = new TreeNode();
  for (const key in flat) {
    if (!Object.hasOwn(flat, key)) continue;
    const value = flat[key];
    let node = root;
    let from = 0;
    for (let dot = key.indexOf(".", from); dot !== -1; dot = key.indexOf(".", from)) {
      const part = key.slice(from, dot);
      const next = node.entries.get(part);
      if (next instanceof TreeNode) node = next;
      else {
        // A leaf already sitting here loses against the nested structure.
        const tree = new TreeNode();
        node.entries.set(part, tree);
        node = tree;
      }
      from = dot + 1;
    }
    const last = key.slice(from);
    if (!(node.entries.get(last) instanceof TreeNode)) node.entries.set(last, value);
  }
  return finishTree(root);
}

/** Keeps the keys equal to `prefix` or starting with `prefix + "."`. */
export function filterAttributes<T>(attributes: Record<string, T>, prefix: string): Record<string, T> {
  const out: Record<string, T> = {};
  const dotted = `${prefix}.`;
  for (const [key, value] of Object.entries(attributes)) {
    if (key === prefix || key.startsWith(dotted)) out[key] = value;
  }
  return out;
}

/**
 * Keeps the keys under `prefix.`, strips that prefix and unflattens the rest
 * (`{"p.0.name": "a"}` → `[{name: "a"}]`). Returns `{}` when nothing is under the prefix.
 *
 * @throws AglError `invalid_argument` when a key equals the prefix itself (a value where a nested
 *   structure is expected).
 */
export function filterAndUnflattenAttributes(attributes: FlatAttributes, prefix: string): unknown {
  const stripped: FlatAttributes = {};
  const dotted = `${prefix}.`;
  for (const [key, value] of Object.entries(attributes)) {
    if (key === prefix) {
      throw new AglError(
        "invalid_argument",
        `attribute "${key}" equals the prefix "${prefix}"; expected only keys under "${dotted}"`,
      );
    }
    if (key.startsWith(dotted)) stripped[key.slice(dotted.length)] = value;
  }
  return unflattenAttributes(stripped);
}

/** JSON text of any value; with `force`, values JSON cannot encode are written as their string form. */
function toJsonText(value: unknown, force: boolean): string {
  const replacer = (_key: string, item: unknown): unknown => {
    const kind = typeof item;
    if (kind === "bigint" || kind === "symbol" || kind === "function") {
      if (!force) throw new AglError("invalid_argument", `value of type ${kind} is not JSON-serialisable`);
      return String(item);
    }
    if (item === undefined) {
      if (!force) throw new AglError("invalid_argument", "undefined is not JSON-serialisable");
      return null;
    }
    if (item instanceof Map || item instanceof Set) {
      if (!force)
        throw new AglError("invalid_argument", `a ${item.constructor.name} is not JSON-serialisable`);
      return [...item];
    }
    return item;
  };
  try {
    const text = JSON.stringify(value, replacer);
    return text ?? "null";
  } catch (error) {
    if (AglError.isInstance(error)) throw error;
    throw new AglError("invalid_argument", `value is not JSON-serialisable: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Options of {@link sanitizeAttributeValue} and {@link sanitizeAttributes}. */
export interface SanitizeOptions {
  /** Stringify values JSON cannot encode instead of throwing (default `true`). */
  force?: boolean;
  /** Receives the warning about arrays that mix types. */
  logger?: Logger;
}

/**
 * Turns any value into a valid attribute value: primitives stay, homogeneous arrays are normalised
 * (booleans mixed with numbers become numbers), anything else (objects, `null`, mixed arrays)
 * becomes its JSON text.
 *
 * @throws AglError `invalid_argument` when the value cannot be encoded (circular, or non-JSON
 *   values without `force`).
 */
export function sanitizeAttributeValue(value: unknown, options: SanitizeOptions = {}): AttributeValue {
  const force = options.force ?? true;
  const kind = primitiveKind(value);
  if (kind !== null) return value as AttributeValue;
  if (Array.isArray(value)) {
    const kinds = new Set(value.map(primitiveKind));
    if (!kinds.has(null)) {
      if (kinds.size <= 1) return [...value] as AttributeValue;
      if (!kinds.has("string")) return value.map((item) => Number(item));
      (options.logger ?? silentLogger).warn(
        `sanitizeAttributeValue: list mixes ${[...kinds].join(", ")}; stored as JSON text`,
      );
    }
  }
  return toJsonText(value, force);
}

/**
 * Applies {@link sanitizeAttributeValue} to every value.
 *
 * @throws AglError `invalid_argument` naming the key whose value cannot be encoded.
 */
export function sanitizeAttributes(attributes: FlatAttributes, options: SanitizeOptions = {}): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    try {
      out[key] = sanitizeAttributeValue(value, options);
    } catch (error) {
      throw new AglError("invalid_argument", `attribute "${key}": ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  return out;
}

/** True for a primitive or an array whose elements all share one primitive type. */
export function isAttributeValue(value: unknown): value is AttributeValue {
  if (primitiveKind(value) !== null) return true;
  if (!Array.isArray(value)) return false;
  const kinds = new Set(value.map(primitiveKind));
  return !kinds.has(null) && kinds.size <= 1;
}

/**
 * Checks that every value is a primitive or a homogeneous primitive array (`null`, objects and
 * mixed arrays fail).
 *
 * @throws AglError `invalid_argument` naming the first bad key.
 */
export function checkAttributesSanity(attributes: FlatAttributes): asserts attributes is Attributes {
  for (const [key, value] of Object.entries(attributes)) {
    if (!isAttributeValue(value)) {
      const shown = value === null ? "null" : Array.isArray(value) ? "a mixed or nested array" : typeof value;
      throw new AglError(
        "invalid_argument",
        `attribute "${key}" must be a string, boolean, number or an array of one of them; got ${shown}`,
      );
    }
  }
}

/**
 * The OpenTelemetry exception attributes of an error: `exception.type` (its class name),
 * `exception.message`, `exception.escaped = true`, and `exception.stacktrace` when the stack is
 * not blank.
 */
export function formatExceptionAttributes(error: unknown): Attributes {
  const out: Attributes = {};
  if (error instanceof Error) {
    // A subclass that does not set `name` still reports itself as "Error"; its constructor knows better.
    const ctorName = (error.constructor as { name?: unknown } | undefined)?.name;
    const type =
      error.name && error.name !== "Error"
        ? error.name
        : typeof ctorName === "string" && ctorName !== ""
          ? ctorName
          : "Error";
    out[ExceptionAttributes.TYPE] = type;
    out[ExceptionAttributes.MESSAGE] = error.message;
    out[ExceptionAttributes.ESCAPED] = true;
    if (typeof error.stack === "string" && error.stack.trim() !== "")
      out[ExceptionAttributes.STACKTRACE] = error.stack;
    return out;
  }
  out[ExceptionAttributes.TYPE] = error === null ? "null" : typeof error;
  out[ExceptionAttributes.MESSAGE] = String(error);
  out[ExceptionAttributes.ESCAPED] = true;
  return out;
}

/** `{"agentlightning.tag.0": tags[0], ...}`, always expanded by index. */
export function makeTagAttributes(tags: readonly string[]): Attributes {
  const out: Attributes = {};
  tags.forEach((tag, index) => {
    if (typeof tag !== "string") throw new AglError("invalid_argument", `tag ${index} must be a string`);
    out[`${LightningSpanAttributes.TAG}.${index}`] = tag;
  });
  return out;
}

/**
 * The tags of {@link makeTagAttributes} back as a list (`[]` when there are none). A compact
 * array stored at `agentlightning.tag` itself (what flattening a `{"agentlightning.tag": [...]}`
 * object writes) is read too.
 *
 * @throws AglError `invalid_argument` when a tag is not a string.
 */
export function extractTagsFromAttributes(attributes: FlatAttributes): string[] {
  const prefix = LightningSpanAttributes.TAG;
  const compact = attributes[prefix];
  const rest = { ...attributes };
  delete rest[prefix];
  const indexed = filterAndUnflattenAttributes(rest, prefix);
  const tags: unknown[] = [];
  if (Array.isArray(compact)) tags.push(...compact);
  else if (compact !== undefined) tags.push(compact);
  if (Array.isArray(indexed)) tags.push(...indexed);
  else if (isPlainObject(indexed) && Object.keys(indexed).length > 0) {
    throw new AglError("invalid_argument", `"${prefix}.*" must be indexed 0..n-1`);
  }
  tags.forEach((tag, index) => {
    if (typeof tag !== "string") {
      throw new AglError(
        "invalid_argument",
        `tag ${index} under "${prefix}" must be a string, got ${typeof tag}`,
      );
    }
  });
  return tags as string[];
}

/** One link condition: `key_match` is `trace_id`, `span_id` or an attribute key. */
export interface LinkMatch {
  key_match: string;
  value_match: string;
}

/**
 * `agentlightning.link.<i>.key_match/value_match` for each entry, in insertion order. Emit these
 * with an annotation or reward to point it at another span (`{span_id: "..."}`) or at the span
 * carrying an attribute value (`{"gen_ai.response.id": "..."}`).
 *
 * @throws AglError `invalid_argument` when a value is not a string.
 */
export function makeLinkAttributes(links: Record<string, string>): Attributes {
  const out: Attributes = {};
  Object.entries(links).forEach(([key, value], index) => {
    if (typeof value !== "string") {
      throw new AglError("invalid_argument", `link "${key}" must have a string value, got ${typeof value}`);
    }
    out[`${LightningSpanAttributes.LINK}.${index}.key_match`] = key;
    out[`${LightningSpanAttributes.LINK}.${index}.value_match`] = value;
  });
  return out;
}

/**
 * The links of {@link makeLinkAttributes} back as a list (`[]` when there are none).
 *
 * @throws AglError `invalid_argument` when an entry lacks a string `key_match` or `value_match`.
 */
export function extractLinksFromAttributes(attributes: FlatAttributes): LinkMatch[] {
  const prefix = LightningSpanAttributes.LINK;
  const raw = filterAndUnflattenAttributes(attributes, prefix);
  if (isPlainObject(raw) && Object.keys(raw).length === 0) return [];
  if (!Array.isArray(raw)) throw new AglError("invalid_argument", `"${prefix}.*" must be indexed 0..n-1`);
  return raw.map((entry, index) => {
    const link = entry as Partial<LinkMatch> | null;
    if (!isPlainObject(link) || typeof link.key_match !== "string" || typeof link.value_match !== "string") {
      throw new AglError(
        "invalid_argument",
        `"${prefix}.${index}" must have string key_match and value_match`,
      );
    }
    return { key_match: link.key_match, value_match: link.value_match };
  });
}

/** The parts of a span that links are matched against. */
export interface LinkableSpan {
  trace_id?: string | null;
  span_id?: string | null;
  attributes?: FlatAttributes | null;
}

/**
 * The spans that satisfy **every** link: `trace_id` / `span_id` compare with the span's own ids,
 * any other key with `attributes[key] === value_match`.
 */
export function queryLinkedSpans<S extends LinkableSpan>(
  spans: readonly S[],
  links: readonly LinkMatch[],
): S[] {
  return spans.filter((span) =>
    links.every((link) => {
      if (link.key_match === "trace_id") return span.trace_id === link.value_match;
      if (link.key_match === "span_id") return span.span_id === link.value_match;
      return span.attributes?.[link.key_match] === link.value_match;
    }),
  );
}
