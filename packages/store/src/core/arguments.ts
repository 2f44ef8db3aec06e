import { AglError, assertSafeJson, parseStorable } from "@agentlightning/types";
import * as z from "zod";

// Runtime checks of plain (non-schema) arguments, for in-process callers that bypass the HTTP
// layer's validation. Every failure is an AglError invalid_argument naming the argument.

/**
 * The value if it is a string the store can keep (no NUL, no lone surrogate: the JSON rule of
 * `assertSafeJson`), else `invalid_argument`.
 */
export function requireString(value: unknown, name: string): string {
  if (typeof value !== "string") throw new AglError("invalid_argument", `${name} must be a string`);
  return assertSafeJson(value, name);
}

/** null for null/undefined, the value if it is a string, else `invalid_argument`. */
export function optionalString(value: unknown, name: string): string | null {
  if (value === null || value === undefined) return null;
  return requireString(value, name);
}

/** The value if it is an integer, else `invalid_argument`. */
export function requireInteger(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new AglError("invalid_argument", `${name} must be an integer`);
  }
  return value;
}

/** null for null/undefined, else the list parsed with `item` (e.g. a status enum). */
export function optionalList<T>(value: unknown, item: z.ZodType<T>, name: string): T[] | null {
  if (value === null || value === undefined) return null;
  return parseStorable(z.array(item), value, name);
}

/** The value if it is an array, else `invalid_argument`. */
export function requireArray(value: unknown, name: string): unknown[] {
  if (!Array.isArray(value)) throw new AglError("invalid_argument", `${name} must be an array`);
  return value;
}
