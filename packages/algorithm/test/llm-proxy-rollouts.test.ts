// The LLM proxy's "done when": streaming and non-streaming chat completions of two concurrent
// rollouts, each rollout's spans carrying its own prompt, completion and token ids; against an
// in-memory store and a live store server over HTTP (and Postgres behind it with DATABASE_URL). Also runtime checklist #133-#136.
import {
  chatPromptText,
  type ScriptedOpenAI,
  startScriptedOpenAI,
  tokenIdsOf,
} from "@agentlightning/scripted-openai";
import { type Span, SpanSchema } from "@agentlightning/types";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LLMProxy } from "../src/index.js";
import {
  httpStore,
  memoryStore,
  postgresHttpStore,
  postJson,
  readStream,
  type StoreFixture,
  spansNamed,
} from "./support/proxy-fixtures.js";
import { testDatabaseUrl } from "./support/stores.js";

let model: ScriptedOpenAI;

beforeAll(async () => {
  model = await startScriptedOpenAI({ reply: (req) => `answer to ${req.lastUserMessage} from the model` });
});
afterAll(async () => {
  await model.close();
});

const stores: [string, () => Promise<StoreFixture>][] = [
  ["in-memory store", memoryStore],
  ["LightningStoreServer over HTTP", httpStore],
];
// With a real PostgreSQL (DATABASE_URL), also a Postgres store behind the HTTP server.
if (testDatabaseUrl !== undefined)
  stores.push(["Postgres behind LightningStoreServer over HTTP", postgresHttpStore]);

describe.each(stores)("LLM proxy with %s", (_name, makeStore) => {
  let fixture: StoreFixture;
  let proxy: LLMProxy;

  const start = async () => {
    fixture = await makeStore();
    proxy = new LLMProxy({
      store: fixture.store,
      modelList: [
        {
          model_name: "policy",
          litellm_params: { model: "hosted_vllm/scripted-model", api_base: model.baseUrl },
        },
      ],
    });
    await proxy.start();
    model.requests.length = 0;
  };
  afterEach(async () => {
    await proxy.stop();
    await fixture.close();
  });

  const spansOf = async (rolloutId: string): Promise<Span[]> =>
    (await fixture.store.querySpans({ rolloutId })).items;

  it("records streaming and non-streaming calls of two concurrent rollouts, each with its own prompt, completion and token ids", async () => {
    await start();
    const a = await fixture.store.startRollout({ input: { task: "a" } });
    const b = await fixture.store.startRollout({ input: { task: "b" } });
    const calls = [a, b].flatMap((rollout) => {
      const base = `${proxy.url}/rollout/${rollout.rollout_id}/attempt/${rollout.attempt.attempt_id}/v1`;
      return [false, true].map(async (stream) => {
        const question = `question ${stream ? "streamed" : "plain"} of ${rollout.rollout_id}`;
        const messages = [
          { role: "system", content: "You are terse." },
          { role: "user", content: question },
        ];
        const response = await fetch(`${base}/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "policy", messages, stream }),
        });
        expect(response.status).toBe(200);
        const content = stream
          ? (await readStream(response)).content
          : ((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message
              .content;
        expect(content).toBe(`answer to ${question} from the model`);
        return {
          rolloutId: rollout.rollout_id,
          attemptId: rollout.attempt.attempt_id,
          messages,
          question,
          content,
          stream,
        };
      });
    });
    const done = await Promise.all(calls);
    await proxy.flush();

    for (const rollout of [a, b]) {
      const spans = await spansOf(rollout.rollout_id);
      for (const span of spans) {
        expect(() => SpanSchema.parse(span)).not.toThrow();
        expect(span.rollout_id).toBe(rollout.rollout_id);
        expect(span.attempt_id).toBe(rollout.attempt.attempt_id);
      }
      const mine = done.filter((call) => call.rolloutId === rollout.rollout_id);
      const requests = spansNamed(spans, "litellm_request");
      const raws = spansNamed(spans, "raw_gen_ai_request");
      expect(requests).toHaveLength(2);
      expect(raws).toHaveLength(2);
      expect(spansNamed(spans, "Received Proxy Server Request")).toHaveLength(2);
      for (const call of mine) {
        const request = requests.find((span) => span.attributes["gen_ai.prompt.1.content"] === call.question);
        expect(request, `litellm_request of "${call.question}"`).toBeDefined();
        expect(request!.attributes["gen_ai.prompt.1.role"]).toBe("user");
        expect(request!.attributes["gen_ai.completion.0.content"]).toBe(call.content);
        expect(request!.attributes["gen_ai.completion.0.role"]).toBe("assistant");
        expect(request!.attributes["gen_ai.completion.0.finish_reason"]).toBe("stop");
        expect(request!.attributes["llm.is_streaming"]).toBe(call.stream ? "True" : "False");
        const promptIds = tokenIdsOf(chatPromptText(call.messages));
        const responseIds = tokenIdsOf(call.content);
        expect(request!.attributes.prompt_token_ids).toEqual(promptIds);
        expect(request!.attributes.response_token_ids).toEqual(responseIds);
        const raw = raws.find((span) => span.parent_id === request!.span_id);
        expect(raw).toBeDefined();
        expect(raw!.sequence_id).toBe(request!.sequence_id);
        expect(raw!.attributes["llm.hosted_vllm.prompt_token_ids"]).toEqual(promptIds);
        const choices = JSON.parse(raw!.attributes["llm.hosted_vllm.choices"] as string) as {
          token_ids: number[];
        }[];
        expect(choices[0]!.token_ids).toEqual(responseIds);
      }
      // The other rollout's prompts never leak into this one.
      const other = done.filter((call) => call.rolloutId !== rollout.rollout_id).map((call) => call.question);
      for (const span of requests) expect(other).not.toContain(span.attributes["gen_ai.prompt.1.content"]);
    }
  });

  it("a call is in the store when its answer (or the end of its stream) arrives, without flush()", async () => {
    await start();
    const rollout = await fixture.store.startRollout({ input: null });
    const url = `${proxy.url}/rollout/${rollout.rollout_id}/attempt/${rollout.attempt.attempt_id}/v1/chat/completions`;
    await postJson(url, { model: "policy", messages: [{ role: "user", content: "plain" }] });
    expect(spansNamed(await spansOf(rollout.rollout_id), "raw_gen_ai_request")).toHaveLength(1);
    const streamed = await fetch(url, {
      method: "POST",
      body: JSON.stringify({
        model: "policy",
        messages: [{ role: "user", content: "streamed" }],
        stream: true,
      }),
    });
    expect((await readStream(streamed)).done).toBe(true);
    expect(spansNamed(await spansOf(rollout.rollout_id), "raw_gen_ai_request")).toHaveLength(2);
  });

  it("#133: a prefixed request reaches the backend without the prefix, with the backend model id and return_token_ids", async () => {
    await start();
    const rollout = await fixture.store.startRollout({ input: null });
    const prefix = `${proxy.url}/rollout/${rollout.rollout_id}/attempt/${rollout.attempt.attempt_id}`;
    const body = { model: "policy", messages: [{ role: "user", content: "hi" }], temperature: 0.5 };
    expect((await postJson(`${prefix}/v1/chat/completions`, body)).status).toBe(200);
    // quirk A13: the resource's endpoint has no /v1, so the bare path must work too.
    expect((await postJson(`${prefix}/chat/completions`, body)).status).toBe(200);
    expect(model.requests.map((r) => r.path)).toEqual(["/v1/chat/completions", "/v1/chat/completions"]);
    for (const request of model.requests) {
      expect(request.body).toMatchObject({
        model: "scripted-model",
        return_token_ids: true,
        temperature: 0.5,
      });
    }
  });

  it("#134: three sequential calls take sequence ids 1, 2, 3; ten concurrent ones take 1..10", async () => {
    await start();
    const seq = await fixture.store.startRollout({ input: null });
    const par = await fixture.store.startRollout({ input: null });
    const url = (r: typeof seq) =>
      `${proxy.url}/rollout/${r.rollout_id}/attempt/${r.attempt.attempt_id}/v1/chat/completions`;
    for (let k = 1; k <= 3; k++) {
      await postJson(url(seq), { model: "policy", messages: [{ role: "user", content: `call ${k}` }] });
    }
    await Promise.all(
      Array.from({ length: 10 }, (_, k) =>
        postJson(url(par), { model: "policy", messages: [{ role: "user", content: `call ${k}` }] }),
      ),
    );
    await proxy.flush();
    const sequential = await spansOf(seq.rollout_id);
    expect(sequential).toHaveLength(9);
    for (let k = 1; k <= 3; k++) {
      const ofCall = sequential.filter((span) => span.attributes["gen_ai.prompt.0.content"] === `call ${k}`);
      expect(ofCall).toHaveLength(1);
      const trace = sequential.filter((span) => span.trace_id === ofCall[0]!.trace_id);
      expect(trace.map((span) => span.sequence_id)).toEqual([k, k, k]);
    }
    const concurrent = await spansOf(par.rollout_id);
    expect(concurrent).toHaveLength(30);
    expect(new Set(concurrent.map((span) => span.sequence_id))).toEqual(
      new Set(Array.from({ length: 10 }, (_, k) => k + 1)),
    );
    for (const span of concurrent) {
      expect([span.rollout_id, span.attempt_id]).toEqual([par.rollout_id, par.attempt.attempt_id]);
      expect(span.resource.attributes["agentlightning.span_sequence_id"]).toBe(span.sequence_id);
    }
  });

  it("#135: one raw_gen_ai_request and one litellm_request per call, with the contract's attributes and times", async () => {
    await start();
    const rollout = await fixture.store.startRollout({ input: null });
    const llm = proxy.asResource(rollout.rollout_id, rollout.attempt.attempt_id);
    const reply = await postJson(`${llm.endpoint}/chat/completions`, {
      model: "policy",
      messages: [{ role: "user", content: "what is 2 + 2?" }],
      max_tokens: 16,
    });
    expect(reply.status).toBe(200);
    await proxy.flush();
    const spans = await spansOf(rollout.rollout_id);
    const [root] = spansNamed(spans, "Received Proxy Server Request");
    const [request] = spansNamed(spans, "litellm_request");
    const [raw] = spansNamed(spans, "raw_gen_ai_request");
    expect(spans).toHaveLength(3);
    expect(root!.parent_id).toBeNull();
    expect(request!.parent_id).toBe(root!.span_id);
    expect(raw!.parent_id).toBe(request!.span_id);
    expect(request!.attributes).toMatchObject({
      "gen_ai.prompt.0.role": "user",
      "gen_ai.prompt.0.content": "what is 2 + 2?",
      "gen_ai.completion.0.role": "assistant",
      "gen_ai.completion.0.content": "answer to what is 2 + 2? from the model",
      "gen_ai.completion.0.finish_reason": "stop",
      "gen_ai.request.model": "policy",
      "gen_ai.request.max_tokens": 16,
      "gen_ai.system": "hosted_vllm",
      "gen_ai.response.id": (reply.body as { id: string }).id,
      "gen_ai.response.model": "scripted-model",
      "gen_ai.usage.prompt_tokens": (reply.body as { usage: { prompt_tokens: number } }).usage.prompt_tokens,
    });
    expect(raw!.attributes["llm.hosted_vllm.id"]).toBe((reply.body as { id: string }).id);
    expect(Array.isArray(raw!.attributes["llm.hosted_vllm.prompt_token_ids"])).toBe(true);
    expect(
      JSON.parse(raw!.attributes["llm.hosted_vllm.choices"] as string)[0].token_ids.length,
    ).toBeGreaterThan(0);
    for (const span of spans) {
      expect(span.start_time).toEqual(expect.any(Number));
      expect(span.end_time).toBeGreaterThanOrEqual(span.start_time!);
      expect(span.status.status_code).toBe("OK");
    }
  });

  it("#136: streamed calls pass through as SSE; with stream_conversion the backend is asked unstreamed and the client gets the synthetic stream", async () => {
    await start();
    const rollout = await fixture.store.startRollout({ input: null });
    const url = `${proxy.url}/rollout/${rollout.rollout_id}/attempt/${rollout.attempt.attempt_id}/v1/chat/completions`;
    const body = {
      model: "policy",
      messages: [{ role: "user", content: "tell me a long story please" }],
      stream: true,
    };
    const passed = await fetch(url, { method: "POST", body: JSON.stringify(body) });
    expect(passed.headers.get("content-type")).toContain("text/event-stream");
    const passedStream = await readStream(passed);
    expect(passedStream.done).toBe(true);
    expect(model.requests.at(-1)!.body).toMatchObject({ stream: true, return_token_ids: true });

    await proxy.stop();
    proxy = new LLMProxy({
      store: fixture.store,
      modelList: proxy.modelList,
      middlewares: ["rollout_attempt", "stream_conversion"],
    });
    await proxy.start();
    const converted = await fetch(url.replace(/^http:\/\/[^/]+/, proxy.url), {
      method: "POST",
      body: JSON.stringify(body),
    });
    const convertedStream = await readStream(converted);
    expect(model.requests.at(-1)!.body).toMatchObject({ stream: false, return_token_ids: true });
    expect(convertedStream.content).toBe(passedStream.content);
    expect(convertedStream.chunks[0]).toMatchObject({
      object: "chat.completion.chunk",
      choices: [{ delta: { role: "assistant" } }],
    });
    expect(convertedStream.done).toBe(true);
    await proxy.flush();
    const requests = spansNamed(await spansOf(rollout.rollout_id), "litellm_request");
    expect(requests).toHaveLength(2);
    for (const span of requests) {
      expect(span.attributes["gen_ai.completion.0.content"]).toBe(passedStream.content);
      expect(span.attributes.response_token_ids).toEqual(tokenIdsOf(passedStream.content));
      expect(span.attributes["llm.is_streaming"]).toBe("True");
    }
  });
});
