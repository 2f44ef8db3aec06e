import { AglError, type Attributes, type SpanCoreFields } from "@agentlightning/types";
import { AGL_OBJECT, LightningSpanAttributes } from "../semconv.js";
import {
  type ExtraAttributesOption,
  emitterTracer,
  extraAttributes,
  type PropagateOption,
} from "./emitter-tracer.js";

/** Options of {@link emitObject}. */
export interface EmitObjectOptions extends PropagateOption, ExtraAttributesOption {}

/** An encoded object: its Python type name and either a literal or JSON text. */
export interface EncodedObject {
  type: string;
  literal?: string;
  json?: string;
}

function typeName(value: object): string {
  if (Array.isArray(value)) return "list";
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return "dict";
  const name = (value.constructor as { name?: unknown } | undefined)?.name;
  return typeof name === "string" && name !== "" ? name : "object";
}

/**
 * How `emitObject` stores a value (runtime contract §4.5), with Python's type names so a Python reader
 * decodes it: strings, integers, other numbers and booleans as literals (`str`, `int`, `float`,
 * `bool` spelled `True`/`False`), bytes (`Uint8Array`/`Buffer`) as base64 `bytes`, everything else as
 * JSON text typed `dict`, `list`, `NoneType` or the class name.
 *
 * @throws AglError `invalid_argument` when the value cannot be JSON-encoded (BigInt, a cycle,
 *   `undefined`, a function, a symbol).
 */
export function encodeObject(value: unknown): EncodedObject {
  switch (typeof value) {
    case "string":
      return { type: "str", literal: value };
    case "number":
      return { type: Number.isInteger(value) ? "int" : "float", literal: String(value) };
    case "boolean":
      return { type: "bool", literal: value ? "True" : "False" };
    default:
      break;
  }
  if (value instanceof Uint8Array) return { type: "bytes", literal: Buffer.from(value).toString("base64") };
  if (value === null) return { type: "NoneType", json: "null" };
  if (typeof value !== "object") {
    throw new AglError("invalid_argument", `Object of type ${typeof value} is not JSON serializable`);
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (cause) {
    throw new AglError(
      "invalid_argument",
      `Object of type ${typeName(value)} is not JSON serializable: ${String(cause)}`,
      {
        cause,
      },
    );
  }
  if (json === undefined)
    throw new AglError("invalid_argument", `Object of type ${typeName(value)} is not JSON serializable`);
  return { type: typeName(value), json };
}

/**
 * Emits an object span (`agentlightning.object`, status OK) carrying `value` as encoded by
 * {@link encodeObject} (`agentlightning.object.type` plus `.literal` or `.json`), plus extras.
 *
 * @throws AglError `invalid_argument` for a value that cannot be encoded; `not_found` without an
 *   active tracer (unless `propagate: false`).
 */
export function emitObject(value: unknown, options: EmitObjectOptions = {}): SpanCoreFields {
  const encoded = encodeObject(value);
  const attributes: Attributes = { [LightningSpanAttributes.OBJECT_TYPE]: encoded.type };
  if (encoded.literal !== undefined) attributes[LightningSpanAttributes.OBJECT_LITERAL] = encoded.literal;
  if (encoded.json !== undefined) attributes[LightningSpanAttributes.OBJECT_JSON] = encoded.json;
  Object.assign(attributes, extraAttributes(options.attributes));
  return emitterTracer(options.propagate).createSpan(AGL_OBJECT, attributes, null, {
    status_code: "OK",
    description: null,
  });
}

/**
 * Decodes the object of an object span: JSON text parsed, literals by type (`str` (default), `int`,
 * `float`, `bool`, `bytes` as a `Buffer`), `null` when the span carries neither.
 *
 * @throws AglError `invalid_argument` for invalid JSON or an unknown literal type.
 */
export function getObjectValue(span: { attributes?: Readonly<Record<string, unknown>> | null }): unknown {
  const attributes = span.attributes ?? {};
  const json = attributes[LightningSpanAttributes.OBJECT_JSON];
  if (json !== undefined && json !== null) {
    try {
      return JSON.parse(String(json));
    } catch (cause) {
      throw new AglError("invalid_argument", `${LightningSpanAttributes.OBJECT_JSON} is not valid JSON`, {
        cause,
      });
    }
  }
  const literal = attributes[LightningSpanAttributes.OBJECT_LITERAL];
  if (literal === undefined || literal === null) return null;
  const text = String(literal);
  const type = attributes[LightningSpanAttributes.OBJECT_TYPE] ?? "str";
  switch (type) {
    case "str":
      return text;
    case "int":
    case "float": {
      const number = Number(text);
      if (text.trim() === "" || Number.isNaN(number)) {
        throw new AglError("invalid_argument", `object literal ${JSON.stringify(text)} is not a ${type}`);
      }
      return number;
    }
    case "bool":
      return text.toLowerCase() === "true";
    case "bytes":
      return Buffer.from(text, "base64");
    default:
      throw new AglError("invalid_argument", `Unknown object literal type ${JSON.stringify(type)}`);
  }
}
