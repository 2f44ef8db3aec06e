import { describe, expect, it } from "vitest";
import { buildSpanForest, isErrorSpan, visibleRows } from "./span-tree.js";
import { span } from "./test-spans.js";

describe("span forest", () => {
  it("nests by parent, orders siblings by start, and keeps orphans as roots", () => {
    const spans = [
      span(1, "root", null, 0, 10),
      span(3, "b", "root", 5, 6),
      span(2, "a", "root", 1, 2),
      span(4, "o", "gone", 3, 4),
    ];
    const forest = buildSpanForest(spans);
    const rows = visibleRows(forest, new Set());
    expect(rows.map((r) => [r.span.span_id, r.depth])).toEqual([
      ["root", 0],
      ["a", 1],
      ["b", 1],
      ["o", 0],
    ]);
    expect(forest.start).toBe(0);
    expect(forest.end).toBe(10);
  });
  it("hides the descendants of a collapsed span", () => {
    const spans = [span(1, "root", null, 0, 10), span(2, "a", "root", 1, 2), span(3, "c", "a", 1, 2)];
    const forest = buildSpanForest(spans);
    expect(visibleRows(forest, new Set([forest.roots[0]!])).map((r) => r.span.span_id)).toEqual(["root"]);
  });
  it("shows every span of a parent cycle once", () => {
    const spans = [span(1, "a", "b", 0, 1), span(2, "b", "a", 0, 1), span(3, "self", "self", 0, 1)];
    const rows = visibleRows(buildSpanForest(spans), new Set());
    expect(rows.map((r) => r.span.span_id).sort()).toEqual(["a", "b", "self"]);
  });
  it("handles a 20,000-deep chain without recursion", () => {
    const spans = Array.from({ length: 20_000 }, (_, i) =>
      span(i + 1, `s${i}`, i === 0 ? null : `s${i - 1}`, i, i + 1),
    );
    const rows = visibleRows(buildSpanForest(spans), new Set());
    expect(rows).toHaveLength(20_000);
    expect(rows.at(-1)?.depth).toBe(19_999);
  });
  it("marks errors by status or exception", () => {
    expect(
      isErrorSpan(span(1, "a", null, 0, 1, { status: { status_code: "ERROR", description: "x" } })),
    ).toBe(true);
    expect(
      isErrorSpan(
        span(1, "a", null, 0, 1, { events: [{ name: "exception", attributes: {}, timestamp: 1 }] }),
      ),
    ).toBe(true);
    expect(isErrorSpan(span(1, "a", null, 0, 1))).toBe(false);
  });
});
