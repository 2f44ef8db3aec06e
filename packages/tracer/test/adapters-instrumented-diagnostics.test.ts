// Diagnostics over traces our instrumentations produce (the scripted OpenAI-compatible server on a
// loopback port): a healthy trace from the AI SDK and the openai SDK drops nothing and notes
// nothing; the same AI SDK calls traced without the span mapping are named as LLM calls the name
// rule missed, and adapt() warns.
import { type ScriptedOpenAI, startScriptedOpenAI } from "@agentlightning/scripted-openai";
import { InMemoryLightningStore } from "@agentlightning/store";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { generateText, stepCountIs, tool } from "ai";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  aiSdkTelemetry,
  aiSdkTokenIdSettings,
  emitReward,
  InstrumentedTracer,
  TracerTraceToTriplet,
} from "../src/index.js";
import { recordingLogger } from "./support/recording-logger.js";

let model: ScriptedOpenAI;
beforeAll(async () => {
  model = await startScriptedOpenAI({
    reply: (req) =>
      req.messages?.at(-1)?.role === "tool"
        ? "It is sunny."
        : { content: "", toolCalls: [{ id: "call-w", name: "weather", arguments: { city: "Paris" } }] },
  });
});
afterAll(async () => {
  await model.close();
});

const weather = tool({
  description: "Current weather of a city",
  inputSchema: z.object({ city: z.string() }),
  execute: async () => "sunny",
});

describe("adapter diagnostics over instrumented traces", () => {
  let store: InMemoryLightningStore;
  beforeEach(() => {
    store = new InMemoryLightningStore();
  });
  afterEach(async () => {
    await store.close();
  });

  async function run(tracer: InstrumentedTracer) {
    await tracer.init();
    const rollout = await store.startRollout({ input: "weather" });
    try {
      await tracer.trace(
        { rolloutId: rollout.rollout_id, attemptId: rollout.attempt.attempt_id, store },
        async () => {
          await generateText({
            model: createOpenAICompatible({
              name: "vllm",
              baseURL: model.baseUrl,
              ...aiSdkTokenIdSettings(),
            })("m1"),
            prompt: "Weather in Paris?",
            tools: { weather },
            stopWhen: stepCountIs(3),
            experimental_telemetry: aiSdkTelemetry(),
          });
          const client = new OpenAI({ baseURL: model.baseUrl, apiKey: "test" });
          await client.chat.completions.create({
            model: "m1",
            messages: [{ role: "user", content: "And tomorrow?" }],
          });
          emitReward(1);
        },
      );
    } finally {
      await tracer.teardown();
    }
    return (await store.querySpans({ rolloutId: rollout.rollout_id })).items;
  }

  it("a healthy trace: every LLM call is a triplet, nothing dropped, nothing noted", async () => {
    const spans = await run(new InstrumentedTracer({ openai: { requestTokenIds: true } }));
    const result = new TracerTraceToTriplet({ skipEmptyTokenSpans: true }).adaptWithDiagnostics(spans);
    expect(result.triplets).toHaveLength(3);
    expect(
      result.triplets.every((t) => t.prompt.token_ids.length > 0 && t.response.token_ids.length > 0),
    ).toBe(true);
    expect(result.dropped).toEqual([]);
    expect(result.notes).toEqual([]);
    expect(result.triplets.at(-1)!.reward).toBe(1);
  });

  it("AI SDK spans left unmapped are reported as LLM calls the name rule missed, and adapt() warns", async () => {
    const spans = await run(new InstrumentedTracer({ aiSdk: false, openai: false }));
    const result = new TracerTraceToTriplet().adaptWithDiagnostics(spans);
    expect(result.triplets).toEqual([]);
    expect(result.llmCallSpans).toBeGreaterThan(0);
    const reasons = new Set(result.dropped.map((d) => d.reason));
    expect(reasons).toEqual(new Set(["name_not_matched"]));
    expect(result.dropped.map((d) => d.name)).toEqual(expect.arrayContaining(["ai.generateText.doGenerate"]));
    const logger = recordingLogger();
    expect(new TracerTraceToTriplet({ logger }).adapt(spans)).toEqual([]);
    expect(logger.messages("warn").join()).toMatch(
      /no triplets although the trace has LLM-call spans.*name_not_matched/,
    );
  });
});
