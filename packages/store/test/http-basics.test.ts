import { describe, expect, it } from "vitest";
import { makeSpan } from "../src/testing/make-span.js";
import { enqueue, type JsonBody, json, P, startRollout, startServer, stats } from "./http-fixture.js";

describe("HTTP basics (§6 items 1–5)", () => {
  it("1: GET P/health answers ok", async () => {
    const fx = await startServer();
    const res = await fx.get(`${P}/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await json(res)).toEqual({ status: "ok" });
  });

  it("2: an unknown route is 404 Not Found", async () => {
    const fx = await startServer();
    for (const path of [`${P}/does-not-exist`, "/nope", "/v1/agl/rollouts/a/b/c/d"]) {
      const res = await fx.get(path);
      expect(res.status, path).toBe(404);
      expect(await json(res)).toEqual({ detail: "Not Found" });
    }
  });

  it("3: a known path with another method is 405 with Allow", async () => {
    const fx = await startServer();
    const res = await fx.get(`${P}/queues/rollouts/enqueue`);
    expect(res.status).toBe(405);
    expect(await json(res)).toEqual({ detail: "Method Not Allowed" });
    expect(res.headers.get("allow")).toBe("POST");

    const put = await fx.fetch(`${P}/rollouts/ro-1`, { method: "PUT" });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")?.split(", ").sort()).toEqual(["GET", "HEAD", "POST"]);

    const health = await fx.post(`${P}/health`, {});
    expect(health.status).toBe(405);
    expect(health.headers.get("allow")).toBe("GET, HEAD");
  });

  it("4: statistics of a fresh server are all zero", async () => {
    const fx = await startServer();
    const s = await stats(fx);
    for (const key of [
      "total_rollouts",
      "total_attempts",
      "total_spans",
      "total_resources",
      "total_workers",
    ]) {
      expect(s[key], key).toBe(0);
    }
    expect(s.uptime).toBeGreaterThanOrEqual(0);
    expect(typeof s.name).toBe("string");
  });

  it("5: one of each makes every total 1 and uptime grows", async () => {
    const fx = await startServer();
    const before = await stats(fx);
    const r = await startRollout(fx, { input: 1 });
    expect((await fx.post(`${P}/spans`, makeSpan(r.rollout_id, r.attempt.attempt_id, 1))).status).toBe(201);
    expect((await fx.post(`${P}/resources`, {})).status).toBe(201);
    expect((await fx.post(`${P}/workers/w`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const s = await stats(fx);
    for (const key of [
      "total_rollouts",
      "total_attempts",
      "total_spans",
      "total_resources",
      "total_workers",
    ]) {
      expect(s[key], key).toBe(1);
    }
    expect(s.uptime).toBeGreaterThan(before.uptime as number);
  });
});

describe("HTTP general rules (§4.1, §4.2, §5.1)", () => {
  it("serves every route under the /agl/v1 alias too", async () => {
    const fx = await startServer();
    expect(await (await fx.get("/agl/v1/health")).json()).toEqual({ status: "ok" });
    const r = await enqueue(fx, { input: "alias" });
    const viaAlias = await fx.getJson(`/agl/v1/rollouts/${r.rollout_id}`);
    expect(viaAlias.status).toBe(200);
    expect(viaAlias.body.input).toBe("alias");
    const claimed = await fx.postJson("/agl/v1/queues/rollouts/dequeue", {});
    expect(claimed.body[0].rollout_id).toBe(r.rollout_id);
    expect((await fx.get("/agl/v1/nope")).status).toBe(404);
  });

  it("parses a body sent without Content-Type as JSON", async () => {
    const fx = await startServer();
    const res = await fx.fetch(`${P}/queues/rollouts/enqueue`, {
      method: "POST",
      body: new TextEncoder().encode(JSON.stringify({ rollouts: [{ input: 7 }] })),
    });
    expect(res.status).toBe(201);
    expect((await json(res))[0].input).toBe(7);
  });

  it("rejects a body of another content type with 422 and stores nothing", async () => {
    const fx = await startServer();
    const res = await fx.fetch(`${P}/queues/rollouts/enqueue`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ rollouts: [{ input: 7 }] }),
    });
    expect(res.status).toBe(422);
    const body = await json(res);
    expect(body.detail[0].loc[0]).toBe("body");
    expect((await stats(fx)).total_rollouts).toBe(0);
  });

  it("answers malformed JSON with 422 json_invalid at the character offset", async () => {
    const fx = await startServer();
    const res = await fx.fetch(`${P}/rollouts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"input": }',
    });
    expect(res.status).toBe(422);
    const [item] = (await json(res)).detail;
    expect(item.type).toBe("json_invalid");
    expect(item.loc[0]).toBe("body");
    expect(typeof item.loc[1]).toBe("number");
    expect(item.msg).toBe("JSON decode error");
  });

  it("a missing required body is 422 at loc ['body']", async () => {
    const fx = await startServer();
    const res = await fx.post(`${P}/queues/rollouts/enqueue`);
    expect(res.status).toBe(422);
    expect((await json(res)).detail[0]).toMatchObject({ type: "missing", loc: ["body"] });
  });

  it("treats a JSON null body like an absent one", async () => {
    const fx = await startServer();
    expect((await fx.post(`${P}/queues/rollouts/dequeue`, null)).status).toBe(200);
    expect((await fx.post(`${P}/rollouts`, null)).status).toBe(422);
  });

  it("answers null results as the JSON text null with application/json", async () => {
    const fx = await startServer();
    for (const path of [`${P}/rollouts/ro-000000000000`, `${P}/resources/latest`, `${P}/workers/unknown`]) {
      const res = await fx.get(path);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect(await res.text()).toBe("null");
    }
  });

  it("answers 501 with an empty body for the other OTLP signals", async () => {
    const fx = await startServer();
    for (const path of ["/v1/metrics", "/v1/logs", "/v1/development/profiles"]) {
      const res = await fx.fetch(path, { method: "POST", body: "x" });
      expect(res.status, path).toBe(501);
      expect(await res.text()).toBe("");
    }
  });

  it("does not treat a trailing slash as the route (E3)", async () => {
    const fx = await startServer();
    expect((await fx.get(`${P}/health/`)).status).toBe(404);
  });
});

describe("route precedence (§4.5)", () => {
  it("search/latest/next win over the id routes; GET rollouts/search is the id route", async () => {
    const fx = await startServer();
    const r = await startRollout(fx, { input: 1 });
    const search = await fx.postJson(`${P}/rollouts/search`, {});
    expect(search.status).toBe(200);
    expect(search.body.total).toBe(1);
    const getSearch = await fx.get(`${P}/rollouts/search`);
    expect(await getSearch.text()).toBe("null");

    const attempts = await fx.postJson(`${P}/rollouts/${r.rollout_id}/attempts/search`, {});
    expect(attempts.body.total).toBe(1);
    const latest = await fx.getJson(`${P}/rollouts/${r.rollout_id}/attempts/latest`);
    expect(latest.body.attempt_id).toBe(r.attempt.attempt_id);

    await fx.post(`${P}/workers/w1`);
    const workers = await fx.postJson(`${P}/workers/search`, {});
    expect(workers.body.items.map((w: JsonBody) => w.worker_id)).toEqual(["w1"]);
    expect((await fx.getJson(`${P}/workers`)).body.total).toBe(1);

    const res = await fx.postJson(`${P}/resources/rs-x`, {});
    expect(res.status).toBe(200);
    expect((await fx.getJson(`${P}/resources/latest`)).body.resources_id).toBe("rs-x");

    const next = await fx.postJson(`${P}/spans/next`, {
      rollout_id: r.rollout_id,
      attempt_id: r.attempt.attempt_id,
    });
    expect(next.body).toEqual({ sequence_id: 1 });
    const spans = await fx.postJson(`${P}/spans/search`, { rollout_id: r.rollout_id });
    expect(spans.body).toEqual({ items: [], limit: -1, offset: 0, total: 0 });
  });

  it("URL-decodes path ids", async () => {
    const fx = await startServer();
    const res = await fx.postJson(`${P}/workers/${encodeURIComponent("worker one:é")}`);
    expect(res.body.worker_id).toBe("worker one:é");
  });
});

describe("authentication", () => {
  it("serves the API reference and the OpenAPI document without the key, and points / at them", async () => {
    const fx = await startServer({ apiKey: "s3cret" });
    for (const prefix of [P, "/agl/v1"]) {
      const doc = await fx.get(`${prefix}/openapi.json`);
      expect(doc.status).toBe(200);
      const body = await json(doc);
      expect(body.security).toEqual([{ bearerAuth: [] }]);
      expect(body.paths[`${P}/docs`].get.security).toEqual([]);
      const page = await fx.get(`${prefix}/docs`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain("Authorization: Bearer");
      expect(html).toContain("/queues/rollouts/dequeue");
    }
    const root = await fx.fetch("/", { redirect: "manual" });
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe(`${P}/docs`);
    // The reference is public; the data is not.
    expect((await fx.get(`${P}/statistics`)).status).toBe(401);
    expect((await fx.post(`${P}/docs`, {})).status).toBe(401);
  });

  it("requires the bearer key everywhere except health", async () => {
    const fx = await startServer({ apiKey: "s3cret" });
    expect((await fx.get(`${P}/health`)).status).toBe(200);
    expect((await fx.get("/agl/v1/health")).status).toBe(200);
    for (const [method, path] of [
      ["GET", `${P}/statistics`],
      ["GET", "/agl/v1/statistics"],
      ["POST", `${P}/queues/rollouts/dequeue`],
      ["POST", "/v1/traces"],
      ["GET", "/v1/prometheus/"],
    ] as const) {
      const res = await fx.fetch(path, { method });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(typeof (await json(res)).detail).toBe("string");
    }
    const wrong = await fx.get(`${P}/statistics`, { authorization: "Bearer nope" });
    expect(wrong.status).toBe(401);
    const ok = await fx.get(`${P}/statistics`, { authorization: "Bearer s3cret" });
    expect(ok.status).toBe(200);
    const enq = await fx.post(
      `${P}/queues/rollouts/enqueue`,
      { rollouts: [{ input: 1 }] },
      { authorization: "Bearer s3cret" },
    );
    expect(enq.status).toBe(201);
  });
});

describe("body limit", () => {
  it("answers 413 JSON over the limit and stores nothing", async () => {
    const fx = await startServer({ bodyLimitBytes: 1024 });
    const big = { rollouts: [{ input: "x".repeat(2000) }] };
    const res = await fx.post(`${P}/queues/rollouts/enqueue`, big);
    expect(res.status).toBe(413);
    expect(typeof (await json(res)).detail).toBe("string");
    expect((await stats(fx)).total_rollouts).toBe(0);
    // A streamed body without Content-Length is counted too.
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(JSON.stringify(big)));
        controller.close();
      },
    });
    const chunked = await fx.fetch(`${P}/queues/rollouts/enqueue`, {
      method: "POST",
      body: stream,
      headers: { "content-type": "application/json" },
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect((await fx.post(`${P}/queues/rollouts/enqueue`, { rollouts: [{ input: 1 }] })).status).toBe(201);
  });
});

describe("CORS (§4.8)", () => {
  it("echoes a listed origin, ignores others, answers preflight", async () => {
    const fx = await startServer({ corsOrigins: ["http://ui.example"] });
    const listed = await fx.get(`${P}/health`, { origin: "http://ui.example" });
    expect(listed.headers.get("access-control-allow-origin")).toBe("http://ui.example");
    expect(listed.headers.get("access-control-allow-credentials")).toBe("true");
    const other = await fx.get(`${P}/health`, { origin: "http://evil.example" });
    expect(other.status).toBe(200);
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await fx.fetch(`${P}/rollouts`, {
      method: "OPTIONS",
      headers: { origin: "http://ui.example", "access-control-request-method": "GET" },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get("access-control-allow-methods")).toContain("GET");
  });

  it("sends no CORS headers when not configured", async () => {
    const fx = await startServer();
    const res = await fx.get(`${P}/health`, { origin: "http://ui.example" });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });
});
