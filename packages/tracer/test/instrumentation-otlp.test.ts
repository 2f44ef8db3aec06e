// OTLP export mode: spans of code instrumented with its own OpenTelemetry provider reach the
// store's /v1/traces (protobuf), stamped with the rollout and attempt of the enclosing trace scope.

import {
  chatPromptText,
  type ScriptedOpenAI,
  startScriptedOpenAI,
  tokenIdsOf,
} from "@agentlightning/scripted-openai";
import { InMemoryLightningStore, LightningStoreClient } from "@agentlightning/store";
import { LightningStoreServer } from "@agentlightning/store/server";
import type { Logger } from "@agentlightning/types";
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emitReward, instrumentOpenAI, OtelTracer, TracerTraceToTriplet } from "../src/index.js";
import { LightningOtlpSpanProcessor } from "../src/instrumentation/otlp/index.js";
import { claimRollout } from "./support/instrumentation-stores.js";

let model: ScriptedOpenAI;
let backing: InMemoryLightningStore;
let server: LightningStoreServer;
let store: LightningStoreClient;
beforeAll(async () => {
  model = await startScriptedOpenAI({ reply: () => "Paris." });
  backing = new InMemoryLightningStore();
  server = new LightningStoreServer({ store: backing, port: 0 });
  await server.start();
  store = new LightningStoreClient({ url: server.url });
});
afterAll(async () => {
  await store.close();
  await server.stop();
  await backing.close();
  await model.close();
});

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string) => void lines.push(`${level}: ${message}`);
  return { lines, debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

describe("LightningOtlpSpanProcessor", () => {
  it("exports a third-party provider's LLM spans into the rollout; the triplet adapter reads them with the tracer's reward", async () => {
    const otlp = new LightningOtlpSpanProcessor({ endpoint: store, flushIntervalMs: 0 });
    const thirdParty = new BasicTracerProvider({ spanProcessors: [otlp] });
    // An OpenAI client recording into someone else's provider (as any OTel instrumentation would).
    const client = instrumentOpenAI(new OpenAI({ baseURL: model.baseUrl, apiKey: "unused" }), {
      tracer: () => thirdParty.getTracer("third-party"),
      requestTokenIds: true,
    });
    const tracer = new OtelTracer();
    const ids = await claimRollout(store);
    const messages = [{ role: "user" as const, content: "Capital of France?" }];
    await tracer.trace({ ...ids, store }, async () => {
      await client.chat.completions.create({ model: "m1", messages });
      await client.chat.completions.create({ model: "m1", messages });
      emitReward(1);
    });
    await otlp.forceFlush();
    expect(otlp.stats()).toEqual({ exported: 2, dropped: 0, pending: 0 });

    // Read back from the backing store directly and through the HTTP client: the same spans.
    const direct = (await backing.querySpans({ rolloutId: ids.rolloutId })).items;
    const spans = (await store.querySpans({ rolloutId: ids.rolloutId })).items;
    expect(spans).toEqual(direct);
    const llm = spans.filter((s) => s.name === "openai.chat.completion");
    expect(llm).toHaveLength(2);
    expect(llm[0]?.attributes).toMatchObject({
      "agentlightning.rollout_id": ids.rolloutId,
      "agentlightning.attempt_id": ids.attemptId,
    });
    expect(new Set(spans.map((s) => s.sequence_id)).size).toBe(spans.length); // numbered by the store
    const triplets = new TracerTraceToTriplet().adapt(spans);
    expect(triplets).toHaveLength(2);
    expect(triplets[1]).toMatchObject({
      prompt: { token_ids: tokenIdsOf(chatPromptText(messages)) },
      response: { token_ids: tokenIdsOf("Paris.") },
      reward: 1,
    });
    await thirdParty.shutdown();
  });

  it("sends nothing for spans started outside a rollout scope", async () => {
    let posts = 0;
    const otlp = new LightningOtlpSpanProcessor({
      endpoint: store.otlpTracesEndpoint(),
      flushIntervalMs: 0,
      fetch: async (input, init) => {
        posts += 1;
        return fetch(input, init);
      },
    });
    const provider = new BasicTracerProvider({ spanProcessors: [otlp] });
    provider.getTracer("x").startSpan("outside").end();
    await otlp.forceFlush();
    expect(posts).toBe(0);
    expect(otlp.stats()).toEqual({ exported: 0, dropped: 0, pending: 0 });
    await provider.shutdown();
  });

  it("drops and logs a batch the store rejects; keeps a batch for the next try while the store is down", async () => {
    const logger = recordingLogger();
    const tracer = new OtelTracer();
    const ids = { rolloutId: "ro-unknown", attemptId: "at-unknown" };
    const rejected = new LightningOtlpSpanProcessor({ endpoint: store, flushIntervalMs: 0, logger });
    const provider = new BasicTracerProvider({ spanProcessors: [rejected] });
    await tracer.trace({ ...ids, store: backing }, async () => {
      provider.getTracer("x").startSpan("for an unknown rollout").end();
    });
    await rejected.forceFlush();
    expect(rejected.stats()).toMatchObject({ exported: 0, dropped: 1 });
    expect(logger.lines.join("\n")).toMatch(/rejected 1 spans \(HTTP 400/);

    const down = new LightningOtlpSpanProcessor({
      endpoint: "http://127.0.0.1:9/v1/traces",
      flushIntervalMs: 0,
      logger,
    });
    const provider2 = new BasicTracerProvider({ spanProcessors: [down] });
    const real = await claimRollout(store);
    await tracer.trace({ ...real, store }, async () => {
      provider2.getTracer("x").startSpan("while down").end();
    });
    await down.forceFlush();
    expect(down.stats()).toMatchObject({ exported: 0, dropped: 0, pending: 1 });
    expect(logger.lines.join("\n")).toMatch(/1 spans kept for the next try/);
    // At shutdown what still cannot be sent is dropped, and said so.
    await down.shutdown();
    expect(down.stats()).toMatchObject({ exported: 0, dropped: 1, pending: 0 });
    expect(logger.lines.join("\n")).toMatch(/1 spans could not be sent .* before shutdown/);
    await provider.shutdown();
  });
});
