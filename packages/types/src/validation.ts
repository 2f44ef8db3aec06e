import type * as z from "zod";
import { AglError } from "./errors.js";

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
 * Turns zod issues into the `detail` items of a 422 response: `loc` starts with the location and
 * names the field, `msg` says what is wrong, `input` is the offending value.
 */
export function toValidationDetail(
  error: z.ZodError,
  location: ValidationLocation,
  input: unknown,
): ValidationDetailItem[] {
  return error.issues.map((issue) => ({
    type: issueType(issue, input),
    loc: [location, ...issue.path.map((p) => (typeof p === "number" ? p : String(p)))],
    msg: issueMessage(issue, input),
    input: valueAt(input, issue.path) ?? null,
  }));
}

/** One line per issue: `rollouts.1.input: Field required`. */
export function formatValidationError(error: z.ZodError, input: unknown): string {
  return error.issues.map((issue) => `${issuePath(issue.path)}: ${issueMessage(issue, input)}`).join("; ");
}

/**
 * Parses `value` with `schema`, or throws an {@link AglError} `invalid_argument` whose message
 * names every offending field and whose `details` hold the 422-style items.
 *
 * @example
 * ```ts
 * const rollout = parseOrThrow(RolloutSchema, json, "rollout");
 * ```
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new AglError("invalid_argument", `Invalid ${what}: ${formatValidationError(result.error, value)}`, {
    details: toValidationDetail(result.error, "body", value),
  });
}
