// Runtime contract §10.1 (tolerant Python-literal parsing) and §5.4's value forms: the proxy's
// token ids arrive as native arrays, JSON text or Python reprs, and all of them read the same.
import { describe, expect, it } from "vitest";
import { proxyRequestSpans } from "../../test/support/span-fixtures.js";
import { LlmProxyTraceToTriplet } from "./llm-proxy-trace-to-triplet.js";
import { proxyPromptTokenIds, proxyResponseTokenIds } from "./proxy-token-ids.js";
import { asIntList, parseLooseLiteral, parsePythonLiteral } from "./python-literal.js";
import { TracerTraceToTriplet } from "./tracer-trace-to-triplet.js";

describe("parsePythonLiteral", () => {
  it("reads Python reprs of lists, dicts, tuples, sets, strings and constants", () => {
    expect(parsePythonLiteral("[1, 2, 3]")).toEqual([1, 2, 3]);
    expect(parsePythonLiteral("[{'token_ids': [1, 2], 'ok': True, 'none': None, 'no': False}]")).toEqual([
      { token_ids: [1, 2], ok: true, none: null, no: false },
    ]);
    expect(parsePythonLiteral("(1, 2,)")).toEqual([1, 2]);
    expect(parsePythonLiteral("{1, 2}")).toEqual([1, 2]);
    expect(parsePythonLiteral("{}")).toEqual({});
    expect(parsePythonLiteral(`"it's"`)).toBe("it's");
    expect(parsePythonLiteral(`'say "hi"\\n\\x41\\u00e9'`)).toBe('say "hi"\nAé');
    expect(parsePythonLiteral("-1.5e3")).toBe(-1500);
    expect(parsePythonLiteral("{'a': 'x, y: z', 'b': [None]}")).toEqual({ a: "x, y: z", b: [null] });
    expect(parsePythonLiteral("b'raw'")).toBe("raw");
  });

  it("returns undefined for anything that is not a literal", () => {
    expect(parsePythonLiteral("[1, 2")).toBeUndefined();
    expect(parsePythonLiteral("foo(1)")).toBeUndefined();
    expect(parsePythonLiteral("[1] trailing")).toBeUndefined();
    expect(parsePythonLiteral("'unterminated")).toBeUndefined();
  });
});

describe("parseLooseLiteral / asIntList", () => {
  it("JSON, Python text and native values read the same; other text stays text", () => {
    expect(parseLooseLiteral("[1, 2]")).toEqual([1, 2]);
    expect(parseLooseLiteral("[True]")).toEqual([true]);
    expect(parseLooseLiteral([1])).toEqual([1]);
    expect(parseLooseLiteral("hello")).toBe("hello");
    expect(parseLooseLiteral("[not a literal")).toBe("[not a literal");
  });

  it("int lists only (§10.1: Number.isInteger)", () => {
    expect(asIntList("[1, 2]")).toEqual([1, 2]);
    expect(asIntList([])).toEqual([]);
    expect(asIntList([1.5])).toBeNull();
    expect(asIntList("['a']")).toBeNull();
    expect(asIntList(7)).toBeNull();
  });
});

describe("proxy token ids in every form", () => {
  for (const format of ["python", "json", "native"] as const) {
    it(`${format}: prompt ids and choices[0].token_ids`, () => {
      const [, , raw] = proxyRequestSpans({
        key: "k",
        sequence: 1,
        format,
        promptTokenIds: [10, 11],
        responseTokenIds: [12],
      });
      expect(proxyPromptTokenIds(raw!.attributes)).toEqual([10, 11]);
      expect(proxyResponseTokenIds(raw!.attributes)).toEqual([12]);
    });

    it(`${format}: response_token_ids as a list of lists`, () => {
      const spans = proxyRequestSpans({
        key: "k",
        sequence: 1,
        format,
        responseTokenIds: [21, 22],
        responseIn: "response_token_ids",
      });
      expect(new LlmProxyTraceToTriplet().adapt(spans)[0]!.response.token_ids).toEqual([21, 22]);
    });
  }

  it("another provider segment (llm.openai.*) is read too", () => {
    const attrs = { "llm.openai.prompt_token_ids": [1], "llm.openai.choices": '[{"token_ids": [2]}]' };
    expect(proxyPromptTokenIds(attrs)).toEqual([1]);
    expect(proxyResponseTokenIds(attrs)).toEqual([2]);
  });

  it("flattened choices (llm.hosted_vllm.choices.0.token_ids) are read too", () => {
    expect(proxyResponseTokenIds({ "llm.hosted_vllm.choices.0.token_ids": [5, 6] })).toEqual([5, 6]);
  });

  it("provider_specific_fields.token_ids", () => {
    expect(
      proxyResponseTokenIds({
        "llm.hosted_vllm.choices": "[{'provider_specific_fields': {'token_ids': [8]}}]",
      }),
    ).toEqual([8]);
  });

  it("TracerTraceToTriplet over proxy spans with llmCallMatch litellm_request takes the raw child's token ids", () => {
    const spans = proxyRequestSpans({ key: "k", sequence: 1, promptTokenIds: [1, 2], responseTokenIds: [3] });
    const [t, ...rest] = new TracerTraceToTriplet({
      llmCallMatch: "litellm_request",
      skipEmptyTokenSpans: true,
    }).adapt(spans);
    expect(rest).toEqual([]);
    expect(t).toMatchObject({
      prompt: { token_ids: [1, 2], raw_content: [{ role: "user", content: "question k" }] },
      response: {
        token_ids: [3],
        raw_content: [{ role: "assistant", content: "answer k", finish_reason: "stop" }],
      },
      metadata: { response_id: "chatcmpl-k" },
    });
  });
});

describe("long literals", () => {
  it("parses a repr with thousands of token ids (linear, no copy of the rest per token)", () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => i);
    const text = `[{'finish_reason': 'stop', 'token_ids': [${ids.join(", ")}], 'logprobs': None}]`;
    expect(proxyResponseTokenIds({ "llm.hosted_vllm.choices": text })).toEqual(ids);
  });
});
