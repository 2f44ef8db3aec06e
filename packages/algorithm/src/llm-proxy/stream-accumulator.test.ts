import { describe, expect, it } from "vitest";
import { StreamAccumulator } from "./stream-accumulator.js";

const sse = (chunks: unknown[], eol = "\n") =>
  `${chunks.map((c) => `data: ${JSON.stringify(c)}${eol}${eol}`).join("")}data: [DONE]${eol}${eol}`;

const vllmChunks = [
  {
    id: "c1",
    model: "m",
    created: 5,
    prompt_token_ids: [1, 2, 3],
    choices: [{ index: 0, delta: { role: "assistant" }, finish_reason: null }],
  },
  {
    id: "c1",
    choices: [
      {
        index: 0,
        delta: { content: "Hel" },
        token_ids: [10],
        logprobs: { content: [{ token: "Hel", logprob: -0.1 }] },
      },
    ],
  },
  {
    id: "c1",
    choices: [
      {
        index: 0,
        delta: { content: "lo" },
        token_ids: [11],
        logprobs: { content: [{ token: "lo", logprob: -0.2 }] },
      },
    ],
  },
  { id: "c1", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] },
  { id: "c1", choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } },
];

describe("StreamAccumulator", () => {
  it("rebuilds content, token ids, logprobs, usage and prompt ids of a vLLM stream fed byte by byte", () => {
    const acc = new StreamAccumulator();
    const bytes = new TextEncoder().encode(sse(vllmChunks));
    // One byte at a time: events and multi-byte characters cut anywhere still parse.
    for (const byte of bytes) acc.push(new Uint8Array([byte]));
    acc.end();
    expect(acc.done).toBe(true);
    expect(acc.chunks).toBe(5);
    expect(acc.result("chat")).toEqual({
      id: "c1",
      model: "m",
      created: 5,
      prompt_token_ids: [1, 2, 3],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
      object: "chat.completion",
      choices: [
        {
          index: 0,
          finish_reason: "stop",
          message: { role: "assistant", content: "Hello" },
          logprobs: {
            content: [
              { token: "Hel", logprob: -0.1 },
              { token: "lo", logprob: -0.2 },
            ],
          },
          token_ids: [10, 11],
        },
      ],
    });
  });

  it("handles CRLF framing, several choices, tool-call fragments and a stream without [DONE]", () => {
    const acc = new StreamAccumulator();
    const text = sse(
      [
        { choices: [{ index: 1, delta: { role: "assistant", content: "B" } }] },
        {
          choices: [
            {
              index: 0,
              delta: {
                role: "assistant",
                tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "sea" } }],
              },
            },
          ],
        },
        {
          choices: [
            {
              index: 0,
              delta: { tool_calls: [{ index: 0, function: { name: "rch", arguments: '{"q":' } }] },
            },
          ],
        },
        {
          choices: [
            {
              index: 0,
              delta: { tool_calls: [{ index: 0, function: { arguments: '"x"}' } }] },
              finish_reason: "tool_calls",
            },
          ],
        },
      ],
      "\r\n",
    ).replace("data: [DONE]\r\n\r\n", "");
    acc.push(new TextEncoder().encode(text));
    acc.end();
    expect(acc.done).toBe(false);
    const result = acc.result("chat") as {
      choices: { index: number; message: Record<string, unknown>; finish_reason: unknown }[];
    };
    expect(result.choices.map((c) => c.index)).toEqual([0, 1]);
    expect(result.choices[0]!.message).toEqual({
      role: "assistant",
      content: null,
      tool_calls: [{ id: "call_1", type: "function", function: { name: "search", arguments: '{"q":"x"}' } }],
    });
    expect(result.choices[0]!.finish_reason).toBe("tool_calls");
    expect(result.choices[1]!.message).toEqual({ role: "assistant", content: "B" });
  });

  it("rebuilds text completions and skips comments and junk", () => {
    const acc = new StreamAccumulator();
    acc.push(
      new TextEncoder().encode(
        `: keep-alive\n\ndata: not json\n\n${sse([
          { id: "t", choices: [{ index: 0, text: "once ", token_ids: [1], prompt_token_ids: [7, 8] }] },
          { id: "t", choices: [{ index: 0, text: "upon", token_ids: [2], finish_reason: "length" }] },
        ])}`,
      ),
    );
    acc.end();
    expect(acc.result("text")).toEqual({
      id: "t",
      object: "text_completion",
      choices: [
        { index: 0, text: "once upon", finish_reason: "length", token_ids: [1, 2], prompt_token_ids: [7, 8] },
      ],
    });
  });
});
