import { afterEach, describe, expect, it } from "vitest";
import { chatPromptText, startScriptedOpenAI, tokenIdsOf, tokenize } from "./index.js";

let server;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function post(path, body) {
  const res = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return res;
}

function sseEvents(text) {
  return text
    .split("\n\n")
    .filter((block) => block.startsWith("data: "))
    .map((block) => block.slice(6))
    .filter((data) => data !== "[DONE]")
    .map((data) => JSON.parse(data));
}

describe("scripted OpenAI server", () => {
  it("echoes the last user message by default, with usage", async () => {
    server = await startScriptedOpenAI();
    const res = await post("/v1/chat/completions", {
      model: "m",
      messages: [{ role: "user", content: "hi there" }],
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.choices[0].message).toEqual({ role: "assistant", content: "echo: hi there" });
    expect(body.usage.completion_tokens).toBe(3);
    expect(body.prompt_token_ids).toBeUndefined();
    expect(server.requests[0].body.messages[0].content).toBe("hi there");
  });

  it("returns vLLM-style token ids and logprobs only when asked", async () => {
    server = await startScriptedOpenAI({ reply: () => "four" });
    const messages = [{ role: "user", content: "2 + 2?" }];
    const body = await (
      await post("/v1/chat/completions", { messages, return_token_ids: true, logprobs: true })
    ).json();
    expect(body.prompt_token_ids).toEqual(tokenIdsOf(chatPromptText(messages)));
    expect(body.choices[0].token_ids).toEqual(tokenIdsOf("four"));
    expect(body.choices[0].logprobs.content[0].token).toBe("four");
  });

  it("streams content, token ids, tool calls and a usage chunk", async () => {
    server = await startScriptedOpenAI({
      reply: () => ({ content: "a b c", toolCalls: [{ name: "f", arguments: { x: 1 } }] }),
    });
    const res = await post("/chat/completions", {
      messages: [{ role: "user", content: "go" }],
      stream: true,
      stream_options: { include_usage: true },
      return_token_ids: true,
    });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = sseEvents(await res.text());
    expect(events[0].prompt_token_ids.length).toBeGreaterThan(0);
    const text = events.map((e) => e.choices[0]?.delta?.content ?? "").join("");
    expect(text).toBe("a b c");
    const call = events.find((e) => e.choices[0]?.delta?.tool_calls)?.choices[0].delta.tool_calls[0];
    expect(call.function).toEqual({ name: "f", arguments: '{"x":1}' });
    expect(events.at(-2).choices[0].finish_reason).toBe("tool_calls");
    expect(events.at(-1).usage.total_tokens).toBeGreaterThan(0);
    const streamedIds = events.flatMap((e) => e.choices[0]?.token_ids ?? []);
    expect(streamedIds.slice(0, 3)).toEqual(tokenIdsOf("a b c"));
  });

  it("serves completions, models, scripted errors and 404s", async () => {
    server = await startScriptedOpenAI({
      reply: (r) => (r.callIndex === 2 ? { status: 503, error: "down" } : "ok"),
    });
    const completion = await (
      await post("/v1/completions", { prompt: "x y", return_token_ids: true })
    ).json();
    expect(completion.choices[0].text).toBe("ok");
    expect(completion.prompt_token_ids).toEqual(tokenIdsOf("x y"));
    const failed = await post("/v1/chat/completions", { messages: [] });
    expect(failed.status).toBe(503);
    expect((await failed.json()).error.message).toBe("down");
    const models = await (await fetch(`${server.baseUrl}/models`)).json();
    expect(models.data[0].id).toBe("scripted-model");
    expect((await post("/v1/embeddings", {})).status).toBe(404);
    expect((await post("/v1/chat/completions", { messages: "no" })).status).toBe(400);
  });

  it("tokenizes words with their leading whitespace", () => {
    expect(tokenize("a  b\nc")).toEqual(["a", "  b", "\nc"]);
  });
});
