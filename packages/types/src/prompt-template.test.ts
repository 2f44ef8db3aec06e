import { describe, expect, it } from "vitest";
import { AglError } from "./errors.js";
import { formatFString, formatPromptTemplate } from "./prompt-template.js";
import type { PromptTemplate } from "./resources.js";

const tpl = (template: string, engine: PromptTemplate["engine"] = "f-string"): PromptTemplate => ({
  resource_type: "prompt_template",
  template,
  engine,
});

function errorOf(fn: () => unknown): AglError {
  try {
    fn();
  } catch (e) {
    if (AglError.isInstance(e)) return e;
    throw e;
  }
  throw new Error("expected an AglError");
}

describe("f-string engine (Python str.format)", () => {
  it("substitutes named fields and ignores extra values", () => {
    expect(formatPromptTemplate(tpl("Hello {name}!"), { name: "Ada", other: 1 })).toBe("Hello Ada!");
  });

  it("turns doubled braces into literal braces", () => {
    expect(formatFString("{{x}} {y}", { y: 1 })).toBe("{x} 1");
    expect(formatFString("{{{y}}}", { y: 2 })).toBe("{2}");
  });

  it("throws invalid_argument naming a missing key", () => {
    const e = errorOf(() => formatFString("Hi {name} from {place}", { name: "A" }));
    expect(e.code).toBe("invalid_argument");
    expect(e.message).toContain("'place'");
  });

  it("rejects positional fields", () => {
    expect(errorOf(() => formatFString("{} and {0}", {})).message).toContain("Positional field");
    expect(errorOf(() => formatFString("{0}", {})).code).toBe("invalid_argument");
  });

  it("rejects single braces", () => {
    expect(errorOf(() => formatFString("a } b", {})).message).toContain("Single '}'");
    expect(errorOf(() => formatFString("a { b", {})).message).toContain("Expected '}'");
  });

  it("renders values as Python str() does", () => {
    expect(
      formatFString("{a} {b} {c} {d} {e} {f}", {
        a: true,
        b: null,
        c: [1, "x"],
        d: { k: 1.5 },
        e: 2,
        f: 0.1,
      }),
    ).toBe("True None [1, 'x'] {'k': 1.5} 2 0.1");
    expect(formatFString("{x}", { x: 1e-7 })).toBe("1e-07");
    expect(formatFString("{x}", { x: 1.5e20 })).toBe("1.5e+20");
  });

  it("supports attribute and index access", () => {
    const values = { user: { name: "Ada", langs: ["py", "ts"] }, rows: [[1, 2]] };
    expect(formatFString("{user.name} {user.langs[1]} {user[name]} {rows[0][1]}", values)).toBe(
      "Ada ts Ada 2",
    );
    expect(errorOf(() => formatFString("{user.age}", values)).message).toContain("'age' not found");
  });

  it("supports !s, !r and !a conversions", () => {
    expect(formatFString("{x!s} {x!r} {y!a}", { x: "it's", y: "é" })).toBe(`it's "it's" '\\xe9'`);
    expect(errorOf(() => formatFString("{x!z}", { x: 1 })).message).toContain("Unknown conversion");
  });

  it("supports alignment, width and fill for strings", () => {
    expect(formatFString("[{x:>6}] [{x:<6}] [{x:^7}] [{x:*^7}] [{x:.2}]", { x: "abc" })).toBe(
      "[   abc] [abc   ] [  abc  ] [**abc**] [ab]",
    );
  });

  it("supports the numeric mini-language", () => {
    const v = { pi: Math.PI, n: 1234567, neg: -42, half: 0.5, big: 12345.678 };
    expect(
      formatFString("{pi:.2f} {pi:8.3f} {n:,} {n:_d} {neg:05d} {neg:+d} {half:.0%} {n:x} {n:#X} {n:b}", v),
    ).toBe("3.14    3.142 1,234,567 1_234_567 -0042 -42 50% 12d687 0X12D687 100101101011010000111");
    expect(formatFString("{pi:e} {big:.3g} {big:g} {half:g} {n:.2e}", v)).toBe(
      "3.141593e+00 1.23e+04 12345.7 0.5 1.23e+06",
    );
    expect(formatFString("{n:+} {pi: .1f} {n:>10}", v)).toBe("+1234567  3.1    1234567");
  });

  it("supports nested fields in a format spec", () => {
    expect(formatFString("{x:>{w}}", { x: "a", w: 4 })).toBe("   a");
  });

  it("throws rather than silently differ on unsupported specs", () => {
    expect(errorOf(() => formatFString("{x:d}", { x: "s" })).message).toContain("Unknown format code 'd'");
    expect(errorOf(() => formatFString("{x:d}", { x: 1.5 })).message).toContain("'float'");
    expect(errorOf(() => formatFString("{x:>5}", { x: null })).code).toBe("invalid_argument");
    expect(errorOf(() => formatFString("{x:!!}", { x: 1 })).message).toContain("Invalid format specifier");
  });
});

describe("other engines", () => {
  it("renders jinja templates with @huggingface/jinja", () => {
    const t = tpl("Hi {{ name }}!{% for x in items %} {{ x }}{% endfor %}", "jinja");
    expect(formatPromptTemplate(t, { name: "Ada", items: [1, 2] })).toBe("Hi Ada! 1 2");
  });

  it("reports jinja syntax errors as invalid_argument", () => {
    expect(errorOf(() => formatPromptTemplate(tpl("{% for %}", "jinja"), {})).code).toBe("invalid_argument");
  });

  it("does not support poml", () => {
    const e = errorOf(() => formatPromptTemplate(tpl("<poml/>", "poml"), {}));
    expect(e.code).toBe("unsupported");
    expect(e.message).toContain("not supported");
  });
});
