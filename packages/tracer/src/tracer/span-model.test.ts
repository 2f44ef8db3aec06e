// Runtime contract §9, group "Span model" (#1–#6; the attribute helpers #7–#18 are tested with
// src/utils/attributes.ts): timestamps, synthetic spans, OTel conversion, extra keys.
import { InMemoryLightningStore } from "@agentlightning/store";
import { convertTimestamp, type Span, SpanSchema } from "@agentlightning/types";
import { SpanStatusCode } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { OtelTracer } from "./otel-tracer.js";
import { spanFromAttributes, spanFromCoreFields } from "./span-conversion.js";

describe("span model", () => {
  it("#1 convertTimestamp: nanoseconds → seconds, seconds unchanged, 0 and null → null", () => {
    expect(convertTimestamp(1.7e18)).toBe(1.7e9);
    expect(convertTimestamp(1700000000.5)).toBe(1700000000.5);
    expect(convertTimestamp(0)).toBeNull();
    expect(convertTimestamp(null)).toBeNull();
  });

  it("#2 spanFromAttributes({attributes: {}}) has the documented defaults", () => {
    const span = spanFromAttributes({ attributes: {} });
    expect(span).toMatchObject({
      rollout_id: "",
      attempt_id: "",
      sequence_id: 0,
      name: "agentlightning.virtual",
      status: { status_code: "OK", description: null },
      events: [],
      links: [],
      resource: { attributes: {}, schema_url: "" },
      parent: null,
      parent_id: null,
    });
    expect(span.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(span.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(span.context).toEqual({
      trace_id: span.trace_id,
      span_id: span.span_id,
      is_remote: false,
      trace_state: {},
    });
    expect(SpanSchema.parse(span)).toEqual(span);
  });

  it("#3 a parent_id gives a parent context in the same trace", () => {
    const span = spanFromAttributes({ attributes: {}, parentId: "p1" });
    expect(span.parent).toEqual({
      trace_id: span.trace_id,
      span_id: "p1",
      is_remote: false,
      trace_state: {},
    });
  });

  it("#4 spanFromCoreFields: start ≈ now when null; name/attributes/status/end copied; a new trace id", () => {
    const before = Date.now() / 1000;
    const core = {
      name: "core",
      attributes: { a: 1 },
      status: { status_code: "ERROR" as const, description: "x" },
      start_time: null,
      end_time: 5,
    };
    const one = spanFromCoreFields(core, { rolloutId: "ro-1", attemptId: "at-1", sequenceId: 3 });
    const two = spanFromCoreFields(core);
    expect(one).toMatchObject({
      name: "core",
      attributes: { a: 1 },
      status: core.status,
      end_time: 5,
      sequence_id: 3,
    });
    expect(one.start_time).toBeGreaterThanOrEqual(before);
    expect(one.parent).toBeNull();
    expect(one.trace_id).not.toBe(two.trace_id);
  });

  it("#5 converting an OTel span: ERROR 'boom' keeps its description; a child's parent_id is the parent's id; a root's is null", async () => {
    const tracer = new OtelTracer();
    await tracer.trace({}, (t) => {
      t.startActiveSpan("parent", (parent) => {
        const child = t.startSpan("child");
        child.setStatus({ code: SpanStatusCode.ERROR, message: "boom" });
        child.end();
        parent.end();
      });
    });
    const [child, parent] = tracer.getLastTrace() as [Span, Span];
    expect(child.status).toEqual({ status_code: "ERROR", description: "boom" });
    expect(child.parent_id).toBe(parent.span_id);
    expect(child.parent).toMatchObject({ span_id: parent.span_id, trace_id: parent.trace_id });
    expect(parent.parent_id).toBeNull();
    expect(parent.parent).toBeNull();
    expect(parent.status).toEqual({ status_code: "UNSET", description: null });
    expect(parent.resource.attributes["agentlightning.tracer.name"]).toBe("otel");
  });

  it("#6 a span with an unknown extra key survives parse → store → read unchanged", async () => {
    const store = new InMemoryLightningStore();
    const rollout = await store.startRollout({ input: 1 });
    const span = {
      ...spanFromAttributes({
        attributes: { k: "v" },
        rolloutId: rollout.rollout_id,
        attemptId: rollout.attempt.attempt_id,
        sequenceId: 1,
      }),
      kind: "SpanKind.INTERNAL",
    };
    const parsed = SpanSchema.parse(JSON.parse(JSON.stringify(span)));
    expect(parsed).toEqual(span);
    await store.addSpan(parsed);
    expect((await store.querySpans({ rolloutId: rollout.rollout_id })).items[0]).toEqual(span);
  });
});
