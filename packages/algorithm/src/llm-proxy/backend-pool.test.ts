import { describe, expect, it } from "vitest";
import { BackendPool } from "./backend-pool.js";
import { resolveModelList } from "./model-list.js";

const list = (...bases: [string, string][]) =>
  resolveModelList(
    bases.map(([name, base]) => ({
      model_name: name,
      litellm_params: { model: `hosted_vllm/${name}`, api_base: base },
    })),
  ).backends;

describe("resolveModelList", () => {
  it("strips a known provider prefix, keeps it as the span provider, and trims the base URL", () => {
    const { backends } = resolveModelList([
      {
        model_name: "a",
        litellm_params: { model: "hosted_vllm/Qwen/Qwen2.5-0.5B", api_base: "http://h:8000/v1/" },
      },
      {
        model_name: "b",
        litellm_params: { model: "openai/gpt-4o", api_base: "http://h:8001/v1", api_key: "k" },
      },
      { model_name: "c", litellm_params: { model: "Qwen/Qwen2.5-0.5B", api_base: "http://h:8002/v1" } },
    ]);
    expect(backends.map((b) => [b.backendModel, b.provider, b.apiBase, b.apiKey])).toEqual([
      ["Qwen/Qwen2.5-0.5B", "hosted_vllm", "http://h:8000/v1", null],
      ["gpt-4o", "openai", "http://h:8001/v1", "k"],
      ["Qwen/Qwen2.5-0.5B", "hosted_vllm", "http://h:8002/v1", null],
    ]);
  });
});

describe("BackendPool", () => {
  it("round robin rotates the first choice and lists the others for failover", () => {
    const pool = new BackendPool(
      list(["m", "http://a/v1"], ["m", "http://b/v1"], ["m", "http://c/v1"]),
      "round-robin",
      1000,
    );
    const firsts = Array.from({ length: 6 }, () =>
      pool
        .candidates("m")
        .map((b) => b.apiBase.slice(7, 8))
        .join(""),
    );
    expect(firsts).toEqual(["abc", "bca", "cab", "abc", "bca", "cab"]);
    expect(pool.candidates("nope")).toEqual([]);
  });

  it("least-busy puts the backend with fewest calls in flight first, rotating among equals", () => {
    const backends = list(["m", "http://a/v1"], ["m", "http://b/v1"]);
    const pool = new BackendPool(backends, "least-busy", 1000);
    backends[0]!.inFlight = 2;
    expect(pool.candidates("m")[0]!.apiBase).toBe("http://b/v1");
    expect(pool.candidates("m")[0]!.apiBase).toBe("http://b/v1");
    backends[0]!.inFlight = 0;
    const firsts = [pool.candidates("m")[0]!.apiBase, pool.candidates("m")[0]!.apiBase];
    expect(new Set(firsts)).toEqual(new Set(["http://a/v1", "http://b/v1"]));
  });

  it("tries a backend that refused a connection last until its cooldown ends", () => {
    let now = 0;
    const backends = list(["m", "http://a/v1"], ["m", "http://b/v1"]);
    const pool = new BackendPool(backends, "round-robin", 1000, () => now);
    pool.markDown(backends[0]!);
    expect(pool.candidates("m").map((b) => b.apiBase)).toEqual(["http://b/v1", "http://a/v1"]);
    expect(pool.candidates("m").map((b) => b.apiBase)).toEqual(["http://b/v1", "http://a/v1"]);
    now = 1001;
    expect(pool.candidates("m").map((b) => b.apiBase)).toEqual(["http://a/v1", "http://b/v1"]);
  });
});
