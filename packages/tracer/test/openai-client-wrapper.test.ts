import { type ScriptedOpenAI, startScriptedOpenAI, tokenIdsOf } from "@agentlightning/scripted-openai";
import { SpanStatusCode } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  instrumentOpenAI,
  isOpenAIInstrumented,
  uninstrumentOpenAI,
} from "../src/instrumentation/openai-instrumentation.js";

// The wrapper on its own, recording into a plain OpenTelemetry provider: the tracer wiring
// (active rollout, store) is covered by test/instrumentation-*.test.ts.
let model: ScriptedOpenAI;
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const otelTracer = provider.getTracer("test");
let tracing = true;
const options = { tracer: () => (tracing ? otelTracer : undefined) };

beforeAll(async () => {
  model = await startScriptedOpenAI({
    reply: (req) => {
      const text = req.lastUserMessage ?? "";
      if (text.includes("fail")) return { status: 400, error: "bad request, scripted" };
      if (text.includes("tool")) {
        return { content: "", toolCalls: [{ id: "call-9", name: "search", arguments: { q: "lightning" } }] };
      }
      return `answer to ${text}`;
    },
  });
});
afterAll(async () => {
  await model.close();
  await provider.shutdown();
});
afterEach(() => {
  exporter.reset();
  tracing = true;
});

function client(): OpenAI {
  return new OpenAI({ baseURL: model.baseUrl, apiKey: "unused", maxRetries: 0 });
}

const llmSpans = () => exporter.getFinishedSpans().filter((s) => s.name === "openai.chat.completion");

describe("instrumentOpenAI", () => {
  it("records a chat completion with prompt, completion, usage and token ids", async () => {
    const openai = instrumentOpenAI(client(), { ...options, requestTokenIds: true });
    const completion = await openai.chat.completions.create({
      model: "m1",
      messages: [{ role: "user", content: "hello there" }],
      temperature: 0.5,
    });
    expect(completion.choices[0]?.message.content).toBe("answer to hello there");
    expect(model.requests.at(-1)?.body).toMatchObject({ return_token_ids: true });
    const [span] = llmSpans();
    expect(span?.attributes).toMatchObject({
      "gen_ai.system": "OpenAI",
      "gen_ai.request.model": "m1",
      "gen_ai.request.temperature": 0.5,
      "gen_ai.request.streaming": false,
      "gen_ai.prompt.0.role": "user",
      "gen_ai.prompt.0.content": "hello there",
      "gen_ai.completion.0.content": "answer to hello there",
      "gen_ai.completion.0.finish_reason": "stop",
      "gen_ai.response.id": completion.id,
      "gen_ai.usage.total_tokens": completion.usage?.total_tokens,
      response_token_ids: tokenIdsOf("answer to hello there"),
    });
    expect(span?.attributes.prompt_token_ids).toEqual(
      (completion as unknown as { prompt_token_ids: number[] }).prompt_token_ids,
    );
    expect(span?.status.code).toBe(SpanStatusCode.OK);
  });

  it("does not ask for token ids unless told to, and keeps the caller's own choice", async () => {
    const openai = instrumentOpenAI(client(), options);
    await openai.chat.completions.create({ model: "m1", messages: [{ role: "user", content: "a" }] });
    expect(model.requests.at(-1)?.body).not.toHaveProperty("return_token_ids");
    expect(llmSpans()[0]?.attributes).not.toHaveProperty("prompt_token_ids");
    const asking = instrumentOpenAI(client(), { ...options, requestTokenIds: true });
    await asking.chat.completions.create({
      model: "m1",
      messages: [{ role: "user", content: "a" }],
      // @ts-expect-error vLLM extension
      return_token_ids: false,
    });
    expect(model.requests.at(-1)?.body).toMatchObject({ return_token_ids: false });
  });

  it("records a stream after it ends and leaves the chunks the caller reads unchanged", async () => {
    const plain = client();
    const openai = instrumentOpenAI(client(), { ...options, requestTokenIds: true });
    const body = {
      model: "m1",
      messages: [{ role: "user" as const, content: "stream me please" }],
      stream: true as const,
      stream_options: { include_usage: true },
      return_token_ids: true,
      logprobs: true,
    };
    const read = async (c: OpenAI) => {
      const chunks: unknown[] = [];
      for await (const chunk of await c.chat.completions.create(body)) chunks.push(chunk);
      return chunks;
    };
    const untraced = await read(plain);
    const traced = await read(openai);
    const strip = (chunks: unknown[]) =>
      JSON.parse(
        JSON.stringify(chunks)
          .replace(/chatcmpl-scripted-\d+/g, "id")
          .replace(/"created":\d+/g, '"created":0'),
      );
    expect(strip(traced)).toEqual(strip(untraced));
    const [span] = llmSpans();
    expect(span?.attributes).toMatchObject({
      "gen_ai.request.streaming": true,
      "gen_ai.completion.0.content": "answer to stream me please",
      "gen_ai.completion.0.finish_reason": "stop",
      response_token_ids: tokenIdsOf("answer to stream me please"),
      "gen_ai.usage.completion_tokens": 5,
    });
    expect(span?.attributes.prompt_token_ids).toEqual(expect.arrayContaining([expect.any(Number)]));
    expect(JSON.parse(span?.attributes["logprobs.content"] as string)).toHaveLength(5);
  });

  it("records a teed stream once, and a stream the caller stops early with what arrived", async () => {
    const openai = instrumentOpenAI(client(), options);
    const stream = await openai.chat.completions.create({
      model: "m1",
      messages: [{ role: "user", content: "one two three" }],
      stream: true,
    });
    const [left, right] = stream.tee();
    let text = "";
    for await (const chunk of left) text += chunk.choices[0]?.delta.content ?? "";
    for await (const _ of right) {
      /* drain */
    }
    expect(text).toBe("answer to one two three");
    expect(llmSpans()).toHaveLength(1);

    exporter.reset();
    const early = await openai.chat.completions.create({
      model: "m1",
      messages: [{ role: "user", content: "stop early" }],
      stream: true,
    });
    for await (const _ of early) break;
    expect(llmSpans()).toHaveLength(1);
    expect(llmSpans()[0]?.attributes["gen_ai.completion.0.role"]).toBe("assistant");
  });

  it("records tool calls as tool_call.<name> children of the completion span", async () => {
    const openai = instrumentOpenAI(client(), options);
    await openai.chat.completions.create({
      model: "m1",
      messages: [{ role: "user", content: "use a tool" }],
      tools: [{ type: "function", function: { name: "search", parameters: { type: "object" } } }],
    });
    const [llm] = llmSpans();
    const tool = exporter.getFinishedSpans().find((s) => s.name === "tool_call.search");
    expect(tool?.parentSpanContext?.spanId).toBe(llm?.spanContext().spanId);
    expect(tool?.attributes).toEqual({
      "tool.name": "search",
      "tool.parameters": '{"q":"lightning"}',
      "tool.call.id": "call-9",
      "tool.call.type": "function",
    });
    expect(llm?.attributes["gen_ai.request.functions.0.name"]).toBe("search");
  });

  it("records a failed call with ERROR status and rethrows the SDK's error", async () => {
    const openai = instrumentOpenAI(client(), options);
    await expect(
      openai.chat.completions.create({ model: "m1", messages: [{ role: "user", content: "fail now" }] }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await new Promise((resolve) => setImmediate(resolve));
    const [span] = llmSpans();
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.status.message).toContain("bad request, scripted");
    expect(span?.events.some((e) => e.name === "exception")).toBe(true);
  });

  it("keeps the SDK's APIPromise helpers working", async () => {
    const openai = instrumentOpenAI(client(), options);
    const { data, response } = await openai.chat.completions
      .create({ model: "m1", messages: [{ role: "user", content: "raw" }] })
      .withResponse();
    expect(response.status).toBe(200);
    expect(data.choices[0]?.message.content).toBe("answer to raw");
    expect(llmSpans()).toHaveLength(1);
  });

  it("records calls made through the SDK's stream() and parse() helpers", async () => {
    const openai = instrumentOpenAI(client(), options);
    const runner = openai.chat.completions.stream({
      model: "m1",
      messages: [{ role: "user", content: "helper stream" }],
    });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe("answer to helper stream");
    const parsed = await openai.chat.completions.parse({
      model: "m1",
      messages: [{ role: "user", content: "helper parse" }],
    });
    expect(parsed.choices[0]?.message.content).toBe("answer to helper parse");
    const recorded = llmSpans().map((s) => [
      s.attributes["gen_ai.request.streaming"],
      s.attributes["gen_ai.completion.0.content"],
    ]);
    expect(recorded).toEqual([
      [true, "answer to helper stream"],
      [false, "answer to helper parse"],
    ]);
  });

  it("is idempotent, can be undone, and leaves calls outside a tracer untraced", async () => {
    const openai = client();
    instrumentOpenAI(instrumentOpenAI(openai, options), options);
    expect(isOpenAIInstrumented(openai)).toBe(true);
    await openai.chat.completions.create({ model: "m1", messages: [{ role: "user", content: "x" }] });
    expect(llmSpans()).toHaveLength(1);

    tracing = false;
    await openai.chat.completions.create({ model: "m1", messages: [{ role: "user", content: "x" }] });
    expect(llmSpans()).toHaveLength(1);

    tracing = true;
    uninstrumentOpenAI(openai);
    expect(isOpenAIInstrumented(openai)).toBe(false);
    await openai.chat.completions.create({ model: "m1", messages: [{ role: "user", content: "x" }] });
    expect(llmSpans()).toHaveLength(1);
    expect(() => instrumentOpenAI({} as OpenAI)).toThrow(/client.chat.completions.create/);
  });
});

describe("recording failures", () => {
  it("never fail the call: the span notes what could not be recorded", async () => {
    const unprintable = {
      toJSON() {
        throw new Error("cannot serialise this content");
      },
    };
    // An OpenAI-compatible client whose response holds content the recorder cannot serialise.
    const odd = {
      chat: {
        completions: {
          create: async (body: unknown) => ({
            id: "r1",
            choices: [{ message: { role: "assistant", content: unprintable } }],
            body,
          }),
        },
      },
    };
    instrumentOpenAI(odd, options);
    const result = (await odd.chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: unprintable }],
    })) as {
      id: string;
    };
    expect(result.id).toBe("r1");
    const [span] = llmSpans();
    expect(span?.attributes["agentlightning.instrumentation.error"]).toContain(
      "cannot serialise this content",
    );
    expect(span?.status.code).toBe(SpanStatusCode.OK);
  });
});
