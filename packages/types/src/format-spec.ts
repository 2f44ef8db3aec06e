import { AglError } from "./errors.js";
import { pyNumberStr, pyStr } from "./python-repr.js";

// Python's format-spec mini-language ([[fill]align][sign][z][#][0][width][grouping][.precision][type])
// for strings and numbers: what `"{x:>8}".format(x=...)` and `"{x:.2f}"` do.

const SPEC = /^(?:([\s\S])?([<>=^]))?([+\- ])?(z)?(#)?(0)?(\d+)?([_,])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/;

interface Spec {
  fill: string;
  align: string | undefined;
  sign: string;
  alternate: boolean;
  zeroPad: boolean;
  width: number;
  grouping: string | undefined;
  precision: number | undefined;
  type: string | undefined;
}

function parseSpec(spec: string, field: string): Spec {
  const m = SPEC.exec(spec);
  if (!m) throw new AglError("invalid_argument", `Invalid format specifier '${spec}' for field '${field}'`);
  return {
    fill: m[1] ?? (m[6] && !m[2] ? "0" : " "),
    align: m[2] ?? (m[6] ? "=" : undefined),
    sign: m[3] ?? "-",
    alternate: m[5] !== undefined,
    zeroPad: m[6] !== undefined,
    width: m[7] ? Number(m[7]) : 0,
    grouping: m[8],
    precision: m[9] !== undefined ? Number(m[9]) : undefined,
    type: m[10],
  };
}

function pad(body: string, prefix: string, spec: Spec, defaultAlign: string): string {
  const align = spec.align ?? defaultAlign;
  const len = [...prefix].length + [...body].length;
  const missing = Math.max(0, spec.width - len);
  if (missing === 0) return prefix + body;
  const fill = (n: number) => spec.fill.repeat(n);
  switch (align) {
    case "<":
      return prefix + body + fill(missing);
    case ">":
      return fill(missing) + prefix + body;
    case "^":
      return fill(Math.floor(missing / 2)) + prefix + body + fill(Math.ceil(missing / 2));
    default: // "=": padding between sign/prefix and digits
      return prefix + fill(missing) + body;
  }
}

function group(intPart: string, sep: string | undefined, every: number): string {
  if (!sep) return intPart;
  let out = "";
  for (let i = 0; i < intPart.length; i++) {
    if (i > 0 && (intPart.length - i) % every === 0) out += sep;
    out += intPart[i];
  }
  return out;
}

function exponential(abs: number, precision: number, upper: boolean): string {
  const [m = "", e = "0"] = abs.toExponential(precision).split("e");
  const exp = Number(e);
  const text = `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return upper ? text.toUpperCase() : text;
}

function stripZeros(text: string): string {
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

function general(abs: number, precision: number, alternate: boolean, upper: boolean): string {
  const p = precision === 0 ? 1 : precision;
  if (abs === 0) return alternate ? `0.${"0".repeat(p - 1)}` : "0";
  const exp = Number(abs.toExponential(p - 1).split("e")[1]);
  if (exp >= -4 && exp < p) {
    const text = abs.toFixed(p - 1 - exp);
    return alternate ? text : stripZeros(text);
  }
  const [mantissa = "", expText = ""] = exponential(abs, p - 1, upper).split(/[eE]/);
  return `${alternate ? mantissa : stripZeros(mantissa)}${upper ? "E" : "e"}${expText}`;
}

function formatNumber(value: number, spec: Spec, field: string): string {
  const integral = Number.isInteger(value);
  let type = spec.type;
  if (type === "n") type = integral ? "d" : "g";
  if (type && "bcdoxX".includes(type) && !integral) {
    throw new AglError(
      "invalid_argument",
      `Unknown format code '${type}' for object of type 'float' in field '${field}'`,
    );
  }
  const negative = value < 0 || Object.is(value, -0);
  const abs = Math.abs(value);
  let body: string;
  let prefix = "";
  if (!Number.isFinite(abs)) {
    body = Number.isNaN(abs) ? "nan" : "inf";
    if (type && "EFG".includes(type)) body = body.toUpperCase();
  } else {
    switch (type) {
      case "b":
      case "o":
      case "x":
      case "X": {
        const radix = { b: 2, o: 8, x: 16, X: 16 }[type];
        body = abs.toString(radix);
        if (type === "X") body = body.toUpperCase();
        if (spec.alternate) prefix = `0${type}`;
        body = group(body, spec.grouping, 4);
        break;
      }
      case "c":
        return pad(String.fromCodePoint(value), "", spec, "<");
      case "d":
        body = group(String(abs), spec.grouping, 3);
        break;
      case "f":
      case "F":
      case "%": {
        const scaled = type === "%" ? abs * 100 : abs;
        const [i = "", f] = scaled.toFixed(spec.precision ?? 6).split(".");
        body = group(i, spec.grouping, 3) + (f !== undefined ? `.${f}` : spec.alternate ? "." : "");
        if (type === "%") body += "%";
        break;
      }
      case "e":
      case "E":
        body = exponential(abs, spec.precision ?? 6, type === "E");
        break;
      case "g":
      case "G":
        body = general(abs, spec.precision ?? 6, spec.alternate, type === "G");
        break;
      default:
        if (spec.precision !== undefined && !integral) {
          body = general(abs, spec.precision, spec.alternate, false);
        } else {
          const text = pyNumberStr(abs);
          const [i = "", f] = text.split(".");
          body = text.includes("e") ? text : group(i, spec.grouping, 3) + (f !== undefined ? `.${f}` : "");
        }
    }
  }
  const sign = negative ? "-" : spec.sign === "+" ? "+" : spec.sign === " " ? " " : "";
  return pad(body, sign + prefix, spec, ">");
}

/**
 * Formats one value with a Python format spec. Strings take fill/align/width/precision; numbers
 * the whole numeric mini-language; any other value only an empty spec.
 */
export function formatWithSpec(value: unknown, specText: string, field: string): string {
  if (specText === "") return pyStr(value);
  const spec = parseSpec(specText, field);
  if (typeof value === "boolean") return formatNumber(value ? 1 : 0, spec, field);
  if (typeof value === "number") return formatNumber(value, spec, field);
  if (typeof value === "string") {
    if (spec.type && spec.type !== "s") {
      throw new AglError(
        "invalid_argument",
        `Unknown format code '${spec.type}' for object of type 'str' in field '${field}'`,
      );
    }
    if (spec.sign !== "-" || spec.grouping || spec.alternate || spec.align === "=") {
      throw new AglError(
        "invalid_argument",
        `Format specifier '${specText}' is not allowed for a string in field '${field}'`,
      );
    }
    const text = spec.precision !== undefined ? [...value].slice(0, spec.precision).join("") : value;
    return pad(text, "", spec, "<");
  }
  throw new AglError(
    "invalid_argument",
    `Unsupported format string '${specText}' for a ${value === null ? "null" : typeof value} value in field '${field}'`,
  );
}
