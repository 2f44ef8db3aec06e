// The adapters over spans read back from real stores: an in-memory store, and a live
// LightningStoreServer read through LightningStoreClient over HTTP. The spans are written as the
// producers write them (instrumented OpenAI calls with a tool call, an agent span, a reward; the
// LLM proxy's request spans sharing one sequence id), then queried and adapted.
import { InMemoryLightningStore, type LightningStore, LightningStoreClient } from "@agentlightning/store";
import { LightningStoreServer } from "@agentlightning/store/server";
import { type Span, type Triplet, TripletSchema } from "@agentlightning/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LlmProxyTraceToTriplet, TracerTraceToTriplet, TraceToMessages } from "../src/index.js";
import {
  agentSpan,
  hexId,
  llmCallSpan,
  makeSpan,
  proxyRequestSpans,
  rewardSpan,
  toolCallSpan,
} from "./support/span-fixtures.js";

const id = (name: string) => hexId(name);

/** An instrumented agent run: session → agent → two LLM calls (the first returns a tool call) → reward. */
function agentRunSpans(rolloutId: string, attemptId: string): Span[] {
  const ids = { rolloutId, attemptId };
  const weather = { type: "object", properties: { city: { type: "string" } } };
  // Sequence ids as the span processor allocates them: when a span ends (children before parents).
  return [
    llmCallSpan({
      ...ids,
      id: id("llm-1"),
      parent: id("agent"),
      sequence: 2,
      start: 1,
      end: 2,
      responseId: "chatcmpl-1",
      prompt: [{ role: "user", content: "Weather in Paris?" }],
      completion: [{ role: "assistant", finish_reason: "tool_calls" }],
      promptTokenIds: [101, 102],
      responseTokenIds: [103],
      functions: [{ name: "get_weather", description: "Current weather", parameters: weather }],
    }),
    toolCallSpan({
      ...ids,
      id: id("tool"),
      parent: id("llm-1"),
      sequence: 1,
      start: 2,
      fn: "get_weather",
      arguments: '{"city":"Paris"}',
      callId: "call_1",
    }),
    llmCallSpan({
      ...ids,
      id: id("llm-2"),
      parent: id("agent"),
      sequence: 3,
      start: 3,
      end: 4,
      responseId: "chatcmpl-2",
      prompt: [
        { role: "user", content: "Weather in Paris?" },
        {
          role: "assistant",
          tool_calls: [{ id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' }],
        },
        { role: "tool", content: "18C", tool_call_id: "call_1" },
      ],
      completion: [{ role: "assistant", content: "18C and sunny.", finish_reason: "stop" }],
      promptTokenIds: [104, 105, 106],
      responseTokenIds: [107, 108],
    }),
    rewardSpan({ ...ids, id: id("reward"), parent: id("agent"), sequence: 4, start: 5, value: 1 }),
    agentSpan({
      ...ids,
      id: id("agent"),
      parent: id("session"),
      agent: "weather-agent",
      sequence: 5,
      start: 0.5,
      end: 6,
    }),
    makeSpan({ ...ids, id: id("session"), name: "agentlightning.rollout", sequence: 6, start: 0, end: 7 }),
  ];
}

function proxyRunSpans(rolloutId: string, attemptId: string): Span[] {
  const common = { rolloutId, attemptId, idOf: id };
  return [
    ...proxyRequestSpans({
      ...common,
      key: "p1",
      sequence: 1,
      promptTokenIds: [1, 2],
      responseTokenIds: [3],
    }),
    ...proxyRequestSpans({
      ...common,
      key: "p2",
      sequence: 2,
      promptTokenIds: [4],
      responseTokenIds: [5, 6],
    }),
    rewardSpan({ rolloutId, attemptId, id: id("proxy-reward"), sequence: 3, start: 10, value: 0.5 }),
  ];
}

async function claim(store: LightningStore): Promise<{ rolloutId: string; attemptId: string }> {
  await store.enqueueRollout({ input: { city: "Paris" } });
  const claimed = await store.dequeueRollout({ workerId: "runner-1" });
  if (!claimed) throw new Error("nothing to dequeue");
  return { rolloutId: claimed.rollout_id, attemptId: claimed.attempt.attempt_id };
}

async function readBack(store: LightningStore, rolloutId: string): Promise<Span[]> {
  return (await store.querySpans({ rolloutId })).items;
}

function checkAdapters(agentSpans: Span[], proxySpans: Span[]): void {
  const result = new TracerTraceToTriplet({ agentMatch: "weather" }).adaptWithDiagnostics(agentSpans);
  expect(result.dropped).toEqual([]);
  expect(
    result.triplets.map((t) => [t.prompt.token_ids, t.response.token_ids, t.reward, t.metadata.agent_name]),
  ).toEqual([
    [[101, 102], [103], null, "weather-agent"],
    [[104, 105, 106], [107, 108], 1, "weather-agent"],
  ]);
  expect(result.unrewarded.map((u) => u.responseId)).toEqual(["chatcmpl-1"]);
  // The triplets are wire Triplets (what the legacy server and the algorithms exchange).
  const wire: Triplet[] = result.triplets;
  for (const triplet of wire)
    expect(TripletSchema.parse(JSON.parse(JSON.stringify(triplet)))).toEqual(triplet);

  const transcripts = new TraceToMessages().adapt(agentSpans);
  expect(transcripts).toHaveLength(2);
  expect(transcripts[0]!.messages[1]).toEqual({
    role: "assistant",
    content: null,
    tool_calls: [
      { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
    ],
  });
  expect(transcripts[0]!.tools![0]!.function.name).toBe("get_weather");
  expect(transcripts[1]!.messages.at(-1)).toEqual({ role: "assistant", content: "18C and sunny." });

  expect(new LlmProxyTraceToTriplet().adapt(proxySpans)).toEqual([
    {
      prompt: { token_ids: [1, 2] },
      response: { token_ids: [3] },
      reward: null,
      metadata: { response_id: "chatcmpl-p1" },
    },
    {
      prompt: { token_ids: [4] },
      response: { token_ids: [5, 6] },
      reward: 0.5,
      metadata: { response_id: "chatcmpl-p2" },
    },
  ]);
}

describe("adapters over an in-memory store", () => {
  it("spans written, queried back and adapted", async () => {
    const store = new InMemoryLightningStore();
    try {
      const agent = await claim(store);
      const proxy = await claim(store);
      await store.addManySpans(agentRunSpans(agent.rolloutId, agent.attemptId));
      await store.addManySpans(proxyRunSpans(proxy.rolloutId, proxy.attemptId));
      const agentSpans = await readBack(store, agent.rolloutId);
      const proxySpans = await readBack(store, proxy.rolloutId);
      expect(agentSpans).toHaveLength(6);
      expect(proxySpans).toHaveLength(7);
      checkAdapters(agentSpans, proxySpans);
    } finally {
      await store.close();
    }
  });
});

describe("adapters over a live HTTP store (LightningStoreServer + LightningStoreClient)", () => {
  let backing: InMemoryLightningStore;
  let server: LightningStoreServer;
  let client: LightningStoreClient;

  beforeAll(async () => {
    backing = new InMemoryLightningStore();
    server = new LightningStoreServer({ store: backing, port: 0 });
    await server.start();
    client = new LightningStoreClient({ url: server.url });
  });
  afterAll(async () => {
    await client.close();
    await server.stop();
    await backing.close();
  });

  it("spans written over HTTP, queried back over HTTP and adapted", async () => {
    const agent = await claim(client);
    const proxy = await claim(client);
    await client.addManySpans(agentRunSpans(agent.rolloutId, agent.attemptId));
    await client.addManySpans(proxyRunSpans(proxy.rolloutId, proxy.attemptId));
    const agentSpans = await readBack(client, agent.rolloutId);
    const proxySpans = await readBack(client, proxy.rolloutId);
    expect(agentSpans.map((s) => s.span_id).sort()).toEqual(
      agentRunSpans("r", "a")
        .map((s) => s.span_id)
        .sort(),
    );
    checkAdapters(agentSpans, proxySpans);
  });

  it("a rollout whose spans yield nothing says why, over HTTP too", async () => {
    const run = await claim(client);
    await client.addManySpans(agentRunSpans(run.rolloutId, run.attemptId));
    const spans = await readBack(client, run.rolloutId);
    const result = new TracerTraceToTriplet({ agentMatch: "planner" }).adaptWithDiagnostics(spans);
    expect(result.triplets).toEqual([]);
    expect(result.dropped.map((d) => [d.spanId, d.reason])).toEqual([
      [id("llm-1"), "agent_filter"],
      [id("llm-2"), "agent_filter"],
    ]);
  });
});
