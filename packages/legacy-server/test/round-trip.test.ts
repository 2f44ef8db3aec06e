// The real AgentLightningClient against the real server over loopback HTTP (docs/legacy-contract.md §9 items 1-14,
// 17 through the client, 37-40 against this server).
import { AgentLightningClient } from "@agentlightning/legacy-client";
import { Hono } from "hono";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { AgentLightningServer, createLegacyApp, LegacyTaskStore } from "../src/index.js";
import { type ServedApp, serveApp, sleep } from "./helpers.js";

const RESOURCES = {
  main_llm: {
    resource_type: "llm",
    endpoint: "http://localhost:8080/v1/chat/completions",
    model: "gpt-4o",
    sampling_parameters: { temperature: 0.8, max_tokens: 500 },
  },
  system_prompt: {
    resource_type: "prompt_template",
    template: "You are a master of {domain}.",
    engine: "f-string",
  },
} as const;

beforeAll(() => {
  vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
});

describe("client and server round trip", () => {
  // A fresh server per test: a claim left unanswered by one test would be requeued into the next.
  let server: AgentLightningServer;

  beforeEach(async () => {
    server = new AgentLightningServer({ port: 0, taskTimeoutSeconds: 0.5 });
    await server.start();
  });
  afterEach(() => server.stop());

  it("publishes resources, serves a train task, and returns the posted rollout", async () => {
    const resourcesId = await server.updateResources(RESOURCES);
    expect(typeof resourcesId).toBe("string");

    const client = new AgentLightningClient({ endpoint: server.endpoint, pollInterval: 0.1 });
    const latest = await client.getLatestResources();
    expect(latest?.resources_id).toBe(resourcesId);
    expect(latest?.resources.main_llm).toMatchObject({ resource_type: "llm", model: "gpt-4o" });
    expect(latest?.resources.system_prompt).toEqual({
      resource_type: "prompt_template",
      template: "You are a master of {domain}.",
      engine: "f-string",
    });

    // A fresh client has no cache, so this really fetches GET /resources/<id>.
    const other = new AgentLightningClient({ endpoint: server.endpoint });
    expect(await other.getResourcesById(resourcesId)).toEqual(latest);
    expect(await client.getResourcesById(resourcesId)).toEqual(latest);

    const sample = { prompt: "Tell me about the Roman Empire.", nested: [1, { deep: true }] };
    const rolloutId = await server.queueTask(sample, { mode: "train", resourcesId });
    const task = await client.pollNextTask();
    expect(task?.rollout_id).toBe(rolloutId);
    expect(task?.input).toEqual(sample);
    expect(task?.resources_id).toBe(resourcesId);
    expect(task?.mode).toBe("train");
    expect(client.taskCount).toBe(1);

    const bundle = await other.getResourcesById(task?.resources_id ?? "");
    expect(bundle?.resources_id).toBe(resourcesId);

    const reply = await client.postRollout({
      rollout_id: rolloutId,
      final_reward: 0.95,
      triplets: [{ prompt: "q", response: "a", reward: 1.0 }],
      metadata: { client_version: "1.0" },
    });
    expect(reply?.status).toBe("ok");

    const stored = await server.getCompletedRollout(rolloutId);
    expect(stored?.rollout_id).toBe(rolloutId);
    expect(stored?.final_reward).toBe(0.95);
    expect(stored?.triplets?.[0]?.response).toBe("a");
    expect(stored?.metadata).toEqual({ client_version: "1.0" });
  });

  it("serves a val task queued without resources id as null; the client then uses the latest bundle", async () => {
    const resourcesId = await server.updateResources(RESOURCES);
    const client = new AgentLightningClient({ endpoint: server.endpoint, pollInterval: 0.1 });
    const rolloutId = await server.queueTask({ q: "val" }, { mode: "val" });
    const task = await client.pollNextTask();
    expect(task?.rollout_id).toBe(rolloutId);
    expect(task?.resources_id).toBeNull();
    expect(task?.mode).toBe("val");
    expect((await client.getLatestResources())?.resources_id).toBe(resourcesId);
    expect((await client.postRollout({ rollout_id: rolloutId, final_reward: 0.88 }))?.status).toBe("ok");
    expect(
      (await server.pollCompletedRollout(rolloutId, { timeout: 5, intervalSeconds: 0.05 }))?.final_reward,
    ).toBe(0.88);
  });

  it("keeps polling an empty queue and returns the task once queued", async () => {
    const client = new AgentLightningClient({ endpoint: server.endpoint, pollInterval: 0.05 });
    const polled = client.pollNextTask();
    await sleep(300);
    expect(client.taskCount).toBe(0);
    const rolloutId = await server.queueTask("late");
    expect((await polled)?.rollout_id).toBe(rolloutId);
    expect(client.taskCount).toBe(1);
  });

  it("re-delivers a task to another client when the first claimant times out", async () => {
    const slow = new AgentLightningClient({ endpoint: server.endpoint, pollInterval: 0.05 });
    const fast = new AgentLightningClient({ endpoint: server.endpoint, pollInterval: 0.05 });
    const rolloutId = await server.queueTask("retry me");
    const first = await slow.pollNextTask();
    const second = await fast.pollNextTask();
    expect(first?.num_claims).toBe(1);
    expect(second?.rollout_id).toBe(rolloutId);
    expect(second?.num_claims).toBe(2);
    // The slow claimant may still report: both posts are accepted, the last one wins.
    await slow.postRollout({ rollout_id: rolloutId, final_reward: 0.1 });
    await fast.postRollout({ rollout_id: rolloutId, final_reward: 0.2 });
    expect((await server.retrieveCompletedRollouts()).map((r) => r.final_reward)).toEqual([0.2]);
  });

  it("ends a poll with null when its signal aborts", async () => {
    const client = new AgentLightningClient({ endpoint: server.endpoint, pollInterval: 0.05 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    expect(await client.pollNextTask({ signal: controller.signal })).toBeNull();
    expect(client.taskCount).toBe(0);
  });
});

describe("client requests as the server sees them", () => {
  const seen: { method: string; path: string; header: string | undefined }[] = [];
  const store = new LegacyTaskStore();
  let served: ServedApp;

  beforeAll(async () => {
    const app = new Hono();
    app.use(async (c, next) => {
      seen.push({ method: c.req.method, path: c.req.path, header: c.req.header("X-AgentLightning-Client") });
      await next();
    });
    app.route("/", createLegacyApp({ store }));
    served = await serveApp(app);
  });
  afterAll(() => served.close());
  afterEach(() => {
    seen.length = 0;
  });

  it("sends X-AgentLightning-Client: true on every request and resolves paths from the endpoint's root", async () => {
    store.updateResources("res-a", RESOURCES);
    store.addTask("t");
    const client = new AgentLightningClient({ endpoint: `${served.url}/some/prefix/`, pollInterval: 0.05 });
    const task = await client.pollNextTask();
    await client.getResourcesById("res-a");
    await client.getLatestResources();
    await client.postRollout({ rollout_id: task?.rollout_id ?? "" });
    expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /task",
      "GET /resources/res-a",
      "GET /resources/latest",
      "POST /rollout",
    ]);
    expect(seen.every((r) => r.header === "true")).toBe(true);
  });

  it("serves cached bundles by id without a request, but always requests the latest", async () => {
    store.updateResources("res-b", RESOURCES);
    const client = new AgentLightningClient({ endpoint: served.url });
    await client.getResourcesById("res-b");
    await client.getResourcesById("res-b");
    expect(seen).toHaveLength(1);
    store.updateResources("res-c", RESOURCES);
    expect((await client.getLatestResources())?.resources_id).toBe("res-c");
    expect((await client.getLatestResources())?.resources_id).toBe("res-c");
    expect(seen).toHaveLength(3);
    expect((await client.getResourcesById("res-c"))?.resources_id).toBe("res-c");
    expect(seen).toHaveLength(3);
  });

  it("does not cache a miss: a bundle published later is fetched", async () => {
    const client = new AgentLightningClient({ endpoint: served.url });
    expect(await client.getResourcesById("res-later")).toBeNull();
    store.updateResources("res-later", RESOURCES);
    expect((await client.getResourcesById("res-later"))?.resources_id).toBe("res-later");
    expect(seen).toHaveLength(2);
  });

  it("keeps polling on an empty queue, counting only the task it gets", async () => {
    const client = new AgentLightningClient({ endpoint: served.url, pollInterval: 0.05 });
    const polled = client.pollNextTask();
    while (seen.length < 3) await sleep(10);
    expect(client.taskCount).toBe(0);
    const id = store.addTask("now").rollout_id;
    expect((await polled)?.rollout_id).toBe(id);
    expect(client.taskCount).toBe(1);
    expect(seen.length).toBeGreaterThanOrEqual(4);
    expect(seen.every((r) => r.path === "/task")).toBe(true);
  });
});
