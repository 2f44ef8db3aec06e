// The adapters over spans our own tracer produced: an agent traced with OtelTracer (an operation
// naming the agent, LLM-call spans with the instrumentation's attributes started through the
// OpenTelemetry tracer the scope yields, a tool-call child, a judge inside a reward operation,
// emitReward), written to a store (in memory, and over HTTP), read back and adapted.
import type { Tracer as OtelApiTracer } from "@opentelemetry/api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  emitReward,
  OtelTracer,
  operationScope,
  TracerTraceToTriplet,
  TraceToMessages,
} from "../src/index.js";
import { type LiveStore, openLiveStore, STORE_KINDS, startedRollout } from "./support/live-stores.js";

/** What the OpenAI instrumentation records for one chat completion (runtime contract §3.5). */
function llmCall(
  otel: OtelApiTracer,
  responseId: string,
  question: string,
  toolCall?: { fn: string; args: string },
): void {
  otel.startActiveSpan(
    "openai.chat.completion",
    {
      attributes: {
        "gen_ai.system": "openai",
        "gen_ai.request.model": "gpt-test",
        "gen_ai.prompt.0.role": "user",
        "gen_ai.prompt.0.content": question,
        "gen_ai.response.id": responseId,
        "gen_ai.completion.0.role": "assistant",
        "gen_ai.completion.0.finish_reason": toolCall ? "tool_calls" : "stop",
        prompt_token_ids: [1, 2, 3],
        response_token_ids: [4, 5],
      },
    },
    (span) => {
      if (toolCall) {
        otel
          .startSpan(`tool_call.${toolCall.fn}`, {
            attributes: {
              "tool.name": toolCall.fn,
              "tool.parameters": toolCall.args,
              "tool.call.id": "call_1",
              "tool.call.type": "function",
            },
          })
          .end();
      } else {
        span.setAttribute("gen_ai.completion.0.content", "done");
      }
      span.end();
    },
  );
}

describe.each(STORE_KINDS)("adapters over OtelTracer spans (%s store)", (kind) => {
  let live: LiveStore;
  beforeEach(async () => {
    live = await openLiveStore(kind);
  });
  afterEach(async () => {
    await live.close();
  });

  it("triplets with agent names, rewards and token ids; the judge's call is left out; transcripts with tool calls", async () => {
    const tracer = new OtelTracer();
    const rollout = await startedRollout(live.store);
    const ids = { rolloutId: rollout.rollout_id, attemptId: rollout.attempt.attempt_id, store: live.store };
    await tracer.trace(ids, async (otel) => {
      await operationScope({ name: "solve", attributes: { "agent.name": "solver" } }, async () => {
        llmCall(otel, "resp-1", "Weather in Paris?", { fn: "get_weather", args: '{"city":"Paris"}' });
        await new Promise((resolve) => setTimeout(resolve, 2));
        // The reward below is emitted right after this call: within the same millisecond, often.
        llmCall(otel, "resp-2", "Summarise");
      });
      await operationScope({ name: "agentlightning.reward" }, async () => {
        llmCall(otel, "judge-1", "Grade this");
        emitReward(0.9);
      });
    });

    const spans = (await live.backing.querySpans({ rolloutId: rollout.rollout_id })).items;
    const result = new TracerTraceToTriplet({ agentMatch: "solver" }).adaptWithDiagnostics(spans);
    expect(result.triplets.map((t) => [t.metadata.response_id, t.metadata.agent_name, t.reward])).toEqual([
      ["resp-1", "solver", null],
      ["resp-2", "solver", 0.9],
    ]);
    expect(result.triplets[0]!.prompt.token_ids).toEqual([1, 2, 3]);
    expect(result.triplets[0]!.response.token_ids).toEqual([4, 5]);
    // The judge's call is under no "solver" agent: the agent filter drops it first.
    expect(result.dropped.map((d) => [d.name, d.reason])).toEqual([
      ["openai.chat.completion", "agent_filter"],
    ]);
    // Without an agent filter, the reward operation keeps it out.
    const all = new TracerTraceToTriplet().adaptWithDiagnostics(spans);
    expect(all.triplets.map((t) => [t.metadata.response_id, t.metadata.agent_name])).toEqual([
      ["resp-1", "solver"],
      ["resp-2", "solver"],
    ]);
    expect(all.dropped.map((d) => [d.name, d.reason])).toEqual([["openai.chat.completion", "inside_reward"]]);

    const transcripts = new TraceToMessages().adapt(spans);
    const first = transcripts.find((t) => t.messages[0]?.content === "Weather in Paris?")!;
    expect(first.messages[1]).toEqual({
      role: "assistant",
      content: null,
      tool_calls: [
        { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
      ],
    });
  });
});
