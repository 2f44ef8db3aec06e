// `agl store` serves the triplet app of @agentlightning/algorithm: an external trainer (Python or
// anything that speaks HTTP) reads ready-made triplets from the stock server, with the api key
// honoured. Real `agl store` child processes; the spans go in over the store API.
import { LightningStoreClient } from "@agentlightning/store";
import type { Attributes, Span } from "@agentlightning/types";
import { afterAll, describe, expect, it } from "vitest";
import { type AglProcess, startAglStore } from "./cli-process.js";

const databaseUrl = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const KEY = "triplet-secret";
const running: AglProcess[] = [];

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop("SIGKILL")));
});

// One traced LLM call (token ids as the OpenAI instrumentation records them) and a reward.
async function traceOneRollout(url: string): Promise<{ rolloutId: string; attemptId: string }> {
  const client = new LightningStoreClient({ url, apiKey: KEY, retryDelays: [] });
  await client.enqueueRollout({ input: { question: "2+2?" } });
  const claimed = await client.dequeueRollout({ workerId: "runner-1" });
  const rolloutId = claimed!.rollout_id;
  const attemptId = claimed!.attempt.attempt_id;
  const span = (
    seq: number,
    spanId: string,
    parentId: string | null,
    name: string,
    attributes: Attributes,
  ): Span => ({
    rollout_id: rolloutId,
    attempt_id: attemptId,
    sequence_id: seq,
    trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
    span_id: spanId,
    parent_id: parentId,
    name,
    status: { status_code: "OK", description: null },
    attributes,
    events: [],
    links: [],
    start_time: seq,
    end_time: seq + 0.5,
    context: null,
    parent: null,
    resource: { attributes: {}, schema_url: "" },
  });
  await client.addManySpans([
    span(1, "00000000000000a1", "00000000000000a0", "openai.chat.completion", {
      "gen_ai.prompt.0.role": "user",
      "gen_ai.prompt.0.content": "2+2?",
      "gen_ai.completion.0.role": "assistant",
      "gen_ai.completion.0.content": "4",
      "gen_ai.response.id": "chatcmpl-1",
      prompt_token_ids: [17, 10, 17, 30],
      response_token_ids: [19],
    }),
    span(2, "00000000000000a2", "00000000000000a0", "agentlightning.annotation", {
      "agentlightning.reward.0.name": "primary",
      "agentlightning.reward.0.value": 1,
    }),
    span(3, "00000000000000a0", null, "agent", { "agent.name": "math-agent" }),
  ]);
  return { rolloutId, attemptId };
}

async function call(url: string, init: RequestInit = {}, key: string | null = KEY) {
  const headers = new Headers(init.headers);
  if (key !== null) headers.set("authorization", `Bearer ${key}`);
  const res = await fetch(url, { ...init, headers });
  return { status: res.status, body: (await res.json()) as unknown };
}

async function checkTriplets(args: string[]): Promise<void> {
  const p = await startAglStore([...args, "--api-key", KEY]);
  running.push(p);
  const { rolloutId, attemptId } = await traceOneRollout(p.url);
  const expected = {
    rollout_id: rolloutId,
    attempt_id: attemptId,
    final_reward: 1,
    span_count: 3,
    triplets: [
      expect.objectContaining({
        prompt: expect.objectContaining({ token_ids: [17, 10, 17, 30] }),
        response: expect.objectContaining({ token_ids: [19] }),
        reward: 1,
      }),
    ],
  };

  const one = await call(`${p.url}/v1/agl/rollouts/${rolloutId}/triplets?attempt_id=latest`);
  expect(one).toEqual({ status: 200, body: expect.objectContaining(expected) });
  const search = await call(`${p.url}/v1/agl/triplets/search`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ rollout_ids: ["ro-000000000000", rolloutId], attempt_id: attemptId }),
  });
  expect(search).toEqual({ status: 200, body: [expect.objectContaining(expected)] });
  // The Python-style prefix works too; an unknown rollout is a 404 with the store's error shape.
  expect((await call(`${p.url}/agl/v1/rollouts/${rolloutId}/triplets`)).status).toBe(200);
  expect(await call(`${p.url}/v1/agl/rollouts/ro-000000000000/triplets`)).toEqual({
    status: 404,
    body: expect.objectContaining({ detail: expect.stringContaining("ro-000000000000") }),
  });

  // The api key is honoured: no key or a wrong one is refused, on both routes.
  expect((await call(`${p.url}/v1/agl/rollouts/${rolloutId}/triplets`, {}, null)).status).toBe(401);
  expect((await call(`${p.url}/v1/agl/rollouts/${rolloutId}/triplets`, {}, "wrong")).status).toBe(401);
  const refused = await call(
    `${p.url}/v1/agl/triplets/search`,
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ rollout_ids: [rolloutId] }),
    },
    null,
  );
  expect(refused.status).toBe(401);
  expect(await p.stop("SIGTERM")).toBe(0);
}

describe("agl store serves triplets for an external trainer", () => {
  it("on the in-memory backend, with --api-key", async () => {
    await checkTriplets(["--backend", "memory"]);
  });

  it.runIf(databaseUrl)("on PostgreSQL (DATABASE_URL), with --api-key", async () => {
    const schema = `agl_triplets_${process.pid}_${Date.now().toString(36)}`;
    await checkTriplets(["--database-url", databaseUrl!, "--database-schema", schema]);
  });
});
