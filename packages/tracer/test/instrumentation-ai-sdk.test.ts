// The Vercel AI SDK path end to end: generateText / streamText with a tool call, through the AI
// SDK's own OpenTelemetry telemetry bound to the active tracer, mapped onto openai.chat.completion
// spans, read back from real stores and adapted into triplets with token ids.

import {
  chatPromptText,
  type ScriptedOpenAI,
  startScriptedOpenAI,
  tokenIdsOf,
} from "@agentlightning/scripted-openai";
import { SpanSchema } from "@agentlightning/types";
import { createOpenAI } from "@ai-sdk/openai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { generateText, stepCountIs, streamText, tool } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  aiSdkTelemetry,
  aiSdkTokenIdSettings,
  emitReward,
  InstrumentedTracer,
  TracerTraceToTriplet,
  TraceToMessages,
} from "../src/index.js";
import { claimRollout, STORE_KINDS, type StoreUnderTest } from "./support/instrumentation-stores.js";

let model: ScriptedOpenAI;
beforeAll(async () => {
  model = await startScriptedOpenAI({
    reply: (req) => {
      const last = req.messages?.at(-1);
      if (last?.role === "tool") return `The weather: ${String(last.content)}.`;
      if ((req.lastUserMessage ?? "").includes("weather")) {
        return { content: "", toolCalls: [{ id: "call-w", name: "weather", arguments: { city: "Paris" } }] };
      }
      return "It is 4.";
    },
  });
});
afterAll(async () => {
  await model.close();
});

const weather = tool({
  description: "Current weather of a city",
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => `sunny in ${city}`,
});

describe.each(STORE_KINDS)("AI SDK telemetry into %s", (_kind, start) => {
  let fixture: StoreUnderTest;
  let tracer: InstrumentedTracer;
  const provider = () =>
    createOpenAICompatible({ name: "vllm", baseURL: model.baseUrl, ...aiSdkTokenIdSettings() });
  beforeAll(async () => {
    fixture = await start();
    tracer = new InstrumentedTracer();
    await tracer.init();
  });
  afterAll(async () => {
    await tracer.teardown();
    await fixture.close();
  });

  async function spansOf(rolloutId: string) {
    const spans = (await fixture.store.querySpans({ rolloutId })).items;
    for (const span of spans) expect(() => SpanSchema.parse(span)).not.toThrow();
    return spans;
  }

  it("generateText becomes one triplet with the prompt, response, token ids and reward", async () => {
    const { store } = fixture;
    const ids = await claimRollout(store);
    const text = await tracer.trace({ ...ids, store }, async () => {
      const result = await generateText({
        model: provider()("m1"),
        system: "Answer briefly.",
        prompt: "What is 2 + 2?",
        experimental_telemetry: aiSdkTelemetry(),
      });
      emitReward(1);
      return result.text;
    });
    expect(text).toBe("It is 4.");
    const spans = await spansOf(ids.rolloutId);
    expect(spans.map((s) => s.name)).toEqual(
      expect.arrayContaining(["openai.chat.completion", "ai.generateText", "agentlightning.annotation"]),
    );
    const sent = [
      { role: "system", content: "Answer briefly." },
      { role: "user", content: "What is 2 + 2?" },
    ];
    const triplets = new TracerTraceToTriplet().adapt(spans);
    expect(triplets).toHaveLength(1);
    expect(triplets[0]).toMatchObject({
      prompt: { token_ids: tokenIdsOf(chatPromptText(sent)), raw_content: sent },
      response: {
        token_ids: tokenIdsOf("It is 4."),
        raw_content: [{ role: "assistant", content: "It is 4." }],
      },
      reward: 1,
    });
  });

  it("streamText with a tool call yields one triplet per model call, the tool call and the reward", async () => {
    const { store } = fixture;
    const ids = await claimRollout(store);
    const text = await tracer.trace({ ...ids, store }, async () => {
      const result = streamText({
        model: provider()("m1"),
        prompt: "What is the weather in Paris?",
        tools: { weather },
        stopWhen: stepCountIs(3),
        experimental_telemetry: aiSdkTelemetry({ functionId: "weather-agent" }),
      });
      let streamed = "";
      for await (const delta of result.textStream) streamed += delta;
      emitReward(0.75);
      return streamed;
    });
    expect(text).toBe("The weather: sunny in Paris.");
    const spans = await spansOf(ids.rolloutId);
    const tool = spans.find((s) => s.name === "tool_call.weather");
    expect(tool?.attributes).toMatchObject({
      "tool.name": "weather",
      "tool.call.id": "call-w",
      "tool.parameters": '{"city":"Paris"}',
    });
    const triplets = new TracerTraceToTriplet().adapt(spans);
    expect(triplets).toHaveLength(2);
    const [first, second] = triplets;
    expect(first).toMatchObject({
      prompt: {
        token_ids: tokenIdsOf(chatPromptText([{ role: "user", content: "What is the weather in Paris?" }])),
      },
      response: {
        token_ids: tokenIdsOf(' weather({"city":"Paris"})'),
        raw_content: [
          { role: "assistant", finish_reason: "tool_calls", tool_calls: [{ id: "call-w", name: "weather" }] },
        ],
      },
      reward: null,
    });
    expect(second).toMatchObject({
      prompt: {
        raw_content: [
          { role: "user" },
          {
            role: "assistant",
            tool_calls: [{ id: "call-w", name: "weather", arguments: '{"city":"Paris"}' }],
          },
          { role: "tool", tool_call_id: "call-w", content: "sunny in Paris" },
        ],
      },
      response: {
        token_ids: tokenIdsOf("The weather: sunny in Paris."),
        raw_content: [{ content: "The weather: sunny in Paris." }],
      },
      reward: 0.75,
    });
    expect(second?.prompt.token_ids.length).toBeGreaterThan(0);
    // The chat transcript export reads the same spans.
    const conversations = new TraceToMessages().adapt(spans);
    expect(conversations.at(-1)?.messages.at(-1)).toMatchObject({
      role: "assistant",
      content: "The weather: sunny in Paris.",
    });
  });

  it("works with @ai-sdk/openai's chat models too (no token ids: that provider drops unknown fields)", async () => {
    const { store } = fixture;
    const ids = await claimRollout(store);
    const openai = createOpenAI({ baseURL: model.baseUrl, apiKey: "unused" });
    await tracer.trace({ ...ids, store }, async () => {
      await generateText({
        model: openai.chat("m1"),
        prompt: "What is 2 + 2?",
        experimental_telemetry: aiSdkTelemetry(),
      });
      emitReward(1);
    });
    const triplets = new TracerTraceToTriplet().adapt(await spansOf(ids.rolloutId));
    expect(triplets).toHaveLength(1);
    expect(triplets[0]).toMatchObject({
      prompt: { token_ids: [], raw_content: [{ role: "user", content: "What is 2 + 2?" }] },
      response: { token_ids: [], raw_content: [{ role: "assistant", content: "It is 4." }] },
      reward: 1,
    });
  });

  it("runs untraced outside any trace scope", async () => {
    expect(aiSdkTelemetry()).toEqual({ isEnabled: false });
    const result = await generateText({
      model: provider()("m1"),
      prompt: "2 + 2?",
      experimental_telemetry: aiSdkTelemetry(),
    });
    expect(result.text).toBe("It is 4.");
  });
});
