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
  stats,
} from "./http-fixture.js";

const DEFAULT_CONFIG = {
  timeout_seconds: null,
  unresponsive_seconds: null,
  max_attempts: 1,
  retry_condition: [],
};
const ENQ = `${P}/queues/rollouts/enqueue`;
const DEQ = `${P}/queues/rollouts/dequeue`;

async function expect422(fx: HttpFixture, path: string, body: unknown): Promise<JsonBody[]> {
  const res = await fx.postJson(path, body);
  expect(res.status, JSON.stringify(body)).toBe(422);
  expect(Array.isArray(res.body.detail)).toBe(true);
  expect(res.body.detail.length).toBeGreaterThan(0);
  for (const item of res.body.detail) {
    expect(["body", "query", "path"]).toContain(item.loc[0]);
    expect(typeof item.msg).toBe("string");
    expect(typeof item.type).toBe("string");
  }
  return res.body.detail;
}

describe("enqueue (§6 items 6–14)", () => {
  it("6: one element ⇒ 201 with a queued rollout and no attempt", async () => {
    const fx = await startServer();
    const res = await fx.postJson(ENQ, { rollouts: [{ input: { a: 1 } }] });
    expect(res.status).toBe(201);
    expect(res.body).toHaveLength(1);
    const [r] = res.body;
    expect(r.rollout_id).toMatch(/^ro-[0-9a-f]{12}$/);
    expect(r).toMatchObject({
      status: "queuing",
      input: { a: 1 },
      end_time: null,
      mode: null,
      resources_id: null,
    });
    expect(r.metadata).toEqual({});
    expect(r.config).toEqual(DEFAULT_CONFIG);
    expect(r).not.toHaveProperty("attempt");
    expect(typeof r.start_time).toBe("number");
  });

  it("7: {} ⇒ 422 at loc body.rollouts", async () => {
    const fx = await startServer();
    const detail = await expect422(fx, ENQ, {});
    expect(detail.map((d) => d.loc)).toContainEqual(["body", "rollouts"]);
  });

  it("8: an empty batch ⇒ 201 [] and nothing stored", async () => {
    const fx = await startServer();
    const res = await fx.postJson(ENQ, { rollouts: [] });
    expect(res).toEqual({ status: 201, body: [] });
    expect((await stats(fx)).total_rollouts).toBe(0);
  });

  it("9: a batch of 3 keeps order and per-element fields", async () => {
    const fx = await startServer();
    const res = await fx.postJson(ENQ, {
      rollouts: [
        { input: 1 },
        {
          input: 2,
          mode: "train",
          config: { max_attempts: 2, retry_condition: ["failed"] },
          metadata: { k: 1 },
        },
        { input: 3, mode: "val" },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.body.map((r: JsonBody) => r.input)).toEqual([1, 2, 3]);
    expect(new Set(res.body.map((r: JsonBody) => r.rollout_id)).size).toBe(3);
    expect(res.body[1]).toMatchObject({ mode: "train", metadata: { k: 1 } });
    expect(res.body[1].config).toEqual({ ...DEFAULT_CONFIG, max_attempts: 2, retry_condition: ["failed"] });
    expect(res.body[2].mode).toBe("val");
  });

  it("10: an invalid element rejects the whole batch", async () => {
    const fx = await startServer();
    const detail = await expect422(fx, ENQ, { rollouts: [{ input: 1 }, { mode: "train" }, { input: 3 }] });
    expect(detail[0].loc).toEqual(["body", "rollouts", 1, "input"]);
    expect((await stats(fx)).total_rollouts).toBe(0);
  });

  it("11: input null is accepted", async () => {
    const fx = await startServer();
    const r = await enqueue(fx, { input: null });
    expect(r.input).toBeNull();
  });

  it("12: bad config values and modes ⇒ 422", async () => {
    const fx = await startServer();
    await expect422(fx, ENQ, { rollouts: [{ input: 1, config: { max_attempts: 0 } }] });
    await expect422(fx, ENQ, { rollouts: [{ input: 1, config: { retry_condition: ["cancelled"] } }] });
    await expect422(fx, ENQ, { rollouts: [{ input: 1, mode: "prod" }] });
    expect((await stats(fx)).total_rollouts).toBe(0);
  });

  it("13: resources_id defaults to the latest resources and is not validated", async () => {
    const fx = await startServer();
    const resources = await fx.postJson(`${P}/resources`, {});
    expect((await enqueue(fx, { input: 1 })).resources_id).toBe(resources.body.resources_id);
    expect((await enqueue(fx, { input: 1, resources_id: "nope" })).resources_id).toBe("nope");
  });

  it("14: unknown keys are ignored; explicit nulls take defaults (§5.1)", async () => {
    const fx = await startServer();
    const r = await enqueue(fx, {
      input: 1,
      foo: 1,
      mode: null,
      resources_id: null,
      config: null,
      metadata: null,
    });
    expect(r).not.toHaveProperty("foo");
    expect(r.config).toEqual(DEFAULT_CONFIG);
    expect(r.metadata).toEqual({});
  });
});

describe("dequeue (§6 items 15–25)", () => {
  it("15: no body on an empty queue ⇒ 200 []", async () => {
    const fx = await startServer();
    const res = await fx.post(DEQ);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual([]);
  });

  it("16/17: FIFO, one attempt each, fresh attempt fields", async () => {
    const fx = await startServer();
    const ids = [];
    for (const input of ["A", "B", "C"]) ids.push((await enqueue(fx, { input })).rollout_id);
    const claimed = [];
    for (let i = 0; i < 3; i++) claimed.push(...(await dequeue(fx, { limit: 1 })));
    expect(claimed.map((r) => r.rollout_id)).toEqual(ids);
    expect(await dequeue(fx, { limit: 1 })).toEqual([]);
    const [first] = claimed;
    expect(first.status).toBe("preparing");
    expect(first.attempt).toMatchObject({
      sequence_id: 1,
      status: "preparing",
      rollout_id: first.rollout_id,
      end_time: null,
      last_heartbeat_time: null,
      metadata: null,
      worker_id: null,
    });
    expect(first.attempt.attempt_id).toMatch(/^at-[0-9a-f]{8}$/);
    expect(first.attempt.start_time).toBeGreaterThanOrEqual(first.start_time);
  });

  it("18: limit 0 and negative ⇒ [] and the queue is untouched", async () => {
    const fx = await startServer();
    const r = await enqueue(fx);
    expect(await dequeue(fx, { limit: 0 })).toEqual([]);
    expect(await dequeue(fx, { limit: -3 })).toEqual([]);
    expect((await dequeue(fx, {}))[0].rollout_id).toBe(r.rollout_id);
  });

  it("19: limit 5 with 2 queued ⇒ both in FIFO order", async () => {
    const fx = await startServer();
    const a = await enqueue(fx, { input: "a" });
    const b = await enqueue(fx, { input: "b" });
    expect((await dequeue(fx, { limit: 5 })).map((r) => r.rollout_id)).toEqual([a.rollout_id, b.rollout_id]);
  });

  it("20: rollouts updated out of the queue are never dequeued", async () => {
    const fx = await startServer();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await enqueue(fx, { input: i })).rollout_id);
    for (const [i, status] of ["succeeded", "cancelled", "running", "preparing"].entries()) {
      expect((await fx.postJson(`${P}/rollouts/${ids[i]}`, { status })).status).toBe(200);
    }
    expect((await dequeue(fx, { limit: 10 })).map((r) => r.rollout_id)).toEqual([ids[4]]);
  });

  it("21: 40 parallel dequeues of 25 rollouts ⇒ 25 distinct claims with one attempt each", async () => {
    const fx = await startServer();
    await fx.postJson(ENQ, { rollouts: Array.from({ length: 25 }, (_, i) => ({ input: i })) });
    const results = await Promise.all(Array.from({ length: 40 }, () => dequeue(fx, { limit: 1 })));
    const claimed = results.filter((r) => r.length > 0).map((r) => r[0].rollout_id);
    expect(claimed).toHaveLength(25);
    expect(new Set(claimed).size).toBe(25);
    for (const id of claimed) expect((await fx.getJson(`${P}/rollouts/${id}/attempts`)).body.total).toBe(1);
  });

  it("22/23: dequeue with a worker id tracks the worker", async () => {
    const fx = await startServer();
    const r = await enqueue(fx);
    const [claimed] = await dequeue(fx, { worker_id: "w1" });
    expect(claimed.attempt.worker_id).toBe("w1");
    const w1 = (await fx.getJson(`${P}/workers/w1`)).body;
    expect(w1).toMatchObject({
      status: "busy",
      current_rollout_id: r.rollout_id,
      current_attempt_id: claimed.attempt.attempt_id,
      last_heartbeat_time: null,
    });
    expect(w1.last_dequeue_time).not.toBeNull();
    expect(w1.last_busy_time).not.toBeNull();
    expect(await dequeue(fx, { worker_id: "w2" })).toEqual([]);
    const w2 = (await fx.getJson(`${P}/workers/w2`)).body;
    expect(w2.status).toBe("idle");
    expect(w2.last_idle_time).not.toBeNull();
    expect(w2.last_dequeue_time).not.toBeNull();
  });

  it("24: bad dequeue bodies ⇒ 422", async () => {
    const fx = await startServer();
    await expect422(fx, DEQ, { limit: "x" });
    await expect422(fx, DEQ, []);
  });

  it("25: a multi-claim stamps the worker on every attempt; the worker holds the last", async () => {
    const fx = await startServer();
    for (let i = 0; i < 3; i++) await enqueue(fx, { input: i });
    const claimed = await dequeue(fx, { limit: 3, worker_id: "wm" });
    expect(claimed.map((r) => r.attempt.worker_id)).toEqual(["wm", "wm", "wm"]);
    expect((await fx.getJson(`${P}/workers/wm`)).body.current_rollout_id).toBe(claimed[2].rollout_id);
  });

  it("E2: an empty worker id is treated as absent", async () => {
    const fx = await startServer();
    await enqueue(fx);
    const [claimed] = await dequeue(fx, { worker_id: "" });
    expect(claimed.attempt.worker_id).toBeNull();
    expect((await fx.getJson(`${P}/workers`)).body.total).toBe(0);
  });
});

describe("start_rollout / start_attempt (§6 items 26–32)", () => {
  it("26: POST P/rollouts ⇒ 201 preparing with attempt 1, not in the queue", async () => {
    const fx = await startServer();
    const r = await startRollout(fx, { input: { x: 1 } });
    expect(r.status).toBe("preparing");
    expect(r.attempt.sequence_id).toBe(1);
    expect(r.attempt.start_time).toBe(r.start_time);
    expect(r.metadata).toEqual({});
    expect(await dequeue(fx)).toEqual([]);
  });

  it("26 (§5.1): the Python client's all-six-keys body with nulls is accepted", async () => {
    const fx = await startServer();
    const r = await startRollout(fx, {
      input: "q",
      mode: null,
      resources_id: null,
      config: null,
      metadata: null,
      worker_id: null,
    });
    expect(r.config).toEqual(DEFAULT_CONFIG);
    expect(r.metadata).toEqual({});
    expect(r.attempt.worker_id).toBeNull();
  });

  it("27: POST P/rollouts {} ⇒ 422", async () => {
    const fx = await startServer();
    const detail = await expect422(fx, `${P}/rollouts`, {});
    expect(detail[0].loc).toEqual(["body", "input"]);
  });

  it("28: a worker id makes the worker busy", async () => {
    const fx = await startServer();
    const r = await startRollout(fx, { input: 1, worker_id: "ws" });
    const w = (await fx.getJson(`${P}/workers/ws`)).body;
    expect(w).toMatchObject({
      status: "busy",
      current_rollout_id: r.rollout_id,
      current_attempt_id: r.attempt.attempt_id,
    });
  });

  it("29/30/32: start_attempt with no body, {}, null and a worker ⇒ 201, sequences 2..5", async () => {
    const fx = await startServer();
    const r = await startRollout(fx, { input: 1 });
    const url = `${P}/rollouts/${r.rollout_id}/attempts`;
    const noBody = await fx.post(url);
    expect(noBody.status).toBe(201);
    const second = await json(noBody);
    expect(second.attempt).toMatchObject({ sequence_id: 2, status: "preparing" });
    expect(second.status).toBe("preparing");
    const bodies = [{}, { worker_id: null }, { worker_id: "wx" }];
    const sequences = [];
    for (const body of bodies) {
      const res = await fx.postJson(url, body);
      expect(res.status).toBe(201);
      sequences.push(res.body.attempt.sequence_id);
    }
    expect(sequences).toEqual([3, 4, 5]);
  });

  it("31: start_attempt on an unknown rollout ⇒ 404 ValueError naming the id", async () => {
    const fx = await startServer();
    const res = await fx.postJson(`${P}/rollouts/ro-000000000000/attempts`);
    expect(res.status).toBe(404);
    expect(res.body.error_type).toBe("ValueError");
    expect(res.body.detail).toContain("ro-000000000000");
  });
});

async function fiveRollouts(fx: HttpFixture): Promise<string[]> {
  const ids = [];
  for (const input of ["A", "B", "C", "D", "E"]) ids.push((await enqueue(fx, { input })).rollout_id);
  return ids;
}

describe("reading rollouts (§6 items 33–47)", () => {
  it("33/34/35: get by id with and without attempts; unknown ⇒ null", async () => {
    const fx = await startServer();
    const r = await enqueue(fx);
    const queued = (await fx.getJson(`${P}/rollouts/${r.rollout_id}`)).body;
    expect(queued).not.toHaveProperty("attempt");
    await dequeue(fx);
    await fx.post(`${P}/rollouts/${r.rollout_id}/attempts`);
    expect((await fx.getJson(`${P}/rollouts/${r.rollout_id}`)).body.attempt.sequence_id).toBe(2);
    const unknown = await fx.get(`${P}/rollouts/ro-000000000000`);
    expect(unknown.status).toBe(200);
    expect(await unknown.text()).toBe("null");
  });

  it("36/37: paging echoes limit and offset and counts total", async () => {
    const fx = await startServer();
    const ids = await fiveRollouts(fx);
    const all = (await fx.getJson(`${P}/rollouts`)).body;
    expect(all.items.map((r: JsonBody) => r.rollout_id)).toEqual(ids);
    expect(all).toMatchObject({ limit: -1, offset: 0, total: 5 });
    const page = (await fx.getJson(`${P}/rollouts?limit=2&offset=4`)).body;
    expect(page.items.map((r: JsonBody) => r.rollout_id)).toEqual([ids[4]]);
    expect(page).toMatchObject({ total: 5, limit: 2, offset: 4 });
    expect((await fx.getJson(`${P}/rollouts?offset=10`)).body).toMatchObject({ items: [], total: 5 });
  });

  it("38: bad limit/offset ⇒ 400 with the exact messages; non-integers ⇒ 422 int_parsing", async () => {
    const fx = await startServer();
    const limitMessage = { detail: "Limit must be greater than 0 or -1 for no limit" };
    expect(await fx.getJson(`${P}/rollouts?limit=0`)).toEqual({ status: 400, body: limitMessage });
    expect(await fx.getJson(`${P}/rollouts?limit=-2`)).toEqual({ status: 400, body: limitMessage });
    expect(await fx.getJson(`${P}/rollouts?offset=-1`)).toEqual({
      status: 400,
      body: { detail: "Offset must be greater than or equal to 0" },
    });
    const abc = await fx.getJson(`${P}/rollouts?limit=abc`);
    expect(abc.status).toBe(422);
    expect(abc.body.detail[0]).toMatchObject({ type: "int_parsing", loc: ["query", "limit"], input: "abc" });
    // The same checks on the body form.
    expect((await fx.postJson(`${P}/rollouts/search`, { limit: 0 })).status).toBe(400);
    expect((await fx.postJson(`${P}/rollouts/search`, { offset: -1 })).status).toBe(400);
  });

  it("39: an unknown sort_by ⇒ 400 listing the allowed fields", async () => {
    const fx = await startServer();
    const res = await fx.getJson(`${P}/rollouts?sort_by=nonexistent_field`);
    expect(res.status).toBe(400);
    expect(res.body.detail).toBe(
      "Invalid sort_by: nonexistent_field, allowed fields are: rollout_id, input, start_time, end_time, mode, resources_id, status, config, metadata",
    );
    expect((await fx.getJson(`${P}/rollouts?sort_by=`)).status).toBe(400);
    expect((await fx.getJson(`${P}/rollouts?sort_by=attempt`)).status).toBe(400);
    // sort_by is checked before limit (first failure wins).
    expect((await fx.getJson(`${P}/rollouts?sort_by=x&limit=0`)).body.detail).toMatch(/^Invalid sort_by/);
  });

  it("40: bad enum query values ⇒ 422 at loc query", async () => {
    const fx = await startServer();
    for (const query of ["sort_order=sideways", "filter_logic=xor", "status_in=bogus", "status_in="]) {
      const res = await fx.getJson(`${P}/rollouts?${query}`);
      expect(res.status, query).toBe(422);
      expect(res.body.detail[0].loc[0]).toBe("query");
    }
    const res = await fx.getJson(`${P}/rollouts?status_in=bogus`);
    expect(res.body.detail[0].loc).toEqual(["query", "status_in", 0]);
  });

  async function mixed(fx: HttpFixture) {
    const ids = await fiveRollouts(fx);
    await fx.postJson(`${P}/rollouts/${ids[0]}`, { status: "failed" });
    await fx.postJson(`${P}/rollouts/${ids[1]}`, { status: "succeeded" });
    await fx.postJson(`${P}/rollouts/${ids[3]}`, { status: "succeeded" });
    return ids;
  }

  it("41: repeated status_in keys", async () => {
    const fx = await startServer();
    const ids = await mixed(fx);
    const res = (await fx.getJson(`${P}/rollouts?status_in=failed&status_in=succeeded`)).body;
    expect(res.items.map((r: JsonBody) => r.rollout_id)).toEqual([ids[0], ids[1], ids[3]]);
    // Commas are not split.
    expect((await fx.getJson(`${P}/rollouts?status_in=failed,succeeded`)).status).toBe(422);
  });

  it("42: filter_logic or/and", async () => {
    const fx = await startServer();
    const ids = await mixed(fx);
    const or = (await fx.getJson(`${P}/rollouts?status_in=succeeded&rollout_id_in=${ids[2]}&filter_logic=or`))
      .body;
    expect(or.items.map((r: JsonBody) => r.rollout_id)).toEqual([ids[1], ids[2], ids[3]]);
    const and = (
      await fx.getJson(`${P}/rollouts?status_in=succeeded&rollout_id_in=${ids[3]}&filter_logic=and`)
    ).body;
    expect(and.items.map((r: JsonBody) => r.rollout_id)).toEqual([ids[3]]);
  });

  it("43: POST search: [] matches nothing, null and absent match all", async () => {
    const fx = await startServer();
    await fiveRollouts(fx);
    expect((await fx.postJson(`${P}/rollouts/search`, { status_in: [] })).body.total).toBe(0);
    expect((await fx.postJson(`${P}/rollouts/search`, { status_in: null })).body.total).toBe(5);
    expect((await fx.postJson(`${P}/rollouts/search`, {})).body.total).toBe(5);
  });

  it("44/45/46: sorting by mode, end_time and rollout_id", async () => {
    const fx = await startServer();
    const a = await enqueue(fx, { input: 1, mode: "train" });
    const b = await enqueue(fx, { input: 2 });
    const asc = (await fx.getJson(`${P}/rollouts?sort_by=mode&sort_order=asc`)).body.items;
    expect(asc.map((r: JsonBody) => r.rollout_id)).toEqual([b.rollout_id, a.rollout_id]);
    const desc = (await fx.getJson(`${P}/rollouts?sort_by=mode&sort_order=desc`)).body.items;
    expect(desc.map((r: JsonBody) => r.rollout_id)).toEqual([a.rollout_id, b.rollout_id]);
    await fx.postJson(`${P}/rollouts/${b.rollout_id}`, { status: "succeeded" });
    const byEnd = (await fx.getJson(`${P}/rollouts?sort_by=end_time&sort_order=asc`)).body.items;
    expect(byEnd.map((r: JsonBody) => r.rollout_id)).toEqual([b.rollout_id, a.rollout_id]);
    const c = await enqueue(fx, { input: 3 });
    const sorted = [a, b, c].map((r) => r.rollout_id).sort();
    const second = (await fx.getJson(`${P}/rollouts?sort_by=rollout_id&sort_order=desc&limit=1&offset=1`))
      .body;
    expect(second.items.map((r: JsonBody) => r.rollout_id)).toEqual([sorted[1]]);
  });

  it("47: GET and POST search answer identical pages", async () => {
    const fx = await startServer();
    const ids = await mixed(fx);
    const get = await fx.getJson(
      `${P}/rollouts?status_in=succeeded&status_in=queuing&rollout_id_contains=ro-&sort_by=rollout_id&sort_order=desc&limit=2&offset=1`,
    );
    const post = await fx.postJson(`${P}/rollouts/search`, {
      status_in: ["succeeded", "queuing"],
      rollout_id_contains: "ro-",
      sort_by: "rollout_id",
      sort_order: "desc",
      limit: 2,
      offset: 1,
    });
    expect(get.status).toBe(200);
    expect(post).toEqual(get);
    expect(get.body.total).toBe(4);
    expect(ids).toHaveLength(5);
  });

  it("items carry attempt iff the rollout has attempts", async () => {
    const fx = await startServer();
    await enqueue(fx);
    await startRollout(fx);
    const items = (await fx.getJson(`${P}/rollouts`)).body.items;
    expect(items[0]).not.toHaveProperty("attempt");
    expect(items[1].attempt.sequence_id).toBe(1);
  });
});

describe("update_rollout (§6 items 48–57)", () => {
  it("48: metadata is replaced; no attempt key even with attempts", async () => {
    const fx = await startServer();
    const r = await startRollout(fx, { input: 1, metadata: { old: true } });
    const res = await fx.postJson(`${P}/rollouts/${r.rollout_id}`, { metadata: { k: 1 } });
    expect(res.status).toBe(200);
    expect(res.body.metadata).toEqual({ k: 1 });
    expect(res.body.input).toBe(1);
    expect(res.body).not.toHaveProperty("attempt");
  });

  it("49/52: null status/config ⇒ 400, bad status ⇒ 422, rollout unchanged", async () => {
    const fx = await startServer();
    const r = await enqueue(fx, { input: 1 });
    expect(await fx.postJson(`${P}/rollouts/${r.rollout_id}`, { status: null })).toEqual({
      status: 400,
      body: { detail: "status is invalid; it cannot be a null value." },
    });
    expect(await fx.postJson(`${P}/rollouts/${r.rollout_id}`, { config: null, metadata: { x: 1 } })).toEqual({
      status: 400,
      body: { detail: "config is invalid; it cannot be a null value." },
    });
    // status is checked first.
    expect(
      (await fx.postJson(`${P}/rollouts/${r.rollout_id}`, { config: null, status: null })).body.detail,
    ).toMatch(/^status/);
    await expect422(fx, `${P}/rollouts/${r.rollout_id}`, { status: "bogus", metadata: { y: 1 } });
    expect((await fx.getJson(`${P}/rollouts/${r.rollout_id}`)).body).toEqual(r);
  });

  it("50: explicit nulls for nullable fields", async () => {
    const fx = await startServer();
    const r = await enqueue(fx, { input: 1, mode: "train", metadata: { a: 1 } });
    const res = await fx.postJson(`${P}/rollouts/${r.rollout_id}`, {
      mode: null,
      input: null,
      metadata: null,
    });
    expect(res.body).toMatchObject({ mode: null, input: null, metadata: null });
  });

  it("51: finishing stamps and re-stamps end_time", async () => {
    const fx = await startServer();
    const r = await enqueue(fx);
    const first = (await fx.postJson(`${P}/rollouts/${r.rollout_id}`, { status: "succeeded" })).body;
    expect(first.end_time).toBeGreaterThanOrEqual(first.start_time);
    const second = (await fx.postJson(`${P}/rollouts/${r.rollout_id}`, { status: "succeeded" })).body;
    expect(second.end_time).toBeGreaterThanOrEqual(first.end_time);
  });

  it("53: unknown rollout ⇒ 404 ValueError", async () => {
    const fx = await startServer();
    const res = await fx.postJson(`${P}/rollouts/ro-000000000000`, { status: "failed" });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error_type: "ValueError" });
    expect(res.body.detail).toContain("ro-000000000000");
  });

  it("54/55: config is replaced as a whole; {} changes nothing", async () => {
    const fx = await startServer();
    const r = await enqueue(fx, {
      input: 1,
      config: { timeout_seconds: 5, retry_condition: ["failed"], max_attempts: 2 },
    });
    const res = await fx.postJson(`${P}/rollouts/${r.rollout_id}`, { config: { max_attempts: 3 } });
    expect(res.body.config).toEqual({ ...DEFAULT_CONFIG, max_attempts: 3 });
    const same = await fx.postJson(`${P}/rollouts/${r.rollout_id}`, {});
    expect(same.status).toBe(200);
    expect(same.body).toEqual(res.body);
  });

  it("56/57: requeuing", async () => {
    const fx = await startServer();
    const r = await enqueue(fx);
    const [claimed] = await dequeue(fx);
    await fx.postJson(`${P}/rollouts/${r.rollout_id}`, { status: "requeuing" });
    const [again] = await dequeue(fx);
    expect(again.attempt.sequence_id).toBe(2);
    const attempts = (await fx.getJson(`${P}/rollouts/${r.rollout_id}/attempts`)).body.items;
    expect(attempts[0]).toMatchObject({ attempt_id: claimed.attempt.attempt_id, status: "preparing" });
    const q = await enqueue(fx);
    await fx.postJson(`${P}/rollouts/${q.rollout_id}`, { status: "requeuing" });
    expect((await dequeue(fx, { limit: 10 })).map((x) => x.rollout_id)).toEqual([q.rollout_id]);
  });
});
