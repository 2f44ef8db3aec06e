// Runtime contract checklist §9 "Span model and attribute helpers", items #7–#18 (the attribute helpers of §1.7).
import { AglError, AttributesSchema } from "@agentlightning/types";
import { describe, expect, it } from "vitest";
import { recordingLogger } from "../../test/support/recording-logger.js";
import {
  checkAttributesSanity,
  extractLinksFromAttributes,
  extractTagsFromAttributes,
  filterAndUnflattenAttributes,
  filterAttributes,
  flattenAttributes,
  formatExceptionAttributes,
  makeLinkAttributes,
  makeTagAttributes,
  queryLinkedSpans,
  sanitizeAttributes,
  sanitizeAttributeValue,
  unflattenAttributes,
} from "./attributes.js";

describe("flattenAttributes", () => {
  it("#7 keeps homogeneous leaf lists, or expands them with expandLeafLists", () => {
    expect(flattenAttributes({ a: { b: 1, c: [2, 3] } })).toEqual({ "a.b": 1, "a.c": [2, 3] });
    expect(flattenAttributes({ a: { b: 1, c: [2, 3] } }, { expandLeafLists: true })).toEqual({
      "a.b": 1,
      "a.c.0": 2,
      "a.c.1": 3,
    });
  });

  it("#8 expands a list of mixed primitive types by index and warns", () => {
    const logger = recordingLogger();
    expect(flattenAttributes({ values: [1, "two"] }, { logger })).toEqual({
      "values.0": 1,
      "values.1": "two",
    });
    expect(logger.messages("warn").join("\n")).toMatch(/mixed primitive types/);
  });

  it("A15: integers and floats in one list are one type in JS (documented deviation)", () => {
    const logger = recordingLogger();
    expect(flattenAttributes({ v: [1, 2.5, 3] }, { logger })).toEqual({ v: [1, 2.5, 3] });
    expect(logger.lines).toEqual([]);
  });

  it("#9 expands lists of objects, drops empty lists and objects, keeps null leaves, roots", () => {
    expect(
      flattenAttributes({
        users: [
          { name: "Alice", tags: ["admin", "staff"] },
          { name: "Bob", tags: [] },
        ],
        empty: {},
        missing: null,
      }),
    ).toEqual({
      "users.0.name": "Alice",
      "users.0.tags": ["admin", "staff"],
      "users.1.name": "Bob",
      missing: null,
    });
    expect(flattenAttributes([])).toEqual({});
    expect(flattenAttributes({})).toEqual({});
    expect(flattenAttributes(42)).toEqual({ "": 42 });
    expect(flattenAttributes(null)).toEqual({ "": null });
  });

  it("keeps non-plain leaves as they are, for the sanity check to reject", () => {
    const set = new Set([1]);
    expect(flattenAttributes({ s: set })).toEqual({ s: set });
  });
});

describe("unflattenAttributes", () => {
  it("#10 builds arrays only from consecutive index keys", () => {
    expect(unflattenAttributes({ "a.0": "x", "a.1": "y" })).toEqual({ a: ["x", "y"] });
    expect(unflattenAttributes({ "a.0": "x", "a.2": "y" })).toEqual({ a: { "0": "x", "2": "y" } });
    expect(unflattenAttributes({ "a.0": "x", "a.foo": "y" })).toEqual({ a: { "0": "x", foo: "y" } });
    expect(unflattenAttributes({ "0": "a", "1": "b", "2": "c" })).toEqual(["a", "b", "c"]);
    expect(unflattenAttributes({})).toEqual({});
    expect(unflattenAttributes({ "a.0.0": 1, "a.0.1": 2, "a.1.0": 3 })).toEqual({ a: [[1, 2], [3]] });
  });

  it("#10 the nested value wins over a leaf at the same key, in either order", () => {
    expect(unflattenAttributes({ a: 1, "a.b": 2 })).toEqual({ a: { b: 2 } });
    expect(unflattenAttributes({ "a.b": 2, a: 1 })).toEqual({ a: { b: 2 } });
  });

  it("sorts index keys numerically, whatever the input order", () => {
    expect(
      unflattenAttributes({
        "a.10": 10,
        ...Object.fromEntries([...Array(10).keys()].map((i) => [`a.${i}`, i])),
      }),
    ).toEqual({
      a: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    });
  });

  it("treats __proto__ as an ordinary key", () => {
    const out = unflattenAttributes({ "__proto__.polluted": 1 }) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("#11 round-trips through flatten", () => {
    const a = { x: [1, 2, { y: 3 }] };
    expect(unflattenAttributes(flattenAttributes(a))).toEqual(a);
    const b = [{ name: "Alice" }, { name: "Bob", scores: [10, 20] }];
    expect(unflattenAttributes(flattenAttributes(b))).toEqual(b);
  });
});

describe("filterAttributes / filterAndUnflattenAttributes", () => {
  it("keeps the prefix and keys under it, not keys that merely start with it", () => {
    expect(filterAttributes({ p: 1, "p.a": 2, pa: 3, "q.p": 4 }, "p")).toEqual({ p: 1, "p.a": 2 });
  });

  it("strips the prefix and unflattens", () => {
    expect(filterAndUnflattenAttributes({ "p.0.name": "a", "p.0.value": 1, other: 2 }, "p")).toEqual([
      { name: "a", value: 1 },
    ]);
    expect(filterAndUnflattenAttributes({ other: 2 }, "p")).toEqual({});
  });

  it("#12 throws when a key equals the prefix", () => {
    expect(() => filterAndUnflattenAttributes({ p: 1, "p.a": 2 }, "p")).toThrow(/equals the prefix "p"/);
  });
});

describe("sanitizeAttributeValue / sanitizeAttributes", () => {
  it("#13 normalises values into attribute values", () => {
    const logger = recordingLogger();
    expect(sanitizeAttributeValue(null)).toBe("null");
    expect(JSON.parse(sanitizeAttributeValue({ a: [1, 2] }) as string)).toEqual({ a: [1, 2] });
    expect(JSON.parse(sanitizeAttributeValue([1, "a"], { logger }) as string)).toEqual([1, "a"]);
    expect(logger.messages("warn")).toHaveLength(1);
    expect(sanitizeAttributeValue(["a", "b"])).toEqual(["a", "b"]);
    expect(sanitizeAttributeValue([1, true])).toEqual([1, 1]);
    expect(sanitizeAttributeValue([1.5, false])).toEqual([1.5, 0]);
    expect(sanitizeAttributeValue([true, false])).toEqual([true, false]);
    expect(sanitizeAttributeValue("x")).toBe("x");
    expect(sanitizeAttributeValue(3)).toBe(3);
  });

  it("stringifies what JSON cannot encode with force, throws without", () => {
    expect(JSON.parse(sanitizeAttributeValue({ big: 10n }) as string)).toEqual({ big: "10" });
    expect(() => sanitizeAttributeValue({ big: 10n }, { force: false })).toThrow(AglError);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => sanitizeAttributeValue(circular)).toThrow(/not JSON-serialisable/);
  });

  it("names the key whose value fails, and the result validates as wire attributes", () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => sanitizeAttributes({ ok: 1, "bad.key": circular })).toThrow(/attribute "bad\.key"/);
    const out = sanitizeAttributes({ a: null, b: [1, true], c: { d: 1 }, e: "x" });
    expect(AttributesSchema.parse(out)).toEqual(out);
  });
});

describe("checkAttributesSanity", () => {
  it("#14 accepts primitives and homogeneous arrays", () => {
    expect(() =>
      checkAttributesSanity({ s: "x", n: 1.5, b: true, ss: ["a"], ns: [1, 2.5], bs: [true], e: [] }),
    ).not.toThrow();
  });

  it("#14 rejects nested objects, null and mixed arrays, naming the key", () => {
    expect(() => checkAttributesSanity({ nested: { a: 1 } })).toThrow(/"nested"/);
    expect(() => checkAttributesSanity({ nothing: null })).toThrow(/"nothing".*null/);
    expect(() => checkAttributesSanity({ mixed: [1, "a"] })).toThrow(/"mixed"/);
    expect(() => checkAttributesSanity({ set: new Set([1]) })).toThrow(/"set"/);
  });
});

describe("links and tags", () => {
  it("#15 makes link attributes in insertion order and extracts them back", () => {
    const attrs = makeLinkAttributes({ "gen_ai.response.id": "response-123", span_id: "abcd" });
    expect(attrs).toEqual({
      "agentlightning.link.0.key_match": "gen_ai.response.id",
      "agentlightning.link.0.value_match": "response-123",
      "agentlightning.link.1.key_match": "span_id",
      "agentlightning.link.1.value_match": "abcd",
    });
    expect(extractLinksFromAttributes({ ...attrs, unrelated: 1 })).toEqual([
      { key_match: "gen_ai.response.id", value_match: "response-123" },
      { key_match: "span_id", value_match: "abcd" },
    ]);
    expect(extractLinksFromAttributes({})).toEqual([]);
    expect(() => makeLinkAttributes({ id: 5 as unknown as string })).toThrow(/link "id"/);
    expect(() => extractLinksFromAttributes({ "agentlightning.link.0.key_match": "x" })).toThrow(
      /value_match/,
    );
  });

  it("#16 makes tag attributes by index and extracts them back", () => {
    const attrs = makeTagAttributes(["fast", "reliable"]);
    expect(attrs).toEqual({ "agentlightning.tag.0": "fast", "agentlightning.tag.1": "reliable" });
    expect(extractTagsFromAttributes(attrs)).toEqual(["fast", "reliable"]);
    expect(extractTagsFromAttributes({})).toEqual([]);
    expect(() => extractTagsFromAttributes({ "agentlightning.tag.0": 1 })).toThrow(/must be a string/);
  });

  it("reads a compact tag list written by flattening {agentlightning.tag: [...]}", () => {
    expect(extractTagsFromAttributes(flattenAttributes({ "agentlightning.tag": ["a", "b"] }))).toEqual([
      "a",
      "b",
    ]);
  });

  it("#17 queryLinkedSpans needs every link to match; ids compare with the span's own ids", () => {
    const a = { trace_id: "t1", span_id: "s1", attributes: { "gen_ai.response.id": "r1" } };
    const b = { trace_id: "t1", span_id: "s2", attributes: { "gen_ai.response.id": "r2" } };
    const c = { trace_id: "t2", span_id: "s3", attributes: { "gen_ai.response.id": "r1" } };
    const spans = [a, b, c];
    expect(queryLinkedSpans(spans, [{ key_match: "span_id", value_match: "s2" }])).toEqual([b]);
    expect(queryLinkedSpans(spans, [{ key_match: "trace_id", value_match: "t1" }])).toEqual([a, b]);
    expect(queryLinkedSpans(spans, [{ key_match: "gen_ai.response.id", value_match: "r1" }])).toEqual([a, c]);
    expect(
      queryLinkedSpans(spans, [
        { key_match: "trace_id", value_match: "t1" },
        { key_match: "gen_ai.response.id", value_match: "r1" },
      ]),
    ).toEqual([a]);
    expect(
      queryLinkedSpans(spans, extractLinksFromAttributes(makeLinkAttributes({ span_id: "nope" }))),
    ).toEqual([]);
  });
});

describe("formatExceptionAttributes", () => {
  it("#18 class name, message, escaped, stacktrace", () => {
    class ValueError extends Error {}
    const attrs = formatExceptionAttributes(new ValueError("boom"));
    expect(attrs["exception.type"]).toBe("ValueError");
    expect(attrs["exception.message"]).toBe("boom");
    expect(attrs["exception.escaped"]).toBe(true);
    expect(attrs["exception.stacktrace"]).toMatch(/boom/);
  });

  it("uses a custom name and omits a blank stack", () => {
    const err = new TypeError("bad");
    err.stack = "  ";
    const attrs = formatExceptionAttributes(err);
    expect(attrs["exception.type"]).toBe("TypeError");
    expect(attrs).not.toHaveProperty("exception.stacktrace");
  });
});
