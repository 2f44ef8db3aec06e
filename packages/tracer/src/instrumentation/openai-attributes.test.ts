import { describe, expect, it } from "vitest";
import { chatRequestAttributes, chatResponseAttributes, toolCallSpans } from "./openai-attributes.js";

describe("chatRequestAttributes", () => {
  it("records system, settings, tools and prompt messages in the AgentOps layout", () => {
    const attributes = chatRequestAttributes(
      {
        model: "m1",
        temperature: 0.2,
        top_p: 0.9,
        max_completion_tokens: 64,
        stream: true,
        tools: [
          {
            type: "function",
            function: {
              name: "search",
              description: "Search",
              parameters: { type: "object", properties: {} },
            },
          },
        ],
        messages: [
          { role: "system", content: "be brief" },
          {
            role: "user",
            content: [
              { type: "text", text: "what is this?" },
              { type: "image_url", image_url: { url: "file:///a.png" } },
            ],
          },
          {
            role: "assistant",
            content: null,
            tool_calls: [
              { id: "c1", type: "function", function: { name: "search", arguments: '{"q":"x"}' } },
            ],
          },
          { role: "tool", tool_call_id: "c1", content: "found" },
        ],
      },
      { headers: { "X-Trace": "t1", Authorization: "Bearer secret" } },
    );
    expect(attributes).toEqual({
      "gen_ai.system": "OpenAI",
      "gen_ai.request.type": "chat",
      "gen_ai.request.streaming": true,
      "gen_ai.request.model": "m1",
      "gen_ai.request.temperature": 0.2,
      "gen_ai.request.top_p": 0.9,
      "gen_ai.request.max_tokens": 64,
      "gen_ai.request.headers": '{"X-Trace":"t1"}',
      "gen_ai.request.functions.0.name": "search",
      "gen_ai.request.functions.0.description": "Search",
      "gen_ai.request.functions.0.parameters": '{"type":"object","properties":{}}',
      "gen_ai.prompt.0.role": "system",
      "gen_ai.prompt.0.content": "be brief",
      "gen_ai.prompt.1.role": "user",
      "gen_ai.prompt.1.content":
        '[{"type":"text","text":"what is this?"},{"type":"image_url","image_url":{"url":"file:///a.png"}}]',
      "gen_ai.prompt.2.role": "assistant",
      "gen_ai.prompt.2.tool_calls.0.id": "c1",
      "gen_ai.prompt.2.tool_calls.0.name": "search",
      "gen_ai.prompt.2.tool_calls.0.arguments": '{"q":"x"}',
      "gen_ai.prompt.3.role": "tool",
      "gen_ai.prompt.3.content": "found",
      "gen_ai.prompt.3.tool_call_id": "c1",
    });
  });

  it("falls back to the deprecated functions list and leaves unset settings out", () => {
    const attributes = chatRequestAttributes({
      model: "m",
      functions: [{ name: "f", parameters: '{"type":"object"}' }],
      messages: [{ role: "user", content: "hi" }],
    });
    expect(attributes["gen_ai.request.functions.0.parameters"]).toBe('{"type":"object"}');
    expect(attributes["gen_ai.request.streaming"]).toBe(false);
    expect(Object.keys(attributes).some((k) => k.includes("temperature") || k.includes("headers"))).toBe(
      false,
    );
  });
});

describe("chatResponseAttributes", () => {
  const completion = {
    id: "chatcmpl-1",
    model: "m1",
    system_fingerprint: "fp",
    prompt_token_ids: [1, 2, 3],
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: "4" },
        finish_reason: "stop",
        token_ids: [7, 8],
        logprobs: { content: [{ token: "4", logprob: -0.1, top_logprobs: [] }] },
      },
    ],
    usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
  };

  it("records id, model, usage, completion, token ids and logprobs", () => {
    expect(chatResponseAttributes(completion)).toEqual({
      "gen_ai.response.id": "chatcmpl-1",
      "gen_ai.response.model": "m1",
      "gen_ai.openai.system_fingerprint": "fp",
      "gen_ai.usage.prompt_tokens": 3,
      "gen_ai.usage.completion_tokens": 2,
      "gen_ai.usage.total_tokens": 5,
      "gen_ai.completion.0.role": "assistant",
      "gen_ai.completion.0.content": "4",
      "gen_ai.completion.0.finish_reason": "stop",
      prompt_token_ids: [1, 2, 3],
      response_token_ids: [7, 8],
      "logprobs.content": '[{"token":"4","logprob":-0.1,"top_logprobs":[]}]',
    });
  });

  it("takes response ids from a list of lists first, then choices, then provider_specific_fields", () => {
    const base = { choices: [{ message: { content: "x" }, token_ids: [5] }] };
    expect(chatResponseAttributes({ ...base, response_token_ids: [[9, 10]] }).response_token_ids).toEqual([
      9, 10,
    ]);
    expect(chatResponseAttributes(base).response_token_ids).toEqual([5]);
    expect(
      chatResponseAttributes({
        choices: [{ message: { content: "x" }, provider_specific_fields: { token_ids: [6] } }],
      }).response_token_ids,
    ).toEqual([6]);
  });

  it("leaves out token ids that are missing, empty or not integers", () => {
    const attributes = chatResponseAttributes({
      prompt_token_ids: [],
      choices: [{ message: { content: "x" }, token_ids: [1.5] }],
    });
    expect(attributes).not.toHaveProperty("prompt_token_ids");
    expect(attributes).not.toHaveProperty("response_token_ids");
  });

  it("records returned tool calls on the completion and as tool_call.<name> child records", () => {
    const withCalls = {
      id: "r",
      choices: [
        {
          message: {
            role: "assistant",
            content: null,
            tool_calls: [
              { id: "call-1", type: "function", function: { name: "search", arguments: '{"q":"a"}' } },
            ],
          },
          finish_reason: "tool_calls",
        },
      ],
    };
    const attributes = chatResponseAttributes(withCalls);
    expect(attributes["gen_ai.completion.0.tool_calls.0.name"]).toBe("search");
    expect(attributes).not.toHaveProperty("gen_ai.completion.0.content");
    expect(toolCallSpans(withCalls)).toEqual([
      {
        name: "tool_call.search",
        attributes: {
          "tool.name": "search",
          "tool.call.type": "function",
          "tool.parameters": '{"q":"a"}',
          "tool.call.id": "call-1",
        },
      },
    ]);
    expect(toolCallSpans({ choices: [{ message: { content: "x" } }] })).toEqual([]);
  });
});
