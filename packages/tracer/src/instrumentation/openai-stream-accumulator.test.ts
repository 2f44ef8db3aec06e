import { describe, expect, it } from "vitest";
import { ChatStreamAccumulator } from "./openai-stream-accumulator.js";

describe("ChatStreamAccumulator", () => {
  it("rebuilds content, token ids, logprobs, usage and prompt ids from vLLM-style chunks", () => {
    const acc = new ChatStreamAccumulator();
    acc.add({
      id: "c1",
      model: "m",
      prompt_token_ids: [1, 2],
      choices: [{ index: 0, delta: { role: "assistant", content: "" }, token_ids: [] }],
    });
    acc.add({
      id: "c1",
      choices: [
        {
          index: 0,
          delta: { content: "Hello" },
          token_ids: [10],
          logprobs: { content: [{ token: "Hello" }] },
        },
      ],
    });
    acc.add({
      id: "c1",
      choices: [
        {
          index: 0,
          delta: { content: " world" },
          token_ids: [11],
          logprobs: { content: [{ token: " world" }] },
        },
      ],
    });
    acc.add({ id: "c1", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] });
    acc.add({ id: "c1", choices: [], usage: { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 } });
    expect(acc.result()).toEqual({
      id: "c1",
      model: "m",
      prompt_token_ids: [1, 2],
      usage: { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 },
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "Hello world" },
          finish_reason: "stop",
          token_ids: [10, 11],
          logprobs: { content: [{ token: "Hello" }, { token: " world" }], refusal: null },
        },
      ],
    });
    expect(acc.chunks).toBe(5);
  });

  it("merges tool-call deltas by index, concatenating arguments", () => {
    const acc = new ChatStreamAccumulator();
    acc.add({
      choices: [
        {
          delta: {
            role: "assistant",
            tool_calls: [
              { index: 0, id: "t1", type: "function", function: { name: "search", arguments: "" } },
            ],
          },
        },
      ],
    });
    acc.add({ choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: '{"q":' } }] } }] });
    acc.add({ choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: '"x"}' } }] } }] });
    acc.add({
      choices: [
        { delta: { tool_calls: [{ index: 1, id: "t2", function: { name: "calc", arguments: "{}" } }] } },
      ],
    });
    acc.add({ choices: [{ delta: {}, finish_reason: "tool_calls" }] });
    const message = acc.result().choices?.[0]?.message;
    expect(message).toEqual({
      role: "assistant",
      content: null,
      tool_calls: [
        { id: "t1", type: "function", function: { name: "search", arguments: '{"q":"x"}' } },
        { id: "t2", type: "function", function: { name: "calc", arguments: "{}" } },
      ],
    });
  });
});
