import { startScriptedOpenAI } from "@agentlightning/scripted-openai";
import { AglError } from "@agentlightning/types";
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { type ChatCompletionClient, chatClientFromEnv, createChatClient } from "../src/apo/chat-client.js";

const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe("createChatClient", () => {
  it("posts a chat completion with model, messages, temperature and the bearer key", async () => {
    const model = await startScriptedOpenAI({ reply: (req) => `you said ${req.lastUserMessage}` });
    servers.push(model);
    const client = createChatClient({ baseUrl: `${model.baseUrl}/`, apiKey: "sk-test" });
    const answer = await client.chat.completions.create({
      model: "critic",
      messages: [{ role: "user", content: "hello" }],
      temperature: 0.5,
    });
    expect(answer.choices[0]?.message.content).toBe("you said hello");
    const request = model.requests[0] as {
      path: string;
      headers: Record<string, unknown>;
      body: Record<string, unknown>;
    };
    expect(request.path).toBe("/v1/chat/completions");
    expect(request.headers.authorization).toBe("Bearer sk-test");
    expect(request.body).toMatchObject({ model: "critic", temperature: 0.5 });
  });

  it("retries a 5xx answer, then succeeds", async () => {
    const model = await startScriptedOpenAI({
      reply: (req) => (req.callIndex === 1 ? { status: 503, error: "busy" } : "ok"),
    });
    servers.push(model);
    const client = createChatClient({ baseUrl: model.baseUrl, maxRetries: 1 });
    const answer = await client.chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "x" }],
    });
    expect(answer.choices[0]?.message.content).toBe("ok");
    expect(model.requests).toHaveLength(2);
  });

  it("fails with invalid_argument naming the URL and status on a 4xx, without retrying", async () => {
    const model = await startScriptedOpenAI({ reply: () => ({ status: 400, error: "bad model" }) });
    servers.push(model);
    const client = createChatClient({ baseUrl: model.baseUrl, maxRetries: 3 });
    const error = await client.chat.completions
      .create({ model: "m", messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(AglError.isInstance(error) && error.code).toBe("invalid_argument");
    expect(String((error as Error).message)).toMatch(/chat\/completions answered 400.*bad model/);
    expect(model.requests).toHaveLength(1);
  });

  it("fails with unavailable when nothing listens", async () => {
    const model = await startScriptedOpenAI();
    const baseUrl = model.baseUrl;
    await model.close();
    const client = createChatClient({ baseUrl, maxRetries: 0 });
    const error = await client.chat.completions
      .create({ model: "m", messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(AglError.isInstance(error) && error.code).toBe("unavailable");
  });

  it("reads OPENAI_BASE_URL and OPENAI_API_KEY from the environment it is given", async () => {
    const model = await startScriptedOpenAI({ reply: () => "env" });
    servers.push(model);
    const client = chatClientFromEnv({ OPENAI_BASE_URL: model.baseUrl, OPENAI_API_KEY: "sk-env" });
    await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "x" }] });
    expect((model.requests[0] as { headers: Record<string, unknown> }).headers.authorization).toBe(
      "Bearer sk-env",
    );
  });

  it("an OpenAI SDK client fits the ChatCompletionClient interface as it is", async () => {
    const model = await startScriptedOpenAI({ reply: () => "from the sdk" });
    servers.push(model);
    const client: ChatCompletionClient = new OpenAI({ baseURL: model.baseUrl, apiKey: "unused" });
    const answer = await client.chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "x" }],
    });
    expect(answer.choices[0]?.message.content).toBe("from the sdk");
  });
});
