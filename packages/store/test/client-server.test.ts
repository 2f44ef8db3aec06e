import { afterEach, describe, expect, it } from "vitest";
import { LightningStoreClient, type LightningStoreClientOptions } from "../src/client/store-client.js";
import { LightningStoreServer } from "../src/http/server.js";
import { InMemoryLightningStore } from "../src/memory/memory-store.js";
import { expectRejection } from "../src/testing/harness.js";

// LightningStoreClient against the real LightningStoreServer (backed by InMemoryLightningStore) on
// a loopback port: authentication, long waits, cancellation and a server that goes away. The
// store semantics themselves are covered by conformance-http-memory.test.ts.

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startServer(
  apiKey?: string,
): Promise<{ server: LightningStoreServer; store: InMemoryLightningStore }> {
  const store = new InMemoryLightningStore({ scanDebounceSeconds: 0 });
  const server = new LightningStoreServer({ store, port: 0, ...(apiKey ? { apiKey } : {}) });
  await server.start();
  cleanups.push(async () => {
    await server.stop({ graceMs: 500 });
    await store.close();
  });
  return { server, store };
}

function client(url: string, options: Partial<LightningStoreClientOptions> = {}): LightningStoreClient {
  const c = new LightningStoreClient({ url, retryDelays: [0.05], healthRetryDelays: [0.05], ...options });
  cleanups.push(() => c.close());
  return c;
}

const rejection = expectRejection;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("LightningStoreClient ↔ LightningStoreServer", () => {
  it("with an API key: no key or a wrong key is unauthorized (dequeue included); the right key works", async () => {
    const { server } = await startServer("k-123");
    const anonymous = client(server.url);
    const enqueueError = await rejection(anonymous.enqueueRollout({ input: 1 }));
    expect(enqueueError).toMatchObject({ code: "unauthorized", status: 401 });
    expect((await rejection(anonymous.dequeueRollout({ workerId: "w" }))).code).toBe("unauthorized");
    expect((await rejection(client(server.url, { apiKey: "wrong" }).statistics())).code).toBe("unauthorized");
    const authorized = client(server.url, { apiKey: "k-123" });
    const rollout = await authorized.enqueueRollout({ input: 1 });
    expect((await authorized.dequeueRollout({ workerId: "w" }))?.rollout_id).toBe(rollout.rollout_id);
    // Health stays open, so probes work without credentials.
    expect(await anonymous.isHealthy()).toBe(true);
  });

  it("server errors arrive with their code, status and detail", async () => {
    const { server } = await startServer();
    const store = client(server.url);
    const missing = await rejection(store.updateRollout("ro-000000000000", { status: "failed" }));
    expect(missing).toMatchObject({ code: "not_found", status: 404 });
    expect(missing.message).toContain("ro-000000000000");
    expect(missing.details).toMatchObject({ errorType: "ValueError" });
    const invalid = await rejection(store.enqueueRollout({ input: 1, config: { max_attempts: 0 } }));
    expect(invalid).toMatchObject({ code: "invalid_argument", status: 422 });
    expect(invalid.message).toContain("rollouts.0.config.max_attempts");
    const nullStatus = await rejection(
      store.updateRollout((await store.enqueueRollout({ input: 1 })).rollout_id, { status: null } as never),
    );
    expect(nullStatus).toMatchObject({
      code: "invalid_argument",
      status: 400,
      message: "status is invalid; it cannot be a null value.",
    });
    expect(await store.getRolloutById("ro-000000000000")).toBeNull();
  });

  it("a wait without timeout outlasts requestTimeout and ends when another client finishes the rollout", async () => {
    const { server } = await startServer();
    const algorithm = client(server.url, { requestTimeout: 0.2 });
    const runner = client(server.url);
    const rollout = await algorithm.enqueueRollout({ input: "task" });
    const waiting = algorithm.waitForRollouts([rollout.rollout_id]);
    await sleep(500);
    const claimed = await runner.dequeueRollout({ workerId: "w" });
    await runner.updateAttempt(rollout.rollout_id, claimed?.attempt.attempt_id ?? "latest", {
      status: "succeeded",
    });
    const done = await waiting;
    expect(done.map((r) => [r.rollout_id, r.status])).toEqual([[rollout.rollout_id, "succeeded"]]);
  });

  it("aborting the caller's signal ends a wait early with what is finished", async () => {
    const { server } = await startServer();
    const store = client(server.url);
    const a = await store.enqueueRollout({ input: "a" });
    const b = await store.enqueueRollout({ input: "b" });
    const controller = new AbortController();
    // A timeout no test reaches: only the abort can end this wait.
    const waiting = store.waitForRollouts([a.rollout_id, b.rollout_id], {
      timeout: 3_600,
      signal: controller.signal,
    });
    await sleep(50);
    await store.updateRollout(a.rollout_id, { status: "succeeded" });
    await sleep(50);
    controller.abort();
    const done = await waiting;
    expect(done.map((r) => r.rollout_id)).toEqual([a.rollout_id]);
    // An already aborted signal does not wait at all.
    expect(
      await store.waitForRollouts([a.rollout_id, b.rollout_id], {
        timeout: 3_600,
        signal: controller.signal,
      }),
    ).toHaveLength(1);
  });

  it("close() cancels a pending wait; the server keeps serving other clients", async () => {
    const { server } = await startServer();
    const first = client(server.url);
    const rollout = await first.enqueueRollout({ input: 1 });
    const waiting = rejection(first.waitForRollouts([rollout.rollout_id], { timeout: 30 }));
    await sleep(50);
    await first.close();
    expect((await waiting).code).toBe("cancelled");
    const second = client(server.url);
    expect((await second.statistics()).total_rollouts).toBe(1);
  });

  it("a stopped server: calls fail as unavailable after a failed probe, dequeue reads as an empty queue", async () => {
    const { server } = await startServer();
    const store = client(server.url);
    await store.statistics();
    await server.stop({ graceMs: 100 });
    const error = await rejection(store.statistics());
    expect(error.code).toBe("unavailable");
    expect(await store.dequeueRollout()).toBeNull();
    expect(await store.isHealthy()).toBe(false);
  });

  it("limit 0 gives an empty page with the total, as a local store does", async () => {
    const { server } = await startServer();
    const store = client(server.url);
    await store.enqueueManyRollouts([{ input: 1 }, { input: 2 }, { input: 3 }]);
    expect(await store.queryRollouts({ limit: 0 })).toEqual({ items: [], limit: 0, offset: 0, total: 3 });
  });

  it("the OTLP endpoint it reports is served", async () => {
    const { server } = await startServer();
    const store = client(server.url);
    const response = await fetch(store.otlpTracesEndpoint(), {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: new Uint8Array(0),
    });
    await response.arrayBuffer();
    expect(response.status).toBe(200);
  });
});
