// Adapters say why a trace yields no (or fewer) triplets: adaptWithDiagnostics lists every dropped
// LLM-call span with its reason, and adapt() logs a warning when LLM calls were present but no
// triplet came out.
import type { Span } from "@agentlightning/types";
import { describe, expect, it } from "vitest";
import { recordingLogger } from "../../test/support/recording-logger.js";
import {
  agentSpan,
  llmCallSpan,
  makeSpan,
  operationSpan,
  proxyRequestSpans,
  rewardSpan,
} from "../../test/support/span-fixtures.js";
import { describeDiagnostics } from "./diagnostics.js";
import { LlmProxyTraceToTriplet } from "./llm-proxy-trace-to-triplet.js";
import { TracerTraceToTriplet } from "./tracer-trace-to-triplet.js";

const session = () => makeSpan({ id: "root", name: "session", start: 0, end: 10 });

function reasons(result: { dropped: { spanId: string; reason: string }[] }): [string, string][] {
  return result.dropped.map((d) => [d.spanId, d.reason]);
}

describe("TracerTraceToTriplet.adaptWithDiagnostics", () => {
  it("agent filter: names the agent that did not match, and hints at repair", () => {
    const spans = [
      session(),
      agentSpan({ id: "worker", parent: "root", agent: "worker", start: 1, end: 4 }),
      llmCallSpan({ id: "llm-w", parent: "worker", start: 2, end: 3 }),
      llmCallSpan({ id: "llm-root", parent: "root", start: 5, end: 6 }),
    ];
    const result = new TracerTraceToTriplet({
      agentMatch: "planner",
      repairHierarchy: false,
    }).adaptWithDiagnostics(spans);
    expect(result.triplets).toEqual([]);
    expect(result.llmCallSpans).toBe(2);
    expect(reasons(result)).toEqual([
      ["llm-w", "agent_filter"],
      ["llm-root", "agent_filter"],
    ]);
    expect(result.dropped[0]!.detail).toMatch(/agent "worker".*\/planner\//);
    expect(result.dropped[1]!.detail).toMatch(/repairHierarchy/);
  });

  it("llmCallMatch not matching: spans with gen_ai.* attributes are reported, and a wider regex reads them", () => {
    const spans = [
      session(),
      llmCallSpan({ id: "vercel", parent: "root", name: "ai.generateText.doGenerate", start: 1, end: 2 }),
    ];
    const result = new TracerTraceToTriplet().adaptWithDiagnostics(spans);
    expect(result.triplets).toEqual([]);
    expect(reasons(result)).toEqual([["vercel", "name_not_matched"]]);
    expect(result.dropped[0]!.detail).toMatch(/llmCallMatch \/openai\\\.chat\\\.completion\//);
    const wider = new TracerTraceToTriplet({
      llmCallMatch: /openai\.chat\.completion|doGenerate/,
    }).adaptWithDiagnostics(spans);
    expect(wider.triplets).toHaveLength(1);
    expect(wider.dropped).toEqual([]);
  });

  it("no token ids with skipEmptyTokenSpans, dedup and reward subtrees each get their reason", () => {
    const spans: Span[] = [
      session(),
      llmCallSpan({ id: "kept", parent: "root", start: 1, end: 2, responseId: "r1" }),
      llmCallSpan({ id: "dup", parent: "root", start: 2, end: 3, responseId: "r1" }),
      llmCallSpan({
        id: "no-tokens",
        parent: "root",
        start: 3,
        end: 4,
        responseId: "r2",
        responseTokenIds: null,
      }),
      operationSpan({ id: "judge", parent: "root", operation: "agentlightning.reward", start: 5, end: 8 }),
      llmCallSpan({ id: "judge-llm", parent: "judge", start: 6, end: 7, responseId: "r3" }),
    ];
    const result = new TracerTraceToTriplet({ skipEmptyTokenSpans: true }).adaptWithDiagnostics(spans);
    expect(result.triplets.map((t) => t.metadata.response_id)).toEqual(["r1"]);
    expect(reasons(result)).toEqual([
      ["dup", "duplicate_response_id"],
      ["no-tokens", "no_token_ids"],
      ["judge-llm", "inside_reward"],
    ]);
    expect(result.dropped.find((d) => d.spanId === "no-tokens")!.detail).toMatch(/no response token ids/);
    expect(result.dropped.find((d) => d.spanId === "dup")!.detail).toMatch(/taken by span kept/);
  });

  it("no reward: triplets are listed as unrewarded, with a note", () => {
    const result = new TracerTraceToTriplet().adaptWithDiagnostics([
      llmCallSpan({ id: "l", start: 1, end: 2 }),
    ]);
    expect(result.unrewarded).toEqual([
      { spanId: "l", name: "openai.chat.completion", responseId: "chatcmpl-l" },
    ]);
    expect(result.rewardSpans).toBe(0);
    expect(result.notes.join()).toMatch(/no reward span/);
  });

  it("layers of one call are not lost calls: a wrapper and a raw child are covered_by_llm_call", () => {
    const spans = [
      llmCallSpan({ id: "wrapper", name: "ai.generateText", start: 0, end: 5, responseId: null }),
      llmCallSpan({ id: "call", parent: "wrapper", start: 1, end: 4, responseId: "r" }),
      makeSpan({
        id: "raw",
        parent: "call",
        name: "raw",
        start: 2,
        end: 3,
        attributes: { "llm.hosted_vllm.id": "r", "llm.hosted_vllm.prompt_token_ids": [1] },
      }),
    ];
    const result = new TracerTraceToTriplet().adaptWithDiagnostics(spans);
    expect(result.triplets).toHaveLength(1);
    expect(reasons(result)).toEqual([
      ["wrapper", "covered_by_llm_call"],
      ["raw", "covered_by_llm_call"],
    ]);
  });

  it("a malformed reward span is a note, not a crash", () => {
    const bad = makeSpan({
      id: "bad",
      name: "agentlightning.annotation",
      start: 3,
      attributes: { "agentlightning.reward.0.name": "primary", "agentlightning.reward.0.value": "high" },
    });
    const result = new TracerTraceToTriplet().adaptWithDiagnostics([
      llmCallSpan({ id: "l", start: 1, end: 2 }),
      bad,
    ]);
    expect(result.triplets).toHaveLength(1);
    expect(result.notes.join()).toMatch(/span bad .*malformed reward/);
  });

  it("no spans → [] with a note", () => {
    expect(new TracerTraceToTriplet().adaptWithDiagnostics([])).toMatchObject({
      triplets: [],
      notes: ["no spans"],
    });
  });

  it("describeDiagnostics counts per reason", () => {
    const spans = [
      session(),
      llmCallSpan({ id: "a", parent: "root", name: "chat", start: 1, end: 2 }),
      llmCallSpan({ id: "b", parent: "root", name: "chat", start: 3, end: 4 }),
    ];
    const text = describeDiagnostics(new TracerTraceToTriplet().adaptWithDiagnostics(spans));
    expect(text).toMatch(
      /^2 LLM-call span\(s\), 0 triplet\(s\), 0 reward span\(s\); 2 dropped, name not matching llmCallMatch \[name_not_matched\]/,
    );
  });
});

describe("adapt() warns when LLM calls yield nothing", () => {
  it("logs one warning with the reasons when the result is empty", () => {
    const logger = recordingLogger();
    const spans = [session(), llmCallSpan({ id: "llm", parent: "root", start: 1, end: 2 })];
    expect(new TracerTraceToTriplet({ agentMatch: "planner", logger }).adapt(spans)).toEqual([]);
    const warnings = logger.messages("warn");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/TracerTraceToTriplet: no triplets .*1 LLM-call span.*agent_filter/);
  });

  it("stays quiet (no warning) when triplets come out, and says at info level when a filter dropped some", () => {
    const logger = recordingLogger();
    const spans = [
      session(),
      llmCallSpan({ id: "ok", parent: "root", start: 1, end: 2 }),
      llmCallSpan({ id: "empty", parent: "root", start: 3, end: 4, promptTokenIds: null }),
      rewardSpan({ id: "r", parent: "root", start: 5, value: 1 }),
    ];
    expect(new TracerTraceToTriplet({ logger, skipEmptyTokenSpans: true }).adapt(spans)).toHaveLength(1);
    expect(logger.messages("warn").filter((m) => m.startsWith("TracerTraceToTriplet"))).toEqual([]);
    expect(logger.messages("info").join()).toMatch(/some LLM calls were dropped.*no_token_ids/);
  });

  it("says at info level when a trace holds no LLM-call span at all", () => {
    const logger = recordingLogger();
    new TracerTraceToTriplet({ logger }).adapt([session(), rewardSpan({ id: "r", value: 1 })]);
    expect(logger.messages("warn")).toEqual([]);
    expect(logger.messages("info").join()).toMatch(
      /no LLM-call span among 2 span\(s\) \(names: session, agentlightning\.annotation\)/,
    );
  });

  it("the proxy adapter warns too, and does not count a request's other layers as lost", () => {
    const logger = recordingLogger();
    const adapter = new LlmProxyTraceToTriplet({ logger });
    const none = adapter.adaptWithDiagnostics(
      proxyRequestSpans({ key: "a", sequence: 1, promptTokenIds: null }),
    );
    expect(none.triplets).toEqual([]);
    expect(reasons(none)).toEqual([
      ["a-litellm", "no_token_ids"],
      ["a-raw", "no_token_ids"],
    ]);
    adapter.adapt(proxyRequestSpans({ key: "a", sequence: 1, promptTokenIds: null }));
    expect(logger.messages("warn").join()).toMatch(/LlmProxyTraceToTriplet: no triplets .*no_token_ids/);

    const ok = adapter.adaptWithDiagnostics([
      ...proxyRequestSpans({ key: "b", sequence: 1 }),
      llmCallSpan({ id: "agent-side", sequence: 2, responseId: "chatcmpl-b" }),
      llmCallSpan({ id: "elsewhere", sequence: 3, responseId: "other" }),
    ]);
    expect(ok.triplets).toHaveLength(1);
    expect(reasons(ok)).toEqual([
      ["b-litellm", "covered_by_llm_call"],
      ["agent-side", "covered_by_llm_call"],
      ["elsewhere", "name_not_matched"],
    ]);
  });

  it("the proxy adapter notes a reward that no earlier call could take", () => {
    const result = new LlmProxyTraceToTriplet().adaptWithDiagnostics([
      rewardSpan({ id: "r", sequence: 1, value: 1 }),
      ...proxyRequestSpans({ key: "a", sequence: 2 }),
    ]);
    expect(result.triplets.map((t) => t.reward)).toEqual([null]);
    expect(result.notes.join()).toMatch(/reward 1 at sequence 1 has no unrewarded call/);
  });
});

describe("logging", () => {
  it("adapt() says each warning once; adaptWithDiagnostics logs nothing", () => {
    const legacy = makeSpan({
      id: "legacy",
      name: "agentlightning.reward",
      start: 5,
      attributes: { reward: 1 },
    });
    const spans = [
      session(),
      llmCallSpan({ id: "l", parent: "root", start: 1, end: 2 }),
      { ...legacy, parent_id: "root" },
    ];
    const logger = recordingLogger();
    const adapter = new TracerTraceToTriplet({ logger });
    expect(adapter.adapt(spans).map((t) => t.reward)).toEqual([1]);
    const warnings = logger.messages("warn");
    expect(warnings.filter((m) => m.includes("v0.2 format"))).toHaveLength(1);
    logger.lines.length = 0;
    adapter.adaptWithDiagnostics(spans);
    expect(logger.lines).toEqual([]);
  });
});
