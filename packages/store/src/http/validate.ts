import {
  assertSafeJson,
  MAX_VALIDATION_DETAILS,
  toValidationDetail,
  type ValidationDetailItem,
} from "@agentlightning/types";
import type { Context } from "hono";
import * as z from "zod";
import { checkSortBy } from "../core/query-engine.js";
import { badRequest, RequestValidationError } from "./errors.js";

// Request parsing in the order of docs/store-contract.md §4.2: body/query schema (422) → semantic checks (400);
// the store is called only after both passed, so a rejected request changes nothing. Before any
// schema sees a body, the store's JSON rule (assertSafeJson: at most MAX_JSON_DEPTH levels, no NUL
// or lone surrogate in any text) is applied to it as a whole: a 400 naming the field, for every
// JSON route at once, and nothing downstream (zod, error echoes, copies) meets a deeper document.

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** True if a body with this `Content-Type` is JSON (absent, `application/json`, `application/*+json`). */
export function isJsonContentType(header: string | undefined): boolean {
  const media = (header ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (media === "") return true;
  const [type, subtype = ""] = media.split("/");
  return type === "application" && (subtype === "json" || subtype.endsWith("+json"));
}

function jsonInvalid(text: string, error: unknown): ValidationDetailItem {
  const message = error instanceof Error ? error.message : String(error);
  const position = /position (\d+)/.exec(message)?.[1];
  return {
    type: "json_invalid",
    loc: ["body", position === undefined ? text.length : Number(position)],
    msg: "JSON decode error",
    input: {},
    ctx: { error: message },
  };
}

/** The request body: absent (no bytes, or JSON `null`) or its parsed JSON value. */
export type RequestBody = { present: false } | { present: true; value: unknown };

/**
 * Reads the body as JSON. A body without `Content-Type` is JSON too (the Python client sends
 * some that way); a body of another type is not parsed and fails validation (422).
 */
export async function readJsonBody(c: Context): Promise<RequestBody> {
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (bytes.length === 0) return { present: false };
  if (!isJsonContentType(c.req.header("content-type"))) {
    throw new RequestValidationError([
      {
        type: "model_attributes_type",
        loc: ["body"],
        msg: "Input should be a valid dictionary or object to extract fields from",
        input: Buffer.from(bytes).toString("latin1"),
      },
    ]);
  }
  let text = "";
  let value: unknown;
  try {
    text = utf8.decode(bytes);
    // V8's JSON.parse is iterative: any nesting parses, and the rule below bounds it.
    value = JSON.parse(text);
  } catch (error) {
    throw new RequestValidationError([jsonInvalid(text, error)]);
  }
  assertSafeJson(value, "request body");
  return value === null ? { present: false } : { present: true, value };
}

/**
 * The JSON rule for the other parts of a request: every query parameter value and path parameter
 * (400 `Invalid query parameter <name>: ...` / `Invalid path parameter <name>: ...`).
 */
export function checkRequestText(searchParams: URLSearchParams, params: Record<string, string>): void {
  for (const [name, value] of searchParams) assertSafeJson(value, `query parameter ${name}`);
  for (const [name, value] of Object.entries(params)) assertSafeJson(value, `path parameter ${name}`);
}

/**
 * Parses `value` with `schema` or throws a 422 naming the offending fields under `location` (at
 * most `MAX_VALIDATION_DETAILS` items, each echoing a bounded part of its input).
 */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  location: "body" | "query",
): z.output<S> {
  const large = parseLargeArrays(schema, value, location);
  if (large !== undefined) return large as z.output<S>;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new RequestValidationError(toValidationDetail(result.error, location, value));
}

/** Arrays longer than this (a top-level field of an object body) are validated element by element. */
const LARGE_ARRAY = 1000;

/** The element schema of an array field (through optional/nullable/default), if it has no checks of its own. */
function arrayElement(field: z.ZodType | undefined): z.ZodType | undefined {
  let current: z.ZodType | undefined = field;
  while (
    current instanceof z.ZodOptional ||
    current instanceof z.ZodNullable ||
    current instanceof z.ZodDefault
  ) {
    current = current.unwrap() as z.ZodType;
  }
  if (!(current instanceof z.ZodArray)) return undefined;
  if ((current._zod.def.checks ?? []).length > 0) return undefined;
  return current.element as z.ZodType;
}

/**
 * zod reports every invalid element of an array, and a body of 300,000 invalid items cost seconds
 * of CPU and hundreds of MB in issue objects, only for all but a few to be dropped. So a large
 * top-level array field is validated element by element, stopping once `MAX_VALIDATION_DETAILS`
 * issues are found (a 422 whose last item says where validation stopped);
 * when every element is valid, the rest of the body is parsed with that field empty and the parsed
 * elements are put back, so a valid body costs the same as before. Returns undefined when the body
 * has no such field (the caller parses it as usual).
 */
function parseLargeArrays(schema: z.ZodType, value: unknown, location: "body" | "query"): unknown {
  if (
    !(schema instanceof z.ZodObject) ||
    value === null ||
    typeof value !== "object" ||
    Array.isArray(value)
  ) {
    return undefined;
  }
  const body = value as Record<string, unknown>;
  const shape = schema.shape as Record<string, z.ZodType>;
  const parsedArrays = new Map<string, unknown[]>();
  for (const [key, field] of Object.entries(shape)) {
    const items = body[key];
    if (!Array.isArray(items) || items.length <= LARGE_ARRAY) continue;
    const element = arrayElement(field);
    if (element === undefined) continue;
    const parsed: unknown[] = new Array(items.length);
    const issues: z.core.$ZodIssue[] = [];
    let checked = 0;
    while (checked < items.length && issues.length < MAX_VALIDATION_DETAILS) {
      const index = checked++;
      const result = element.safeParse(items[index]);
      if (result.success) parsed[index] = result.data;
      else
        for (const issue of result.error.issues) issues.push({ ...issue, path: [key, index, ...issue.path] });
    }
    if (issues.length > 0) {
      const shown = issues.slice(0, MAX_VALIDATION_DETAILS);
      const detail = toValidationDetail(new z.ZodError(shown), location, value);
      if (checked < items.length || issues.length > shown.length) {
        detail.push({
          type: "too_many_errors",
          loc: [location, key],
          msg: `More errors not shown: validation stopped after ${checked} of ${items.length} elements`,
          input: null,
        });
      }
      throw new RequestValidationError(detail);
    }
    parsedArrays.set(key, parsed);
  }
  if (parsedArrays.size === 0) return undefined;
  const rest = { ...body };
  for (const key of parsedArrays.keys()) rest[key] = [];
  const result = schema.safeParse(rest);
  if (!result.success) throw new RequestValidationError(toValidationDetail(result.error, location, value));
  const data = result.data as Record<string, unknown>;
  for (const [key, parsed] of parsedArrays) data[key] = parsed;
  return data;
}

/** A parsed body and the JSON object it came from (to tell absent keys from explicit nulls). */
export interface ParsedBody<T> {
  data: T;
  /** The body as sent; `{}` when the body was absent. */
  raw: Record<string, unknown>;
}

/**
 * Reads and validates the JSON body. A missing body is a 422 (`loc: ["body"]`) when `required`,
 * otherwise it parses as `{}` (every key takes its default).
 */
export async function parseBody<S extends z.ZodType>(
  c: Context,
  schema: S,
  required: boolean,
  fast?: (value: unknown) => unknown,
): Promise<ParsedBody<z.output<S>>> {
  const body = await readJsonBody(c);
  if (!body.present) {
    if (required) {
      throw new RequestValidationError([
        { type: "missing", loc: ["body"], msg: "Field required", input: null },
      ]);
    }
    return { data: parseWith(schema, {}, "body"), raw: {} };
  }
  const data = (fast?.(body.value) as z.output<S> | undefined) ?? parseWith(schema, body.value, "body");
  const raw =
    typeof body.value === "object" && !Array.isArray(body.value)
      ? (body.value as Record<string, unknown>)
      : {};
  return { data, raw };
}

/** 400 `<key> is invalid; it cannot be a null value.` for the first key (in order) sent as null. */
export function rejectNulls(raw: Record<string, unknown>, keys: readonly string[]): void {
  for (const key of keys) {
    if (key in raw && raw[key] === null) throw badRequest(`${key} is invalid; it cannot be a null value.`);
  }
}

/** Paging parameters every list endpoint takes. */
export interface PageParams {
  sort_by?: string | null;
  limit: number;
  offset: number;
}

/**
 * The 400 checks of docs/store-contract.md §4.3, in order: `sort_by` must be an allowed field, `limit` must be -1 or
 * positive, `offset` must not be negative.
 */
export function checkPageParams(params: PageParams, allowedSortFields: readonly string[]): void {
  checkSortBy(params.sort_by, allowedSortFields);
  if (params.limit === 0 || params.limit < -1)
    throw badRequest("Limit must be greater than 0 or -1 for no limit");
  if (params.offset < 0) throw badRequest("Offset must be greater than or equal to 0");
}
