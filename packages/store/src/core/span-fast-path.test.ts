// The hand-written span check must agree with SpanSchema: whatever it accepts, zod accepts, with the
// same copy; on broken spans it must give up (zod then reports the error).
import { AddSpanRequestSchema, SpanSchema } from "@agentlightning/types";
import { describe, expect, it } from "vitest";
import { makeSpan } from "../testing/make-span.js";
import { normalizeSpan } from "./normalize.js";
import { copyWellFormedSpan } from "./span-fast-path.js";

const full = () => ({
  ...makeSpan("ro-1", "at-1", 3, {
    parent_id: "00000000000000aa",
    status: { status_code: "ERROR", description: "boom", extra: 1 },
    attributes: { s: "x", n: 1.5, b: true, ss: ["a", "b"], ns: [1, 2], bs: [false], empty: [] },
    events: [{ name: "e", attributes: { k: 1 }, timestamp: 1.5, custom: "kept" }],
    links: [
      {
        context: { trace_id: "t", span_id: "s", is_remote: true, trace_state: { a: "b" }, x: 1 },
        attributes: null,
      },
      { context: { trace_id: "t", span_id: "s", is_remote: false, trace_state: {} }, attributes: { w: "y" } },
    ],
    start_time: 1700000000.5,
    end_time: null,
    context: { trace_id: "t", span_id: "s", is_remote: false, trace_state: {} },
    parent: null,
    resource: { attributes: { "service.name": "x" }, schema_url: "" },
  }),
  kind: "SpanKind.INTERNAL",
  nested_extra: { deep: [1, { a: null }] },
});

/** One change that breaks (or changes) the span, and where. */
const MUTATIONS: [string, (span: Record<string, unknown>) => void][] = [
  ["missing rollout_id", (s) => delete s.rollout_id],
  ["numeric name", (s) => (s.name = 5)],
  ["negative sequence_id", (s) => (s.sequence_id = -1)],
  ["fractional sequence_id", (s) => (s.sequence_id = 1.5)],
  ["string sequence_id", (s) => (s.sequence_id = "1")],
  ["missing parent_id", (s) => delete s.parent_id],
  ["undefined parent_id", (s) => (s.parent_id = undefined)],
  ["status code lowercase", (s) => ((s.status as Record<string, unknown>).status_code = "ok")],
  ["status without description", (s) => delete (s.status as Record<string, unknown>).description],
  ["attribute null", (s) => ((s.attributes as Record<string, unknown>).x = null)],
  ["attribute object", (s) => ((s.attributes as Record<string, unknown>).x = { a: 1 })],
  ["attribute mixed array", (s) => ((s.attributes as Record<string, unknown>).x = [1, "a"])],
  ["attribute NaN", (s) => ((s.attributes as Record<string, unknown>).x = Number.NaN)],
  [
    "attribute Infinity in array",
    (s) => ((s.attributes as Record<string, unknown>).x = [1, Number.POSITIVE_INFINITY]),
  ],
  [
    "attribute array with a hole value",
    (s) => ((s.attributes as Record<string, unknown>).x = ["a", undefined]),
  ],
  ["attributes an array", (s) => (s.attributes = [])],
  ["event without timestamp", (s) => delete (s.events as Record<string, unknown>[])[0]?.timestamp],
  [
    "event with string timestamp",
    (s) => (((s.events as Record<string, unknown>[])[0] as Record<string, unknown>).timestamp = "1"),
  ],
  ["link without attributes key", (s) => delete (s.links as Record<string, unknown>[])[0]?.attributes],
  [
    "link context is_remote string",
    (s) =>
      ((
        (s.links as { context: Record<string, unknown> }[])[0] as { context: Record<string, unknown> }
      ).context.is_remote = "no"),
  ],
  [
    "trace_state number",
    (s) => ((s.context as { trace_state: Record<string, unknown> }).trace_state = { a: 1 }),
  ],
  ["context a string", (s) => (s.context = "ctx")],
  ["start_time a string", (s) => (s.start_time = "now")],
  ["end_time Infinity", (s) => (s.end_time = Number.POSITIVE_INFINITY)],
  ["resource with an extra key (zod drops it)", (s) => ((s.resource as Record<string, unknown>).extra = 1)],
  ["resource without schema_url", (s) => delete (s.resource as Record<string, unknown>).schema_url],
  ["events not an array", (s) => (s.events = {})],
  [
    "a __proto__ attribute key",
    (s) => Object.defineProperty(s.attributes, "__proto__", { value: "x", enumerable: true }),
  ],
];

describe("copyWellFormedSpan", () => {
  it("returns exactly zod's copy for a complete span with every kind of value and extra keys", () => {
    const span = full();
    const fast = copyWellFormedSpan(span);
    expect(fast).toEqual(SpanSchema.parse(span));
    // A copy: changing it leaves the input alone.
    (fast as unknown as { attributes: { ss: string[] } }).attributes.ss.push("c");
    (fast as { status: { status_code: string } }).status.status_code = "OK";
    expect(span.attributes.ss).toEqual(["a", "b"]);
    expect(span.status.status_code).toBe("ERROR");
  });

  it.each(MUTATIONS)("gives up on or agrees with zod: %s", (_, mutate) => {
    const span = full() as unknown as Record<string, unknown>;
    mutate(span);
    const fast = copyWellFormedSpan(span);
    const zod = SpanSchema.safeParse(span);
    if (fast !== undefined) {
      expect(zod.success).toBe(true);
      expect(fast).toEqual(zod.data);
    }
    // normalizeSpan answers as zod does either way.
    if (zod.success) expect(normalizeSpan(span)).toEqual(zod.data);
    else expect(() => normalizeSpan(span)).toThrow(/Invalid span/);
  });

  it("with sequenceIdOptional, a span without sequence_id gives AddSpanRequestSchema's copy (and only then)", () => {
    const { sequence_id: _n, ...span } = full();
    expect(copyWellFormedSpan(span)).toBeUndefined();
    const fast = copyWellFormedSpan(span, { sequenceIdOptional: true });
    expect(fast).toEqual(AddSpanRequestSchema.parse(span));
    expect(fast !== undefined && "sequence_id" in fast).toBe(false);
    expect(copyWellFormedSpan({ ...span, sequence_id: -1 }, { sequenceIdOptional: true })).toBeUndefined();
  });

  it("still applies the store's JSON rule on the fast path (NUL in an attribute)", () => {
    const span = full();
    span.attributes.s = "a\u0000b";
    expect(copyWellFormedSpan(span)).toBeDefined();
    expect(() => normalizeSpan(span)).toThrow(/Invalid span/);
  });
});
