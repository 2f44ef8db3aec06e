import { describe, expect, it } from "vitest";
import { diffLines } from "./text-diff.js";

describe("diffLines", () => {
  it("marks removed and added lines around the common ones", () => {
    expect(diffLines("a\nb\nc", "a\nx\nc\nd")).toEqual([
      { kind: "same", text: "a" },
      { kind: "removed", text: "b" },
      { kind: "added", text: "x" },
      { kind: "same", text: "c" },
      { kind: "added", text: "d" },
    ]);
  });
  it("says nothing changed for equal texts", () => {
    expect(diffLines("q: {q}", "q: {q}").every((l) => l.kind === "same")).toBe(true);
  });
});
