import { describe, expect, it } from "vitest";
import { span } from "./test-spans.js";
import { tripletsOf } from "./triplets.js";

const llm = (seq: number, id: string, parent: string | null, start: number, end: number, text: string) =>
  span(seq, id, parent, start, end, {
    name: "openai.chat.completion",
    attributes: {
      "gen_ai.prompt.0.role": "user",
      "gen_ai.prompt.0.content": text,
      "gen_ai.response.id": `r-${id}`,
    },
  });
const reward = (seq: number, id: string, parent: string | null, at: number, value: number) =>
  span(seq, id, parent, at, at, {
    name: "agentlightning.annotation",
    attributes: { "agentlightning.reward.0.name": "primary", "agentlightning.reward.0.value": value },
  });

describe("tripletsOf", () => {
  it("gives each reward to the latest earlier call without one", () => {
    const spans = [
      span(1, "root", null, 0, 10),
      llm(2, "c1", "root", 1, 2, "first"),
      llm(3, "c2", "root", 3, 4, "second"),
      reward(4, "r1", "root", 5, 0.5),
      reward(5, "r2", "root", 6, 1),
    ];
    const triplets = tripletsOf(spans);
    expect(triplets.map((t) => [t.call.prompt[0]?.content, t.reward])).toEqual([
      ["first", 1],
      ["second", 0.5],
    ]);
  });
  it("counts a call nested in a call with the same response id once", () => {
    const outer = llm(1, "a", null, 0, 3, "x");
    const inner = { ...llm(2, "b", "a", 1, 2, "x"), attributes: outer.attributes };
    expect(tripletsOf([outer, inner])).toHaveLength(1);
    expect(tripletsOf([])).toEqual([]);
  });
});
