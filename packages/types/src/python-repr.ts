// Python's str() and repr() of JSON values, so that f-string templates render values the way the
// Python Agent Lightning does ("True", "None", "['a', 1]", "{'k': 1.5}").
// JS has one number type: an integral number renders as a Python int ("1", not "1.0").

/** Python `repr()` of a finite non-integral float, from its shortest round-trip digits. */
function floatRepr(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return `${value}.0`;
  const [mantissa = "", expText = "0"] = value.toExponential().split("e");
  const exp = Number(expText);
  if (exp >= -4 && exp < 16) {
    const text = value.toFixed(Math.max(0, mantissa.replace(/^-?\d\.?/, "").length - exp));
    return text.includes(".") ? text : `${text}.0`;
  }
  const sign = exp < 0 ? "-" : "+";
  return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, "0")}`;
}

/** Python `str()` of a number (integral numbers as ints). */
export function pyNumberStr(value: number): string {
  return Number.isInteger(value) && Math.abs(value) < 1e16 ? String(value) : floatRepr(value);
}

/** Python `repr()` of a string: single quotes unless the text holds `'` and no `"`. */
export function pyStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out + quote;
}

/** Python `repr()` of a JSON value. */
export function pyRepr(value: unknown): string {
  if (typeof value === "string") return pyStringRepr(value);
  return pyStr(value);
}

/** Python `str()` of a JSON value. */
export function pyStr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return pyNumberStr(value);
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(", ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{${entries.map(([k, v]) => `${pyStringRepr(k)}: ${pyRepr(v)}`).join(", ")}}`;
  }
  return String(value);
}
