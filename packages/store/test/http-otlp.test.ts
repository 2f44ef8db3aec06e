import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { otlpTypes } from "../src/http/otlp/proto.js";
import { type HttpFixture, type JsonBody, P, startRollout, startServer, stats } from "./http-fixture.js";

// Payloads are real OTLP/HTTP protobuf messages, encoded with the same protobufjs types the server
// decodes with.

type AnyValue = Record<string, unknown>;
const str = (stringValue: string): AnyValue => ({ stringValue });
const kv = (key: string, value: AnyValue) => ({ key, value });

interface SpanInput {
  name: string;
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  attributes?: ReturnType<typeof kv>[];
  startNanos?: string;
  endNanos?: string;
  status?: { code?: number; message?: string };
  events?: unknown[];
  links?: unknown[];
}

function encodeRequest(
  resources: { attributes: ReturnType<typeof kv>[]; spans: SpanInput[]; schemaUrl?: string }[],
): Uint8Array {
  const type = otlpTypes.ExportTraceServiceRequest;
  const message = type.fromObject({
    resourceSpans: resources.map((resource) => ({
      resource: { attributes: resource.attributes },
      schemaUrl: resource.schemaUrl ?? "",
      scopeSpans: [
        {
          scope: { name: "test" },
          spans: resource.spans.map((span) => ({
            name: span.name,
            traceId: Buffer.from(span.traceId ?? "0af7651916cd43dd8448eb211c80319c", "hex"),
            spanId: Buffer.from(span.spanId ?? "b7ad6b7169203331", "hex"),
            parentSpanId: span.parentSpanId ? Buffer.from(span.parentSpanId, "hex") : undefined,
            startTimeUnixNano: span.startNanos ?? "1700000000500000000",
            endTimeUnixNano: span.endNanos ?? "1700000001000000000",
            attributes: span.attributes ?? [],
            status: span.status ?? { code: 1 },
            events: span.events ?? [],
            links: span.links ?? [],
          })),
        },
      ],
    })),
  });
  return type.encode(message).finish();
}

function idsResource(rolloutId: string, attemptId: string) {
  return [
    kv("agentlightning.rollout_id", str(rolloutId)),
    kv("agentlightning.attempt_id", str(attemptId)),
    kv("service.name", str("svc")),
  ];
}

async function postTraces(
  fx: HttpFixture,
  body: Uint8Array,
  headers: Record<string, string> = { "content-type": "application/x-protobuf" },
): Promise<Response> {
  return fx.fetch("/v1/traces", { method: "POST", headers, body: body as Uint8Array<ArrayBuffer> });
}

async function statusMessage(res: Response): Promise<string> {
  // fetch decodes a gzip-encoded body by itself (and asks for one by default).
  const bytes = new Uint8Array(await res.arrayBuffer());
  const status = otlpTypes.RpcStatus.toObject(otlpTypes.RpcStatus.decode(bytes)) as { message?: string };
  return status.message ?? "";
}

async function spansOf(fx: HttpFixture, rolloutId: string): Promise<JsonBody[]> {
  return (await fx.getJson(`${P}/spans?rollout_id=${rolloutId}`)).body.items;
}

describe("OTLP traces ingestion (§6 items 115–122)", () => {
  it("115: a non-protobuf content type ⇒ 400 google.rpc.Status", async () => {
    const fx = await startServer();
    const res = await postTraces(fx, new TextEncoder().encode("{}"), { "content-type": "application/json" });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/x-protobuf");
    expect(await statusMessage(res)).toBe(
      "Unsupported Content-Type 'application/json', expected 'application/x-protobuf'",
    );
  });

  it("116: an empty body ⇒ 200 with an empty response, nothing stored", async () => {
    const fx = await startServer();
    await startRollout(fx);
    const res = await postTraces(fx, new Uint8Array(0));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-protobuf");
    expect((await res.arrayBuffer()).byteLength).toBe(0);
    expect((await stats(fx)).total_spans).toBe(0);
  });

  it("117: garbage bytes ⇒ 400 Unable to parse OTLP traces payload", async () => {
    const fx = await startServer();
    const res = await postTraces(fx, new Uint8Array([0xff, 0xff, 0xff]));
    expect(res.status).toBe(400);
    expect(await statusMessage(res)).toMatch(/^Unable to parse OTLP traces payload: /);
  });

  it("118: resource-level ids, allocated sequence ids in payload order, converted fields", async () => {
    const fx = await startServer();
    const r = await startRollout(fx, { input: 1 });
    const body = encodeRequest([
      {
        attributes: idsResource(r.rollout_id, r.attempt.attempt_id),
        schemaUrl: "https://schema",
        spans: [
          {
            name: "first",
            spanId: "0000000000000001",
            attributes: [
              kv("k", str("v")),
              kv("n", { intValue: "42" }),
              kv("f", { doubleValue: 0.5 }),
              kv("b", { boolValue: true }),
            ],
            events: [{ timeUnixNano: "1700000000600000000", name: "ev", attributes: [kv("e", str("x"))] }],
            links: [
              { traceId: Buffer.from("11".repeat(16), "hex"), spanId: Buffer.from("22".repeat(8), "hex") },
            ],
          },
          {
            name: "second",
            spanId: "0000000000000002",
            parentSpanId: "0000000000000001",
            status: { code: 2, message: "boom" },
          },
          {
            name: "third",
            spanId: "03",
            traceId: "01",
            attributes: [
              kv("arr", { arrayValue: { values: [str("a"), str("b")] } }),
              kv("empty", { arrayValue: {} }),
            ],
          },
        ],
      },
    ]);
    const res = await postTraces(fx, body);
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBe(0);
    const spans = await spansOf(fx, r.rollout_id);
    expect(spans.map((s) => [s.name, s.sequence_id])).toEqual([
      ["first", 1],
      ["second", 2],
      ["third", 3],
    ]);
    const [first, second, third] = spans;
    expect(first).toMatchObject({
      rollout_id: r.rollout_id,
      attempt_id: r.attempt.attempt_id,
      trace_id: "0af7651916cd43dd8448eb211c80319c",
      span_id: "0000000000000001",
      parent_id: null,
      parent: null,
      status: { status_code: "OK", description: null },
      start_time: 1700000000.5,
      end_time: 1700000001,
      context: {
        trace_id: "0af7651916cd43dd8448eb211c80319c",
        span_id: "0000000000000001",
        is_remote: false,
        trace_state: {},
      },
      resource: { schema_url: "https://schema" },
    });
    expect(first.attributes).toEqual({ k: "v", n: 42, f: 0.5, b: true });
    expect(first.resource.attributes["agentlightning.rollout_id"]).toBe(r.rollout_id);
    expect(first.events).toEqual([{ name: "ev", attributes: { e: "x" }, timestamp: 1700000000.6 }]);
    expect(first.links).toEqual([
      {
        context: { trace_id: "11".repeat(16), span_id: "22".repeat(8), is_remote: false, trace_state: {} },
        attributes: null,
      },
    ]);
    expect(second).toMatchObject({
      parent_id: "0000000000000001",
      status: { status_code: "ERROR", description: "boom" },
    });
    expect(third.span_id).toBe("0000000000000003");
    expect(third.trace_id).toBe(`${"0".repeat(30)}01`);
    expect(third.attributes).toEqual({ arr: ["a", "b"], empty: [] });
    const latest = (await fx.getJson(`${P}/rollouts/${r.rollout_id}/attempts/latest`)).body;
    expect(latest.status).toBe("running");
    expect(latest.last_heartbeat_time).not.toBeNull();
  });

  it("119: span-level ids override the resource; explicit sequence ids are kept and raise the counter", async () => {
    const fx = await startServer();
    const r = await startRollout(fx, { input: 1 });
    const second = (await fx.postJson(`${P}/rollouts/${r.rollout_id}/attempts`)).body;
    const body = encodeRequest([
      {
        attributes: idsResource(r.rollout_id, r.attempt.attempt_id),
        spans: [
          {
            name: "overridden",
            spanId: "0000000000000001",
            attributes: [
              kv("agentlightning.attempt_id", str(second.attempt.attempt_id)),
              kv("agentlightning.span_sequence_id", str("42")),
            ],
          },
          {
            name: "int-seq",
            spanId: "0000000000000002",
            attributes: [kv("agentlightning.span_sequence_id", { intValue: "7" })],
          },
          {
            name: "double-seq",
            spanId: "0000000000000003",
            attributes: [kv("agentlightning.span_sequence_id", { doubleValue: 9 })],
          },
        ],
      },
    ]);
    expect((await postTraces(fx, body)).status).toBe(200);
    const spans = await spansOf(fx, r.rollout_id);
    const byName = Object.fromEntries(spans.map((s) => [s.name, s]));
    expect(byName.overridden).toMatchObject({ attempt_id: second.attempt.attempt_id, sequence_id: 42 });
    expect(byName["int-seq"]).toMatchObject({ attempt_id: r.attempt.attempt_id, sequence_id: 7 });
    // A double is not a sequence id (E7): one is allocated, after the explicit ones were raised.
    expect(byName["double-seq"].sequence_id).toBe(1);
    const next = await fx.postJson(`${P}/spans/next`, {
      rollout_id: r.rollout_id,
      attempt_id: r.attempt.attempt_id,
    });
    expect(next.body.sequence_id).toBe(43);
  });

  it("120: spans without rollout/attempt ids are skipped; the request still succeeds", async () => {
    const fx = await startServer();
    const r = await startRollout(fx, { input: 1 });
    const body = encodeRequest([
      { attributes: [kv("service.name", str("svc"))], spans: [{ name: "orphan" }] },
      { attributes: [kv("agentlightning.rollout_id", str(r.rollout_id))], spans: [{ name: "half" }] },
      { attributes: idsResource(r.rollout_id, r.attempt.attempt_id), spans: [{ name: "kept" }] },
    ]);
    expect((await postTraces(fx, body)).status).toBe(200);
    expect((await spansOf(fx, r.rollout_id)).map((s) => s.name)).toEqual(["kept"]);
    expect((await stats(fx)).total_spans).toBe(1);
  });

  it("121: gzip in and out", async () => {
    const fx = await startServer();
    const r = await startRollout(fx, { input: 1 });
    const body = encodeRequest([
      { attributes: idsResource(r.rollout_id, r.attempt.attempt_id), spans: [{ name: "zipped" }] },
    ]);
    const res = await postTraces(fx, gzipSync(body), {
      "content-type": "application/x-protobuf",
      "content-encoding": "gzip",
      "accept-encoding": "gzip",
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect((await spansOf(fx, r.rollout_id)).map((s) => [s.name, s.sequence_id])).toEqual([["zipped", 1]]);
    // Duplicates of the same spans are skipped.
    expect((await postTraces(fx, body)).status).toBe(200);
    expect((await stats(fx)).total_spans).toBe(1);
  });

  it("122: POST /v1/metrics ⇒ 501", async () => {
    const fx = await startServer();
    expect((await fx.fetch("/v1/metrics", { method: "POST" })).status).toBe(501);
  });

  it("unknown rollouts/attempts and invalid attribute values ⇒ 400, nothing stored, no ids consumed", async () => {
    const fx = await startServer();
    const r = await startRollout(fx, { input: 1 });
    const good = { name: "good", spanId: "0000000000000001" };
    const cases = [
      encodeRequest([
        { attributes: idsResource(r.rollout_id, r.attempt.attempt_id), spans: [good] },
        { attributes: idsResource("ro-000000000000", "at-00000000"), spans: [{ name: "lost" }] },
      ]),
      encodeRequest([
        { attributes: idsResource(r.rollout_id, r.attempt.attempt_id), spans: [good] },
        { attributes: idsResource(r.rollout_id, "at-00000000"), spans: [{ name: "lost" }] },
      ]),
      encodeRequest([
        {
          attributes: idsResource(r.rollout_id, r.attempt.attempt_id),
          spans: [
            good,
            { name: "map", attributes: [kv("m", { kvlistValue: { values: [kv("a", str("b"))] } })] },
          ],
        },
      ]),
      encodeRequest([
        {
          attributes: idsResource(r.rollout_id, r.attempt.attempt_id),
          spans: [good, { name: "unset", attributes: [kv("u", {})] }],
        },
      ]),
      encodeRequest([
        {
          attributes: [
            ...idsResource(r.rollout_id, r.attempt.attempt_id),
            kv("bad", { kvlistValue: { values: [] } }),
          ],
          spans: [good],
        },
      ]),
    ];
    for (const [i, body] of cases.entries()) {
      const res = await postTraces(fx, body, {
        "content-type": "application/x-protobuf",
        "accept-encoding": "gzip",
      });
      expect(res.status, `case ${i}`).toBe(400);
      expect(res.headers.get("content-encoding")).toBe("gzip");
      expect((await statusMessage(res)).length).toBeGreaterThan(0);
    }
    expect((await stats(fx)).total_spans).toBe(0);
    const next = await fx.postJson(`${P}/spans/next`, {
      rollout_id: r.rollout_id,
      attempt_id: r.attempt.attempt_id,
    });
    expect(next.body.sequence_id).toBe(1);
    expect((await fx.getJson(`${P}/rollouts/${r.rollout_id}`)).body.attempt.status).toBe("preparing");
  });

  it("an invalid gzip stream is a 400 google.rpc.Status (upstream: 500); the content type may carry parameters", async () => {
    const fx = await startServer();
    const res = await postTraces(fx, new Uint8Array([1, 2, 3]), {
      "content-type": "application/x-protobuf; charset=binary",
      "content-encoding": "gzip",
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/x-protobuf");
    expect(await statusMessage(res)).toMatch(/^Unable to decompress gzip OTLP traces payload: /);
  });
});
