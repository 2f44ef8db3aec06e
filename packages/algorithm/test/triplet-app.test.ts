import { InMemoryLightningStore, LightningStoreClient } from "@agentlightning/store";
import { LightningStoreServer } from "@agentlightning/store/server";
import { makeSpan } from "@agentlightning/store/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createTripletApp, type RolloutTriplets } from "../src/index.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(options: { apiKey?: string } = {}) {
  const store = new InMemoryLightningStore();
  const server = new LightningStoreServer({
    store,
    port: 0,
    apiKey: options.apiKey,
    extraApps: [createTripletApp({ store, apiKey: options.apiKey })],
  });
  await server.start();
  cleanups.push(
    () => server.stop(),
    () => store.close(),
  );
  return { store, url: server.url };
}

/** One rollout whose attempt holds an instrumented LLM call (with token ids) and then a reward. */
async function rolloutWithLlmCall(store: InMemoryLightningStore, reward: number) {
  const claimed = await store.startRollout({ input: { q: "2+2?" } });
  const { rollout_id: rid, attempt } = claimed;
  const aid = attempt.attempt_id;
  await store.addManySpans([
    makeSpan(rid, aid, 1, {
      name: "openai.chat.completion",
      start_time: 10,
      end_time: 11,
      attributes: {
        "gen_ai.prompt.0.role": "user",
        "gen_ai.prompt.0.content": "2+2?",
        "gen_ai.completion.0.role": "assistant",
        "gen_ai.completion.0.content": "4",
        "gen_ai.response.id": `resp-${rid}`,
        prompt_token_ids: [11, 12, 13],
        response_token_ids: [21],
      },
    }),
    makeSpan(rid, aid, 2, {
      name: "agentlightning.annotation",
      start_time: 12,
      end_time: 12,
      attributes: { "agentlightning.reward.0.name": "primary", "agentlightning.reward.0.value": reward },
    }),
  ]);
  await store.updateAttempt(rid, aid, { status: "succeeded" });
  return { rid, aid };
}

async function getJson(url: string, init?: RequestInit) {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as unknown };
}

describe("createTripletApp beside a live store server", () => {
  it("answers one rollout's triplets with token ids and its final reward, under both path prefixes", async () => {
    const { store, url } = await serve();
    const { rid, aid } = await rolloutWithLlmCall(store, 0.75);
    const one = await getJson(`${url}/v1/agl/rollouts/${rid}/triplets`);
    expect(one.status).toBe(200);
    const body = one.body as RolloutTriplets;
    expect(body).toMatchObject({
      rollout_id: rid,
      attempt_id: aid,
      status: "succeeded",
      final_reward: 0.75,
      span_count: 2,
    });
    expect(body.triplets).toHaveLength(1);
    expect(body.triplets[0]).toMatchObject({
      prompt: { token_ids: [11, 12, 13] },
      response: { token_ids: [21] },
      reward: 0.75,
    });
    expect((await getJson(`${url}/agl/v1/rollouts/${rid}/triplets?attempt_id=${aid}`)).body).toEqual(body);
    // The store API beside it is untouched.
    const client = new LightningStoreClient({ url });
    expect((await client.getRolloutById(rid))?.status).toBe("succeeded");
  });

  it("searches many rollouts in request order, skipping unknown ones, for the latest attempt", async () => {
    const { store, url } = await serve();
    const a = await rolloutWithLlmCall(store, 1);
    const b = await rolloutWithLlmCall(store, 0);
    const queued = await store.enqueueRollout({ input: "later" });
    const search = await getJson(`${url}/v1/agl/triplets/search`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ rollout_ids: [b.rid, "ro-unknown", a.rid, queued.rollout_id] }),
    });
    expect(search.status).toBe(200);
    const results = search.body as RolloutTriplets[];
    expect(results.map((r) => [r.rollout_id, r.final_reward, r.triplets.length])).toEqual([
      [b.rid, 0, 1],
      [a.rid, 1, 1],
      [queued.rollout_id, null, 0],
    ]);
    expect(results[2]?.attempt_id).toBeNull();
  });

  it("errors: 404 unknown rollout, 422 bad body naming the field, 405 wrong method", async () => {
    const { url } = await serve();
    const missing = await getJson(`${url}/v1/agl/rollouts/ro-nope/triplets`);
    expect(missing).toEqual({
      status: 404,
      body: { detail: "Rollout ro-nope not found", error_type: "ValueError" },
    });
    const bad = await getJson(`${url}/v1/agl/triplets/search`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ rollout_ids: "ro-1" }),
    });
    expect(bad.status).toBe(422);
    expect((bad.body as { detail: Array<{ loc: unknown[] }> }).detail[0]?.loc).toEqual([
      "body",
      "rollout_ids",
    ]);
    const notJson = await getJson(`${url}/v1/agl/triplets/search`, { method: "POST", body: "{" });
    expect(notJson.status).toBe(422);
    expect((await fetch(`${url}/v1/agl/triplets/search`)).status).toBe(405);
    expect((await fetch(`${url}/v1/agl/rollouts/ro-1/triplets`, { method: "POST" })).status).toBe(405);
  });

  it("checks the server's API key", async () => {
    const { store, url } = await serve({ apiKey: "k" });
    const { rid } = await rolloutWithLlmCall(store, 1);
    expect((await fetch(`${url}/v1/agl/rollouts/${rid}/triplets`)).status).toBe(401);
    const ok = await fetch(`${url}/v1/agl/rollouts/${rid}/triplets`, {
      headers: { authorization: "Bearer k" },
    });
    expect(ok.status).toBe(200);
  });
});
