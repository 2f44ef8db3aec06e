// `agl store --legacy` as a child process: rollouts and resources go in through the store API, the
// legacy client (the v0.1 protocol of the Python AgentLightningClient) works them over /task,
// /resources and /rollout, and the store API shows the result. With --api-key, the legacy routes
// take the key as HTTP Basic credentials from the endpoint URL.
import { AgentLightningClient } from "@agentlightning/legacy-client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type AglProcess, startAglStore } from "./cli-process.js";

const databaseUrl = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const running: AglProcess[] = [];

beforeAll(() => {
  vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
});
afterAll(async () => {
  await Promise.all(running.map((p) => p.stop("SIGKILL")));
});

async function start(args: string[]): Promise<AglProcess> {
  const p = await startAglStore(["--legacy", "--scan-debounce-seconds", "0", ...args]);
  running.push(p);
  return p;
}

// biome-ignore lint/suspicious/noExplicitAny: the tests read the JSON replies field by field.
type Json = any;

/** A store API call; `key` is sent as a bearer token. */
async function api(
  url: string,
  path: string,
  body?: unknown,
  key?: string,
): Promise<{ status: number; body: Json }> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (key !== undefined) headers.authorization = `Bearer ${key}`;
  const res = await fetch(`${url}/v1/agl${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json() };
}

const backends: [string, () => string[]][] = [["memory", () => ["--backend", "memory"]]];
if (databaseUrl) {
  const schema = `agl_legacy_${process.pid}_${Date.now().toString(36)}`;
  backends.push(["postgres", () => ["--database-url", databaseUrl, "--database-schema", schema]]);
}

describe.each(backends)("agl store --legacy on %s", (_name, backendArgs) => {
  it("serves queued rollouts to the legacy client and records its rollouts in the store", async () => {
    const p = await start(backendArgs());
    const resources = await api(p.url, "/resources", {
      main_llm: { resource_type: "llm", endpoint: "http://localhost:8080/v1", model: "gpt-4o" },
    });
    expect(resources.status).toBe(201);
    const enqueued = await api(p.url, "/queues/rollouts/enqueue", {
      rollouts: [
        { input: { prompt: "first" }, mode: "train" },
        { input: { prompt: "second" }, mode: "val" },
      ],
    });
    expect(enqueued.status).toBe(201);
    const [first, second] = enqueued.body as { rollout_id: string }[];

    const client = new AgentLightningClient({ endpoint: p.url, pollInterval: 0.05 });
    for (const [expected, reward] of [
      [first!, 0.25],
      [second!, 0.75],
    ] as const) {
      const task = await client.pollNextTask({ signal: AbortSignal.timeout(10_000) });
      expect(task).toMatchObject({
        rollout_id: expected.rollout_id,
        resources_id: resources.body.resources_id,
        num_claims: 1,
      });
      const bundle = await client.getResourcesById(task!.resources_id!);
      expect(bundle?.resources.main_llm).toMatchObject({ model: "gpt-4o" });
      const reply = await client.postRollout({
        rollout_id: task!.rollout_id,
        final_reward: reward,
        triplets: [{ prompt: task!.input, response: "done", reward }],
        trace: [{ name: "agent.step", context: { trace_id: "0xab", span_id: "0xcd" }, attributes: { i: 1 } }],
        logs: ["ok"],
        metadata: { client_version: "1.0" },
      });
      expect(reply).toMatchObject({ status: "ok" });
    }
    expect(await client.getLatestResources()).toMatchObject({ resources_id: resources.body.resources_id });

    for (const [rollout, reward] of [
      [first!, 0.25],
      [second!, 0.75],
    ] as const) {
      const stored = await api(p.url, `/rollouts/${rollout.rollout_id}`);
      expect(stored.body).toMatchObject({
        status: "succeeded",
        attempt: { status: "succeeded", sequence_id: 1 },
      });
      expect(stored.body.attempt.metadata.legacy).toMatchObject({
        metadata: { client_version: "1.0" },
        logs: ["ok"],
      });
      const spans = await api(p.url, "/spans/search", { rollout_id: rollout.rollout_id });
      expect(spans.body.items.map((s: { name: string }) => s.name)).toEqual([
        "agent.step",
        "agentlightning.object",
        "agentlightning.annotation",
      ]);
      expect(spans.body.items[2].attributes).toEqual({
        "agentlightning.reward.0.name": "primary",
        "agentlightning.reward.0.value": reward,
      });
    }
    // The algorithm's usual wait sees both finished.
    const waited = await api(p.url, "/waits/rollouts", {
      rollout_ids: [first!.rollout_id, second!.rollout_id],
      timeout: 0,
    });
    expect(waited.body.map((r: { status: string }) => r.status)).toEqual(["succeeded", "succeeded"]);
    await p.stop();
  });
});

describe("agl store --legacy --api-key", () => {
  it("refuses unauthenticated legacy calls and accepts the key as user info of the endpoint", async () => {
    const key = "legacy-s3cret";
    const p = await start(["--backend", "memory", "--api-key", key]);
    const queued = await api(p.url, "/queues/rollouts/enqueue", { rollouts: [{ input: 7 }] }, key);
    const rolloutId = queued.body[0].rollout_id as string;

    for (const path of ["/task", "/resources/latest"]) {
      expect((await fetch(`${p.url}${path}`)).status, path).toBe(401);
    }
    const open = await fetch(`${p.url}/rollout`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ rollout_id: rolloutId, final_reward: 1 }),
    });
    expect(open.status).toBe(401);
    const wrong = new URL(p.url);
    wrong.username = "agl";
    wrong.password = "not-the-key";
    expect(
      (await fetch(`${p.url}/task`, { headers: { authorization: `Basic ${btoa("agl:not-the-key")}` } }))
        .status,
    ).toBe(401);
    const stranger = new AgentLightningClient({ endpoint: wrong.href, timeout: 5 });
    expect(await stranger.getLatestResources()).toBeNull();
    // Nothing was claimed by the refused calls.
    expect((await api(p.url, `/rollouts/${rolloutId}`, undefined, key)).body.status).toBe("queuing");

    const endpoint = new URL(p.url);
    endpoint.username = "agl";
    endpoint.password = key;
    const client = new AgentLightningClient({ endpoint: endpoint.href, pollInterval: 0.05 });
    const task = await client.pollNextTask({ signal: AbortSignal.timeout(10_000) });
    expect(task).toMatchObject({ rollout_id: rolloutId, input: 7 });
    expect(await client.postRollout({ rollout_id: rolloutId, final_reward: 1 })).toMatchObject({
      status: "ok",
    });
    expect((await api(p.url, `/rollouts/${rolloutId}`, undefined, key)).body.status).toBe("succeeded");
    await p.stop();
  });
});
