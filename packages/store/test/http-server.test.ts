import { describe, expect, it } from "vitest";
import { createStoreApp, STORE_API_PREFIX } from "../src/http/app.js";
import { LightningStoreServer } from "../src/http/server.js";
import { InMemoryLightningStore } from "../src/memory/memory-store.js";
import { enqueue, type JsonBody, json, P, startRollout, startServer } from "./http-fixture.js";

describe("OpenAPI document and reference page", () => {
  it("lists every registered route with parameters, bodies and responses", async () => {
    const fx = await startServer();
    const res = await fx.getJson(`${P}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe("3.1.0");
    // Every route the app serves under the main prefix (and the OTLP paths) is documented.
    const app = createStoreApp({ store: fx.store });
    const served = new Set(
      app.routes
        .filter((r) => r.method !== "ALL" && !r.path.startsWith("/agl/v1"))
        .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}")}`),
    );
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, item]) =>
        Object.keys(item as object).map((m) => `${m} ${path}`),
      ),
    );
    // `/v1/prometheus` without the slash is a convenience alias, not part of the API.
    served.delete("get /v1/prometheus");
    expect([...served].filter((r) => !documented.has(r))).toEqual([]);
    expect(documented.size).toBe(served.size);
    expect(served.size).toBeGreaterThanOrEqual(34);

    const enqueueOp = doc.paths[`${STORE_API_PREFIX}/queues/rollouts/enqueue`].post;
    expect(enqueueOp.requestBody.required).toBe(true);
    const bodyRef = enqueueOp.requestBody.content["application/json"].schema.$ref as string;
    const bodySchema = doc.components.schemas[bodyRef.split("/").pop() as string];
    expect(bodySchema.required).toEqual(["rollouts"]);
    expect(enqueueOp.responses["201"]).toBeDefined();
    expect(enqueueOp.responses["422"]).toBeDefined();

    const getRollout = doc.paths[`${STORE_API_PREFIX}/rollouts/{rollout_id}`].get;
    expect(getRollout.parameters).toEqual([
      { name: "rollout_id", in: "path", required: true, schema: { type: "string" } },
    ]);
    const query = doc.paths[`${STORE_API_PREFIX}/rollouts`].get.parameters;
    const statusIn = query.find((p: JsonBody) => p.name === "status_in");
    expect(statusIn).toMatchObject({ in: "query", explode: true, required: false });
    const spanQuery = doc.paths[`${STORE_API_PREFIX}/spans`].get.parameters;
    expect(spanQuery.find((p: JsonBody) => p.name === "rollout_id").required).toBe(true);
    expect(doc.components.schemas.Rollout.required).toContain("rollout_id");
    expect(doc.paths["/v1/traces"].post.requestBody.content["application/x-protobuf"]).toBeDefined();
    // The alias serves the same document.
    expect((await fx.getJson("/agl/v1/openapi.json")).body).toEqual(doc);
  });

  it("documents bearer auth when an API key is set", async () => {
    const fx = await startServer({ apiKey: "k" });
    const res = await fx.fetch(`${P}/openapi.json`, { headers: { authorization: "Bearer k" } });
    const doc = await json(res);
    expect(doc.components.securitySchemes.bearerAuth).toEqual({ type: "http", scheme: "bearer" });
    expect(doc.paths[`${P}/health`].get.security).toEqual([]);
  });

  it("serves a self-contained HTML reference listing every endpoint", async () => {
    const fx = await startServer();
    const res = await fx.get(`${P}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    const doc = (await fx.getJson(`${P}/openapi.json`)).body;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of Object.keys(item as object)) {
        expect(html).toContain(`${method.toUpperCase()} ${path.replaceAll("&", "&amp;")}`);
      }
    }
    expect(html).toContain('id="schema-Rollout"');
    expect(html).toContain("status_in");
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
  });
});

describe("Prometheus metrics", () => {
  it("counts requests by route template and reports store gauges", async () => {
    const fx = await startServer();
    const r = await enqueue(fx);
    await enqueue(fx);
    await fx.get(`${P}/rollouts/${r.rollout_id}`);
    await fx.get(`${P}/rollouts/ro-000000000000`);
    await fx.get(`${P}/nope`);
    await startRollout(fx);
    const res = await fx.get("/v1/prometheus/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain("# TYPE agl_http_total counter");
    expect(text).toContain(
      'agl_http_total{path="/v1/agl/queues/rollouts/enqueue",method="POST",status="201"} 2',
    );
    expect(text).toContain(
      'agl_http_total{path="/v1/agl/rollouts/{rollout_id}",method="GET",status="200"} 2',
    );
    expect(text).toContain('agl_http_total{path="unmatched",method="GET",status="404"} 1');
    expect(text).toContain("# TYPE agl_http_latency histogram");
    expect(text).toMatch(
      /agl_http_latency_bucket\{path="\/v1\/agl\/rollouts\/\{rollout_id\}",method="GET",status="200",le="\+Inf"\} 2/,
    );
    expect(text).toContain("agl_queue_depth 2");
    expect(text).toContain('agl_store_rollouts{status="queuing"} 2');
    expect(text).toContain('agl_store_rollouts{status="preparing"} 1');
    const again = await (await fx.get("/metrics")).text();
    expect(again).toContain('agl_http_total{path="/v1/prometheus/",method="GET",status="200"} 1');
  });

  it("can be turned off", async () => {
    const fx = await startServer({ metrics: false });
    expect((await fx.get("/v1/prometheus/")).status).toBe(404);
    expect((await fx.get("/metrics")).status).toBe(404);
  });
});

describe("LightningStoreServer lifecycle", () => {
  it("listens on an ephemeral port and rejects a taken one", async () => {
    const store = new InMemoryLightningStore();
    const first = new LightningStoreServer({ store, port: 0 });
    await first.start();
    expect(first.port).toBeGreaterThan(0);
    expect(first.url).toBe(`http://127.0.0.1:${first.port}`);
    const second = new LightningStoreServer({ store, port: first.port });
    await expect(second.start()).rejects.toMatchObject({ code: "EADDRINUSE" });
    expect(second.listening).toBe(false);
    await first.stop();
    expect(first.listening).toBe(false);
    await first.stop();
    await store.close();
  });

  it("stop ends pending waits early, lets in-flight requests finish, then refuses connections", async () => {
    const store = new InMemoryLightningStore();
    const server = new LightningStoreServer({ store, port: 0 });
    await server.start();
    const url = server.url;
    const post = (path: string, body: unknown) =>
      fetch(`${url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const started = await await json(await post(`${P}/rollouts`, { input: 1 }));
    const finished = await await json(await post(`${P}/rollouts`, { input: 2 }));
    await post(`${P}/rollouts/${finished.rollout_id}`, { status: "succeeded" });
    const waiting = post(`${P}/waits/rollouts`, {
      rollout_ids: [started.rollout_id, finished.rollout_id],
      timeout: null,
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    // A grace period no test reaches: stop() can only return because it ended the wait itself.
    await server.stop({ graceMs: 3_600_000 });
    const res = await waiting;
    expect(res.status).toBe(200);
    expect((await json(res)).map((r: JsonBody) => r.rollout_id)).toEqual([finished.rollout_id]);
    await expect(fetch(`${url}${P}/health`)).rejects.toThrow();
    // The store stays usable: the server never closes it.
    expect((await store.getRolloutById(started.rollout_id))?.status).toBe("preparing");
    await store.close();
  });
});
