// The LLM proxy against several backends and bad input: balancing, failover, 502 on a dead
// backend, backend errors passed on, request validation, unrecorded bare calls, callbacks.
import { createServer } from "node:net";
import { type ScriptedOpenAI, startScriptedOpenAI } from "@agentlightning/scripted-openai";
import { InMemoryLightningStore } from "@agentlightning/store";
import { afterEach, describe, expect, it } from "vitest";
import { LLMProxy, type LLMProxyOptions, type ModelListEntry } from "../src/index.js";
import { postJson, recordingLogger, spansNamed } from "./support/proxy-fixtures.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function backend(reply?: Parameters<typeof startScriptedOpenAI>[0]): Promise<ScriptedOpenAI> {
  const model = await startScriptedOpenAI(reply);
  cleanups.push(() => model.close());
  return model;
}

/** A loopback URL nothing listens on (a port bound then released). */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}

const entry = (name: string, apiBase: string, extra: Record<string, unknown> = {}): ModelListEntry => ({
  model_name: name,
  litellm_params: { model: `hosted_vllm/${name}-backend`, api_base: apiBase, ...extra },
});

async function startProxy(options: LLMProxyOptions) {
  const store = new InMemoryLightningStore();
  const proxy = new LLMProxy({ store, ...options });
  await proxy.start();
  cleanups.push(async () => {
    await proxy.stop();
    await store.close();
  });
  const rollout = await store.startRollout({ input: null });
  const prefixed = `${proxy.url}/rollout/${rollout.rollout_id}/attempt/${rollout.attempt.attempt_id}/v1`;
  const spans = async () => {
    await proxy.flush();
    return (await store.querySpans({ rolloutId: rollout.rollout_id })).items;
  };
  return { store, proxy, rollout, prefixed, spans };
}

const chat = (content: string, model = "m") => ({ model, messages: [{ role: "user", content }] });

describe("LLM proxy backends", () => {
  it("answers 502 naming the backend when the only backend of the model is down, and records the failure", async () => {
    const dead = await deadUrl();
    const { prefixed, spans } = await startProxy({ modelList: [entry("m", dead)] });
    const reply = await postJson(`${prefixed}/chat/completions`, chat("hi"));
    expect(reply.status).toBe(502);
    const error = reply.body.error as { message: string; code: string };
    expect(error.code).toBe("backend_unreachable");
    expect(error.message).toContain(dead);
    expect(error.message).toContain("'m'");
    const recorded = await spans();
    expect(spansNamed(recorded, "raw_gen_ai_request")).toHaveLength(0);
    const [root] = spansNamed(recorded, "Received Proxy Server Request");
    expect(root!.status.status_code).toBe("ERROR");
    expect(root!.status.description).toContain(dead);
  });

  it("fails over to another backend of the model when one is down", async () => {
    const live = await backend();
    const dead = await deadUrl();
    const { prefixed } = await startProxy({ modelList: [entry("m", dead), entry("m", live.baseUrl)] });
    for (let k = 0; k < 4; k++)
      expect((await postJson(`${prefixed}/chat/completions`, chat(`q${k}`))).status).toBe(200);
    expect(live.requests).toHaveLength(4);
  });

  it("balances sequential calls round robin across the backends of a model, and keeps models apart", async () => {
    const one = await backend();
    const two = await backend();
    const other = await backend();
    const { prefixed } = await startProxy({
      balancing: "round-robin",
      modelList: [entry("m", one.baseUrl), entry("m", two.baseUrl), entry("other", other.baseUrl)],
    });
    for (let k = 0; k < 10; k++) await postJson(`${prefixed}/chat/completions`, chat(`q${k}`));
    await postJson(`${prefixed}/chat/completions`, chat("x", "other"));
    expect([one.requests.length, two.requests.length, other.requests.length]).toEqual([5, 5, 1]);
    expect(other.requests[0]!.body).toMatchObject({ model: "other-backend" });
  });

  it("least-busy sends a call to the idle backend while the other one is still answering", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let arrived!: () => void;
    const firstArrived = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const slow = await backend({
      reply: async () => {
        arrived();
        await gate;
        return "slow";
      },
    });
    const fast = await backend({ reply: () => "fast" });
    const { prefixed } = await startProxy({
      balancing: "least-busy",
      modelList: [entry("m", slow.baseUrl), entry("m", fast.baseUrl)],
    });
    const first = postJson(`${prefixed}/chat/completions`, chat("first"));
    await firstArrived;
    // Round robin would send the third call to the busy backend; least-busy sends both to the idle one.
    const second = await postJson(`${prefixed}/chat/completions`, chat("second"));
    const third = await postJson(`${prefixed}/chat/completions`, chat("third"));
    release();
    const answers = [await first, second, third].map(
      (r) => (r.body.choices as { message: { content: string } }[])[0]!.message.content,
    );
    expect(answers).toEqual(["slow", "fast", "fast"]);
  });

  it("answers 504 when the backend gives no answer within timeoutMs", async () => {
    const slow = await backend({ reply: () => ({ content: "late", delayMs: 3_000 }) });
    const { prefixed, spans } = await startProxy({ timeoutMs: 100, modelList: [entry("m", slow.baseUrl)] });
    const reply = await postJson(`${prefixed}/chat/completions`, chat("hi"));
    expect(reply.status).toBe(504);
    expect(reply.body.error).toMatchObject({ code: "backend_timeout" });
    expect((reply.body.error as { message: string }).message).toContain(slow.baseUrl);
    const [root] = spansNamed(await spans(), "Received Proxy Server Request");
    expect(root!.status.status_code).toBe("ERROR");
  });

  it("records what a stream delivered when the client goes away in the middle, as an error", async () => {
    const model = await backend({
      reply: () => ({ content: "one two three four five six seven eight nine ten", chunkDelayMs: 50 }),
    });
    const { prefixed, spans } = await startProxy({ modelList: [entry("m", model.baseUrl)] });
    const abort = new AbortController();
    const response = await fetch(`${prefixed}/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ ...chat("count"), stream: true }),
      signal: abort.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    abort.abort();
    await expect(reader.read()).rejects.toThrow();
    let request: Awaited<ReturnType<typeof spans>>[number] | undefined;
    for (let i = 0; i < 100 && request === undefined; i++) {
      request = spansNamed(await spans(), "litellm_request")[0];
      if (request === undefined) await new Promise((r) => setTimeout(r, 20));
    }
    expect(request!.status.status_code).toBe("ERROR");
    expect(request!.status.description).toContain("client closed");
    expect(request!.attributes["gen_ai.prompt.0.content"]).toBe("count");
  });

  it("passes a backend error on with its status and body, and records it as an error", async () => {
    const failing = await backend({ reply: () => ({ status: 503, error: "overloaded" }) });
    const { prefixed, spans } = await startProxy({ modelList: [entry("m", failing.baseUrl)] });
    const reply = await postJson(`${prefixed}/chat/completions`, chat("hi"));
    expect(reply.status).toBe(503);
    expect(JSON.stringify(reply.body)).toContain("overloaded");
    const [request] = spansNamed(await spans(), "litellm_request");
    expect(request!.status).toMatchObject({ status_code: "ERROR" });
    expect(request!.status.description).toContain("503");
    expect(request!.attributes["gen_ai.prompt.0.content"]).toBe("hi");
  });

  it("retries a 5xx answer numRetries times on the next backend", async () => {
    const failing = await backend({ reply: () => ({ status: 500, error: "boom" }) });
    const live = await backend();
    const { prefixed } = await startProxy({
      numRetries: 1,
      balancing: "round-robin",
      modelList: [entry("m", failing.baseUrl), entry("m", live.baseUrl)],
    });
    expect((await postJson(`${prefixed}/chat/completions`, chat("hi"))).status).toBe(200);
    expect([failing.requests.length, live.requests.length]).toEqual([1, 1]);
  });

  it("refuses bad bodies with a 400 naming the field, and forwards nothing", async () => {
    const model = await backend();
    const { prefixed, spans } = await startProxy({ modelList: [entry("m", model.baseUrl)] });
    const url = `${prefixed}/chat/completions`;
    const cases: [unknown, string | null][] = [
      ["{not json", null],
      [[1, 2], null],
      [{ model: "m" }, "messages"],
      [{ model: "m", messages: [] }, "messages"],
      [{ model: "m", messages: [{ content: "no role" }] }, "messages.0.role"],
      [{ messages: [{ role: "user", content: "x" }] }, "model"],
      [{ model: "m", messages: [{ role: "user", content: "x" }], stream: "yes" }, "stream"],
      [{ model: "unknown", messages: [{ role: "user", content: "x" }] }, "model"],
    ];
    for (const [body, param] of cases) {
      const reply = await postJson(url, body);
      expect(reply.status, JSON.stringify(body)).toBe(400);
      const error = reply.body.error as { message: string; param: string | null; type: string };
      expect(error.type).toBe("invalid_request_error");
      expect(error.param).toBe(param);
      if (param !== null) expect(error.message).toContain(param);
    }
    const text = await postJson(`${prefixed}/completions`, { model: "m", prompt: 42 });
    expect(text.status).toBe(400);
    expect((text.body.error as { param: string }).param).toBe("prompt");
    expect(model.requests).toHaveLength(0);
    expect(await spans()).toHaveLength(0);
  });

  it("proxies calls without the rollout prefix but records nothing for them", async () => {
    const model = await backend();
    const { proxy, store } = await startProxy({ modelList: [entry("m", model.baseUrl)] });
    expect((await postJson(`${proxy.url}/v1/chat/completions`, chat("bare"))).status).toBe(200);
    expect((await postJson(`${proxy.url}/chat/completions`, chat("bare"))).status).toBe(200);
    await proxy.flush();
    expect((await store.statistics()).total_spans).toBe(0);
    expect(model.requests).toHaveLength(2);
  });

  it("serves /v1/models, /models and /health, bare and under the prefix; other paths are 404", async () => {
    const { proxy, prefixed } = await startProxy({
      modelList: [
        entry("a", "http://127.0.0.1:1/v1"),
        entry("b", "http://127.0.0.1:1/v1"),
        entry("a", "http://127.0.0.1:2/v1"),
      ],
    });
    for (const url of [`${proxy.url}/v1/models`, `${proxy.url}/models`, `${prefixed}/models`]) {
      const body = (await (await fetch(url)).json()) as { data: { id: string }[] };
      expect(body.data.map((m) => m.id)).toEqual(["a", "b"]);
    }
    expect((await fetch(`${proxy.url}/health`)).status).toBe(200);
    expect((await fetch(`${prefixed.replace(/\/v1$/, "")}/health`)).status).toBe(200);
    const missing = await fetch(`${proxy.url}/v1/embeddings`, { method: "POST", body: "{}" });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain(
      "/v1/embeddings",
    );
  });

  it("records text completions (/v1/completions) with their token ids", async () => {
    const model = await backend();
    const { prefixed, spans } = await startProxy({ modelList: [entry("m", model.baseUrl)] });
    const reply = await postJson(`${prefixed}/completions`, { model: "m", prompt: "once upon a time" });
    expect(reply.status).toBe(200);
    expect(model.requests[0]).toMatchObject({
      path: "/v1/completions",
      body: { return_token_ids: true, model: "m-backend" },
    });
    const [request] = spansNamed(await spans(), "litellm_request");
    expect(request!.attributes["gen_ai.prompt.0.content"]).toBe("once upon a time");
    expect(request!.attributes["gen_ai.completion.0.content"]).toBe(
      (reply.body.choices as { text: string }[])[0]!.text,
    );
    expect((request!.attributes.prompt_token_ids as number[]).length).toBeGreaterThan(0);
    expect((request!.attributes.response_token_ids as number[]).length).toBeGreaterThan(0);
  });

  it("asks for token ids by default, not when the callback is off or the backend opts out; logprobs on request", async () => {
    const model = await backend();
    const on = await startProxy({ modelList: [entry("m", model.baseUrl)] });
    await postJson(`${on.prefixed}/chat/completions`, chat("a"));
    const off = await startProxy({ modelList: [entry("m", model.baseUrl)], callbacks: ["opentelemetry"] });
    await postJson(`${off.prefixed}/chat/completions`, chat("b"));
    const optOut = await startProxy({ modelList: [entry("m", model.baseUrl, { return_token_ids: false })] });
    await postJson(`${optOut.prefixed}/chat/completions`, chat("c"));
    const logprobs = await startProxy({
      modelList: [entry("m", model.baseUrl)],
      callbacks: ["return_token_ids", "logprobs", "opentelemetry"],
    });
    await postJson(`${logprobs.prefixed}/chat/completions`, chat("d"));
    const bodies = model.requests.map((r) => r.body as Record<string, unknown>);
    expect(bodies.map((b) => b.return_token_ids)).toEqual([true, undefined, undefined, true]);
    expect(bodies[3]!.logprobs).toBe(true);
    const [raw] = spansNamed(await logprobs.spans(), "raw_gen_ai_request");
    const choices = JSON.parse(raw!.attributes["llm.hosted_vllm.choices"] as string) as {
      logprobs: { content: unknown[] };
    }[];
    expect(choices[0]!.logprobs.content.length).toBeGreaterThan(0);
    // Not asked, the backend sends no token ids, so the recorded call has none.
    const [unasked] = spansNamed(await off.spans(), "litellm_request");
    expect(unasked!.attributes.prompt_token_ids).toBeUndefined();
    // Without the opentelemetry callback nothing is recorded.
    const silent = await startProxy({
      modelList: [entry("m", model.baseUrl)],
      callbacks: ["return_token_ids"],
    });
    expect((await postJson(`${silent.prefixed}/chat/completions`, chat("e"))).status).toBe(200);
    expect(await silent.spans()).toHaveLength(0);
  });

  it("uses the entry's api_key, else forwards the caller's Authorization", async () => {
    const model = await backend();
    const keyed = await startProxy({ modelList: [entry("m", model.baseUrl, { api_key: "sk-entry" })] });
    const open = await startProxy({ modelList: [entry("m", model.baseUrl)] });
    for (const url of [keyed.prefixed, open.prefixed]) {
      await fetch(`${url}/chat/completions`, {
        method: "POST",
        headers: { authorization: "Bearer sk-caller" },
        body: JSON.stringify(chat("x")),
      });
    }
    expect(model.requests.map((r) => r.headers.authorization)).toEqual([
      "Bearer sk-entry",
      "Bearer sk-caller",
    ]);
  });

  it("still answers a call of an unknown rollout, and warns that its spans could not be stored", async () => {
    const model = await backend();
    const logger = recordingLogger();
    const { proxy } = await startProxy({ modelList: [entry("m", model.baseUrl)], logger });
    const reply = await postJson(
      `${proxy.url}/rollout/ro-nope/attempt/at-nope/v1/chat/completions`,
      chat("x"),
    );
    expect(reply.status).toBe(200);
    await proxy.flush();
    expect(logger.lines.some((l) => l.level === "warn" && l.message.includes("ro-nope"))).toBe(true);
  });
});
