// Runtime contract checklist §9 "Adapters", items #75–#97, with Quirks A7 and A8.
import { type Span, SpanSchema } from "@agentlightning/types";
import { context, trace } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import {
  agentSpan,
  llmCallSpan,
  makeSpan,
  operationSpan,
  proxyRequestSpans,
  rewardSpan,
  toolCallSpan,
} from "../../test/support/span-fixtures.js";
import { filterAndUnflattenAttributes, unflattenAttributes } from "../utils/attributes.js";
import { LlmProxyTraceToTriplet } from "./llm-proxy-trace-to-triplet.js";
import { extractPromptImageUrls } from "./span-to-triplet.js";
import { TraceToMessages } from "./trace-to-messages.js";
import { TraceTree } from "./trace-tree.js";
import { TracerTraceToTriplet } from "./tracer-trace-to-triplet.js";

describe("TraceTree (#75–#78)", () => {
  it("the fixtures are wire-valid spans", () => {
    for (const span of [
      llmCallSpan({ id: "a" }),
      rewardSpan({ id: "r", value: 1 }),
      ...proxyRequestSpans({ key: "k", sequence: 1 }),
    ]) {
      expect(SpanSchema.parse(span)).toEqual(span);
    }
  });

  it("#75 builds the tree, names it, finds nodes and serialises", () => {
    const root = agentSpan({ id: "root", name: "agent.session", agent: "primary-agent", start: 0, end: 10 });
    const llm = llmCallSpan({ id: "llm", parent: "root", start: 1, end: 2 });
    const tree = TraceTree.fromSpans([llm, root]);
    expect(tree.id).toBe("root");
    expect(tree.children.map((c) => c.id)).toEqual(["llm"]);
    expect(tree.findId("llm")).toBe(tree.children[0]);
    expect(tree.findId("nope")).toBeNull();
    expect(tree.namesTuple()).toEqual(["agent.session [primary-agent]", [["openai.chat.completion", []]]]);
    expect(tree.toJson().children[0]!.span.name).toBe("openai.chat.completion");
    expect(JSON.parse(JSON.stringify(tree.toJson())).id).toBe("root");
  });

  it("#76 two roots hang under a virtual root from the first root's start to the last root's end (A7)", () => {
    const a = makeSpan({ id: "a", name: "first", start: 0, end: 5 });
    const b = makeSpan({ id: "b", name: "second", start: 5, end: 9 });
    const tree = TraceTree.fromSpans([a, b]);
    expect(tree.id).toBe("virtual-root");
    expect(tree.span.name).toBe("virtual-root");
    expect(tree.span.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(tree.startTime).toBe(0);
    expect(tree.endTime).toBe(9);
    expect(tree.children.map((c) => c.id)).toEqual(["a", "b"]);
  });

  it("A7: the virtual root ends with the last root, not the latest end", () => {
    const a = makeSpan({ id: "a", name: "long", start: 0, end: 20 });
    const b = makeSpan({ id: "b", name: "short", start: 5, end: 9 });
    expect(TraceTree.fromSpans([a, b]).endTime).toBe(9);
  });

  it("#77 an empty list is an error", () => {
    expect(() => TraceTree.fromSpans([])).toThrow(/at least one span/);
  });

  it("#77 a missing parent becomes a virtual node carrying the child's ids and time span", () => {
    const child = makeSpan({
      id: "child",
      parent: "lost",
      name: "work",
      start: 2,
      end: 4,
      rolloutId: "ro-x",
      sequence: 7,
    });
    const sibling = makeSpan({
      id: "sib",
      parent: "lost",
      name: "more",
      start: 3,
      end: 6,
      rolloutId: "ro-x",
    });
    const grandchild = makeSpan({ id: "gc", parent: "child", name: "leaf", start: 2.5, end: 3 });
    const tree = TraceTree.fromSpans([child, grandchild, sibling]);
    expect(tree.id).toBe("lost");
    expect(tree.span).toMatchObject({
      name: "agentlightning.virtual",
      span_id: "lost",
      rollout_id: "ro-x",
      sequence_id: 7,
      parent_id: null,
      attributes: {},
      start_time: 2,
      end_time: 6,
    });
    expect(tree.children.map((c) => c.id)).toEqual(["child", "sib"]);
    expect(tree.children[0]!.children.map((c) => c.id)).toEqual(["gc"]);
  });

  it("a later span with the same id replaces the earlier one", () => {
    const tree = TraceTree.fromSpans([
      makeSpan({ id: "a", name: "old" }),
      makeSpan({ id: "a", name: "new" }),
    ]);
    expect(tree.span.name).toBe("new");
    expect(tree.children).toEqual([]);
  });

  it("spans on a parent cycle are cut loose instead of looping", () => {
    const root = makeSpan({ id: "root", name: "root", start: 0, end: 10 });
    const x = llmCallSpan({ id: "x", parent: "y", start: 1, end: 2 });
    const y = makeSpan({ id: "y", parent: "x", name: "loop", start: 1, end: 3 });
    const notes = new Set<string>();
    const tree = TraceTree.fromSpans([root, x, y], { notes });
    expect(
      tree
        .traverse()
        .map((n) => n.id)
        .sort(),
    ).toEqual(["root", "virtual-root", "x", "y"]);
    expect([...notes].join()).toMatch(/parent cycle/);
  });

  it("#78 repairHierarchy moves a root-level LLM span into the agent span that envelopes it", () => {
    const root = makeSpan({ id: "root", name: "session", start: 0, end: 10 });
    const agent = agentSpan({ id: "agent", parent: "root", agent: "a", start: 1, end: 9 });
    const llm = llmCallSpan({ id: "llm", parent: "root", start: 2, end: 3 });
    const tree = TraceTree.fromSpans([root, agent, llm]);
    tree.repairHierarchy();
    expect(tree.children.map((c) => c.id)).toEqual(["agent"]);
    expect(tree.findId("agent")!.children.map((c) => c.id)).toEqual(["llm"]);
  });

  it("repairHierarchy picks the tightest envelope, follows a single-child chain, and never picks equal intervals", () => {
    const session = makeSpan({ id: "session", name: "session", start: 0, end: 20 });
    const root = makeSpan({ id: "root", parent: "session", name: "trace", start: 0, end: 20 });
    const outer = agentSpan({ id: "outer", parent: "root", agent: "outer", start: 1, end: 19 });
    const inner = agentSpan({ id: "inner", parent: "outer", agent: "inner", start: 2, end: 9 });
    const llm = llmCallSpan({ id: "llm", parent: "root", start: 3, end: 4 });
    const twin = makeSpan({ id: "twin", parent: "root", name: "same-as-outer", start: 1, end: 19 });
    const tree = TraceTree.fromSpans([session, root, outer, inner, llm, twin]);
    tree.repairHierarchy();
    expect(tree.findId("inner")!.children.map((c) => c.id)).toEqual(["llm"]);
    // The twin has the same interval as outer: slack 0 is never chosen, so it stays at the root.
    expect(tree.findId("root")!.children.map((c) => c.id)).toEqual(["outer", "twin"]);
  });

  it("A8: a move never makes a cycle, even when an earlier move put the best envelope inside the child", () => {
    // P moves under N, a (long) child of Q; Q's tightest envelope is then P, now inside Q's own subtree.
    const root = makeSpan({ id: "root", name: "root", start: -1, end: 30 });
    const p = makeSpan({ id: "p", parent: "root", name: "p", start: 3, end: 7 });
    const q = makeSpan({ id: "q", parent: "root", name: "q", start: 4, end: 6 });
    const n = makeSpan({ id: "n", parent: "q", name: "n", start: 0, end: 10 });
    const r = makeSpan({ id: "r", parent: "root", name: "r", start: 20, end: 21 });
    const tree = TraceTree.fromSpans([root, p, q, n, r]);
    tree.repairHierarchy();
    expect(tree.children.map((c) => c.id)).toEqual(["q", "r"]);
    expect(tree.findId("n")!.children.map((c) => c.id)).toEqual(["p"]);
    expect(tree.traverse().map((x) => x.id)).toEqual(["root", "q", "n", "p", "r"]);
  });

  it("A8: a child is never moved into its own subtree", () => {
    const root = makeSpan({ id: "root", name: "root", start: 0, end: 10 });
    const a = makeSpan({ id: "a", parent: "root", name: "a", start: 1, end: 5 });
    const aChild = makeSpan({ id: "a-child", parent: "a", name: "a-child", start: 0.5, end: 6 });
    const b = makeSpan({ id: "b", parent: "root", name: "b", start: 7, end: 8 });
    const tree = TraceTree.fromSpans([root, a, aChild, b]);
    tree.repairHierarchy();
    expect(tree.findId("a")!.children.map((c) => c.id)).toEqual(["a-child"]);
    expect(tree.findId("a-child")!.children).toEqual([]);
  });
});

describe("TraceTree.toTrajectory and TracerTraceToTriplet (#79–#88)", () => {
  it("#79 agent filter, dedup, skipEmptyTokenSpans, reward, finalReward", () => {
    const spans: Span[] = [
      agentSpan({ id: "root", agent: "primary-agent", start: 0, end: 10 }),
      llmCallSpan({
        id: "llm-1",
        parent: "root",
        start: 1,
        end: 2,
        responseId: "resp-1",
        promptTokenIds: [1, 2],
        responseTokenIds: [3, 4],
      }),
      llmCallSpan({ id: "llm-2", parent: "root", start: 2, end: 3, responseId: "resp-1" }),
      llmCallSpan({
        id: "llm-3",
        parent: "root",
        start: 3,
        end: 4,
        responseId: "resp-3",
        promptTokenIds: null,
        responseTokenIds: null,
      }),
      rewardSpan({ id: "reward", parent: "root", start: 5, value: 0.5 }),
    ];
    const options = { agentMatch: "primary-agent", dedupLlmCall: true, skipEmptyTokenSpans: true };
    const triplets = TraceTree.fromSpans(spans).toTrajectory(options);
    expect(triplets).toHaveLength(1);
    expect(triplets[0]).toMatchObject({
      prompt: { token_ids: [1, 2] },
      response: { token_ids: [3, 4] },
      reward: 0.5,
      metadata: { response_id: "resp-1", agent_name: "primary-agent" },
    });
    expect(TraceTree.fromSpans(spans).toTrajectory({ ...options, finalReward: 1.0 })[0]!.reward).toBe(1.0);
  });

  it("#80 an agent filter finds a root-level LLM span only after repair", () => {
    const spans = [
      makeSpan({ id: "root", name: "session", start: 0, end: 10 }),
      agentSpan({ id: "planner", parent: "root", agent: "planner", start: 1, end: 9 }),
      llmCallSpan({ id: "llm", parent: "root", start: 2, end: 3 }),
      rewardSpan({ id: "reward", parent: "root", start: 4, value: 0.3 }),
    ];
    const triplets = new TracerTraceToTriplet({ agentMatch: "planner" }).adapt(spans);
    expect(triplets).toHaveLength(1);
    expect(triplets[0]!.reward).toBe(0.3);
    expect(triplets[0]!.metadata.agent_name).toBe("planner");
    expect(new TracerTraceToTriplet({ agentMatch: "planner", repairHierarchy: false }).adapt(spans)).toEqual(
      [],
    );
  });

  it("#81 the default adapter with skipEmptyTokenSpans keeps the first of two same-id calls and drops the token-less one", () => {
    const spans = [
      makeSpan({ id: "root", name: "session", start: 0, end: 10 }),
      llmCallSpan({ id: "first", parent: "root", start: 1, end: 2, responseId: "same" }),
      llmCallSpan({ id: "second", parent: "root", start: 2, end: 3, responseId: "same" }),
      llmCallSpan({
        id: "empty",
        parent: "root",
        start: 3,
        end: 4,
        responseId: "other",
        promptTokenIds: null,
      }),
      rewardSpan({ id: "reward", parent: "root", start: 5, value: 0.25 }),
    ];
    const triplets = new TracerTraceToTriplet({ skipEmptyTokenSpans: true }).adapt(spans);
    expect(triplets.map((t) => [t.metadata.response_id, t.reward])).toEqual([["same", 0.25]]);
  });

  it("#82 two agents whose LLM spans share a response id: only the first in DFS order", () => {
    const spans = [
      makeSpan({ id: "root", name: "session", start: 0, end: 10 }),
      agentSpan({ id: "a", parent: "root", agent: "alpha", start: 1, end: 4 }),
      agentSpan({ id: "b", parent: "root", agent: "beta", start: 5, end: 9 }),
      llmCallSpan({ id: "llm-b", parent: "b", start: 6, end: 7, responseId: "shared" }),
      llmCallSpan({ id: "llm-a", parent: "a", start: 2, end: 3, responseId: "shared" }),
    ];
    const tree = TraceTree.fromSpans(spans);
    const calls = tree.findLlmCalls({
      llmCallMatch: "openai\\.chat\\.completion",
      agentMatch: null,
      withinMatchingSubtree: "*",
      withinReward: false,
      withinLlmCall: false,
      existingResponseIds: new Set(),
    });
    expect(calls.map(([node, agent]) => [node.id, agent])).toEqual([["llm-a", "alpha"]]);
  });

  it("#83 multimodal prompt: raw content, image urls, request/response metadata, rewards [null, 0.7]", () => {
    const content = JSON.stringify([
      { type: "text", text: "What is in the image?" },
      { type: "image_url", image_url: { url: "file:///images/test.png" } },
    ]);
    const first = llmCallSpan({
      id: "llm-1",
      parent: "root",
      start: 1,
      end: 2,
      prompt: [{ role: "user", content }],
      promptTokenIds: null,
      responseTokenIds: null,
      attributes: { "gen_ai.request.temperature": 0.5 },
    });
    const spans = [
      makeSpan({ id: "root", name: "session", start: 0, end: 10 }),
      first,
      llmCallSpan({ id: "llm-2", parent: "root", start: 3, end: 4 }),
      rewardSpan({ id: "reward", parent: "root", start: 5, value: 0.7 }),
    ];
    const triplets = new TracerTraceToTriplet().adapt(spans);
    expect(triplets.map((t) => t.reward)).toEqual([null, 0.7]);
    const t = triplets[0]!;
    expect(t.prompt.raw_content).toEqual(unflattenAttributes(filterPrefix(first, "gen_ai.prompt")));
    expect(t.prompt.image_urls).toEqual(["file:///images/test.png"]);
    expect(t.prompt.token_ids).toEqual([]);
    expect(t.response.token_ids).toEqual([]);
    expect(t.response.raw_content).toEqual([{ role: "assistant", content: "4", finish_reason: "stop" }]);
    expect(t.metadata.request).toEqual(filterAndUnflattenAttributes(first.attributes, "gen_ai.request"));
    expect(t.metadata.request).toMatchObject({ model: "gpt-test", temperature: 0.5 });
    expect(t.metadata.response).toEqual(filterAndUnflattenAttributes(first.attributes, "gen_ai.response"));
  });

  it("#84 a prompt with prompt_filter_results stays an object; image urls are still found", () => {
    const content = JSON.stringify([
      { type: "image_url", image_url: { url: "data:image/jpeg;base64,AAA..." } },
    ]);
    const spans = [
      llmCallSpan({
        id: "llm",
        start: 1,
        end: 2,
        prompt: [{ role: "user", content }],
        attributes: { "gen_ai.prompt.prompt_filter_results": "[{'prompt_index': 0}]" },
      }),
    ];
    const [t] = new TracerTraceToTriplet().adapt(spans);
    expect(Object.keys(t!.prompt.raw_content as object).sort()).toEqual(["0", "prompt_filter_results"]);
    expect(t!.prompt.image_urls).toEqual(["data:image/jpeg;base64,AAA..."]);
  });

  it("#85 extractPromptImageUrls", () => {
    const part = (url: string) => JSON.stringify([{ type: "image_url", image_url: { url } }]);
    expect(
      extractPromptImageUrls([
        { role: "user", content: part("a") },
        {
          role: "user",
          content: [
            { type: "image_url", image_url: { url: "b" } },
            { type: "text", text: "x" },
          ],
        },
      ]),
    ).toEqual(["a", "b"]);
    expect(
      extractPromptImageUrls({
        "1": { content: part("second") },
        "0": { content: part("first") },
        note: "x",
      }),
    ).toEqual(["first", "second"]);
    expect(extractPromptImageUrls({ content: part("only") })).toEqual(["only"]);
    expect(extractPromptImageUrls([{ role: "user", content: "{not json" }])).toEqual([]);
    expect(extractPromptImageUrls([{ role: "user" }])).toEqual([]);
    expect(extractPromptImageUrls("plain string")).toEqual([]);
  });

  it("#86 first_sibling gives a reward to the sibling call; first_occurrence to the latest call", () => {
    const spans = [
      makeSpan({ id: "root", name: "session", start: 0, end: 10 }),
      agentSpan({ id: "a", parent: "root", agent: "A", start: 1, end: 4 }),
      llmCallSpan({ id: "llm-a", parent: "a", start: 2.0, end: 3.0 }),
      rewardSpan({ id: "reward", parent: "a", start: 3.5, value: 0.8 }),
      agentSpan({ id: "b", parent: "root", agent: "B", start: 3.05, end: 3.3 }),
      llmCallSpan({ id: "llm-b", parent: "b", start: 3.1, end: 3.2 }),
    ];
    const sibling = new TracerTraceToTriplet({ rewardMatch: "first_sibling", repairHierarchy: false }).adapt(
      spans,
    );
    expect(sibling.map((t) => [t.metadata.agent_name, t.reward])).toEqual([
      ["A", 0.8],
      ["B", null],
    ]);
    const occurrence = new TracerTraceToTriplet({ repairHierarchy: false }).adapt(spans);
    expect(occurrence.map((t) => [t.metadata.agent_name, t.reward])).toEqual([
      ["A", null],
      ["B", 0.8],
    ]);
  });

  it("first_occurrence back-fills older calls with later rewards", () => {
    const spans = [
      makeSpan({ id: "root", name: "session", start: 0, end: 20 }),
      llmCallSpan({ id: "c1", parent: "root", start: 1, end: 2 }),
      llmCallSpan({ id: "c2", parent: "root", start: 3, end: 4 }),
      rewardSpan({ id: "r1", parent: "root", start: 5, value: 0.1 }),
      rewardSpan({ id: "r2", parent: "root", start: 6, value: 0.2 }),
    ];
    expect(new TracerTraceToTriplet().adapt(spans).map((t) => t.reward)).toEqual([0.2, 0.1]);
  });

  it("a reward starting within the millisecond a call ended still counts as after it (OTel JS start times are whole ms)", () => {
    const spans = [
      makeSpan({ id: "root", name: "session", start: 0, end: 10 }),
      llmCallSpan({ id: "c1", parent: "root", start: 1, end: 1.5 }),
      llmCallSpan({ id: "c2", parent: "root", start: 2.0, end: 2.0006 }),
      rewardSpan({ id: "r", parent: "root", start: 2.0, value: 1 }),
    ];
    expect(new TracerTraceToTriplet().adapt(spans).map((t) => t.reward)).toEqual([null, 1]);
    const late = [...spans.slice(0, 3), rewardSpan({ id: "r", parent: "root", start: 1.9, value: 1 })];
    expect(new TracerTraceToTriplet().adapt(late).map((t) => t.reward)).toEqual([1, null]);
  });

  it("#87 LLM calls inside an agentlightning.reward operation produce no triplets", () => {
    const spans = [
      makeSpan({ id: "root", name: "session", start: 0, end: 10 }),
      llmCallSpan({ id: "work", parent: "root", start: 1, end: 2 }),
      operationSpan({ id: "judge", parent: "root", operation: "agentlightning.reward", start: 3, end: 6 }),
      llmCallSpan({ id: "judge-llm", parent: "judge", start: 4, end: 5 }),
      rewardSpan({ id: "reward", parent: "judge", start: 5.5, value: 1 }),
    ];
    const triplets = new TracerTraceToTriplet().adapt(spans);
    expect(triplets.map((t) => [t.metadata.response_id, t.reward])).toEqual([["chatcmpl-work", 1]]);
    expect(new TracerTraceToTriplet({ excludeLlmCallInReward: false }).adapt(spans)).toHaveLength(2);
  });

  it("#88 a nested matching span without a response id is not a separate triplet", () => {
    const spans = [
      llmCallSpan({ id: "outer", start: 1, end: 4 }),
      llmCallSpan({
        id: "inner",
        parent: "outer",
        start: 2,
        end: 3,
        responseId: null,
        name: "openai.chat.completion.http",
      }),
    ];
    expect(new TracerTraceToTriplet().adapt(spans).map((t) => t.metadata.response_id)).toEqual([
      "chatcmpl-outer",
    ]);
  });

  it("reads Weave-style operation keys when gen_ai.* is absent", () => {
    const span = makeSpan({
      id: "op",
      name: "openai.chat.completion",
      start: 1,
      end: 2,
      attributes: {
        "agentlightning.operation.input.messages.0.role": "user",
        "agentlightning.operation.input.messages.0.content": "hi",
        "agentlightning.operation.input.model": "m",
        "agentlightning.operation.output.id": "op-resp",
        "agentlightning.operation.output.prompt_token_ids": [7, 8],
        "agentlightning.operation.output.choices.0.message.content": "hello",
        "agentlightning.operation.output.choices.0.token_ids": [9],
        "agentlightning.operation.output.usage.total_tokens": 3,
      },
    });
    const [t] = new TracerTraceToTriplet().adapt([span]);
    expect(t).toMatchObject({
      prompt: { token_ids: [7, 8], raw_content: [{ role: "user", content: "hi" }] },
      response: { token_ids: [9], raw_content: [{ message: { content: "hello" }, token_ids: [9] }] },
      metadata: {
        response_id: "op-resp",
        request: { model: "m" },
        response: { id: "op-resp", usage: { total_tokens: 3 } },
      },
    });
  });

  it("reads logprobs.content as JSON", () => {
    const logprobs = [{ token: "4", logprob: -0.1 }];
    const [t] = new TracerTraceToTriplet().adapt([llmCallSpan({ id: "l", start: 1, end: 2, logprobs })]);
    expect(t!.response.logprobs).toEqual(logprobs);
  });
});

function filterPrefix(span: Span, prefix: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(span.attributes))
    if (k.startsWith(`${prefix}.`)) out[k.slice(prefix.length + 1)] = v;
  return out;
}

describe("LlmProxyTraceToTriplet (#89–#94)", () => {
  const adapter = new LlmProxyTraceToTriplet();

  it("#89 calls at seq 1 and 4, reward at 6 → [null, 0.0]; token ids parsed from stringified lists", () => {
    const spans = [
      ...proxyRequestSpans({ key: "a", sequence: 1, promptTokenIds: [1, 2], responseTokenIds: [3] }),
      ...proxyRequestSpans({ key: "b", sequence: 4, promptTokenIds: [5, 6], responseTokenIds: [7, 8] }),
      rewardSpan({ id: "reward", sequence: 6, start: 100, value: 0.0 }),
    ];
    expect(typeof spans[2]!.attributes["llm.hosted_vllm.prompt_token_ids"]).toBe("string");
    const triplets = adapter.adapt(spans);
    expect(triplets).toEqual([
      {
        prompt: { token_ids: [1, 2] },
        response: { token_ids: [3] },
        reward: null,
        metadata: { response_id: "chatcmpl-a" },
      },
      {
        prompt: { token_ids: [5, 6] },
        response: { token_ids: [7, 8] },
        reward: 0.0,
        metadata: { response_id: "chatcmpl-b" },
      },
    ]);
  });

  it("#90 a repeated llm.hosted_vllm.id gives one triplet; the reward at seq 3 attaches to it", () => {
    const spans = [
      ...proxyRequestSpans({ key: "a", sequence: 1, requestId: "dup" }),
      ...proxyRequestSpans({ key: "b", sequence: 2, requestId: "dup" }),
      rewardSpan({ id: "reward", sequence: 3, value: 1.0 }),
    ];
    const triplets = adapter.adapt(spans);
    expect(triplets.map((t) => [t.metadata.response_id, t.reward])).toEqual([["dup", 1.0]]);
  });

  it("#91 a litellm_request span without token ids yields no triplet", () => {
    const litellm = proxyRequestSpans({ key: "a", sequence: 1 })[1]!;
    expect(adapter.adapt([litellm])).toEqual([]);
    const withIds = makeSpan({
      ...{ id: "l2", name: "litellm_request", sequence: 2 },
      attributes: { prompt_token_ids: [1], response_token_ids: [2], "gen_ai.response.id": "r2" },
    });
    expect(adapter.adapt([withIds])).toEqual([
      {
        prompt: { token_ids: [1] },
        response: { token_ids: [2] },
        reward: null,
        metadata: { response_id: "r2" },
      },
    ]);
  });

  it("#92 a single raw call without reward: reward null, response id from llm.hosted_vllm.id", () => {
    const raw = makeSpan({
      id: "raw",
      name: "raw_gen_ai_request",
      sequence: 1,
      attributes: {
        "llm.hosted_vllm.id": "chatcmpl-BUG",
        "llm.hosted_vllm.prompt_token_ids": "[1, 2]",
        "llm.hosted_vllm.choices": "[{'token_ids': [3, 4], 'finish_reason': 'stop', 'logprobs': None}]",
      },
    });
    expect(adapter.adapt([raw])).toEqual([
      {
        prompt: { token_ids: [1, 2] },
        response: { token_ids: [3, 4] },
        reward: null,
        metadata: { response_id: "chatcmpl-BUG" },
      },
    ]);
  });

  it("#93 rewards at a sequence ≤ the call's are ignored; the later one applies", () => {
    const spans = [
      rewardSpan({ id: "early", sequence: 1, value: 9 }),
      ...proxyRequestSpans({ key: "a", sequence: 2 }),
      rewardSpan({ id: "same", sequence: 2, start: 50, value: 8 }),
      rewardSpan({ id: "later", sequence: 3, value: 3.5 }),
    ];
    expect(adapter.adapt(spans).map((t) => t.reward)).toEqual([3.5]);
  });

  it("#94 calls at 2, 4, 6 and rewards at 5, 7, 8 → [0.3, 0.1, 0.2] (back-fill)", () => {
    const spans = [
      rewardSpan({ id: "r8", sequence: 8, value: 0.3 }),
      ...proxyRequestSpans({ key: "c6", sequence: 6 }),
      ...proxyRequestSpans({ key: "c2", sequence: 2 }),
      rewardSpan({ id: "r5", sequence: 5, value: 0.1 }),
      ...proxyRequestSpans({ key: "c4", sequence: 4 }),
      rewardSpan({ id: "r7", sequence: 7, value: 0.2 }),
    ];
    expect(adapter.adapt(spans).map((t) => [t.metadata.response_id, t.reward])).toEqual([
      ["chatcmpl-c2", 0.3],
      ["chatcmpl-c4", 0.1],
      ["chatcmpl-c6", 0.2],
    ]);
  });
});

describe("TraceToMessages (#95–#97)", () => {
  const weather = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };

  it("#95 a tool-calling answer and the offered tools", () => {
    const call = llmCallSpan({
      id: "call",
      start: 1,
      end: 2,
      prompt: [
        { role: "system", content: "You are helpful." },
        { role: "user", content: "Weather in Paris?" },
      ],
      completion: [{ role: "assistant", finish_reason: "tool_calls" }],
      functions: [{ name: "get_weather", description: "Current weather", parameters: weather }],
    });
    const tool = toolCallSpan({
      id: "tool",
      parent: "call",
      fn: "get_weather",
      arguments: '{"city":"Paris"}',
      callId: "call_1",
    });
    const [out, ...rest] = new TraceToMessages().adapt([call, tool]);
    expect(rest).toEqual([]);
    expect(out!.messages).toEqual([
      { role: "system", content: "You are helpful." },
      { role: "user", content: "Weather in Paris?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          {
            id: "call_1",
            type: "function",
            function: { name: "get_weather", arguments: '{"city":"Paris"}' },
          },
        ],
      },
    ]);
    expect(out!.tools).toEqual([
      {
        type: "function",
        function: { name: "get_weather", description: "Current weather", parameters: weather },
      },
    ]);
  });

  it("#96 a follow-up keeps tool_call_id; the answer has content; no functions → tools null", () => {
    const follow = llmCallSpan({
      id: "follow",
      start: 3,
      end: 4,
      prompt: [
        { role: "user", content: "Weather in Paris?", tool_call_id: "dropped-for-users" },
        {
          role: "assistant",
          tool_calls: [{ id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' }],
        },
        { role: "tool", content: "18C and sunny", tool_call_id: "call_1" },
      ],
      completion: [{ role: "assistant", content: "It is 18C and sunny.", finish_reason: "stop" }],
    });
    const [out] = new TraceToMessages().adapt([follow]);
    expect(out!.messages[0]).toEqual({ role: "user", content: "Weather in Paris?" });
    expect(out!.messages[2]).toEqual({ role: "tool", content: "18C and sunny", tool_call_id: "call_1" });
    expect(out!.messages[3]).toEqual({ role: "assistant", content: "It is 18C and sunny." });
    expect(out!.tools).toBeNull();
  });

  it("#96 the tool span itself produces no entry, nor do spans without gen_ai keys", () => {
    const tool = toolCallSpan({ id: "tool", fn: "f", arguments: "{}", callId: "c" });
    expect(new TraceToMessages().adapt([tool, rewardSpan({ id: "r", value: 1 })])).toEqual([]);
  });

  it("#97 prompt tool calls in order, and two tool children on the completion", () => {
    const call = llmCallSpan({
      id: "call",
      start: 1,
      end: 2,
      prompt: [
        { role: "user", content: "Compare" },
        {
          role: "assistant",
          tool_calls: [
            { id: "t0", name: "a", arguments: "{}" },
            { id: "t1", name: "b", arguments: '{"x":1}' },
          ],
        },
      ],
      completion: [{ role: "assistant", finish_reason: "tool_calls" }],
    });
    const spans = [
      call,
      toolCallSpan({ id: "c1", parent: "call", fn: "lookup", arguments: '{"q":1}', callId: "x1" }),
      toolCallSpan({ id: "c2", parent: "call", fn: "lookup", arguments: '{"q":2}', callId: "x2" }),
    ];
    const [out] = new TraceToMessages().adapt(spans);
    expect(out!.messages[1]).toEqual({
      role: "assistant",
      content: null,
      tool_calls: [
        { id: "t0", type: "function", function: { name: "a", arguments: "{}" } },
        { id: "t1", type: "function", function: { name: "b", arguments: '{"x":1}' } },
      ],
    });
    expect((out!.messages[2] as { tool_calls: unknown[] }).tool_calls).toEqual([
      { id: "x1", type: "function", function: { name: "lookup", arguments: '{"q":1}' } },
      { id: "x2", type: "function", function: { name: "lookup", arguments: '{"q":2}' } },
    ]);
  });

  it("a prompt message without a role is an error naming the span", () => {
    const bad = makeSpan({
      id: "bad",
      name: "openai.chat.completion",
      attributes: { "gen_ai.prompt.0.content": "x" },
    });
    expect(() => new TraceToMessages().adapt([bad])).toThrow(/span bad .*gen_ai\.prompt\.0\.role/);
  });
});

describe("TracerTraceToTriplet over raw OpenTelemetry spans (§5.3)", () => {
  it("converts ReadableSpans with dummy ids, then adapts", () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const otel = provider.getTracer("test");
    const root = otel.startSpan("agent", { attributes: { "agent.name": "raw-agent" } });
    const parent = trace.setSpan(context.active(), root);
    otel
      .startSpan(
        "openai.chat.completion",
        { attributes: { "gen_ai.response.id": "raw-1", prompt_token_ids: [1], response_token_ids: [2] } },
        parent,
      )
      .end();
    root.end();
    const triplets = new TracerTraceToTriplet().adapt(exporter.getFinishedSpans());
    expect(triplets.map((t) => [t.metadata.response_id, t.metadata.agent_name, t.prompt.token_ids])).toEqual([
      ["raw-1", "raw-agent", [1]],
    ]);
  });
});
