import type * as z from "zod";
import { AglError } from "./errors.js";
import { assertSafeJson } from "./safe-json.js";

/**
 * Most detail items a validation error carries; the rest are counted in one closing item. A body
 * with 300,000 invalid elements gets a small answer, not one item per element.
 */
export const MAX_VALIDATION_DETAILS = 20;
/** Longest echo of an offending value, in characters of its JSON text; longer ones are cut. */
export const MAX_ECHOED_INPUT_CHARS = 512;

/** Where a validated value came from, as the HTTP API reports it in `loc[0]`. */
export type ValidationLocation = "body" | "query" | "path";

/** One item of a 422 `detail` array (the FastAPI/pydantic format the Python clients know). */
export interface ValidationDetailItem {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur = root;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function isMissing(issue: z.core.$ZodIssue, input: unknown): boolean {
  return issue.code === "invalid_type" && valueAt(input, issue.path) === undefined;
}

function issueType(issue: z.core.$ZodIssue, input: unknown): string {
  if (isMissing(issue, input)) return "missing";
  switch (issue.code) {
    case "invalid_type":
      return `${issue.expected}_type`;
    case "invalid_value":
      return "literal_error";
    case "invalid_union":
      return "union_tag_invalid";
    case "too_small":
      return "greater_than_equal";
    case "too_big":
      return "less_than_equal";
    default:
      return issue.code;
  }
}

function issueMessage(issue: z.core.$ZodIssue, input: unknown): string {
  return isMissing(issue, input) ? "Field required" : issue.message;
}

/** Dotted path of an issue (`rollouts.1.input`), or `(root)` for the value itself. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? "(root)" : path.map(String).join(".");
}

/**
 * The offending value as a detail item echoes it: unchanged when its JSON text is at most
 * {@link MAX_ECHOED_INPUT_CHARS} characters, otherwise that much of its JSON text followed by `…`.
 * The text is built iteratively and stops at the limit, so a huge or deeply nested value costs
 * no more than a small one.
 *
 * @example
 * ```ts
 * echoInput({ a: 1 }); // { a: 1 }
 * echoInput("x".repeat(10_000)); // '"xxx…' (513 characters)
 * ```
 */
export function echoInput(value: unknown, maxChars: number = MAX_ECHOED_INPUT_CHARS): unknown {
  const text = boundedJsonText(value, maxChars);
  return text.length <= maxChars ? value : `${text.slice(0, maxChars)}…`;
}

type TextFrame =
  | { kind: "array"; items: unknown[]; index: number }
  | { kind: "object"; entries: [string, unknown][]; index: number };

/** JSON text of `value` (as `JSON.stringify` writes it), cut off once it passes `maxChars`. */
function boundedJsonText(value: unknown, maxChars: number): string {
  let out = "";
  const stack: TextFrame[] = [];
  const open = (v: unknown): void => {
    if (v !== null && typeof v === "object" && typeof (v as { toJSON?: unknown }).toJSON !== "function") {
      if (Array.isArray(v)) {
        out += "[";
        stack.push({ kind: "array", items: v, index: 0 });
      } else {
        out += "{";
        const entries = Object.entries(v).filter(([, x]) => x !== undefined && typeof x !== "function");
        stack.push({ kind: "object", entries, index: 0 });
      }
      return;
    }
    out += JSON.stringify(v) ?? "null";
  };
  open(value);
  while (stack.length > 0 && out.length <= maxChars) {
    const frame = stack[stack.length - 1] as TextFrame;
    if (frame.kind === "array") {
      if (frame.index >= frame.items.length) {
        out += "]";
        stack.pop();
        continue;
      }
      if (frame.index > 0) out += ",";
      open(frame.items[frame.index++]);
    } else {
      if (frame.index >= frame.entries.length) {
        out += "}";
        stack.pop();
        continue;
      }
      const [key, v] = frame.entries[frame.index++] as [string, unknown];
      out += `${frame.index > 1 ? "," : ""}${JSON.stringify(key)}:`;
      open(v);
    }
  }
  return out;
}

/**
 * Turns zod issues into the `detail` items of a 422 response: `loc` starts with the location and
 * names the field, `msg` says what is wrong, `input` is the offending value (cut to
 * {@link MAX_ECHOED_INPUT_CHARS} characters of JSON). At most {@link MAX_VALIDATION_DETAILS}
 * items; when there were more, a last item of type `too_many_errors` says how many were left out.
 */
export function toValidationDetail(
  error: z.ZodError,
  location: ValidationLocation,
  input: unknown,
): ValidationDetailItem[] {
  const shown = error.issues.slice(0, MAX_VALIDATION_DETAILS);
  const items: ValidationDetailItem[] = shown.map((issue) => ({
    type: issueType(issue, input),
    loc: [location, ...issue.path.map((p) => (typeof p === "number" ? p : String(p)))],
    msg: issueMessage(issue, input),
    input: echoInput(valueAt(input, issue.path) ?? null),
  }));
  const omitted = error.issues.length - shown.length;
  if (omitted > 0) {
    items.push({
      type: "too_many_errors",
      loc: [location],
      msg: `${omitted} more error(s) not shown (at most ${MAX_VALIDATION_DETAILS} are listed)`,
      input: null,
    });
  }
  return items;
}

/** One line per issue: `rollouts.1.input: Field required` (at most {@link MAX_VALIDATION_DETAILS}). */
export function formatValidationError(error: z.ZodError, input: unknown): string {
  const lines = error.issues
    .slice(0, MAX_VALIDATION_DETAILS)
    .map((issue) => `${issuePath(issue.path)}: ${issueMessage(issue, input)}`);
  const omitted = error.issues.length - lines.length;
  if (omitted > 0) lines.push(`and ${omitted} more error(s)`);
  return lines.join("; ");
}

/**
 * Parses `value` with `schema`, or throws an {@link AglError} `invalid_argument` whose message
 * names the offending fields and whose `details` hold the 422-style items. A plain validating
 * parse: it does not apply the store's storage rule, so a client can read any reply a server
 * sends (a Python server keeps text with U+0000, for one). Input that is about to be stored goes
 * through {@link parseStorable} instead.
 *
 * @example
 * ```ts
 * const reply = parseOrThrow(TaskIfAnySchema, json, "GET /task reply");
 * ```
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new AglError("invalid_argument", `Invalid ${what}: ${formatValidationError(result.error, value)}`, {
    details: toValidationDetail(result.error, "body", value),
  });
}

/**
 * {@link parseOrThrow} for input a store is about to keep: the value must first pass the store's
 * storage rule ({@link assertSafeJson}: at most `MAX_JSON_DEPTH` levels of nesting, no U+0000 and
 * no lone surrogate in any text), then the schema. Only the store's own input boundaries use it
 * (store method arguments, request bodies of the store and legacy servers); readers of replies
 * use {@link parseOrThrow}, so they accept whatever another server stored.
 *
 * @example
 * ```ts
 * parseStorable(JsonObjectSchema, { note: "a\u0000" }, "metadata"); // throws "Invalid metadata: note: text contains U+0000 ..."
 * ```
 */
export function parseStorable<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  assertSafeJson(value, what);
  return parseOrThrow(schema, value, what);
}
