import { toValidationDetail, type ValidationDetailItem } from "@agentlightning/types";
import type * as z from "zod";
import { RequestValidationError } from "./errors.js";

// Query strings → the same zod schemas the POST `/search` bodies use. Lists are repeated keys
// (`?status_in=failed&status_in=succeeded`; commas are not split); integers are parsed like
// FastAPI does, so `limit=abc` is a 422 `int_parsing` at `["query", "limit"]`.

/** How a query parameter is read from the URL. */
export type QueryParamKind = "list" | "int" | "scalar";

interface WrapperDef {
  type: string;
  innerType?: z.ZodType;
}

/** Kind of one field of a query schema, looking through defaults, nullables and optionals. */
export function queryParamKind(field: z.ZodType): QueryParamKind {
  let def = field._zod.def as unknown as WrapperDef;
  while (def.innerType !== undefined && ["default", "prefault", "nullable", "optional"].includes(def.type)) {
    def = def.innerType._zod.def as unknown as WrapperDef;
  }
  if (def.type === "array") return "list";
  if (def.type === "number" || def.type === "int") return "int";
  return "scalar";
}

const INTEGER = /^\s*[+-]?\d+\s*$/;

/**
 * Reads the parameters `schema` declares from `params` and validates them. Unknown parameters are
 * ignored; a scalar given several times takes the last value. Throws a 422 listing every bad one.
 */
export function parseQuery<S extends z.ZodObject>(schema: S, params: URLSearchParams): z.output<S> {
  const input: Record<string, unknown> = {};
  const errors: ValidationDetailItem[] = [];
  for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    const values = params.getAll(key);
    if (values.length === 0) continue;
    const kind = queryParamKind(field);
    const last = values[values.length - 1] as string;
    if (kind === "list") input[key] = values;
    else if (kind === "int") {
      if (INTEGER.test(last)) input[key] = Number.parseInt(last.trim(), 10);
      else {
        errors.push({
          type: "int_parsing",
          loc: ["query", key],
          msg: "Input should be a valid integer, unable to parse string as an integer",
          input: last,
        });
      }
    } else input[key] = last;
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    const failedInts = new Set(errors.map((e) => e.loc[1]));
    for (const item of toValidationDetail(result.error, "query", input)) {
      if (!failedInts.has(item.loc[1] as string)) errors.push(item);
    }
  }
  if (errors.length > 0 || !result.success) throw new RequestValidationError(errors);
  return result.data;
}
