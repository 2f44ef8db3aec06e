import { describe, expect, it } from "vitest";
import {
  dequeue,
  enqueue,
  type HttpFixture,
  type JsonBody,
  json,
  P,
  startRollout,
  startServer,
} from "./http-fixture.js";

const attemptUrl = (r: string, a: string) => `${P}/rollouts/${r}/attempts/${a}`;

async function claimed(
  fx: HttpFixture,
  config?: Record<string, unknown>,
  workerId?: string,
): Promise<JsonBody> {
  await enqueue(fx, { input: 1, ...(config ? { config } : {}) });
  const [r] = await dequeue(fx, workerId ? { worker_id: workerId } : {});
  return r;
}

async function rollout(fx: HttpFixture, id: string): Promise<JsonBody> {
  return (await fx.getJson(`${P}/rollouts/${id}`)).body;
}

describe("update_attempt and propagation (§6 items 58–73)", () => {
  it("58/59: running then succeeded propagate to the rollout", async () => {
    const fx = await startServer();
    const r = await claimed(fx);
    const running = await fx.postJson(attemptUrl(r.rollout_id, r.attempt.attempt_id), { status: "running" });
    expect(running.status).toBe(200);
    expect(running.body).toMatchObject({
      status: "running",
      end_time: null,
      attempt_id: r.attempt.attempt_id,
    });
    expect((await rollout(fx, r.rollout_id)).status).toBe("running");
    const done = await fx.postJson(attemptUrl(r.rollout_id, r.attempt.attempt_id), { status: "succeeded" });
    expect(done.body.end_time).not.toBeNull();
    const after = await rollout(fx, r.rollout_id);
    expect(after.status).toBe("succeeded");
    expect(after.end_time).not.toBeNull();
  });

  it("60/61: failed and timeout with the default config fail the rollout", async () => {
    const fx = await startServer();
    const a = await claimed(fx);
    await fx.postJson(attemptUrl(a.rollout_id, "latest"), { status: "failed" });
    expect((await rollout(fx, a.rollout_id)).status).toBe("failed");
    expect(await dequeue(fx)).toEqual([]);
    const b = await claimed(fx);
    const t = await fx.postJson(attemptUrl(b.rollout_id, "latest"), { status: "timeout" });
    expect(t.body.end_time).toBeNull();
    expect((await rollout(fx, b.rollout_id)).status).toBe("failed");
  });

  it("62/63: retries follow max_attempts and retry_condition", async () => {
    const fx = await startServer();
    const r = await claimed(fx, { max_attempts: 3, retry_condition: ["failed"] });
    await fx.postJson(attemptUrl(r.rollout_id, "latest"), { status: "failed" });
    expect((await rollout(fx, r.rollout_id)).status).toBe("requeuing");
    const [second] = await dequeue(fx);
    expect(second.attempt.sequence_id).toBe(2);
    await fx.postJson(attemptUrl(r.rollout_id, "latest"), { status: "failed" });
    const [third] = await dequeue(fx);
    expect(third.attempt.sequence_id).toBe(3);
    await fx.postJson(attemptUrl(r.rollout_id, "latest"), { status: "failed" });
    expect((await rollout(fx, r.rollout_id)).status).toBe("failed");

    const other = await claimed(fx, { max_attempts: 3, retry_condition: ["timeout"] });
    await fx.postJson(attemptUrl(other.rollout_id, "latest"), { status: "failed" });
    expect((await rollout(fx, other.rollout_id)).status).toBe("failed");
  });

  it("64/65: only the latest attempt decides; latest targets the highest sequence", async () => {
    const fx = await startServer();
    const r = await startRollout(fx, { input: 1 });
    await fx.post(`${P}/rollouts/${r.rollout_id}/attempts`);
    const third = (await fx.postJson(`${P}/rollouts/${r.rollout_id}/attempts`)).body;
    await fx.postJson(attemptUrl(r.rollout_id, r.attempt.attempt_id), { status: "succeeded" });
    expect((await rollout(fx, r.rollout_id)).status).toBe("preparing");
    const latest = await fx.postJson(attemptUrl(r.rollout_id, "latest"), { status: "succeeded" });
    expect(latest.body.attempt_id).toBe(third.attempt.attempt_id);
    expect((await rollout(fx, r.rollout_id)).status).toBe("succeeded");
  });

  it("66: explicit nulls ⇒ 400 naming the field, in check order", async () => {
    const fx = await startServer();
    const r = await claimed(fx);
    for (const field of ["status", "worker_id", "last_heartbeat_time", "metadata"]) {
      expect(await fx.postJson(attemptUrl(r.rollout_id, "latest"), { [field]: null })).toEqual({
        status: 400,
        body: { detail: `${field} is invalid; it cannot be a null value.` },
      });
    }
    const both = await fx.postJson(attemptUrl(r.rollout_id, "latest"), { metadata: null, worker_id: null });
    expect(both.body.detail).toMatch(/^worker_id/);
    expect((await rollout(fx, r.rollout_id)).attempt).toEqual(r.attempt);
  });

  it("67: statuses that are not attempt statuses ⇒ 422", async () => {
    const fx = await startServer();
    const r = await claimed(fx);
    for (const status of ["cancelled", "queuing"]) {
      const res = await fx.postJson(attemptUrl(r.rollout_id, "latest"), { status });
      expect(res.status).toBe(422);
      expect(res.body.detail[0].loc).toEqual(["body", "status"]);
    }
  });

  it("68: unknown attempt, rollout without attempts, unknown rollout ⇒ 404 ValueError", async () => {
    const fx = await startServer();
    const r = await claimed(fx);
    const queued = await enqueue(fx);
    for (const [url, mention] of [
      [attemptUrl(r.rollout_id, "at-00000000"), "at-00000000"],
      [attemptUrl(queued.rollout_id, "latest"), queued.rollout_id],
      [attemptUrl(queued.rollout_id, "at-00000000"), queued.rollout_id],
      [attemptUrl("ro-000000000000", "latest"), "ro-000000000000"],
    ] as const) {
      const res = await fx.postJson(url, { status: "running" });
      expect(res.status, url).toBe(404);
      expect(res.body.error_type).toBe("ValueError");
      expect(res.body.detail).toContain(mention);
    }
  });

  it("69/70: worker ids on attempts drive the worker; an empty one creates no worker", async () => {
    const fx = await startServer();
    const r = await claimed(fx);
    await fx.postJson(attemptUrl(r.rollout_id, "latest"), { worker_id: "wa" });
    const busy = (await fx.getJson(`${P}/workers/wa`)).body;
    expect(busy).toMatchObject({
      status: "busy",
      current_rollout_id: r.rollout_id,
      current_attempt_id: r.attempt.attempt_id,
    });
    await fx.postJson(attemptUrl(r.rollout_id, "latest"), { status: "succeeded" });
    const idle = (await fx.getJson(`${P}/workers/wa`)).body;
    expect(idle).toMatchObject({ status: "idle", current_rollout_id: null, current_attempt_id: null });
    expect(idle.last_idle_time).toBeGreaterThanOrEqual(idle.last_busy_time);

    const s = await claimed(fx);
    const empty = await fx.postJson(attemptUrl(s.rollout_id, "latest"), { worker_id: "" });
    expect(empty.body.worker_id).toBe("");
    const workers = (await fx.getJson(`${P}/workers`)).body.items.map((w: JsonBody) => w.worker_id);
    expect(workers).not.toContain("");
  });

  it("71: metadata and heartbeat time are stored verbatim", async () => {
    const fx = await startServer();
    const r = await claimed(fx);
    const res = await fx.postJson(attemptUrl(r.rollout_id, "latest"), {
      metadata: { m: 1 },
      last_heartbeat_time: 123.5,
    });
    expect(res.body).toMatchObject({ metadata: { m: 1 }, last_heartbeat_time: 123.5, status: "preparing" });
  });

  it("72/73: update_attempt re-derives the rollout status", async () => {
    const fx = await startServer();
    const r = await claimed(fx);
    await fx.postJson(attemptUrl(r.rollout_id, "latest"), { status: "running" });
    await fx.postJson(`${P}/rollouts/${r.rollout_id}`, { status: "succeeded" });
    await fx.postJson(attemptUrl(r.rollout_id, "latest"), {});
    expect((await rollout(fx, r.rollout_id)).status).toBe("running");

    const f = await claimed(fx);
    await fx.postJson(attemptUrl(f.rollout_id, "latest"), { status: "failed" });
    await fx.postJson(attemptUrl(f.rollout_id, "latest"), { status: "running" });
    const after = await rollout(fx, f.rollout_id);
    expect(after.status).toBe("running");
    expect(after.end_time).not.toBeNull();
  });
});

describe("attempt queries (§4.6 #10–#12)", () => {
  it("unknown rollouts answer empty pages and null; paging checks apply", async () => {
    const fx = await startServer();
    expect((await fx.getJson(`${P}/rollouts/ro-000000000000/attempts`)).body).toEqual({
      items: [],
      limit: -1,
      offset: 0,
      total: 0,
    });
    expect(await (await fx.get(`${P}/rollouts/ro-000000000000/attempts/latest`)).text()).toBe("null");
    const bad = await fx.getJson(`${P}/rollouts/ro-000000000000/attempts?sort_by=input`);
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(
      /^Invalid sort_by: input, allowed fields are: rollout_id, attempt_id, sequence_id/,
    );
  });

  it("sorts by sequence_id by default and accepts sort_by null in the body", async () => {
    const fx = await startServer();
    const r = await startRollout(fx, { input: 1 });
    await fx.post(`${P}/rollouts/${r.rollout_id}/attempts`);
    const desc = (await fx.getJson(`${P}/rollouts/${r.rollout_id}/attempts?sort_order=desc`)).body.items;
    expect(desc.map((a: JsonBody) => a.sequence_id)).toEqual([2, 1]);
    const plain = (await fx.postJson(`${P}/rollouts/${r.rollout_id}/attempts/search`, { sort_by: null })).body
      .items;
    expect(plain.map((a: JsonBody) => a.sequence_id)).toEqual([1, 2]);
    const page = (await fx.postJson(`${P}/rollouts/${r.rollout_id}/attempts/search`, { limit: 1, offset: 1 }))
      .body;
    expect(page).toMatchObject({ limit: 1, offset: 1, total: 2 });
    expect(page.items[0].sequence_id).toBe(2);
  });
});

describe("resources (§6 items 97–103)", () => {
  it("97/100: add, latest, unknown", async () => {
    const fx = await startServer();
    expect(await (await fx.get(`${P}/resources/latest`)).text()).toBe("null");
    const res = await fx.postJson(`${P}/resources`, {});
    expect(res.status).toBe(201);
    expect(res.body.resources_id).toMatch(/^rs-[0-9a-f]{12}$/);
    expect(res.body).toMatchObject({ version: 1, resources: {} });
    expect(res.body.create_time).toBe(res.body.update_time);
    expect((await fx.getJson(`${P}/resources/latest`)).body.resources_id).toBe(res.body.resources_id);
    expect(await (await fx.get(`${P}/resources/unknown`)).text()).toBe("null");
  });

  it("98/99: update by id creates then bumps versions and moves latest", async () => {
    const fx = await startServer();
    const llm = { main: { resource_type: "llm", endpoint: "http://h:8080/v1", model: "m" } };
    const created = await fx.postJson(`${P}/resources/custom-1`, llm);
    expect(created.status).toBe(200);
    expect(created.body.version).toBe(1);
    expect((await fx.getJson(`${P}/resources/latest`)).body.resources_id).toBe("custom-1");
    const other = await fx.postJson(`${P}/resources`, {});
    expect((await fx.getJson(`${P}/resources/latest`)).body.resources_id).toBe(other.body.resources_id);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await fx.postJson(`${P}/resources/custom-1`, llm);
    expect(updated.body.version).toBe(2);
    expect(updated.body.create_time).toBe(created.body.create_time);
    expect(updated.body.update_time).toBeGreaterThan(created.body.update_time);
    expect((await fx.getJson(`${P}/resources/latest`)).body.resources_id).toBe("custom-1");
    expect((await fx.getJson(`${P}/resources/custom-1`)).body.version).toBe(2);
  });

  it("101/102: bad resources ⇒ 422; defaults are filled", async () => {
    const fx = await startServer();
    const noModel = await fx.postJson(`${P}/resources`, { x: { resource_type: "llm", endpoint: "e" } });
    expect(noModel.status).toBe(422);
    expect(noModel.body.detail[0].loc.slice(0, 2)).toEqual(["body", "x"]);
    expect((await fx.postJson(`${P}/resources`, { x: { resource_type: "gpu" } })).status).toBe(422);
    expect((await fx.post(`${P}/resources`)).status).toBe(422);
    const ok = await fx.postJson(`${P}/resources`, {
      main_llm: { resource_type: "llm", endpoint: "http://h:8080/v1", model: "m", extra: 1 },
      prompt: { resource_type: "prompt_template", template: "Hi {name}", engine: "f-string" },
    });
    expect(ok.status).toBe(201);
    expect(ok.body.resources.main_llm).toEqual({
      resource_type: "llm",
      endpoint: "http://h:8080/v1",
      model: "m",
      api_key: null,
      sampling_parameters: {},
    });
  });

  it("103: query by substring with sort and paging", async () => {
    const fx = await startServer();
    for (const id of ["test-4", "test-1", "other", "test-3", "test-2"])
      await fx.postJson(`${P}/resources/${id}`, {});
    const all = (await fx.getJson(`${P}/resources?resources_id_contains=test-`)).body;
    expect(all.total).toBe(4);
    const page = (
      await fx.getJson(`${P}/resources?resources_id_contains=test-&sort_by=resources_id&limit=2&offset=2`)
    ).body;
    expect(page.items.map((r: JsonBody) => r.resources_id)).toEqual(["test-3", "test-4"]);
    expect(page).toMatchObject({ total: 4, limit: 2, offset: 2 });
    expect((await fx.getJson(`${P}/resources?resources_id=other`)).body.total).toBe(1);
    expect((await fx.getJson(`${P}/resources?sort_by=bogus`)).status).toBe(400);
  });
});

describe("workers (§6 items 104–108)", () => {
  it("104/105/106: heartbeats upsert, keep stats, never change status", async () => {
    const fx = await startServer();
    const created = await fx.post(`${P}/workers/w9`);
    expect(created.status).toBe(200);
    const w = await json(created);
    expect(w).toMatchObject({ worker_id: "w9", status: "unknown", heartbeat_stats: null });
    expect(typeof w.last_heartbeat_time).toBe("number");
    const withStats = (await fx.postJson(`${P}/workers/w9`, { heartbeat_stats: { cpu: 0.4 } })).body;
    const without = (await fx.postJson(`${P}/workers/w9`)).body;
    expect(without.heartbeat_stats).toEqual({ cpu: 0.4 });
    expect(without.last_heartbeat_time).toBeGreaterThanOrEqual(withStats.last_heartbeat_time);
    expect(await fx.postJson(`${P}/workers/w9`, { heartbeat_stats: null })).toEqual({
      status: 400,
      body: { detail: "heartbeat_stats is invalid; it cannot be a null value." },
    });
    expect((await fx.postJson(`${P}/workers/w9`, { heartbeat_stats: "x" })).status).toBe(422);

    const r = await claimed(fx, undefined, "wb");
    const before = (await fx.getJson(`${P}/workers/wb`)).body;
    const beat = (await fx.postJson(`${P}/workers/wb`, { heartbeat_stats: { gpu: 1 } })).body;
    expect(beat).toMatchObject({
      status: "busy",
      current_rollout_id: r.rollout_id,
      last_busy_time: before.last_busy_time,
      last_dequeue_time: before.last_dequeue_time,
      last_idle_time: before.last_idle_time,
    });
  });

  it("107: unknown worker ⇒ null", async () => {
    const fx = await startServer();
    const res = await fx.get(`${P}/workers/unknown`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("null");
  });

  it("108: query by status and substring, sorted desc", async () => {
    const fx = await startServer();
    for (const id of ["worker-a", "worker-b", "other-c"]) {
      await enqueue(fx);
      await dequeue(fx, { worker_id: id });
    }
    await fx.post(`${P}/workers/worker-idle`);
    const res = (
      await fx.getJson(
        `${P}/workers?status_in=busy&worker_id_contains=worker&sort_by=worker_id&sort_order=desc`,
      )
    ).body;
    expect(res.items.map((w: JsonBody) => w.worker_id)).toEqual(["worker-b", "worker-a"]);
    const post = (await fx.postJson(`${P}/workers/search`, { filter_logic: "and", status_in: ["busy"] }))
      .body;
    expect(post.total).toBe(3);
    expect((await fx.getJson(`${P}/workers?sort_by=nope`)).status).toBe(400);
    expect((await fx.getJson(`${P}/workers?status_in=sleeping`)).status).toBe(422);
  });
});
