import { CRITIQUE_BUILDERS, EDIT_BUILDERS } from "@agentlightning/algorithm";
import { describe, expect, it } from "vitest";
import { STAND_IN_INSTRUCTIONS, standInReply } from "./stand-in-model.js";

const [numberOnly, stepByStep] = STAND_IN_INSTRUCTIONS.map((i) => i.instruction);
const user = (content: string) => ({ messages: [{ role: "user", content }], body: {} });

describe("the stand-in model", () => {
  it("answers depend on the prompt: a sentence, then the bare number, then exact products", () => {
    expect(standInReply(user("What is 7 * 8?"))).toBe("The answer is 60.");
    expect(standInReply(user(`${numberOnly}\nWhat is 7 * 8?`))).toBe("60");
    expect(standInReply(user(`${stepByStep}\n${numberOnly}\nWhat is 7 * 8?`))).toBe("56");
    expect(standInReply(user(`${numberOnly}\nWhat is 12 + 7?`))).toBe("19");
  });

  it("critiques every APO critique request with the first instruction the template lacks", () => {
    for (const build of CRITIQUE_BUILDERS) {
      const seed = build("Question: {question}", []);
      expect(standInReply({ messages: seed, body: {} })).toContain(numberOnly);
      const better = build(`${numberOnly}\nQuestion: {question}`, []);
      expect(standInReply({ messages: better, body: {} })).toContain(stepByStep);
    }
  });

  it("rewrites every APO rewrite request by adding the suggested instruction, keeping the template", () => {
    for (const build of EDIT_BUILDERS) {
      const request = build("Question: {question}", `- Add the instruction "${numberOnly}"`);
      expect(standInReply({ messages: request, body: {} })).toBe(`${numberOnly}\nQuestion: {question}`);
    }
  });

  it("with a calculator tool on offer, calls it first and then answers with its result", () => {
    const tools = [{ type: "function", function: { name: "calculator" } }];
    const first = standInReply({ messages: [{ role: "user", content: "What is 6 * 7?" }], body: { tools } });
    expect(first).toEqual({
      content: "",
      toolCalls: [{ name: "calculator", arguments: { a: 6, b: 7, operation: "multiply" } }],
    });
    const second = standInReply({
      messages: [
        { role: "system", content: numberOnly },
        { role: "user", content: "What is 6 * 7?" },
        { role: "tool", content: "42" },
      ],
      body: { tools },
    });
    expect(second).toBe("42");
  });
});
