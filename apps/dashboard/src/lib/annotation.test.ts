import { describe, expect, it } from "vitest";
import { annotationSpan } from "./annotation.js";
import { rewardOfSpan } from "./rewards.js";

describe("annotation spans", () => {
  it("carry a reward in the v0.3 layout that reward readers see", () => {
    const span = annotationSpan(
      { rolloutId: "ro-1", attemptId: "at-1", sequenceId: 7 },
      { kind: "reward", name: "primary", value: 0.75, note: "good" },
      100,
    );
    expect(span).toMatchObject({
      name: "agentlightning.annotation",
      sequence_id: 7,
      start_time: 100,
      end_time: 100,
    });
    expect(span.attributes).toMatchObject({
      "agentlightning.reward.0.name": "primary",
      "agentlightning.reward.0.value": 0.75,
      note: "good",
    });
    expect(span.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(span.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(rewardOfSpan(span)).toBe(0.75);
  });
  it("refuse an empty note or a reward without a name", () => {
    const t = { rolloutId: "ro-1", attemptId: "at-1", sequenceId: 1 };
    expect(() => annotationSpan(t, { kind: "note", note: " " })).toThrow(/empty/);
    expect(() => annotationSpan(t, { kind: "reward", name: "", value: 1 })).toThrow(/name/);
    expect(rewardOfSpan(annotationSpan(t, { kind: "note", note: "hm" }))).toBeNull();
  });
});
