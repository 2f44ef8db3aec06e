/**
 * Reading attribute values that a Python producer wrote as text. The LiteLLM-based proxy of the
 * Python Agent Lightning stores lists as their Python `repr` (`"[1, 2]"`,
 * `"[{'token_ids': [3], 'finish_reason': 'stop'}]"`), where the Python adapter uses
 * `ast.literal_eval`. Our proxy writes JSON text or native arrays. {@link parseLooseLiteral}
 * reads all three.
 */

/** Thrown inside the parser only; callers get `undefined`. */
class LiteralSyntaxError extends Error {}

const ESCAPES: Record<string, string> = {
  "\\": "\\",
  "'": "'",
  '"': '"',
  n: "\n",
  r: "\r",
  t: "\t",
  b: "\b",
  f: "\f",
  v: "\v",
  a: "\u0007",
  "0": "\0",
  "\n": "",
};

const WHITESPACE = new Set([" ", "\t", "\n", "\r", "\f", "\v"]);
const STRING_PREFIX = /([bBuU]?[rR]?|[rR][bB]?)(?=['"])/y;
const CONSTANT = /(True|False|None)\b/y;
const NUMBER = /[-+]?(?:\d[\d_]*\.?[\d_]*(?:[eE][-+]?\d+)?|\.\d[\d_]*(?:[eE][-+]?\d+)?|inf\b|nan\b)/y;
const HEX_ESCAPE = /(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})/y;

/**
 * A recursive-descent parser of Python literals: strings (single, double or triple quotes, with
 * escapes and `b`/`u`/`r` prefixes), numbers, `True`/`False`/`None`, lists, tuples, dicts and sets
 * (sets become arrays).
 */
class PythonLiteralParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parse(): unknown {
    const value = this.value();
    this.skipSpace();
    if (this.pos !== this.text.length) throw new LiteralSyntaxError(`trailing text at ${this.pos}`);
    return value;
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && WHITESPACE.has(this.text[this.pos]!)) this.pos++;
  }

  private peek(): string {
    return this.text[this.pos] ?? "";
  }

  private expect(ch: string): void {
    this.skipSpace();
    if (this.text[this.pos] !== ch) throw new LiteralSyntaxError(`expected ${ch} at ${this.pos}`);
    this.pos++;
  }

  /** Matches `pattern` (a sticky regex) at the cursor, without copying the rest of the text. */
  private match(pattern: RegExp): RegExpExecArray | null {
    pattern.lastIndex = this.pos;
    return pattern.exec(this.text);
  }

  private value(): unknown {
    this.skipSpace();
    const ch = this.peek();
    if (ch === "[") return this.sequence("[", "]");
    if (ch === "(") return this.sequence("(", ")");
    if (ch === "{") return this.braces();
    if (ch === "'" || ch === '"') return this.string(false);
    const prefix = this.match(STRING_PREFIX);
    if (prefix?.[1]) {
      this.pos += prefix[1].length;
      return this.string(/r/i.test(prefix[1]));
    }
    const word = this.match(CONSTANT);
    if (word) {
      this.pos += word[1]!.length;
      return word[1] === "True" ? true : word[1] === "False" ? false : null;
    }
    const number = this.match(NUMBER);
    if (number) {
      this.pos += number[0].length;
      const clean = number[0].replaceAll("_", "");
      if (clean.endsWith("inf")) return clean.startsWith("-") ? -Infinity : Infinity;
      if (clean.endsWith("nan")) return Number.NaN;
      return Number(clean);
    }
    throw new LiteralSyntaxError(`unexpected ${JSON.stringify(ch)} at ${this.pos}`);
  }

  private sequence(open: string, close: string): unknown[] {
    this.expect(open);
    const items: unknown[] = [];
    for (;;) {
      this.skipSpace();
      if (this.peek() === close) {
        this.pos++;
        return items;
      }
      items.push(this.value());
      this.skipSpace();
      if (this.peek() === ",") this.pos++;
      else if (this.peek() !== close) throw new LiteralSyntaxError(`expected , or ${close} at ${this.pos}`);
    }
  }

  private braces(): unknown {
    this.expect("{");
    this.skipSpace();
    if (this.peek() === "}") {
      this.pos++;
      return {};
    }
    const first = this.value();
    this.skipSpace();
    if (this.peek() !== ":") {
      // A set literal: read it as a list.
      const items = [first];
      while (this.peek() === ",") {
        this.pos++;
        this.skipSpace();
        if (this.peek() === "}") break;
        items.push(this.value());
        this.skipSpace();
      }
      this.expect("}");
      return items;
    }
    const entries: [string, unknown][] = [];
    let key = first;
    for (;;) {
      this.expect(":");
      entries.push([typeof key === "string" ? key : JSON.stringify(key), this.value()]);
      this.skipSpace();
      if (this.peek() === ",") {
        this.pos++;
        this.skipSpace();
      }
      if (this.peek() === "}") {
        this.pos++;
        return Object.fromEntries(entries);
      }
      key = this.value();
    }
  }

  private string(raw: boolean): string {
    const quote = this.peek();
    const triple = this.text.startsWith(quote.repeat(3), this.pos);
    const end = triple ? quote.repeat(3) : quote;
    this.pos += end.length;
    let out = "";
    for (;;) {
      if (this.pos >= this.text.length) throw new LiteralSyntaxError("unterminated string");
      if (this.text.startsWith(end, this.pos)) {
        this.pos += end.length;
        return out;
      }
      const ch = this.text[this.pos]!;
      if (ch === "\\" && !raw) {
        const next = this.text[this.pos + 1] ?? "";
        HEX_ESCAPE.lastIndex = this.pos + 1;
        const hex = HEX_ESCAPE.exec(this.text);
        if (hex) {
          out += String.fromCodePoint(Number.parseInt(hex[1]!.slice(1), 16));
          this.pos += 1 + hex[1]!.length;
        } else if (next in ESCAPES) {
          out += ESCAPES[next];
          this.pos += 2;
        } else {
          out += ch + next;
          this.pos += 2;
        }
        continue;
      }
      out += ch;
      this.pos++;
    }
  }
}

/**
 * Parses a Python literal (`ast.literal_eval` subset); `undefined` when the text is not one.
 *
 * @example
 * ```ts
 * parsePythonLiteral("[{'token_ids': [1, 2], 'ok': True}]"); // [{token_ids: [1, 2], ok: true}]
 * ```
 */
export function parsePythonLiteral(text: string): unknown {
  try {
    return new PythonLiteralParser(text).parse();
  } catch (error) {
    if (error instanceof LiteralSyntaxError) return undefined;
    throw error;
  }
}

/**
 * A value as the producer meant it: non-strings unchanged; a string that is JSON or a Python
 * literal of a list, tuple or dict is parsed; any other string is returned as it is.
 */
export function parseLooseLiteral(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const text = value.trim();
  if (!/^[[({]/.test(text)) return value;
  try {
    return JSON.parse(text);
  } catch {
    const parsed = parsePythonLiteral(text);
    return parsed === undefined ? value : parsed;
  }
}

/** The value as a list of integers (native, JSON or Python-literal text), or `null` when it is not one. */
export function asIntList(value: unknown): number[] | null {
  const parsed = parseLooseLiteral(value);
  if (!Array.isArray(parsed)) return null;
  return parsed.every((item) => typeof item === "number" && Number.isInteger(item))
    ? (parsed as number[])
    : null;
}
