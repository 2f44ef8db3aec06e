// `POST /v1/agl/spans/batch` (docs/store-contract.md E13) and the client's use of it: one request
// per batch, all or nothing, sequence ids allocated by the store, and the fallback to one request
// per span against a server without the route (a Python v0.3.0 server answers 404 there).

import type { Span } from "@agentlightning/types";
import { createAdaptorServer } from "@hono/node-server";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { LightningStoreClient } from "../src/client/store-client.js";
import { addSpansAllocating } from "../src/core/span-allocation.js";
import { createStoreApp } from "../src/http/app.js";
import { InMemoryLightningStore } from "../src/memory/memory-store.js";
import { makeSpan } from "../src/testing/make-span.js";
import { P, startRollout, startServer, stats } from "./http-fixture.js";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

/** A client that counts its requests by method and path. */
function countingClient(url: string): { client: LightningStoreClient; requests: string[] } {
  const requests: string[] = [];
  const client = new LightningStoreClient({
    url,
    retryDelays: [],
    healthRetryDelays: [],
    fetch: (input, init) => {
      requests.push(`${init?.method ?? "GET"} ${new URL(String(input)).pathname}`);
      return fetch(input, init);
    },
  });
  closers.push(() => client.close());
  return { client, requests };
}

let nextId = 1000;
/** A span with a fresh span id (`makeSpan` derives it from the number). */
function fresh(rolloutId: string, attemptId: string): Span {
  return makeSpan(rolloutId, attemptId, 0, { span_id: (nextId++).toString(16).padStart(16, "0") });
}

/** Spans without a sequence id, as a hand-written batch sends them. */
function bare(span: Span): Omit<Span, "sequence_id"> {
  const { sequence_id: _dropped, ...rest } = span;
  return rest;
}

describe("POST /spans/batch", () => {
  it("stores the batch in one request, numbering the spans without sequence_id per rollout in list order (explicit ids lift the counter afterwards)", async () => {
    const fx = await startServer();
    const a = await startRollout(fx, { input: 1 });
    const b = await startRollout(fx, { input: 2 });
    const body = [
      bare(fresh(a.rollout_id, a.attempt.attempt_id)),
      bare(fresh(b.rollout_id, b.attempt.attempt_id)),
      makeSpan(a.rollout_id, a.attempt.attempt_id, 40),
      bare(fresh(a.rollout_id, a.attempt.attempt_id)),
      { rollout_id: b.rollout_id, attempt_id: b.attempt.attempt_id, name: "hand-written" },
    ];
    const res = await fx.postJson(`${P}/spans/batch`, body);
    expect(res.status).toBe(201);
    expect(res.body.map((s: Span) => [s.rollout_id === a.rollout_id ? "a" : "b", s.sequence_id])).toEqual([
      ["a", 1],
      ["a", 40],
      ["a", 2],
      ["b", 1],
      ["b", 2],
    ]);
    const handWritten = res.body[4];
    expect(handWritten).toMatchObject({
      name: "hand-written",
      parent_id: null,
      status: { status_code: "UNSET" },
    });
    expect(handWritten.context.span_id).toBe(handWritten.span_id);
    expect((await stats(fx)).total_spans).toBe(5);
    const next = await fx.postJson(`${P}/spans/next`, {
      rollout_id: a.rollout_id,
      attempt_id: a.attempt.attempt_id,
    });
    expect(next.body.sequence_id).toBe(41);
  });

  it("is all or nothing: an invalid element is a 422 naming it, an unknown attempt a 404; nothing stored, no number used", async () => {
    const fx = await startServer();
    const a = await startRollout(fx, { input: 1 });
    const good = bare(fresh(a.rollout_id, a.attempt.attempt_id));
    const invalid = await fx.postJson(`${P}/spans/batch`, [good, { ...good, span_id: "x", name: 5 }]);
    expect(invalid.status).toBe(422);
    expect(JSON.stringify(invalid.body.detail)).toContain('["body",1,"name"]');
    const unknown = await fx.postJson(`${P}/spans/batch`, [
      good,
      bare(makeSpan(a.rollout_id, "at-00000000", 0)),
    ]);
    expect(unknown.status).toBe(404);
    expect(JSON.stringify(unknown.body)).toContain("at-00000000");
    expect((await stats(fx)).total_spans).toBe(0);
    const next = await fx.postJson(`${P}/spans/next`, {
      rollout_id: a.rollout_id,
      attempt_id: a.attempt.attempt_id,
    });
    expect(next.body.sequence_id).toBe(1);
    expect((await fx.postJson(`${P}/spans/batch`, { not: "an array" })).status).toBe(422);
    expect((await fx.postJson(`${P}/spans/batch`, [])).body).toEqual([]);
  });

  it("skips spans already stored (a retried batch stores nothing twice)", async () => {
    const fx = await startServer();
    const a = await startRollout(fx, { input: 1 });
    const batch = [1, 2].map(() => bare(fresh(a.rollout_id, a.attempt.attempt_id)));
    expect((await fx.postJson(`${P}/spans/batch`, batch)).body).toHaveLength(2);
    expect((await fx.postJson(`${P}/spans/batch`, batch)).body).toEqual([]);
    expect((await stats(fx)).total_spans).toBe(2);
  });
});

describe("LightningStoreClient against our server", () => {
  it("addManySpans is one request per batch; addSpansAllocating lets the server number the spans", async () => {
    const fx = await startServer();
    const { client, requests } = countingClient(fx.url);
    const a = await client.startRollout({ input: 1 });
    requests.length = 0;
    const explicit = Array.from({ length: 20 }, (_, i) =>
      makeSpan(a.rollout_id, a.attempt.attempt_id, i + 1),
    );
    expect(await client.addManySpans(explicit)).toHaveLength(20);
    expect(requests).toEqual([`POST ${P}/spans/batch`]);

    requests.length = 0;
    const numbered = await addSpansAllocating(
      client,
      Array.from({ length: 20 }, () => fresh(a.rollout_id, a.attempt.attempt_id)),
    );
    expect(numbered.map((s) => s.sequence_id)).toEqual(Array.from({ length: 20 }, (_, i) => i + 21));
    expect(requests).toEqual([`POST ${P}/spans/batch`]);
  });

  it("chunks a batch larger than spanBatchSize and returns the spans grouped by attempt", async () => {
    const fx = await startServer();
    const client = new LightningStoreClient({ url: fx.url, spanBatchSize: 3 });
    closers.push(() => client.close());
    const a = await client.startRollout({ input: 1 });
    const b = await client.startRollout({ input: 2 });
    const spans = Array.from({ length: 8 }, (_, i) => {
      const r = i % 2 ? b : a;
      return makeSpan(r.rollout_id, r.attempt.attempt_id, i + 1);
    });
    const stored = await client.addManySpans(spans);
    expect(stored.map((s) => [s.rollout_id === a.rollout_id ? "a" : "b", s.sequence_id])).toEqual([
      ["a", 1],
      ["a", 3],
      ["a", 5],
      ["a", 7],
      ["b", 2],
      ["b", 4],
      ["b", 6],
      ["b", 8],
    ]);
    expect(() => new LightningStoreClient({ url: fx.url, spanBatchSize: 20_000 })).toThrow(/spanBatchSize/);
  });
});

describe("LightningStoreClient against a server without the batch route", () => {
  /** Our app behind a front that answers 404 for the batch route, as the Python v0.3.0 server does. */
  async function serverWithoutBatchRoute(): Promise<{
    url: string;
    store: InMemoryLightningStore;
    hits: string[];
  }> {
    const store = new InMemoryLightningStore();
    const inner = createStoreApp({ store });
    const hits: string[] = [];
    const front = new Hono();
    front.all("*", (c) => {
      hits.push(`${c.req.method} ${c.req.path}`);
      if (c.req.path === `${P}/spans/batch`) return c.json({ detail: "Not Found" }, 404);
      return inner.fetch(c.req.raw);
    });
    const server = createAdaptorServer({ fetch: front.fetch });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address() as { port: number };
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
        }),
    );
    return { url: `http://127.0.0.1:${address.port}`, store, hits };
  }

  it("falls back to one request per span after the first 404 and remembers it", async () => {
    const { url, store, hits } = await serverWithoutBatchRoute();
    const { client } = countingClient(url);
    const a = await client.startRollout({ input: 1 });
    hits.length = 0;
    const first = [1, 2, 3].map((n) => makeSpan(a.rollout_id, a.attempt.attempt_id, n));
    expect((await client.addManySpans(first)).map((s) => s.sequence_id)).toEqual([1, 2, 3]);
    expect(hits).toEqual([`POST ${P}/spans/batch`, ...Array(3).fill(`POST ${P}/spans`)]);

    hits.length = 0;
    const numbered = await addSpansAllocating(client, [fresh(a.rollout_id, a.attempt.attempt_id)]);
    expect(numbered.map((s) => s.sequence_id)).toEqual([4]);
    expect(hits.filter((h) => h.endsWith("/spans/batch"))).toEqual([]);
    expect(hits).toContain(`POST ${P}/spans/next`);
    expect((await store.querySpans({ rolloutId: a.rollout_id })).total).toBe(4);
  });

  it("a store-level 404 (unknown attempt) on our server is an error, not a missing route", async () => {
    const fx = await startServer();
    const { client, requests } = countingClient(fx.url);
    const a = await client.startRollout({ input: 1 });
    await expect(client.addManySpans([makeSpan(a.rollout_id, "at-00000000", 1)])).rejects.toMatchObject({
      code: "not_found",
    });
    requests.length = 0;
    await client.addManySpans([makeSpan(a.rollout_id, a.attempt.attempt_id, 1)]);
    expect(requests).toEqual([`POST ${P}/spans/batch`]);
  });
});
