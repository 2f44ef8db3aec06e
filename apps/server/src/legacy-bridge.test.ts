// The legacy task API over a LightningStore, in process: the in-memory store, the legacy app beside
// the store API on one LightningStoreServer, and the real legacy client over loopback HTTP.
import { AgentLightningClient } from "@agentlightning/legacy-client";
import { createLegacyApp } from "@agentlightning/legacy-server";
import { InMemoryLightningStore, type LightningStore } from "@agentlightning/store";
import { LightningStoreServer } from "@agentlightning/store/server";
import { nowSeconds } from "@agentlightning/types";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { LEGACY_ATTEMPT_METADATA_KEY, StoreLegacyBackend } from "./legacy-bridge.js";

const RESOURCES = {
  main_llm: { resource_type: "llm", endpoint: "http://localhost:8080/v1", model: "gpt-4o" },
  system_prompt: { resource_type: "prompt_template", template: "You are {x}.", engine: "f-string" },
} as const;

// What OpenTelemetry's Python ReadableSpan.to_json() gives for one span.
const OTEL_SPAN = {
  name: "openai.chat.completion",
  context: {
    trace_id: "0x4bf92f3577b34da6a3ce929d0e0e4736",
    span_id: "0x00f067aa0ba902b7",
    trace_state: "[]",
  },
  kind: "SpanKind.CLIENT",
  parent_id: null,
  start_time: "2024-01-01T00:00:00.000000Z",
  end_time: "2024-01-01T00:00:01.000000Z",
  status: { status_code: "OK" },
  attributes: { "gen_ai.request.model": "gpt-4o" },
  events: [],
  links: [],
  resource: { attributes: { "service.name": "agent" }, schema_url: "" },
};

interface Served {
  store: LightningStore;
  url: string;
  client: AgentLightningClient;
  /** Moves the legacy backend's clock (not the store's) forward. */
  advance(seconds: number): void;
}

const servers: LightningStoreServer[] = [];

beforeAll(() => {
  vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

async function serve(taskTimeoutSeconds = 300): Promise<Served> {
  const store = new InMemoryLightningStore({ scanDebounceSeconds: 0 });
  let offset = 0;
  const backend = new StoreLegacyBackend(store, { taskTimeoutSeconds, now: () => nowSeconds() + offset });
  const legacy = createLegacyApp({ store: backend });
  const server = new LightningStoreServer({
    store,
    port: 0,
    extraApps: [{ matches: (path) => /^\/(task|rollout|resources(\/.*)?)$/.test(path), fetch: legacy.fetch }],
  });
  await server.start();
  servers.push(server);
  const client = new AgentLightningClient({ endpoint: server.url, pollInterval: 0.02 });
  return { store, url: server.url, client, advance: (s) => (offset += s) };
}

const poll = (client: AgentLightningClient) => client.pollNextTask({ signal: AbortSignal.timeout(5000) });

describe("StoreLegacyBackend", () => {
  it("serves a queued rollout as a task, the store's resources, and records the posted rollout", async () => {
    const { store, client } = await serve();
    const resources = await store.addResources(RESOURCES);
    const queued = await store.enqueueRollout({
      input: { prompt: "2+2?" },
      mode: "train",
      metadata: { k: 1 },
    });

    const latest = await client.getLatestResources();
    expect(latest).toMatchObject({ resources_id: resources.resources_id, version: 1 });
    expect(latest?.resources.system_prompt).toEqual(RESOURCES.system_prompt);

    const task = await poll(client);
    expect(task).toEqual({
      rollout_id: queued.rollout_id,
      input: { prompt: "2+2?" },
      mode: "train",
      resources_id: resources.resources_id,
      create_time: queued.start_time,
      last_claim_time: expect.any(Number),
      num_claims: 1,
      metadata: { k: 1 },
    });
    // The claim is an attempt that runs at once (a legacy client sends nothing until it posts).
    const claimed = await store.getLatestAttempt(queued.rollout_id);
    expect(claimed).toMatchObject({
      status: "running",
      metadata: { [LEGACY_ATTEMPT_METADATA_KEY]: { claimed: true } },
    });
    expect((await store.getRolloutById(queued.rollout_id))?.status).toBe("running");
    expect(
      await new AgentLightningClient({ endpoint: client.endpoint }).getResourcesById(task!.resources_id!),
    ).toEqual(latest);

    const reply = await client.postRollout({
      rollout_id: queued.rollout_id,
      final_reward: 0.95,
      triplets: [{ prompt: "2+2?", response: "4", reward: 0.95 }],
      trace: [OTEL_SPAN],
      logs: ["step 1", "step 2"],
      metadata: { client_version: "1.0" },
    });
    expect(reply).toEqual({
      status: "ok",
      message: `Rollout ${queued.rollout_id} received and stored.`,
      data: null,
    });

    const rollout = await store.getRolloutById(queued.rollout_id);
    expect(rollout).toMatchObject({ status: "succeeded", end_time: expect.any(Number) });
    const attempt = await store.getLatestAttempt(queued.rollout_id);
    expect(attempt).toMatchObject({
      status: "succeeded",
      end_time: expect.any(Number),
      metadata: {
        [LEGACY_ATTEMPT_METADATA_KEY]: {
          claimed: true,
          metadata: { client_version: "1.0" },
          logs: ["step 1", "step 2"],
        },
      },
    });
    const spans = (await store.querySpans({ rolloutId: queued.rollout_id })).items;
    expect(spans.map((s) => [s.name, s.sequence_id, s.attempt_id])).toEqual([
      ["openai.chat.completion", 1, attempt!.attempt_id],
      ["agentlightning.object", 2, attempt!.attempt_id],
      ["agentlightning.annotation", 3, attempt!.attempt_id],
    ]);
    expect(spans[0]).toMatchObject({
      trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
      span_id: "00f067aa0ba902b7",
      start_time: 1704067200,
      end_time: 1704067201,
      kind: "SpanKind.CLIENT",
    });
    expect(JSON.parse(String(spans[1]?.attributes["agentlightning.object.json"]))).toMatchObject({
      response: "4",
    });
    expect(spans[2]?.attributes).toEqual({
      "agentlightning.reward.0.name": "primary",
      "agentlightning.reward.0.value": 0.95,
    });
    // The queue is empty now.
    expect(await (await fetch(`${client.endpoint}/task`)).json()).toEqual({
      is_available: false,
      task: null,
    });
  });

  it("answers 404 for missing or empty resources, 404 for an unknown rollout and 409 for an unclaimed one", async () => {
    const { store, url, client } = await serve();
    expect((await fetch(`${url}/resources/latest`)).status).toBe(404);
    const empty = await store.addResources({});
    expect((await fetch(`${url}/resources/latest`)).status).toBe(404);
    expect((await fetch(`${url}/resources/${empty.resources_id}`)).status).toBe(404);
    expect(await client.getResourcesById("rs-unknown")).toBeNull();

    const post = (rolloutId: string) =>
      fetch(`${url}/rollout`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ rollout_id: rolloutId, final_reward: 1 }),
      });
    const unknown = await post("ro-000000000000");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ detail: "Rollout ro-000000000000 not found." });
    const queued = await store.enqueueRollout({ input: 1 });
    expect((await post(queued.rollout_id)).status).toBe(409);
    // Nothing was recorded for either.
    expect((await store.statistics()).total_spans).toBe(0);
    expect((await store.getRolloutById(queued.rollout_id))?.status).toBe("queuing");
  });

  it("times a stale claim out: the rollout's retry settings requeue it (num_claims 2) or fail it", async () => {
    const { store, client, advance } = await serve(60);
    const retried = await store.enqueueRollout({
      input: "retry me",
      config: { max_attempts: 2, retry_condition: ["timeout"] },
    });
    const first = await poll(client);
    expect(first).toMatchObject({ rollout_id: retried.rollout_id, num_claims: 1 });
    // Within the timeout nothing happens.
    expect(await (await fetch(`${client.endpoint}/task`)).json()).toEqual({
      is_available: false,
      task: null,
    });
    advance(61);
    const second = await poll(client);
    expect(second).toMatchObject({ rollout_id: retried.rollout_id, num_claims: 2 });
    const attempts = (await store.queryAttempts(retried.rollout_id)).items;
    expect(attempts.map((a) => a.status)).toEqual(["timeout", "running"]);

    const once = await store.enqueueRollout({ input: "fail me" });
    const third = await poll(client);
    expect(third?.rollout_id).toBe(once.rollout_id);
    advance(61);
    expect(await (await fetch(`${client.endpoint}/task`)).json()).toEqual({
      is_available: false,
      task: null,
    });
    expect((await store.getRolloutById(once.rollout_id))?.status).toBe("failed");
    // The second claim of the first rollout timed out too (swept by a later poll), no retry left.
    expect((await store.getRolloutById(retried.rollout_id))?.status).toBe("failed");
  });
});
