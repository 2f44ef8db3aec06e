// The openai SDK instrumentation end to end: real scripted model server, real stores (in-memory,
// and a live HTTP store server), the spans read back from the store and adapted into triplets.
import {
  chatPromptText,
  type ScriptedOpenAI,
  startScriptedOpenAI,
  tokenIdsOf,
} from "@agentlightning/scripted-openai";
import { SpanSchema } from "@agentlightning/types";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  emitReward,
  InstrumentedTracer,
  instrumentOpenAI,
  OtelTracer,
  TracerTraceToTriplet,
} from "../src/index.js";
import { claimRollout, STORE_KINDS, type StoreUnderTest } from "./support/instrumentation-stores.js";

let model: ScriptedOpenAI;
beforeAll(async () => {
  model = await startScriptedOpenAI({
    reply: (req) => {
      const text = req.lastUserMessage ?? "";
      if (text.includes("crash")) return { status: 500, error: "scripted outage" };
      if (text.includes("weather"))
        return { content: "", toolCalls: [{ id: "call-1", name: "weather", arguments: { city: "Paris" } }] };
      return text.includes("2 + 2") ? "It is 4." : `echo: ${text}`;
    },
  });
});
afterAll(async () => {
  await model.close();
});

const newClient = () => new OpenAI({ baseURL: model.baseUrl, apiKey: "unused", maxRetries: 0 });

describe.each(STORE_KINDS)("openai instrumentation into %s", (_kind, start) => {
  let fixture: StoreUnderTest;
  let tracer: InstrumentedTracer;
  beforeAll(async () => {
    fixture = await start();
    tracer = new InstrumentedTracer({ openai: { requestTokenIds: true } });
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

  it("turns a plain chat completion (any client, patched globally) into a triplet with token ids and the reward", async () => {
    const { store } = fixture;
    const ids = await claimRollout(store);
    const messages = [
      { role: "system" as const, content: "Answer briefly." },
      { role: "user" as const, content: "What is 2 + 2?" },
    ];
    const answer = await tracer.trace({ ...ids, store }, async () => {
      const completion = await newClient().chat.completions.create({ model: "m1", messages });
      emitReward(1);
      return completion.choices[0]?.message.content;
    });
    expect(answer).toBe("It is 4.");
    const spans = await spansOf(ids.rolloutId);
    expect(spans.map((s) => s.name).sort()).toEqual(
      ["agentlightning.annotation", "openai.chat.completion", ids.rolloutId].sort(),
    );
    const root = spans.find((s) => s.name === ids.rolloutId);
    expect(root?.status.status_code).toBe("OK");
    expect(spans.every((s) => s.rollout_id === ids.rolloutId && s.attempt_id === ids.attemptId)).toBe(true);

    const triplets = new TracerTraceToTriplet().adapt(spans);
    expect(triplets).toHaveLength(1);
    expect(triplets[0]).toMatchObject({
      prompt: { token_ids: tokenIdsOf(chatPromptText(messages)), raw_content: messages },
      response: {
        token_ids: tokenIdsOf("It is 4."),
        raw_content: [{ role: "assistant", content: "It is 4.", finish_reason: "stop" }],
      },
      reward: 1,
      metadata: { response_id: expect.stringMatching(/^chatcmpl-/) },
    });
  });

  it("records a streamed completion once the stream ends, with the same triplet shape", async () => {
    const { store } = fixture;
    const ids = await claimRollout(store);
    const messages = [{ role: "user" as const, content: "stream the answer to 2 + 2" }];
    let text = "";
    await tracer.trace({ ...ids, store }, async () => {
      const stream = await newClient().chat.completions.create({
        model: "m1",
        messages,
        stream: true,
        logprobs: true,
      });
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      emitReward(0.5);
    });
    expect(text).toBe("It is 4.");
    const triplets = new TracerTraceToTriplet().adapt(await spansOf(ids.rolloutId));
    expect(triplets).toHaveLength(1);
    expect(triplets[0]).toMatchObject({
      prompt: { token_ids: tokenIdsOf(chatPromptText(messages)) },
      response: { token_ids: tokenIdsOf("It is 4."), raw_content: [{ content: "It is 4." }] },
      reward: 0.5,
    });
    expect(triplets[0]?.response.logprobs).toHaveLength(3);
  });

  it("records tool calls as tool_call.<name> children of the LLM span", async () => {
    const { store } = fixture;
    const ids = await claimRollout(store);
    await tracer.trace({ ...ids, store }, async () => {
      await newClient().chat.completions.create({
        model: "m1",
        messages: [{ role: "user", content: "weather in Paris?" }],
        tools: [{ type: "function", function: { name: "weather", parameters: { type: "object" } } }],
      });
    });
    const spans = await spansOf(ids.rolloutId);
    const llm = spans.find((s) => s.name === "openai.chat.completion");
    const tool = spans.find((s) => s.name === "tool_call.weather");
    expect(tool?.parent_id).toBe(llm?.span_id);
    expect(tool?.attributes).toMatchObject({
      "tool.call.id": "call-1",
      "tool.parameters": '{"city":"Paris"}',
    });
    const [triplet] = new TracerTraceToTriplet().adapt(spans);
    expect(triplet?.response.token_ids).toEqual(tokenIdsOf(' weather({"city":"Paris"})'));
  });

  it("ends the root span with ERROR and records the failed call when the agent throws", async () => {
    const { store } = fixture;
    const ids = await claimRollout(store);
    await expect(
      tracer.trace({ ...ids, store }, async () => {
        await newClient().chat.completions.create({
          model: "m1",
          messages: [{ role: "user", content: "crash" }],
        });
      }),
    ).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    const spans = await spansOf(ids.rolloutId);
    expect(spans.find((s) => s.name === ids.rolloutId)?.status).toMatchObject({ status_code: "ERROR" });
    const llm = spans.find((s) => s.name === "openai.chat.completion");
    expect(llm?.status.status_code).toBe("ERROR");
    expect(llm?.status.description).toContain("scripted outage");
  });
});

describe("instrumentOpenAI with a plain OtelTracer", () => {
  it("records through the per-client wrapper whatever tracer is active", async () => {
    await using_(await STORE_KINDS[0]![1](), async ({ store }) => {
      const tracer = new OtelTracer();
      const client = instrumentOpenAI(newClient(), { requestTokenIds: true });
      const ids = await claimRollout(store);
      await tracer.trace({ ...ids, store }, async () => {
        await client.chat.completions.create({ model: "m1", messages: [{ role: "user", content: "hi" }] });
        emitReward(2);
      });
      const triplets = new TracerTraceToTriplet().adapt(
        (await store.querySpans({ rolloutId: ids.rolloutId })).items,
      );
      expect(triplets).toMatchObject([{ response: { token_ids: tokenIdsOf("echo: hi") }, reward: 2 }]);
    });
  });

  it("leaves calls untraced when the InstrumentedTracer has openai turned off and the client is not wrapped", async () => {
    await using_(await STORE_KINDS[0]![1](), async ({ store }) => {
      const tracer = new InstrumentedTracer({ openai: false });
      const ids = await claimRollout(store);
      await tracer.trace({ ...ids, store }, async () => {
        await newClient().chat.completions.create({
          model: "m1",
          messages: [{ role: "user", content: "hi" }],
        });
      });
      const names = (await store.querySpans({ rolloutId: ids.rolloutId })).items.map((s) => s.name);
      expect(names).toEqual([ids.rolloutId]);
    });
  });
});

async function using_(fixture: StoreUnderTest, fn: (f: StoreUnderTest) => Promise<void>): Promise<void> {
  try {
    await fn(fixture);
  } finally {
    await fixture.close();
  }
}
