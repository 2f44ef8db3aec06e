import { gzipSync } from "node:zlib";
import { type AglError, MAX_JSON_DEPTH, MAX_VALIDATION_DETAILS } from "@agentlightning/types";
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LightningStoreClient } from "../src/client/store-client.js";
import { MAX_EXPLICIT_SEQUENCE_ID } from "../src/core/sequence-ids.js";
import { STORE_API_PREFIX, STORE_API_ROUTES } from "../src/http/app.js";
import { otlpTypes } from "../src/http/otlp/proto.js";
import { LightningStoreServer } from "../src/http/server.js";
import { InMemoryLightningStore } from "../src/memory/memory-store.js";
import { createPgliteDriver } from "../src/postgres/driver.js";
import { PostgresLightningStore } from "../src/postgres/postgres-store.js";
import type { LightningStore } from "../src/store.js";
import { expectRejection } from "../src/testing/harness.js";
import { makeSpan } from "../src/testing/make-span.js";
import { testDatabaseUrl } from "./support/postgres-fixtures.js";

// Bad input of every kind the fuzzing of issue 8 found (items 1-6), sent to a live
// LightningStoreServer on a loopback port over each backend: every request must get a 4xx that
// names the problem, and the store must be exactly as before (listings equal, the queued rollout
// still dequeued, no span sequence number consumed). The same documents are then tried in-process
// on each store, which must accept and reject exactly what the HTTP API does.

const P = STORE_API_PREFIX;

// biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
type Json = any;

/** The JSON body of a response, untyped. */
async function jsonOf(res: Response): Promise<Json> {
  return res.json();
}

/** A value of exactly `levels` levels of arrays/objects (alternating), around `leaf`. */
function nested(levels: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = i % 2 === 0 ? [value] : { k: value };
  return value;
}

/** JSON text of `levels` nested arrays: too deep for JSON.stringify to write. */
function deepArrayText(levels: number): string {
  return `${"[".repeat(levels)}${"]".repeat(levels)}`;
}

/** JSON text of `levels` nested objects. */
function deepObjectText(levels: number): string {
  return `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
}

interface Backend {
  store: LightningStore;
  /** Runs SQL in the store's schema (Postgres backends only). */
  exec?: (statement: string) => Promise<void>;
  close(): Promise<void>;
}

let schemaCounter = 0;
function freshSchema(): string {
  schemaCounter += 1;
  return `fuzz_${process.pid}_${Date.now().toString(36)}_${schemaCounter}`;
}

const backends: { name: string; open: () => Promise<Backend> }[] = [
  {
    name: "memory",
    open: async () => {
      const store = new InMemoryLightningStore();
      return { store, close: () => store.close() };
    },
  },
  {
    name: "PGlite",
    open: async () => {
      const pglite = await PGlite.create();
      const schema = freshSchema();
      const driver = await createPgliteDriver({ pglite, schema });
      const store = await PostgresLightningStore.fromDriver(driver, { ownsDriver: true });
      return {
        store,
        exec: async (statement) => {
          await pglite.exec(`SET search_path TO "${schema}"; ${statement}`);
        },
        close: async () => {
          await store.close();
          await pglite.close();
        },
      };
    },
  },
];
if (testDatabaseUrl !== undefined) {
  const url = testDatabaseUrl;
  backends.push({
    name: "PostgreSQL server",
    open: async () => {
      const schema = freshSchema();
      const store = await PostgresLightningStore.connect({ url, schema, max: 4 });
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      return {
        store,
        exec: async (statement) => {
          await sql.begin(async (tx) => {
            await tx.unsafe(`SET LOCAL search_path TO "${schema}"`);
            await tx.unsafe(statement);
          });
        },
        close: async () => {
          await store.close();
          await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          await sql.end({ timeout: 5 });
        },
      };
    },
  });
}

/** One bad request: what to send and a word its error must contain (the field or the problem). */
interface BadRequest {
  name: string;
  send(): Promise<Response>;
  /** Expected status; default: any 400. */
  status?: number;
  /** Text the error message must contain. */
  names: RegExp;
}

function encodeOtlp(rolloutId: string, attemptId: string, spanName: Uint8Array | string): Uint8Array {
  const type = otlpTypes.ExportTraceServiceRequest;
  const str = (stringValue: string) => ({ stringValue });
  const message = type.fromObject({
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: "agentlightning.rollout_id", value: str(rolloutId) },
            { key: "agentlightning.attempt_id", value: str(attemptId) },
          ],
        },
        scopeSpans: [
          {
            spans: [
              {
                name: typeof spanName === "string" ? spanName : "PLACEHOLDER",
                traceId: Buffer.from("0af7651916cd43dd8448eb211c80319c", "hex"),
                spanId: Buffer.from("b7ad6b7169203331", "hex"),
                startTimeUnixNano: "1700000000500000000",
                endTimeUnixNano: "1700000001000000000",
              },
            ],
          },
        ],
      },
    ],
  });
  const bytes = type.encode(message).finish();
  if (typeof spanName === "string") return bytes;
  // Swap the placeholder's bytes for raw ones (same length), e.g. UTF-8 of a lone surrogate.
  const placeholder = Buffer.from("PLACEHOLDER");
  const at = Buffer.from(bytes).indexOf(placeholder);
  const out = new Uint8Array(bytes);
  out.set(spanName, at);
  return out;
}

async function rpcStatusMessage(res: Response): Promise<string> {
  const bytes = new Uint8Array(await res.arrayBuffer());
  return (
    (otlpTypes.RpcStatus.toObject(otlpTypes.RpcStatus.decode(bytes)) as { message?: string }).message ?? ""
  );
}

for (const backend of backends) {
  describe(`bad input over HTTP changes nothing (${backend.name})`, () => {
    let opened: Backend;
    let server: LightningStoreServer;
    let base: string;
    let queued: Json;
    let running: Json;
    let resourcesId: string;
    let before: Json;

    const call = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, init);
    const postText = (path: string, text: string | Uint8Array, headers: Record<string, string> = {}) =>
      call(path, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: text as string,
      });
    const post = (path: string, body: unknown) => postText(path, JSON.stringify(body));
    const getJson = async (path: string): Promise<Json> => {
      const res = await call(path);
      expect(res.status, `GET ${path}`).toBe(200);
      return res.json();
    };

    /** Everything a client can read back, in a stable form. */
    async function snapshot(): Promise<Json> {
      const rollouts = await getJson(`${P}/rollouts?sort_by=rollout_id`);
      const perRollout: Json = {};
      for (const rollout of rollouts.items) {
        const id = encodeURIComponent(rollout.rollout_id);
        perRollout[rollout.rollout_id] = {
          attempts: await getJson(`${P}/rollouts/${id}/attempts`),
          spans: await getJson(`${P}/spans?rollout_id=${id}`),
        };
      }
      return {
        rollouts,
        perRollout,
        resources: await getJson(`${P}/resources`),
        workers: await getJson(`${P}/workers`),
        statistics: { ...(await getJson(`${P}/statistics`)), uptime: undefined },
      };
    }

    beforeAll(async () => {
      opened = await backend.open();
      server = new LightningStoreServer({ store: opened.store, port: 0 });
      await server.start();
      base = server.url;
      const enqueued = await post(`${P}/queues/rollouts/enqueue`, {
        rollouts: [{ input: { q: "queued", emoji: "😀" }, metadata: { tag: "a" } }],
      });
      expect(enqueued.status).toBe(201);
      [queued] = await jsonOf(enqueued);
      const started = await post(`${P}/rollouts`, { input: { q: "running" }, worker_id: "w1" });
      expect(started.status).toBe(201);
      running = await jsonOf(started);
      const next = await post(`${P}/spans/next`, {
        rollout_id: running.rollout_id,
        attempt_id: running.attempt.attempt_id,
      });
      expect((await jsonOf(next)).sequence_id).toBe(1);
      const span = makeSpan(running.rollout_id, running.attempt.attempt_id, 1, { name: "seed" });
      expect((await post(`${P}/spans`, span)).status).toBe(201);
      const resources = await post(`${P}/resources`, {
        llm: { resource_type: "llm", endpoint: "http://127.0.0.1:1/v1", model: "m" },
      });
      expect(resources.status).toBe(201);
      resourcesId = (await jsonOf(resources)).resources_id;
      expect((await post(`${P}/workers/w1`, { heartbeat_stats: { gpu: 1 } })).status).toBe(200);
      before = await snapshot();
    });

    afterAll(async () => {
      await server?.stop({ graceMs: 500 });
      await opened?.close();
    });

    async function expectRejected(bad: BadRequest): Promise<void> {
      const res = await bad.send();
      const text = await res.text();
      if (bad.status !== undefined) expect(res.status, `${bad.name}: ${text.slice(0, 300)}`).toBe(bad.status);
      else expect(res.status, `${bad.name}: ${text.slice(0, 300)}`).toBe(400);
      expect(text, bad.name).toMatch(bad.names);
    }

    function textCases(bad: string, label: string): BadRequest[] {
      const rid = () => running.rollout_id as string;
      const aid = () => running.attempt.attempt_id as string;
      // URLs are UTF-8: a lone surrogate cannot be sent in a path or query, only NUL can.
      const canEncode = bad === "\u0000";
      const enc = encodeURIComponent;
      return [
        {
          name: `${label} in enqueue input`,
          send: () => post(`${P}/queues/rollouts/enqueue`, { rollouts: [{ input: { q: `a${bad}` } }] }),
          names: /rollouts\.0\.input\.q/,
        },
        {
          name: `${label} in an enqueue input key`,
          send: () => post(`${P}/queues/rollouts/enqueue`, { rollouts: [{ input: { [`k${bad}`]: 1 } }] }),
          names: /rollouts\.0\.input: key/,
        },
        {
          name: `${label} in enqueue metadata`,
          send: () =>
            post(`${P}/queues/rollouts/enqueue`, { rollouts: [{ input: 1, metadata: { m: [bad] } }] }),
          names: /rollouts\.0\.metadata\.m\.0/,
        },
        {
          name: `${label} in resources_id of an enqueue`,
          send: () => post(`${P}/queues/rollouts/enqueue`, { rollouts: [{ input: 1, resources_id: bad }] }),
          names: /rollouts\.0\.resources_id/,
        },
        {
          name: `${label} in start_rollout input`,
          send: () => post(`${P}/rollouts`, { input: bad }),
          names: /input/,
        },
        {
          name: `${label} in a dequeue worker_id`,
          send: () => post(`${P}/queues/rollouts/dequeue`, { worker_id: `w${bad}` }),
          names: /worker_id/,
        },
        ...(canEncode
          ? [
              {
                name: `${label} in a rollout id (path)`,
                send: () => post(`${P}/rollouts/${enc(`ro-${bad}`)}`, { metadata: {} }),
                names: /path parameter rollout_id/,
              },
            ]
          : []),
        {
          name: `${label} in a rollout update`,
          send: () => post(`${P}/rollouts/${rid()}`, { input: [bad], metadata: { ok: 1 } }),
          names: /input\.0/,
        },
        {
          name: `${label} in an attempt update's metadata`,
          send: () => post(`${P}/rollouts/${rid()}/attempts/${aid()}`, { metadata: { note: bad } }),
          names: /metadata\.note/,
        },
        {
          name: `${label} in an attempt update's worker_id`,
          send: () => post(`${P}/rollouts/${rid()}/attempts/${aid()}`, { worker_id: bad }),
          names: /worker_id/,
        },
        ...(canEncode
          ? [
              {
                name: `${label} in a worker id (path)`,
                send: () => post(`${P}/workers/${enc(`w${bad}`)}`, {}),
                names: /path parameter worker_id/,
              },
            ]
          : []),
        {
          name: `${label} in heartbeat stats`,
          send: () => post(`${P}/workers/w1`, { heartbeat_stats: { load: { [bad]: 1 } } }),
          names: /heartbeat_stats\.load: key/,
        },
        {
          name: `${label} in a resource name`,
          send: () =>
            post(`${P}/resources`, { [`llm${bad}`]: { resource_type: "llm", endpoint: "e", model: "m" } }),
          names: /request body: key/,
        },
        {
          name: `${label} in a resource field`,
          send: () =>
            post(`${P}/resources/${resourcesId}`, {
              llm: { resource_type: "llm", endpoint: "e", model: bad },
            }),
          names: /llm\.model/,
        },
        {
          name: `${label} in a span name`,
          send: () => post(`${P}/spans`, makeSpan(rid(), aid(), 2, { name: `n${bad}` })),
          names: /name/,
        },
        {
          name: `${label} in a span attribute`,
          send: () =>
            post(`${P}/spans`, makeSpan(rid(), aid(), 2, { attributes: { [`a${bad}`]: "v", b: [bad] } })),
          names: /attributes/,
        },
        {
          name: `${label} in a span's rollout id`,
          send: () => post(`${P}/spans/next`, { rollout_id: `${rid()}${bad}`, attempt_id: aid() }),
          names: /rollout_id/,
        },
        {
          name: `${label} in a span search`,
          send: () => post(`${P}/spans/search`, { rollout_id: rid(), name_contains: bad }),
          names: /name_contains/,
        },
        ...(canEncode
          ? [
              {
                name: `${label} in a query parameter`,
                send: () => call(`${P}/rollouts?rollout_id_contains=${enc(bad)}`),
                names: /query parameter rollout_id_contains/,
              },
            ]
          : []),
        {
          name: `${label} in waited rollout ids`,
          send: () => post(`${P}/waits/rollouts`, { rollout_ids: [rid(), bad], timeout: 0 }),
          names: /rollout_ids\.1/,
        },
      ];
    }

    it("item 3: NUL and lone surrogates in any JSON or text field are a 400 naming the field", async () => {
      for (const [bad, label] of [
        ["\u0000", "NUL"],
        ["\ud800", "a lone high surrogate"],
        ["\udc00", "a lone low surrogate"],
      ] as const) {
        for (const bad_ of textCases(bad, label)) await expectRejected(bad_);
      }
      expect(await snapshot()).toEqual(before);
    });

    it("item 3: NUL and lone surrogates in OTLP span names are a 400 google.rpc.Status", async () => {
      for (const name of [
        Buffer.from("span\u0000name!", "utf8"), // 11 bytes, the placeholder's length
        Buffer.from([0x61, 0x62, 0x63, 0xed, 0xa0, 0x80, 0x64, 0x65, 0x66, 0x67, 0x68]), // UTF-8 of U+D800
      ]) {
        const res = await call("/v1/traces", {
          method: "POST",
          headers: { "content-type": "application/x-protobuf" },
          body: encodeOtlp(running.rollout_id, running.attempt.attempt_id, name) as Uint8Array<ArrayBuffer>,
        });
        expect(res.status).toBe(400);
        expect(res.headers.get("content-type")).toBe("application/x-protobuf");
        // NUL is valid UTF-8 and meets the text rule; the UTF-8 form of a surrogate is not UTF-8.
        expect(await rpcStatusMessage(res)).toMatch(
          /name: text contains U\+0000|^Unable to parse OTLP traces payload: .*utf-8/,
        );
      }
      expect(await snapshot()).toEqual(before);
    });

    it("item 1: JSON nested deeper than the limit is a 400 in every stored field (2,400 levels too)", async () => {
      const rid = running.rollout_id;
      const aid = running.attempt.attempt_id;
      for (const levels of [MAX_JSON_DEPTH + 1, 2_400]) {
        const deep = nested(levels);
        const cases: BadRequest[] = [
          {
            name: "enqueue input",
            send: () => post(`${P}/queues/rollouts/enqueue`, { rollouts: [{ input: deep }] }),
            names: /deeper than 100 levels/,
          },
          {
            name: "enqueue metadata",
            send: () =>
              post(`${P}/queues/rollouts/enqueue`, { rollouts: [{ input: 1, metadata: { d: deep } }] }),
            names: /rollouts\.0\.metadata\.d/,
          },
          {
            name: "start_rollout input",
            send: () => post(`${P}/rollouts`, { input: deep }),
            names: /input\.(0|k)\.(0|k)/,
          },
          {
            name: "rollout update",
            send: () => post(`${P}/rollouts/${rid}`, { input: deep }),
            names: /deeper than/,
          },
          {
            name: "attempt metadata",
            send: () => post(`${P}/rollouts/${rid}/attempts/${aid}`, { metadata: { d: deep } }),
            names: /deeper than/,
          },
          {
            name: "heartbeat stats",
            send: () => post(`${P}/workers/w1`, { heartbeat_stats: { d: deep } }),
            names: /heartbeat_stats\.d/,
          },
          {
            name: "resources",
            send: () =>
              post(`${P}/resources`, {
                llm: { resource_type: "llm", endpoint: "e", model: "m", sampling_parameters: { d: deep } },
              }),
            names: /deeper than/,
          },
          {
            name: "a span's extra key",
            send: () => post(`${P}/spans`, makeSpan(rid, aid, 2, { extra: deep })),
            names: /extra/,
          },
        ];
        for (const bad of cases) await expectRejected({ ...bad, name: `${bad.name} (${levels} levels)` });
      }
      expect(await snapshot()).toEqual(before);
    });

    it("item 2: bodies nested 5,000 and 100,000 levels deep are a 400 on every JSON route", async () => {
      const routes = STORE_API_ROUTES.filter((route) => route.body !== undefined);
      expect(routes.length).toBeGreaterThan(15);
      for (const route of routes) {
        const path = route.path
          .replace(":rollout_id", running.rollout_id)
          .replace(":attempt_id", running.attempt.attempt_id)
          .replace(":worker_id", "w1")
          .replace(":resources_id", resourcesId);
        for (const text of [deepArrayText(5_000), deepObjectText(5_000), deepArrayText(100_000)]) {
          await expectRejected({
            name: `${route.method} ${route.path} (${text.length} bytes)`,
            send: () => postText(`${P}${path}`, text),
            names: /Invalid request body: .*nests deeper than 100 levels/,
          });
        }
      }
      expect(await snapshot()).toEqual(before);
    });

    it("item 4: invalid or truncated gzip on /v1/traces is a 400 google.rpc.Status", async () => {
      const valid = gzipSync(encodeOtlp(running.rollout_id, running.attempt.attempt_id, "fine"));
      for (const body of [
        new Uint8Array([1, 2, 3, 4]),
        valid.subarray(0, valid.length - 9),
        valid.subarray(0, 12),
      ]) {
        const res = await call("/v1/traces", {
          method: "POST",
          headers: { "content-type": "application/x-protobuf", "content-encoding": "gzip" },
          body: body as Uint8Array<ArrayBuffer>,
        });
        expect(res.status).toBe(400);
        expect(res.headers.get("content-type")).toBe("application/x-protobuf");
        expect(await rpcStatusMessage(res)).toMatch(/^Unable to decompress gzip OTLP traces payload: /);
      }
      expect(await snapshot()).toEqual(before);
    });

    it("item 5: explicit sequence ids above 2^52 are a 400 naming sequence_id; nothing is consumed", async () => {
      for (const sequenceId of [9007199254740990, Number.MAX_SAFE_INTEGER, MAX_EXPLICIT_SEQUENCE_ID + 1]) {
        const span = makeSpan(running.rollout_id, running.attempt.attempt_id, sequenceId, { name: "late" });
        await expectRejected({
          name: `sequence_id ${sequenceId}`,
          send: () => post(`${P}/spans`, span),
          names: /sequence_id: must be at most 4503599627370496/,
        });
      }
      expect(await snapshot()).toEqual(before);
    });

    it("item 6: a 422 for 300,000 invalid items is small: capped items, capped echoes", async () => {
      // ~7 MB: every element lacks `input` and carries a bad mode.
      const items = Array.from({ length: 300_000 }, (_, i) => ({ mode: "bogus", metadata: { i } }));
      const text = JSON.stringify({ rollouts: items });
      expect(text.length).toBeGreaterThan(7_000_000);
      const res = await postText(`${P}/queues/rollouts/enqueue`, text);
      expect(res.status).toBe(422);
      const body = await res.text();
      expect(body.length).toBeLessThan(10_000);
      const detail = JSON.parse(body).detail;
      expect(detail).toHaveLength(MAX_VALIDATION_DETAILS + 1);
      expect(detail.at(-1)).toMatchObject({ type: "too_many_errors", loc: ["body", "rollouts"] });
      expect(detail.at(-1).msg).toMatch(/validation stopped after 10 of 300000 elements/);
      // One huge offending value is echoed as a bounded prefix of its JSON text.
      const huge = await post(`${P}/queues/rollouts/enqueue`, { rollouts: { x: "y".repeat(1_000_000) } });
      expect(huge.status).toBe(422);
      const hugeBody = await huge.text();
      expect(hugeBody.length).toBeLessThan(2_000);
      expect(JSON.parse(hugeBody).detail[0].input).toMatch(/^\{"x":"yyyy.*…$/);
      expect(await snapshot()).toEqual(before);
    });

    it("after all of it: nothing was consumed, the queue still hands out the queued rollout", async () => {
      expect(await snapshot()).toEqual(before);
      const next = await post(`${P}/spans/next`, {
        rollout_id: running.rollout_id,
        attempt_id: running.attempt.attempt_id,
      });
      expect((await jsonOf(next)).sequence_id).toBe(2);
      const dequeued = await post(`${P}/queues/rollouts/dequeue`, { limit: 10, worker_id: "w2" });
      expect(dequeued.status).toBe(200);
      const claimed = await jsonOf(dequeued);
      expect(claimed.map((r: Json) => r.rollout_id)).toEqual([queued.rollout_id]);
      expect(claimed[0].input).toEqual({ q: "queued", emoji: "😀" });
    });

    it("item 1: a document exactly at the limit is stored, listed, dequeued and read back intact", async () => {
      // Over HTTP the limit counts from the body: {"rollouts": [{"input": X}]} leaves X 97 levels.
      const atLimit = nested(MAX_JSON_DEPTH - 3, "leaf");
      const res = await post(`${P}/queues/rollouts/enqueue`, { rollouts: [{ input: atLimit }] });
      expect(res.status).toBe(201);
      const [stored] = await jsonOf(res);
      const listed = await getJson(`${P}/rollouts?sort_by=rollout_id&limit=-1`);
      expect(listed.items.find((r: Json) => r.rollout_id === stored.rollout_id).input).toEqual(atLimit);
      const dequeued = await jsonOf(await post(`${P}/queues/rollouts/dequeue`, { limit: 10 }));
      expect(dequeued.map((r: Json) => r.rollout_id)).toEqual([stored.rollout_id]);
      expect(dequeued[0].input).toEqual(atLimit);
      // One level more is refused, and changes nothing.
      const over = await post(`${P}/queues/rollouts/enqueue`, {
        rollouts: [{ input: nested(MAX_JSON_DEPTH - 2) }],
      });
      expect(over.status).toBe(400);
      expect((await getJson(`${P}/statistics`)).total_rollouts).toBe(before.statistics.total_rollouts + 1);
    });

    it("in-process calls apply the same rule: depth, NUL and surrogates, sequence ceiling", async () => {
      const store = opened.store;
      const total = (await store.statistics()).total_rollouts;
      const atLimit = nested(MAX_JSON_DEPTH - 1);
      // The store argument {input, ...} is the document: input may nest 99 levels, not 100.
      const ok = await store.enqueueRollout({ input: atLimit });
      expect((await store.getRolloutById(ok.rollout_id))?.input).toEqual(atLimit);
      for (const input of [nested(MAX_JSON_DEPTH), nested(10_000), { s: "\u0000" }, ["\ud800"]]) {
        const error = await expectRejection(store.enqueueRollout({ input }));
        expect(error.code).toBe("invalid_argument");
        expect(error.message).toMatch(/^Invalid rollout: input/);
      }
      // The HTTP client is a store too: it refuses the same documents before sending them.
      const client = new LightningStoreClient({ url: server.url, retryDelays: [] });
      try {
        for (const input of [nested(MAX_JSON_DEPTH), nested(10_000), { s: "\u0000" }]) {
          const error = await expectRejection(client.enqueueRollout({ input }));
          expect(error.code).toBe("invalid_argument");
        }
        expect((await client.enqueueRollout({ input: nested(MAX_JSON_DEPTH - 3) })).rollout_id).toMatch(
          /^ro-/,
        );
      } finally {
        await client.close();
      }
      await expectRejection(store.updateWorker("w\u0000"));
      await expectRejection(store.getRolloutById("ro-\udfff"));
      await expectRejection(store.updateRollout(ok.rollout_id, { input: nested(5_000) }));
      await expectRejection(
        store.addResources({ "r\u0000": { resource_type: "llm", endpoint: "e", model: "m" } } as never),
      );
      const error: AglError = await expectRejection(
        store.addSpan(makeSpan(running.rollout_id, running.attempt.attempt_id, MAX_EXPLICIT_SEQUENCE_ID + 1)),
      );
      expect(error.message).toMatch(/sequence_id: must be at most/);
      // The ceiling itself is accepted.
      expect(
        await store.addSpan(
          makeSpan(running.rollout_id, running.attempt.attempt_id, MAX_EXPLICIT_SEQUENCE_ID),
        ),
      ).not.toBeNull();
      expect(await store.getNextSpanSequenceId(running.rollout_id, running.attempt.attempt_id)).toBe(
        MAX_EXPLICIT_SEQUENCE_ID + 1,
      );
      expect((await store.statistics()).total_rollouts).toBe(total + 2);
    });

    if (backend.name !== "memory") {
      it("item 5: a counter that would pass 2^53 - 1 fails clearly instead of repeating a number", async () => {
        const store = opened.store;
        const rid = running.rollout_id;
        const aid = running.attempt.attempt_id;
        // A database that took a larger explicit id before the ceiling existed.
        await opened.exec?.(
          `UPDATE span_counters SET counter = ${Number.MAX_SAFE_INTEGER - 2} WHERE rollout_id = '${rid}'`,
        );
        expect(await store.getNextSpanSequenceId(rid, aid)).toBe(Number.MAX_SAFE_INTEGER - 1);
        await expect(
          store.getManySpanSequenceIds([
            [rid, aid],
            [rid, aid],
          ]),
        ).rejects.toThrow(/exhausted/);
        expect(await store.getNextSpanSequenceId(rid, aid)).toBe(Number.MAX_SAFE_INTEGER);
        const error = await expectRejection(store.getNextSpanSequenceId(rid, aid));
        expect(error.code).toBe("invalid_argument");
        expect(error.message).toMatch(/Span sequence ids of rollout .* are exhausted/);
        const res = await post(`${P}/spans/next`, { rollout_id: rid, attempt_id: aid });
        expect(res.status).toBe(400);
        expect(await res.text()).toMatch(/exhausted/);
      });
    }
  });
}

describe("large arrays in a body are validated element by element", () => {
  let server: LightningStoreServer;
  let store: InMemoryLightningStore;
  beforeAll(async () => {
    store = new InMemoryLightningStore();
    server = new LightningStoreServer({ store, port: 0 });
    await server.start();
  });
  afterAll(async () => {
    await server.stop({ graceMs: 500 });
    await store.close();
  });
  const enqueue = (rollouts: unknown[]) =>
    fetch(`${server.url}${P}/queues/rollouts/enqueue`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ rollouts }),
    });

  it("one bad element at the end of 1,500 is named, and nothing is stored", async () => {
    const rollouts: unknown[] = Array.from({ length: 1_500 }, (_, i) => ({ input: i }));
    rollouts[1_499] = { mode: "train" };
    const res = await enqueue(rollouts);
    expect(res.status).toBe(422);
    const { detail } = await jsonOf(res);
    expect(detail).toEqual([
      expect.objectContaining({ type: "missing", loc: ["body", "rollouts", 1_499, "input"] }),
    ]);
    expect((await store.statistics()).total_rollouts).toBe(0);
  });

  it("1,500 valid elements are stored with their defaults, in order", async () => {
    const res = await enqueue(Array.from({ length: 1_500 }, (_, i) => ({ input: i, mode: "val" })));
    expect(res.status).toBe(201);
    const stored = await jsonOf(res);
    expect(stored).toHaveLength(1_500);
    expect(stored[1_499]).toMatchObject({
      input: 1_499,
      mode: "val",
      config: { max_attempts: 1 },
      metadata: {},
    });
  });
});
