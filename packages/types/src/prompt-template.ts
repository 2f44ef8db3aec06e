import { Template } from "@huggingface/jinja";
import { AglError } from "./errors.js";
import { formatWithSpec } from "./format-spec.js";
import { pyRepr, pyStr } from "./python-repr.js";
import type { PromptTemplate } from "./resources.js";

// The f-string engine is Python's str.format(**kwargs): named fields only, `{{`/`}}` escapes,
// attribute and index access, `!s`/`!r`/`!a` conversions, format specs (nested fields allowed).

function lookup(values: Record<string, unknown>, fieldName: string): unknown {
  const first = /^[^.[]*/.exec(fieldName)?.[0] ?? "";
  if (first === "" || /^\d+$/.test(first)) {
    throw new AglError(
      "invalid_argument",
      `Positional field '{${fieldName}}' is not supported in prompt templates; name the field, e.g. '{question}'`,
    );
  }
  if (!Object.hasOwn(values, first)) {
    throw new AglError("invalid_argument", `Missing value for template field '${first}'`, {
      details: { key: first },
    });
  }
  let value = values[first];
  let rest = fieldName.slice(first.length);
  while (rest.length > 0) {
    const m = /^\.([^.[]+)|^\[([^\]]+)\]/.exec(rest);
    if (!m) throw new AglError("invalid_argument", `Invalid field name '{${fieldName}}' in prompt template`);
    const key = m[1] ?? m[2] ?? "";
    const container = value as Record<string, unknown> | unknown[] | null;
    const index = m[2] !== undefined && /^\d+$/.test(key) ? Number(key) : undefined;
    if (Array.isArray(container) && index !== undefined && index < container.length) value = container[index];
    else if (
      container !== null &&
      typeof container === "object" &&
      !Array.isArray(container) &&
      Object.hasOwn(container, key)
    ) {
      value = container[key];
    } else {
      throw new AglError(
        "invalid_argument",
        `Template field '{${fieldName}}': '${key}' not found in ${pyRepr(container)}`,
      );
    }
    rest = rest.slice(m[0].length);
  }
  return value;
}

/** Splits `name!conv:spec` into its parts; `[...]` may hold `!` and `:`. */
function splitField(field: string): { name: string; conversion: string | undefined; spec: string } {
  let i = 0;
  while (i < field.length && field[i] !== "!" && field[i] !== ":") {
    if (field[i] === "[") {
      const close = field.indexOf("]", i);
      if (close < 0) throw new AglError("invalid_argument", `Missing ']' in template field '{${field}}'`);
      i = close;
    }
    i++;
  }
  const name = field.slice(0, i);
  let conversion: string | undefined;
  if (field[i] === "!") {
    conversion = field[i + 1];
    i += 2;
    if (i < field.length && field[i] !== ":") {
      throw new AglError(
        "invalid_argument",
        `Expected ':' after conversion specifier in template field '{${field}}'`,
      );
    }
  }
  return { name, conversion, spec: i < field.length ? field.slice(i + 1) : "" };
}

function formatString(template: string, values: Record<string, unknown>, depth: number): string {
  let out = "";
  let i = 0;
  while (i < template.length) {
    const ch = template[i];
    if (ch === "{") {
      if (template[i + 1] === "{") {
        out += "{";
        i += 2;
        continue;
      }
      let level = 1;
      let j = i + 1;
      for (; j < template.length; j++) {
        if (template[j] === "{") level++;
        else if (template[j] === "}" && --level === 0) break;
      }
      if (j >= template.length)
        throw new AglError("invalid_argument", "Expected '}' before end of prompt template");
      out += renderField(template.slice(i + 1, j), values, depth);
      i = j + 1;
    } else if (ch === "}") {
      if (template[i + 1] !== "}")
        throw new AglError("invalid_argument", "Single '}' encountered in prompt template");
      out += "}";
      i += 2;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

function renderField(field: string, values: Record<string, unknown>, depth: number): string {
  if (depth > 1) throw new AglError("invalid_argument", "Max string recursion exceeded in prompt template");
  const { name, conversion, spec } = splitField(field);
  let value = lookup(values, name);
  if (conversion === "s") value = pyStr(value);
  else if (conversion === "r") value = pyRepr(value);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ascii() escapes exactly the non-ASCII range
  else if (conversion === "a") value = pyRepr(value).replace(/[^\x00-\x7f]/gu, asciiEscape);
  else if (conversion !== undefined) {
    throw new AglError(
      "invalid_argument",
      `Unknown conversion specifier '${conversion}' in template field '{${field}}'`,
    );
  }
  const resolvedSpec = spec.includes("{") ? formatString(spec, values, depth + 1) : spec;
  return formatWithSpec(value, resolvedSpec, name);
}

function asciiEscape(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, "0")}`;
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, "0")}`;
  return `\\U${code.toString(16).padStart(8, "0")}`;
}

/**
 * Python `str.format(**values)` on a template: `{name}`, `{{`/`}}`, `{a.b}`, `{a[0]}`, `{x!r}`,
 * `{x:>8}`, `{x:.2f}`. A missing name throws {@link AglError} `invalid_argument` naming it; extra
 * values are ignored.
 *
 * @example
 * ```ts
 * formatFString("Hello {name}! {{literal}}", { name: "Ada" }); // "Hello Ada! {literal}"
 * ```
 */
export function formatFString(template: string, values: Record<string, unknown>): string {
  return formatString(template, values, 0);
}

/**
 * Renders a prompt template with its engine: `f-string` with Python `str.format` semantics, `jinja`
 * with `@huggingface/jinja` (an extension: the Python package does not format Jinja templates),
 * `poml` is not supported and throws `unsupported`.
 *
 * @example
 * ```ts
 * formatPromptTemplate({ resource_type: "prompt_template", template: "Q: {q}", engine: "f-string" }, { q: "2+2?" });
 * ```
 */
export function formatPromptTemplate(template: PromptTemplate, values: Record<string, unknown>): string {
  switch (template.engine) {
    case "f-string":
      return formatFString(template.template, values);
    case "jinja":
      try {
        return new Template(template.template).render(values);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new AglError("invalid_argument", `Cannot render jinja prompt template: ${reason}`, {
          cause: error,
        });
      }
    default:
      throw new AglError(
        "unsupported",
        `Formatting is not supported for the '${template.engine}' template engine`,
      );
  }
}
