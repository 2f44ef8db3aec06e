import { describe, expect, it } from "vitest";
import { getLlmBaseUrl, proxyLlmForRollout } from "./llm-endpoint.js";
import type { LLM, ProxyLLM } from "./resources.js";
import type { AttemptedRollout } from "./rollout.js";

const proxy = (endpoint: string): ProxyLLM => ({
  resource_type: "proxy_llm",
  endpoint,
  model: "policy",
  api_key: "sk-1",
  sampling_parameters: { temperature: 0.5 },
});

describe("LLM base URLs", () => {
  it("returns an llm endpoint unchanged", () => {
    const llm: LLM = { ...proxy("http://h/v1"), resource_type: "llm" };
    expect(getLlmBaseUrl(llm, "r", "a")).toBe("http://h/v1");
  });

  it.each([
    ["http://localhost:11434", "http://localhost:11434/rollout/rollout-123/attempt/attempt-456"],
    ["http://localhost:11434/", "http://localhost:11434/rollout/rollout-123/attempt/attempt-456"],
    ["http://h:4000/v1", "http://h:4000/rollout/rollout-123/attempt/attempt-456/v1"],
    ["http://h:4000/v1/", "http://h:4000/rollout/rollout-123/attempt/attempt-456/v1"],
  ])("routes proxy %s per rollout", (endpoint, expected) => {
    expect(getLlmBaseUrl(proxy(endpoint), "rollout-123", "attempt-456")).toBe(expected);
  });

  it("returns the proxy endpoint unchanged without ids", () => {
    expect(getLlmBaseUrl(proxy("http://localhost:11434/v1"), null, null)).toBe("http://localhost:11434/v1");
    expect(getLlmBaseUrl(proxy("http://localhost:11434/v1"))).toBe("http://localhost:11434/v1");
  });

  it.each([
    [null, "a"],
    ["r", null],
    [123, "a"],
    ["r", 456],
  ])("rejects ids (%s, %s)", (r, a) => {
    expect(() => getLlmBaseUrl(proxy("http://h"), r, a)).toThrow(/must be strings or all be empty/);
  });

  it("turns a proxy LLM into a plain LLM for one attempted rollout", () => {
    const rollout = { rollout_id: "ro-1", attempt: { attempt_id: "at-1" } } as AttemptedRollout;
    expect(proxyLlmForRollout(proxy("http://h:4000/v1"), rollout)).toEqual({
      resource_type: "llm",
      endpoint: "http://h:4000/rollout/ro-1/attempt/at-1/v1",
      model: "policy",
      api_key: "sk-1",
      sampling_parameters: { temperature: 0.5 },
    });
  });
});
