// The proxy's spans are what LlmProxyTraceToTriplet reads (runtime §5.4): one triplet per call
// with the backend's token ids, and a later reward on the last call.
import {
  chatPromptText,
  type ScriptedOpenAI,
  startScriptedOpenAI,
  tokenIdsOf,
} from "@agentlightning/scripted-openai";
import { InMemoryLightningStore } from "@agentlightning/store";
import { LlmProxyTraceToTriplet } from "@agentlightning/tracer";
import { generateSpanId, generateTraceId } from "@agentlightning/types";
import { afterAll, beforeAll, expect, it } from "vitest";
import { LLMProxy } from "../src/index.js";
import { readStream } from "./support/proxy-fixtures.js";

let model: ScriptedOpenAI;
beforeAll(async () => {
  model = await startScriptedOpenAI({ reply: (req) => `reply to ${req.lastUserMessage}` });
});
afterAll(async () => {
  await model.close();
});

it("the proxy's spans of a rollout yield one triplet per call with its token ids, and the reward on the last call", async () => {
  const store = new InMemoryLightningStore();
  const proxy = new LLMProxy({
    store,
    modelList: [
      {
        model_name: "policy",
        litellm_params: { model: "hosted_vllm/scripted-model", api_base: model.baseUrl },
      },
    ],
  });
  await proxy.start();
  try {
    const rollout = await store.startRollout({ input: null });
    const llm = proxy.asResource(rollout.rollout_id, rollout.attempt.attempt_id);
    const asked: { messages: { role: string; content: string }[]; content: string }[] = [];
    for (const stream of [false, true]) {
      const messages = [{ role: "user", content: `turn ${asked.length + 1}` }];
      const response = await fetch(`${llm.endpoint}/v1/chat/completions`, {
        method: "POST",
        body: JSON.stringify({ model: llm.model, messages, stream }),
      });
      const content = stream
        ? (await readStream(response)).content
        : ((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message
            .content;
      asked.push({ messages, content });
    }
    await proxy.flush();
    // The agent's reward comes after its calls, as an emitter would write it.
    const traceId = generateTraceId();
    const spanId = generateSpanId();
    await store.addSpan({
      rollout_id: rollout.rollout_id,
      attempt_id: rollout.attempt.attempt_id,
      sequence_id: await store.getNextSpanSequenceId(rollout.rollout_id, rollout.attempt.attempt_id),
      trace_id: traceId,
      span_id: spanId,
      parent_id: null,
      name: "agentlightning.annotation",
      status: { status_code: "OK", description: null },
      attributes: { "agentlightning.reward.0.name": "primary", "agentlightning.reward.0.value": 0.75 },
      events: [],
      links: [],
      start_time: Date.now() / 1000,
      end_time: Date.now() / 1000,
      context: { trace_id: traceId, span_id: spanId, is_remote: false, trace_state: {} },
      parent: null,
      resource: { attributes: {}, schema_url: "" },
    });

    const spans = (await store.querySpans({ rolloutId: rollout.rollout_id })).items;
    const result = new LlmProxyTraceToTriplet().adaptWithDiagnostics(spans);
    expect(result.triplets).toHaveLength(2);
    result.triplets.forEach((triplet, i) => {
      expect(triplet.prompt.token_ids).toEqual(tokenIdsOf(chatPromptText(asked[i]!.messages)));
      expect(triplet.response.token_ids).toEqual(tokenIdsOf(asked[i]!.content));
      expect(triplet.metadata.response_id).toEqual(expect.any(String));
    });
    expect(result.triplets.map((t) => t.reward)).toEqual([null, 0.75]);
    // The litellm_request of each call is the same request seen by another layer, not a lost call.
    expect(
      result.dropped.every((d) => d.reason === "duplicate_response_id" || d.reason === "covered_by_llm_call"),
    ).toBe(true);
  } finally {
    await proxy.stop();
    await store.close();
  }
});
