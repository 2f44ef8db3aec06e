import { describe, expect, it } from "vitest";
import {
  generateAttemptId,
  generateLegacyResourcesId,
  generateLegacyRolloutId,
  generateResourcesId,
  generateRolloutId,
  generateSpanId,
  generateTraceId,
  ID_PATTERNS,
  randomHex,
} from "./ids.js";

describe("id generators", () => {
  const cases: [string, () => string, RegExp][] = [
    ["rollout", generateRolloutId, /^ro-[0-9a-f]{12}$/],
    ["attempt", generateAttemptId, /^at-[0-9a-f]{8}$/],
    ["resources", generateResourcesId, /^rs-[0-9a-f]{12}$/],
    ["trace", generateTraceId, /^[0-9a-f]{32}$/],
    ["span", generateSpanId, /^[0-9a-f]{16}$/],
    ["legacy rollout", generateLegacyRolloutId, ID_PATTERNS.legacyRollout],
    ["legacy resources", generateLegacyResourcesId, ID_PATTERNS.legacyResources],
  ];
  for (const [name, gen, pattern] of cases) {
    it(`${name} ids have the spec's prefix and width and do not repeat`, () => {
      const ids = Array.from({ length: 5000 }, gen);
      for (const id of ids) expect(id).toMatch(pattern);
      expect(new Set(ids).size).toBe(ids.length);
    });
  }

  it("ID_PATTERNS match the generators", () => {
    expect(generateRolloutId()).toMatch(ID_PATTERNS.rollout);
    expect(generateAttemptId()).toMatch(ID_PATTERNS.attempt);
    expect(generateResourcesId()).toMatch(ID_PATTERNS.resources);
    expect("ro-ABCDEF000000").not.toMatch(ID_PATTERNS.rollout);
  });

  it("randomHex keeps working across pool refills", () => {
    const all = Array.from({ length: 3000 }, () => randomHex(7));
    for (const h of all) expect(h).toMatch(/^[0-9a-f]{14}$/);
    expect(new Set(all).size).toBe(all.length);
  });
});
