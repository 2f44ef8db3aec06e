import { AglError } from "./errors.js";

// The one rule every boundary applies to the JSON and text it accepts (HTTP bodies, query and path
// parameters, and the arguments of every store method), so that each backend stores exactly the
// same documents and every stored document can be read back by every reader:
//
// * Nesting: at most MAX_JSON_DEPTH levels of arrays and objects. Deeper documents used to crash
//   recursive copies and serialisers (a RangeError on every later listing of the memory store).
// * Text: no U+0000 and no lone UTF-16 surrogate in any string value or object key. Postgres cannot
//   store NUL in text or jsonb, and lone surrogates are not Unicode: Postgres rejects them in jsonb
//   and replaces them with U+FFFD in text, so they would be changed in meaning or refused.
//
// The walk is iterative (an explicit stack), so it is itself safe on any input, cycles included
// (a cycle is reported as too deep).

/**
 * Deepest nesting of arrays and objects the store accepts in one document (a request body, or the
 * argument of a store method): `{}` and `[]` are one level, `{"a": [1]}` two. 100 is the nesting
 * limit of MongoDB documents (a backend of the upstream Python store), far beyond any real task
 * input or metadata, and one tenth of the recursion limit of Python's `json` module, so every
 * reader, and every recursive serialiser on the way (`JSON.stringify`, postgres.js, Postgres'
 * jsonb parser), handles what passes with a wide margin.
 */
export const MAX_JSON_DEPTH = 100;

/** What is wrong with a document and where: `path` is the keys and indexes down to the problem. */
export interface JsonProblem {
  path: (string | number)[];
  message: string;
}

// String.prototype.isWellFormed (ES2024, in every supported Node): native, and O(1) for the
// one-byte strings most text is, so the common case costs two native calls and no regex.
type MaybeWellFormed = string & { isWellFormed(): boolean };

/** True when `text` holds no NUL and no lone surrogate: the fast path of {@link findTextProblem}. */
function isSafeText(text: string): boolean {
  return text.indexOf("\0") === -1 && (text as MaybeWellFormed).isWellFormed();
}

function hex(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * Why `text` cannot be stored, or null when it can: it contains U+0000 or a lone UTF-16 surrogate.
 *
 * @example
 * ```ts
 * findTextProblem("ok"); // null
 * findTextProblem("a\u0000b"); // "contains U+0000 (NUL) at index 1, which the store cannot keep"
 * ```
 */
export function findTextProblem(text: string): string | null {
  if (isSafeText(text)) return null;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0) return `contains U+0000 (NUL) at index ${i}, which the store cannot keep`;
    if (code < 0xd800 || code > 0xdfff) continue;
    if (code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    return `contains a lone UTF-16 surrogate (${hex(code)}) at index ${i}, which is not valid Unicode`;
  }
  return null;
}

/** A key as it may appear in a message: escaped when it is itself bad text, shortened when long. */
function printableKey(key: string): string {
  const shown = key.length > 64 ? `${key.slice(0, 64)}…` : key;
  if (findTextProblem(shown) === null) return shown;
  return JSON.stringify(shown)
    .slice(1, -1)
    .replace(/[\uD800-\uDFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/** Dotted path of a problem (`rollouts.0.input.a`), or `(root)` for the document itself. */
export function jsonPathText(path: readonly (string | number)[]): string {
  return path.length === 0
    ? "(root)"
    : path.map((p) => (typeof p === "number" ? String(p) : printableKey(p))).join(".");
}

/** A container still to walk, with how it was reached (for the path of a problem). */
interface Pending {
  value: object;
  /** Nesting level of `value` (the document itself is 1). */
  depth: number;
  parent: Pending | null;
  key: string | number;
}

function pathOf(entry: Pending | null, last?: string | number): (string | number)[] {
  const path: (string | number)[] = last === undefined ? [] : [last];
  for (let at = entry; at !== null && at.parent !== null; at = at.parent) path.push(at.key);
  return path.reverse();
}

/**
 * The first problem found in `value` under the rule above, or null. Arrays and objects are walked
 * (own enumerable keys, as `JSON.stringify` sees them); other values are leaves. `maxDepth`
 * defaults to {@link MAX_JSON_DEPTH}. The walk allocates only one small record per container and
 * builds a path only for the problem it reports.
 */
export function findJsonProblem(value: unknown, maxDepth: number = MAX_JSON_DEPTH): JsonProblem | null {
  if (typeof value === "string") {
    const problem = findTextProblem(value);
    return problem === null ? null : { path: [], message: `text ${problem}` };
  }
  if (!isContainer(value)) return null;
  const tooDeep = (at: Pending | null, key?: string | number): JsonProblem => ({
    path: pathOf(at, key),
    message: `JSON nests deeper than ${maxDepth} levels of arrays and objects`,
  });
  if (maxDepth < 1) return tooDeep(null);
  const stack: Pending[] = [{ value, depth: 1, parent: null, key: "" }];
  while (stack.length > 0) {
    const entry = stack.pop() as Pending;
    const container = entry.value;
    if (Array.isArray(container)) {
      for (let i = 0; i < container.length; i++) {
        const child: unknown = container[i];
        if (typeof child === "string") {
          if (!isSafeText(child))
            return { path: pathOf(entry, i), message: `text ${findTextProblem(child)}` };
        } else if (isContainer(child)) {
          if (entry.depth >= maxDepth) return tooDeep(entry, i);
          stack.push({ value: child, depth: entry.depth + 1, parent: entry, key: i });
        }
      }
    } else {
      const record = container as Record<string, unknown>;
      // for-in rather than Object.keys: no array per object (JSON objects have no inherited
      // enumerable keys; the own-key check keeps it exact for other objects).
      for (const key in record) {
        if (!Object.hasOwn(record, key)) continue;
        if (!isSafeText(key)) {
          return { path: pathOf(entry), message: `key '${printableKey(key)}' ${findTextProblem(key)}` };
        }
        const child = record[key];
        if (typeof child === "string") {
          if (!isSafeText(child))
            return { path: pathOf(entry, key), message: `text ${findTextProblem(child)}` };
        } else if (isContainer(child)) {
          if (entry.depth >= maxDepth) return tooDeep(entry, key);
          stack.push({ value: child, depth: entry.depth + 1, parent: entry, key });
        }
      }
    }
  }
  return null;
}

// Arrays and objects with own keys to walk; typed arrays and buffers are binary leaves (walking
// their indexes would be slow and pointless), as are dates, maps and the like (no own keys).
function isContainer(value: unknown): value is object {
  if (typeof value !== "object" || value === null) return false;
  if (Array.isArray(value)) return true;
  return !ArrayBuffer.isView(value) && !(value instanceof ArrayBuffer);
}

/**
 * Throws {@link AglError} `invalid_argument` (`Invalid <what>: <path>: <problem>`) when `value`
 * breaks the rule above; returns `value` otherwise.
 *
 * @example
 * ```ts
 * assertSafeJson({ input: "a\u0000" }, "rollout"); // throws "Invalid rollout: input: text contains U+0000 ..."
 * ```
 */
export function assertSafeJson<T>(value: T, what: string, maxDepth: number = MAX_JSON_DEPTH): T {
  const problem = findJsonProblem(value, maxDepth);
  if (problem === null) return value;
  const where = problem.path.length === 0 ? "" : `${jsonPathText(problem.path)}: `;
  throw new AglError("invalid_argument", `Invalid ${what}: ${where}${problem.message}`, {
    details: { path: problem.path.map((p) => (typeof p === "string" ? printableKey(p) : p)) },
  });
}
