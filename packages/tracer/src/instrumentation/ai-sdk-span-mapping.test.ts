import type { Span } from "@agentlightning/types";
import { describe, expect, it } from "vitest";
import { aiSdkPromptToOpenAIMessages, floorToMillisecond, mapAiSdkSpan } from "./ai-sdk-span-mapping.js";

// Attributes as `ai` 6.0 with @ai-sdk/openai-compatible 2.0 records them (captured from a run).
const TOOLS = [
  JSON.stringify({
    type: "function",
    name: "weather",
    description: "Weather",
    inputSchema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  }),
];

function span(name: string, attributes: Span["attributes"]): Span {
  return {
    rollout_id: "ro-1",
    attempt_id: "at-1",
    sequence_id: 1,
    trace_id: "1".padStart(32, "0"),
    span_id: "2".padStart(16, "0"),
    parent_id: null,
    name,
    status: { status_code: "OK", description: null },
    attributes,
    events: [],
    links: [],
    start_time: 1,
    end_time: 2,
    context: null,
    parent: null,
    resource: { attributes: {}, schema_url: "" },
  };
}

describe("mapAiSdkSpan", () => {
  it("maps a doGenerate span that asked for a tool onto openai.chat.completion", () => {
    const source = span("ai.generateText.doGenerate", {
      "ai.model.provider": "vllm.chat",
      "ai.model.id": "m1",
      "ai.prompt.messages": JSON.stringify([
        { role: "user", content: [{ type: "text", text: "weather in Paris?" }] },
      ]),
      "ai.prompt.tools": TOOLS,
      "gen_ai.system": "vllm.chat",
      "gen_ai.request.model": "m1",
      "ai.response.finishReason": "tool-calls",
      "ai.response.toolCalls": JSON.stringify([
        { toolCallId: "call_1", toolName: "weather", input: '{"city":"Paris"}' },
      ]),
      "ai.response.id": "chatcmpl-1",
      "ai.response.model": "m1",
      "ai.response.providerMetadata": JSON.stringify({
        vllm: {},
        agentlightning: { prompt_token_ids: [1, 2, 3], response_token_ids: [9] },
      }),
      "ai.usage.inputTokens": 4,
      "ai.usage.outputTokens": 1,
      "ai.usage.totalTokens": 5,
      "gen_ai.response.id": "chatcmpl-1",
    });
    const mapped = mapAiSdkSpan(source);
    expect(mapped.name).toBe("openai.chat.completion");
    expect(source.name).toBe("ai.generateText.doGenerate"); // the input is not changed
    expect(mapped.attributes).toMatchObject({
      "ai.model.id": "m1",
      "gen_ai.request.type": "chat",
      "gen_ai.request.streaming": false,
      "gen_ai.request.model": "m1",
      "gen_ai.request.functions.0.name": "weather",
      "gen_ai.request.functions.0.description": "Weather",
      "gen_ai.prompt.0.role": "user",
      "gen_ai.prompt.0.content": "weather in Paris?",
      "gen_ai.response.id": "chatcmpl-1",
      "gen_ai.response.model": "m1",
      "gen_ai.completion.0.role": "assistant",
      "gen_ai.completion.0.finish_reason": "tool_calls",
      "gen_ai.completion.0.tool_calls.0.id": "call_1",
      "gen_ai.completion.0.tool_calls.0.name": "weather",
      "gen_ai.completion.0.tool_calls.0.arguments": '{"city":"Paris"}',
      "gen_ai.usage.prompt_tokens": 4,
      "gen_ai.usage.completion_tokens": 1,
      "gen_ai.usage.total_tokens": 5,
      prompt_token_ids: [1, 2, 3],
      response_token_ids: [9],
    });
    expect(JSON.parse(mapped.attributes["gen_ai.request.functions.0.parameters"] as string)).toMatchObject({
      required: ["city"],
    });
  });

  it("maps a doStream span after a tool round trip (object tool input, tool result messages)", () => {
    const mapped = mapAiSdkSpan(
      span("ai.streamText.doStream", {
        "ai.prompt.messages": JSON.stringify([
          { role: "system", content: "be brief" },
          { role: "user", content: [{ type: "text", text: "weather in Paris?" }] },
          {
            role: "assistant",
            content: [
              { type: "tool-call", toolCallId: "call_1", toolName: "weather", input: { city: "Paris" } },
            ],
          },
          {
            role: "tool",
            content: [
              {
                type: "tool-result",
                toolCallId: "call_1",
                toolName: "weather",
                output: { type: "text", value: "sunny in Paris" },
              },
            ],
          },
        ]),
        "gen_ai.request.model": "m1",
        "ai.response.finishReason": "stop",
        "ai.response.text": "It is sunny.",
        "ai.response.id": "chatcmpl-2",
      }),
    );
    expect(mapped.attributes).toMatchObject({
      "gen_ai.request.streaming": true,
      "gen_ai.prompt.0.role": "system",
      "gen_ai.prompt.0.content": "be brief",
      "gen_ai.prompt.2.role": "assistant",
      "gen_ai.prompt.2.tool_calls.0.id": "call_1",
      "gen_ai.prompt.2.tool_calls.0.arguments": '{"city":"Paris"}',
      "gen_ai.prompt.3.role": "tool",
      "gen_ai.prompt.3.tool_call_id": "call_1",
      "gen_ai.prompt.3.content": "sunny in Paris",
      "gen_ai.completion.0.content": "It is sunny.",
      "gen_ai.completion.0.finish_reason": "stop",
      "gen_ai.response.id": "chatcmpl-2",
    });
    expect(mapped.attributes).not.toHaveProperty("gen_ai.prompt.2.content");
    expect(mapped.attributes).not.toHaveProperty("prompt_token_ids");
  });

  it("maps ai.toolCall onto a tool_call.<name> span and leaves other spans alone", () => {
    const tool = mapAiSdkSpan(
      span("ai.toolCall", {
        "ai.toolCall.name": "weather",
        "ai.toolCall.id": "call_1",
        "ai.toolCall.args": '{"city":"Paris"}',
      }),
    );
    expect(tool.name).toBe("tool_call.weather");
    expect(tool.attributes).toMatchObject({
      "tool.name": "weather",
      "tool.parameters": '{"city":"Paris"}',
      "tool.call.id": "call_1",
      "tool.call.type": "function",
    });
    const outer = span("ai.generateText", { "ai.response.text": "x" });
    expect(mapAiSdkSpan(outer)).toBe(outer);
  });
});

describe("aiSdkPromptToOpenAIMessages", () => {
  it("turns image parts into OpenAI image_url parts (data URLs for base64)", () => {
    const messages = aiSdkPromptToOpenAIMessages([
      {
        role: "user",
        content: [
          { type: "text", text: "what?" },
          { type: "file", mediaType: "image/png", data: "AAAA" },
          { type: "file", mediaType: "image/jpeg", data: "https://x/y.jpg" },
        ],
      },
    ]);
    expect(messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "what?" },
          { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
          { type: "image_url", image_url: { url: "https://x/y.jpg" } },
        ],
      },
    ]);
    expect(aiSdkPromptToOpenAIMessages("not a list")).toEqual([]);
  });
});

describe("mapAiSdkSpan status", () => {
  it("marks a mapped span OK when the AI SDK left it UNSET, and keeps ERROR", () => {
    const unset = {
      ...span("ai.generateText.doGenerate", {}),
      status: { status_code: "UNSET" as const, description: null },
    };
    expect(mapAiSdkSpan(unset).status.status_code).toBe("OK");
    const failed = {
      ...span("ai.toolCall", {}),
      status: { status_code: "ERROR" as const, description: "boom" },
    };
    expect(mapAiSdkSpan(failed).status).toEqual({ status_code: "ERROR", description: "boom" });
  });
});

describe("floorToMillisecond", () => {
  it("rounds down to the millisecond, equal to a span started in that millisecond", () => {
    const startedAt = 1_796_612_517 + 53_000_000 / 1e9; // how a Date.now() start converts
    expect(floorToMillisecond(1_796_612_517 + 53_485_300 / 1e9)).toBe(startedAt);
    expect(floorToMillisecond(startedAt)).toBe(startedAt);
    expect(floorToMillisecond(null)).toBeNull();
    const ended = mapAiSdkSpan({
      ...span("ai.generateText.doGenerate", {}),
      end_time: 1_796_612_517 + 53_998_000 / 1e9,
    });
    expect(ended.end_time).toBe(startedAt);
    expect(ended.end_time).toBeLessThanOrEqual(1_796_612_517.053);
  });
});

describe("mapAiSdkSpan on unreadable input", () => {
  it("keeps the span as it came, noting why", () => {
    const odd = span("ai.generateText.doGenerate", {});
    let reads = 0;
    Object.defineProperty(odd.attributes, "ai.prompt.messages", {
      enumerable: true,
      get() {
        reads += 1;
        if (reads === 1) throw new Error("unreadable");
        return "[]";
      },
    });
    const mapped = mapAiSdkSpan(odd);
    expect(mapped.name).toBe("ai.generateText.doGenerate");
    expect(mapped.attributes["agentlightning.instrumentation.error"]).toBe("unreadable");
  });
});
