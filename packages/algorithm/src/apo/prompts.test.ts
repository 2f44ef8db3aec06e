import { describe, expect, it } from "vitest";
import { type ApoRolloutResult, CRITIQUE_BUILDERS, EDIT_BUILDERS } from "./prompts.js";

const experiment: ApoRolloutResult = {
  rolloutId: "ro-1",
  status: "succeeded",
  finalReward: 0.25,
  spans: [{ span_id: "s1", name: "openai.chat.completion" } as never],
  messages: [{ messages: [{ role: "user", content: "What is 2+2?" }] }],
};
const template = "Answer the question: {question}";

describe("APO prompts (checklist #89, #91)", () => {
  it("critique 1 is one user message starting with the compatibility literal, with template and experiments", () => {
    const messages = CRITIQUE_BUILDERS[0]?.(template, [experiment]) ?? [];
    expect(messages).toHaveLength(1);
    expect(messages[0]?.role).toBe("user");
    expect(messages[0]?.content.startsWith("You optimize a prompt template.")).toBe(true);
    expect(messages[0]?.content).toContain(template);
    expect(messages[0]?.content).toContain("Experiment 1");
    expect(messages[0]?.content).toContain("0.25");
    expect(messages[0]?.content).toContain("What is 2+2?");
  });

  it("critique 2 dumps the raw spans; critique 3 has a system checklist and the runs", () => {
    const spans = CRITIQUE_BUILDERS[1]?.(template, [experiment]) ?? [];
    expect(spans).toHaveLength(1);
    expect(spans[0]?.content).toContain("openai.chat.completion");
    expect(spans[0]?.content).toContain("Critique:");
    const checklist = CRITIQUE_BUILDERS[2]?.(template, [experiment]) ?? [];
    expect(checklist.map((m) => m.role)).toEqual(["system", "user"]);
    expect(checklist[1]?.content).toContain(template);
  });

  it("both edits send the template and the critique verbatim and ask to keep placeholders", () => {
    for (const build of EDIT_BUILDERS) {
      const messages = build(template, "- say the answer only");
      expect(messages.map((m) => m.role)).toEqual(["system", "user"]);
      expect(messages[0]?.content).toContain("{placeholder}");
      expect(messages[1]?.content).toContain(template);
      expect(messages[1]?.content).toContain("- say the answer only");
    }
  });

  it("a huge experiment is cut so the request stays bounded", () => {
    const big = { ...experiment, messages: "x".repeat(100_000) };
    const content = CRITIQUE_BUILDERS[0]?.(template, [big])[0]?.content ?? "";
    expect(content.length).toBeLessThan(20_000);
    expect(content).toContain("(truncated)");
  });
});
