import { describe, expect, it } from "vitest";
import { makeSpan } from "../src/testing/make-span.js";
import {
  dequeue,
  enqueue,
  type HttpFixture,
  type JsonBody,
  P,
  startRollout,
  startServer,
  stats,
} from "./http-fixture.js";

async function running(fx: HttpFixture): Promise<JsonBody> {
  return startRollout(fx, { input: 1 });
}

async function spanPage(fx: HttpFixture, query: string): Promise<JsonBody> {
  const res = await fx.getJson(`${P}/spans?${query}`);
  expect(res.status, query).toBe(200);
  return res.body;
}

describe("spans and sequence ids (§6 items 74–90)", () => {
  it("74/75/76: extra keys are kept; a span is a heartbeat; duplicates answer 201 null", async () => {
    const fx = await startServer();
    const r = await running(fx);
    const span = makeSpan(r.rollout_id, r.attempt.attempt_id, 1, { custom: { x: 1 } });
    const res = await fx.postJson(`${P}/spans`, span);
    expect(res.status).toBe(201);
    expect(res.body.custom).toEqual({ x: 1 });
    expect((await spanPage(fx, `rollout_id=${r.rollout_id}`)).items[0].custom).toEqual({ x: 1 });
    const after = (await fx.getJson(`${P}/rollouts/${r.rollout_id}`)).body;
    expect(after.status).toBe("running");
    expect(after.attempt.status).toBe("running");
    expect(after.attempt.last_heartbeat_time).not.toBeNull();
    const dup = await fx.post(`${P}/spans`, span);
    expect(dup.status).toBe(201);
    expect(await dup.text()).toBe("null");
    expect((await spanPage(fx, `rollout_id=${r.rollout_id}`)).total).toBe(1);
  });

  it("77: the same span id under another attempt is stored", async () => {
    const fx = await startServer();
    const r = await running(fx);
    const second = (await fx.postJson(`${P}/rollouts/${r.rollout_id}/attempts`)).body;
    await fx.post(`${P}/spans`, makeSpan(r.rollout_id, r.attempt.attempt_id, 1));
    const res = await fx.postJson(`${P}/spans`, makeSpan(r.rollout_id, second.attempt.attempt_id, 1));
    expect(res.status).toBe(201);
    expect(res.body).not.toBeNull();
  });

  it("78: unknown rollout or attempt ⇒ 404 ValueError, nothing stored", async () => {
    const fx = await startServer();
    const r = await running(fx);
    for (const span of [
      makeSpan("ro-000000000000", "at-00000000", 1),
      makeSpan(r.rollout_id, "at-00000000", 1),
    ]) {
      const res = await fx.postJson(`${P}/spans`, span);
      expect(res.status).toBe(404);
      expect(res.body.error_type).toBe("ValueError");
    }
    expect((await stats(fx)).total_spans).toBe(0);
  });

  it("79: missing required keys and bad attribute values ⇒ 422", async () => {
    const fx = await startServer();
    const r = await running(fx);
    const base = makeSpan(r.rollout_id, r.attempt.attempt_id, 1) as Record<string, unknown>;
    // Every key of a span is required on the plain endpoint (nullable ones too), as upstream.
    for (const key of Object.keys(base)) {
      const { [key]: _dropped, ...rest } = base;
      const res = await fx.postJson(`${P}/spans`, rest);
      expect(res.status, key).toBe(422);
      expect(res.body.detail[0].loc).toEqual(["body", key]);
    }
    // ?defaults=false is the same as no parameter.
    const { parent_id: _p, ...noParent } = base;
    expect((await fx.postJson(`${P}/spans?defaults=false`, noParent)).status).toBe(422);
    for (const value of [{ a: 1 }, null]) {
      expect((await fx.postJson(`${P}/spans`, { ...base, attributes: { k: value } })).status).toBe(422);
    }
    expect((await fx.postJson(`${P}/spans`, { ...base, sequence_id: -1 })).status).toBe(422);
    expect((await fx.postJson(`${P}/spans?defaults=maybe`, base)).status).toBe(422);
    expect((await stats(fx)).total_spans).toBe(0);
  });

  it("?defaults=true: still needs rollout_id, attempt_id and name, and validates present keys", async () => {
    const fx = await startServer();
    const r = await running(fx);
    const base = { rollout_id: r.rollout_id, attempt_id: r.attempt.attempt_id, name: "n" } as Record<
      string,
      unknown
    >;
    for (const key of Object.keys(base)) {
      const { [key]: _dropped, ...rest } = base;
      const res = await fx.postJson(`${P}/spans?defaults=true`, rest);
      expect(res.status, key).toBe(422);
      expect(res.body.detail[0].loc).toEqual(["body", key]);
    }
    expect((await fx.postJson(`${P}/spans?defaults=true`, { ...base, attributes: { k: null } })).status).toBe(
      422,
    );
    // A span refused for its target uses up no number: the counters read as before.
    const unknownAttempt = await fx.postJson(`${P}/spans?defaults=true`, {
      ...base,
      attempt_id: "at-00000000",
    });
    expect(unknownAttempt.status).toBe(404);
    const unknownRollout = { rollout_id: "ro-000000000000", attempt_id: "at-00000000", name: "n" };
    expect((await fx.postJson(`${P}/spans?defaults=true`, unknownRollout)).status).toBe(404);
    expect((await fx.postJson(`${P}/spans/next`, base)).body).toEqual({ sequence_id: 1 });
    expect((await fx.postJson(`${P}/spans/next`, unknownRollout)).body).toEqual({ sequence_id: 1 });
    expect((await stats(fx)).total_spans).toBe(0);
  });

  it("?defaults=true: a hand-written span needs only rollout_id, attempt_id and name; absent keys get defaults", async () => {
    const fx = await startServer();
    const r = await running(fx);
    const ids = { rollout_id: r.rollout_id, attempt_id: r.attempt.attempt_id };
    // The sequence counter is at 4 after this, so the defaulted span must get 5.
    await fx.post(`${P}/spans`, makeSpan(r.rollout_id, r.attempt.attempt_id, 4));
    const before = Date.now() / 1000;
    const res = await fx.postJson(`${P}/spans?defaults=true`, { ...ids, name: "by hand", custom: { x: 1 } });
    expect(res.status).toBe(201);
    const span = res.body;
    expect(span).toMatchObject({
      ...ids,
      name: "by hand",
      custom: { x: 1 },
      sequence_id: 5,
      parent_id: null,
      status: { status_code: "UNSET", description: null },
      attributes: {},
      events: [],
      links: [],
      context: { trace_id: span.trace_id, span_id: span.span_id, is_remote: false, trace_state: {} },
      parent: null,
      resource: { attributes: {}, schema_url: "" },
    });
    expect(span.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(span.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(span.start_time).toBeGreaterThanOrEqual(before - 1);
    expect(span.end_time).toBe(span.start_time);
    // The next allocation continues after the defaulted number; the attempt got its heartbeat.
    expect((await fx.postJson(`${P}/spans/next`, ids)).body).toEqual({ sequence_id: 6 });
    expect((await fx.getJson(`${P}/rollouts/${r.rollout_id}/attempts/latest`)).body.status).toBe("running");

    // A parent id gives a parent context in the same trace; present keys, nulls included, stay as sent.
    const child = await fx.postJson(`${P}/spans?defaults=true`, {
      ...ids,
      name: "child",
      trace_id: span.trace_id,
      parent_id: span.span_id,
      start_time: null,
      sequence_id: 9,
    });
    expect(child.status).toBe(201);
    expect(child.body).toMatchObject({
      sequence_id: 9,
      trace_id: span.trace_id,
      parent_id: span.span_id,
      parent: { trace_id: span.trace_id, span_id: span.span_id, is_remote: false, trace_state: {} },
      start_time: null,
    });
    expect(child.body.end_time).toEqual(expect.any(Number));

    // A complete span (what the Python client sends) is stored exactly as sent.
    const full = makeSpan(r.rollout_id, r.attempt.attempt_id, 10, {
      status: { status_code: "OK", description: null },
    });
    const stored = await fx.postJson(`${P}/spans?defaults=true`, full);
    expect(stored.body).toEqual(full);
    const page = (await fx.getJson(`${P}/spans?rollout_id=${r.rollout_id}`)).body;
    expect(page.items.map((s: { sequence_id: number }) => s.sequence_id)).toEqual([4, 5, 9, 10]);
  });

  it("80: next sequence ids are per rollout and raised by stored spans", async () => {
    const fx = await startServer();
    const r = await running(fx);
    const second = (await fx.postJson(`${P}/rollouts/${r.rollout_id}/attempts`)).body;
    const next = async (rollout_id: string, attempt_id: string) =>
      (await fx.postJson(`${P}/spans/next`, { rollout_id, attempt_id })).body;
    expect(await next(r.rollout_id, r.attempt.attempt_id)).toEqual({ sequence_id: 1 });
    expect(await next(r.rollout_id, r.attempt.attempt_id)).toEqual({ sequence_id: 2 });
    await fx.post(`${P}/spans`, makeSpan(r.rollout_id, r.attempt.attempt_id, 100));
    expect(await next(r.rollout_id, r.attempt.attempt_id)).toEqual({ sequence_id: 101 });
    expect(await next(r.rollout_id, second.attempt.attempt_id)).toEqual({ sequence_id: 102 });
    expect(await next("unknown", "x")).toEqual({ sequence_id: 1 });
    expect((await fx.postJson(`${P}/spans/next`, { rollout_id: "r" })).status).toBe(422);
  });

  it("81: 20 parallel allocations are exactly 1..20", async () => {
    const fx = await startServer();
    const r = await running(fx);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        fx.postJson(`${P}/spans/next`, { rollout_id: r.rollout_id, attempt_id: r.attempt.attempt_id }),
      ),
    );
    expect(results.map((x) => x.body.sequence_id).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  it("82/83/84: ordering, attempt scoping, unknown rollout, rollout_id required", async () => {
    const fx = await startServer();
    const r = await running(fx);
    for (const n of [3, 1, 2]) await fx.post(`${P}/spans`, makeSpan(r.rollout_id, r.attempt.attempt_id, n));
    expect(
      (await spanPage(fx, `rollout_id=${r.rollout_id}`)).items.map((s: JsonBody) => s.sequence_id),
    ).toEqual([1, 2, 3]);
    expect(
      (await spanPage(fx, `rollout_id=${r.rollout_id}&sort_order=desc`)).items.map(
        (s: JsonBody) => s.sequence_id,
      ),
    ).toEqual([3, 2, 1]);
    const second = (await fx.postJson(`${P}/rollouts/${r.rollout_id}/attempts`)).body;
    await fx.post(`${P}/spans`, makeSpan(r.rollout_id, second.attempt.attempt_id, 9));
    const latest = await spanPage(fx, `rollout_id=${r.rollout_id}&attempt_id=latest`);
    expect(latest.items.map((s: JsonBody) => s.sequence_id)).toEqual([9]);
    expect((await spanPage(fx, `rollout_id=${r.rollout_id}&attempt_id=at-00000000`)).total).toBe(0);
    expect(await spanPage(fx, "rollout_id=ro-000000000000")).toEqual({
      items: [],
      limit: -1,
      offset: 0,
      total: 0,
    });
    const missing = await fx.getJson(`${P}/spans`);
    expect(missing.status).toBe(422);
    expect(missing.body.detail[0]).toMatchObject({ type: "missing", loc: ["query", "rollout_id"] });
    expect((await fx.postJson(`${P}/spans/search`, {})).status).toBe(422);
    const badSort = await fx.getJson(`${P}/spans?rollout_id=${r.rollout_id}&sort_by=bogus`);
    expect(badSort.status).toBe(400);
    expect(badSort.body.detail).toMatch(
      /^Invalid sort_by: bogus, allowed fields are: rollout_id, attempt_id, sequence_id/,
    );
  });

  it("85/86: filter_logic quirks and rollout scoping", async () => {
    const fx = await startServer();
    const r = await running(fx);
    const other = await running(fx);
    await fx.post(`${P}/spans`, makeSpan(r.rollout_id, r.attempt.attempt_id, 1, { name: "api-call" }));
    await fx.post(`${P}/spans`, makeSpan(r.rollout_id, r.attempt.attempt_id, 2));
    await fx.post(`${P}/spans`, makeSpan(r.rollout_id, r.attempt.attempt_id, 3));
    await fx.post(
      `${P}/spans`,
      makeSpan(other.rollout_id, other.attempt.attempt_id, 1, { name: "api-call" }),
    );
    expect((await spanPage(fx, `rollout_id=${r.rollout_id}&filter_logic=or`)).total).toBe(0);
    expect((await spanPage(fx, `rollout_id=${r.rollout_id}&filter_logic=and`)).total).toBe(3);
    const trace2 = "2".padStart(32, "0");
    const either = await spanPage(
      fx,
      `rollout_id=${r.rollout_id}&name_contains=api&trace_id=${trace2}&filter_logic=or`,
    );
    expect(either.items.map((s: JsonBody) => s.sequence_id)).toEqual([1, 2]);
    expect(either.items.every((s: JsonBody) => s.rollout_id === r.rollout_id)).toBe(true);
    const viaPost = await fx.postJson(`${P}/spans/search`, {
      rollout_id: r.rollout_id,
      name_contains: "api",
      trace_id: trace2,
      filter_logic: "or",
    });
    expect(viaPost.body).toEqual(either);
  });

  it("87/88: spans on timeout and unresponsive attempts", async () => {
    const fx = await startServer();
    const t = await running(fx);
    await fx.postJson(`${P}/rollouts/${t.rollout_id}/attempts/latest`, { status: "timeout" });
    const before = (await fx.getJson(`${P}/rollouts/${t.rollout_id}`)).body;
    await fx.post(`${P}/spans`, makeSpan(t.rollout_id, t.attempt.attempt_id, 1));
    const after = (await fx.getJson(`${P}/rollouts/${t.rollout_id}`)).body;
    expect(after.attempt.status).toBe("timeout");
    expect(after.attempt.last_heartbeat_time).not.toBeNull();
    expect(after.status).toBe(before.status);

    await enqueue(fx, { input: 2, config: { max_attempts: 2, retry_condition: ["unresponsive"] } });
    const [u] = await dequeue(fx);
    await fx.postJson(`${P}/rollouts/${u.rollout_id}/attempts/latest`, { status: "unresponsive" });
    expect((await fx.getJson(`${P}/rollouts/${u.rollout_id}`)).body.status).toBe("requeuing");
    await fx.post(`${P}/spans`, makeSpan(u.rollout_id, u.attempt.attempt_id, 1));
    const revived = (await fx.getJson(`${P}/rollouts/${u.rollout_id}`)).body;
    expect(revived.status).toBe("running");
    expect(revived.attempt.status).toBe("running");
    expect(await dequeue(fx)).toEqual([]);
  });
});

describe("wait_for_rollouts (§6 items 91–96)", () => {
  const WAIT = `${P}/waits/rollouts`;

  it("91/92: finished rollouts return at once; timeout 0 never waits", async () => {
    const fx = await startServer();
    const r = await enqueue(fx);
    await fx.postJson(`${P}/rollouts/${r.rollout_id}`, { status: "succeeded" });
    // A timeout no test reaches: the answer comes because the rollout is finished.
    const done = await fx.postJson(WAIT, { rollout_ids: [r.rollout_id], timeout: 3_600 });
    expect(done.body).toHaveLength(1);
    expect(done.body[0]).not.toHaveProperty("attempt");
    const open = await enqueue(fx);
    expect((await fx.postJson(WAIT, { rollout_ids: [open.rollout_id], timeout: 0 })).body).toEqual([]);
  });

  it("93/96: a pending wait returns when the rollout finishes and blocks nothing", async () => {
    const fx = await startServer();
    const r = await startRollout(fx, { input: 1 });
    let settled = false;
    // A timeout no test reaches: only the rollout finishing can end this wait.
    const waiting = fx.postJson(WAIT, { rollout_ids: [r.rollout_id], timeout: 3_600 }).finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await fx.get(`${P}/health`)).status).toBe(200);
    expect((await fx.post(`${P}/queues/rollouts/enqueue`, { rollouts: [{ input: 2 }] })).status).toBe(201);
    // Both answered while the wait was pending.
    expect(settled).toBe(false);
    await fx.postJson(`${P}/rollouts/${r.rollout_id}/attempts/latest`, { status: "failed" });
    const res = await waiting;
    expect(res.body.map((x: JsonBody) => [x.rollout_id, x.status])).toEqual([[r.rollout_id, "failed"]]);
  });

  it("94/95: partial results after the timeout; unknown ids omitted; validation", async () => {
    const fx = await startServer();
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await enqueue(fx, { input: i })).rollout_id);
    const waiting = fx.postJson(WAIT, { rollout_ids: [...ids, "ro-000000000000"], timeout: 0.5 });
    await fx.postJson(`${P}/rollouts/${ids[1]}`, { status: "cancelled" });
    const res = await waiting;
    expect(res.body.map((x: JsonBody) => x.rollout_id)).toEqual([ids[1]]);
    expect((await fx.postJson(WAIT, { rollout_ids: [] })).body).toEqual([]);
    const missing = await fx.postJson(WAIT, { timeout: 1 });
    expect(missing.status).toBe(422);
    expect(missing.body.detail[0].loc).toEqual(["body", "rollout_ids"]);
  });
});

describe("watchdog over HTTP (§6 items 109, 110, 113, 114)", () => {
  it("verdicts are applied by the first triggering request past the deadline", async () => {
    const fx = await startServer({ fakeClock: true });
    const clock = fx.clock!;
    const r = await enqueue(fx, {
      input: 1,
      config: { timeout_seconds: 1, max_attempts: 2, retry_condition: ["timeout"] },
    });
    const queuedOnly = await enqueue(fx, { input: 2, config: { timeout_seconds: 0.001 } });
    const [claimed] = await dequeue(fx, { worker_id: "w1" });
    expect(claimed.rollout_id).toBe(r.rollout_id);
    await fx.post(`${P}/spans`, makeSpan(r.rollout_id, claimed.attempt.attempt_id, 1));
    clock.advance(1.3);
    const latest = (await fx.getJson(`${P}/rollouts/${r.rollout_id}/attempts/latest`)).body;
    expect(latest).toMatchObject({ status: "timeout", end_time: null });
    expect((await fx.getJson(`${P}/rollouts/${r.rollout_id}`)).body.status).toBe("requeuing");
    expect((await fx.getJson(`${P}/workers/w1`)).body).toMatchObject({
      status: "unknown",
      current_rollout_id: null,
      current_attempt_id: null,
    });
    // 114: a queued rollout is never timed out, however small its timeout.
    expect((await fx.getJson(`${P}/rollouts/${queuedOnly.rollout_id}`)).body.status).toBe("queuing");
    const claims = await dequeue(fx, { limit: 2 });
    expect(claims.map((x) => x.rollout_id)).toEqual([queuedOnly.rollout_id, r.rollout_id]);
    expect(claims[1].attempt.sequence_id).toBe(2);
    clock.advance(1.3);
    const failed = (await fx.getJson(`${P}/rollouts/${r.rollout_id}`)).body;
    expect(failed.status).toBe("failed");
    expect(failed.end_time).not.toBeNull();
    expect(await dequeue(fx)).toEqual([]);
  });
});
