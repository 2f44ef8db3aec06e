import { describe, expect, it } from "vitest";
import { isLlmCallSpan, readLlmCall } from "./llm-call.js";
import { span } from "./test-spans.js";

describe("LLM-call spans", () => {
  it("read back as a chat with token counts", () => {
    const s = span(1, "a", null, 0, 1, {
      name: "openai.chat.completion",
      attributes: {
        "gen_ai.request.model": "gpt-x",
        "gen_ai.prompt.0.role": "system",
        "gen_ai.prompt.0.content": "Be brief.",
        "gen_ai.prompt.1.role": "user",
        "gen_ai.prompt.1.content": "2+2?",
        "gen_ai.completion.0.role": "assistant",
        "gen_ai.completion.0.content": "4",
        "gen_ai.completion.0.finish_reason": "stop",
        "gen_ai.completion.0.tool_calls.0.name": "calc",
        "gen_ai.completion.0.tool_calls.0.arguments": '{"x":1}',
        "gen_ai.usage.prompt_tokens": 12,
        "gen_ai.usage.completion_tokens": 1,
        "gen_ai.response.id": "resp-1",
        prompt_token_ids: [1, 2, 3],
      },
    });
    expect(isLlmCallSpan(s)).toBe(true);
    const call = readLlmCall(s);
    expect(call.model).toBe("gpt-x");
    expect(call.prompt.map((m) => [m.role, m.content])).toEqual([
      ["system", "Be brief."],
      ["user", "2+2?"],
    ]);
    expect(call.completion[0]).toMatchObject({ role: "assistant", content: "4", finishReason: "stop" });
    expect(call.completion[0]?.toolCalls).toEqual([{ id: undefined, name: "calc", arguments: '{"x":1}' }]);
    expect(call.usage).toEqual({ prompt: 12, completion: 1, total: 13 });
    expect(call.promptTokenIds).toBe(3);
    expect(call.responseId).toBe("resp-1");
  });
  it("are told apart from other spans", () => {
    expect(isLlmCallSpan(span(1, "a", null, 0, 1, { name: "agentlightning.annotation" }))).toBe(false);
  });
});
