import { AglError, type Span } from "@agentlightning/types";
import { describe, expect, it } from "vitest";
import { makeSpan } from "../testing/make-span.js";
import { markValidatedSpan, normalizeSpan } from "./normalize.js";

function validSpan(): Span {
  return makeSpan("ro-000000000001", "at-00000001", 1) as Span;
}

describe("normalizeSpan", () => {
  it("parses an unmarked span into a fresh copy, keeping unknown keys", () => {
    const span = { ...validSpan(), extra: { kept: true } };
    const parsed = normalizeSpan(span);
    expect(parsed).not.toBe(span);
    expect(parsed).toMatchObject(span);
  });

  it("takes a span marked as validated without copying it, once", () => {
    const span = validSpan();
    expect(normalizeSpan(markValidatedSpan(span))).toBe(span);
    // The mark is used up: the same object passed again is validated (and copied) afresh.
    expect(normalizeSpan(span)).not.toBe(span);
  });

  it("validates a marked span again once its mark is used up, so later changes are caught", () => {
    const span = validSpan();
    normalizeSpan(markValidatedSpan(span));
    (span as Record<string, unknown>).name = 42;
    expect(() => normalizeSpan(span)).toThrow(/^Invalid span: name/);
  });

  it("still applies the sequence id ceiling to a marked span", () => {
    const span = { ...validSpan(), sequence_id: 2 ** 52 + 2 };
    const call = () => normalizeSpan(markValidatedSpan(span), "spans.0");
    expect(call).toThrow(AglError);
    expect(call).toThrow(/^Invalid spans\.0: sequence_id: must be at most/);
  });
});
