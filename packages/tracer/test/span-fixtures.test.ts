// Wire compatibility of spans, both directions, with committed fixtures:
// * spans our tracer writes (every emitter, an operation with a child, an OTel span with an event,
//   a link and trace state) have exactly the keys and value types of the Python span model (runtime
//   contract §1.2), and their shape matches test/fixtures/tracer-written-spans.json;
// * spans shaped as the Python v0.3.0 model serialises them (test/fixtures/python-v0.3-spans.json,
//   written by hand from the contract) parse with SpanSchema, survive a store round trip (in
//   memory and over HTTP) unchanged, and read back through the emitters' readers.
import { readFileSync, writeFileSync } from "node:fs";
import { type Span, SpanSchema } from "@agentlightning/types";
import { createTraceState, SpanKind, TraceFlags } from "@opentelemetry/api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { emitException } from "../src/emitter/exception.js";
import { emitMessage, getMessageValue } from "../src/emitter/message.js";
import { emitObject, getObjectValue } from "../src/emitter/object.js";
import { operationScope } from "../src/emitter/operation.js";
import { emitReward } from "../src/emitter/reward.js";
import { findFinalReward, getRewardsFromSpan, getRewardValue } from "../src/emitter/reward-readers.js";
import { OtelTracer } from "../src/tracer/otel-tracer.js";
import {
  extractLinksFromAttributes,
  extractTagsFromAttributes,
  filterAndUnflattenAttributes,
  makeLinkAttributes,
  makeTagAttributes,
} from "../src/utils/attributes.js";
import { type LiveStore, openLiveStore, STORE_KINDS, startedRollout } from "./support/live-stores.js";

const TRACER_FIXTURE = new URL("./fixtures/tracer-written-spans.json", import.meta.url);
const PYTHON_FIXTURE = new URL("./fixtures/python-v0.3-spans.json", import.meta.url);

// ---- the Python span model (contract §1.2), independent of our zod schemas ----

const SPAN_KEYS = [
  "rollout_id",
  "attempt_id",
  "sequence_id",
  "trace_id",
  "span_id",
  "parent_id",
  "name",
  "status",
  "attributes",
  "events",
  "links",
  "start_time",
  "end_time",
  "context",
  "parent",
  "resource",
];
const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;

function isAttributes(value: unknown): boolean {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  return Object.values(value).every((v) => {
    if (["string", "number", "boolean"].includes(typeof v)) return true;
    if (!Array.isArray(v)) return false;
    return (
      new Set(v.map((item) => typeof item)).size <= 1 &&
      v.every((item) => ["string", "number", "boolean"].includes(typeof item))
    );
  });
}

function checkContext(value: unknown, where: string): void {
  expect(value, where).toEqual({
    trace_id: expect.stringMatching(HEX32),
    span_id: expect.stringMatching(HEX16),
    is_remote: expect.any(Boolean),
    trace_state: expect.any(Object),
  });
  const state = (value as { trace_state: Record<string, unknown> }).trace_state;
  for (const v of Object.values(state)) expect(typeof v, `${where}.trace_state`).toBe("string");
}

/** Checks one span against the field table of §1.2 (keys, types, id formats, seconds). */
function checkWireSpan(span: Record<string, unknown>): void {
  const where = String(span.name);
  for (const key of SPAN_KEYS) expect(Object.hasOwn(span, key), `${where} has ${key}`).toBe(true);
  expect(typeof span.rollout_id).toBe("string");
  expect(typeof span.attempt_id).toBe("string");
  expect(
    Number.isInteger(span.sequence_id) && (span.sequence_id as number) >= 0,
    `${where}.sequence_id`,
  ).toBe(true);
  expect(span.trace_id).toMatch(HEX32);
  expect(span.span_id).toMatch(HEX16);
  if (span.parent_id !== null) expect(span.parent_id).toMatch(HEX16);
  expect(typeof span.name).toBe("string");
  expect(Object.keys(span.status as object).sort()).toEqual(["description", "status_code"]);
  const { status_code, description } = span.status as { status_code: unknown; description: unknown };
  expect(["UNSET", "OK", "ERROR"]).toContain(status_code);
  expect(description === null || typeof description === "string").toBe(true);
  expect(isAttributes(span.attributes), `${where}.attributes`).toBe(true);
  for (const event of span.events as Record<string, unknown>[]) {
    expect(Object.keys(event).sort()).toEqual(["attributes", "name", "timestamp"]);
    expect(isAttributes(event.attributes)).toBe(true);
    expect(event.timestamp === null || typeof event.timestamp === "number").toBe(true);
  }
  for (const link of span.links as Record<string, unknown>[]) {
    expect(Object.keys(link).sort()).toEqual(["attributes", "context"]);
    checkContext(link.context, `${where}.links[].context`);
    expect(link.attributes === null || isAttributes(link.attributes)).toBe(true);
  }
  for (const key of ["start_time", "end_time"]) {
    const t = span[key];
    // Float seconds since the epoch (not ms, not ns).
    expect(t === null || (typeof t === "number" && t > 1e9 && t < 1e10), `${where}.${key}`).toBe(true);
  }
  if (span.context !== null) checkContext(span.context, `${where}.context`);
  if (span.parent !== null) checkContext(span.parent, `${where}.parent`);
  expect(Object.keys(span.resource as object).sort()).toEqual(["attributes", "schema_url"]);
  expect(isAttributes((span.resource as { attributes: unknown }).attributes)).toBe(true);
}

/** The span with run-specific values (ids, times, stack) replaced by what they are. */
function shapeOf(span: Span, ids: { rolloutId: string; attemptId: string }): unknown {
  const text = JSON.stringify(span)
    .replaceAll(ids.rolloutId, "<rollout_id>")
    .replaceAll(ids.attemptId, "<attempt_id>");
  return JSON.parse(text, (key, value) => {
    if (typeof value === "string" && HEX32.test(value)) return "<hex32>";
    if (typeof value === "string" && HEX16.test(value)) return "<hex16>";
    if ((key === "start_time" || key === "end_time" || key === "timestamp") && typeof value === "number")
      return "<seconds>";
    if (key === "exception.stacktrace") return "<stack>";
    return value;
  });
}

/** Everything the tracer writes: one span of each emitter, an operation with a child, a raw OTel span. */
async function writeWithTracer(
  tracer: OtelTracer,
  live: LiveStore,
): Promise<{ spans: Span[]; rolloutId: string; attemptId: string }> {
  const rollout = await startedRollout(live.store);
  const ids = { rolloutId: rollout.rollout_id, attemptId: rollout.attempt.attempt_id };
  await tracer.trace({ ...ids, store: live.store }, async (otel) => {
    emitReward(
      { task_completion: 1, efficiency: 0.5 },
      {
        primaryKey: "task_completion",
        attributes: {
          ...makeLinkAttributes({ "gen_ai.response.id": "chatcmpl-1" }),
          ...makeTagAttributes(["final"]),
        },
      },
    );
    emitMessage("hello", { attributes: { labels: ["a", "b"] } });
    emitObject({ answer: 4 });
    emitObject(3);
    class ToolError extends Error {
      override name = "ToolError";
    }
    emitException(new ToolError("bad argument"));
    await operationScope({ name: "call_tool", attributes: { tool: { id: 7 } } }, async (op) => {
      op.setInput("2 + 2");
      op.setInputKeywords({ retries: 2 });
      emitMessage("inside");
      op.setOutput({ ok: true, value: 4 });
    });
    const span = otel.startSpan("raw.client", {
      kind: SpanKind.CLIENT,
      attributes: { "http.status_code": 200, flags: [true, false], ratio: 0.5 },
      links: [
        {
          context: {
            traceId: "5bf92f3577b34da6a3ce929d0e0e4736",
            spanId: "10f067aa0ba902b7",
            traceFlags: TraceFlags.SAMPLED,
            isRemote: true,
            traceState: createTraceState("vendor=x,other=y"),
          },
          attributes: { why: "follows" },
        },
      ],
    });
    span.addEvent("retry", { attempt: 1 });
    span.end();
  });
  const spans = (await live.backing.querySpans({ rolloutId: ids.rolloutId })).items;
  return { spans, ...ids };
}

describe.each(STORE_KINDS)("spans the tracer writes (%s store)", (kind) => {
  let live: LiveStore;
  beforeEach(async () => {
    live = await openLiveStore(kind);
  });
  afterEach(async () => {
    await live.close();
  });

  it("have exactly the keys and types of the Python span model and match the committed fixture", async () => {
    const tracer = new OtelTracer();
    const { spans, rolloutId, attemptId } = await writeWithTracer(tracer, live);
    expect(spans).toHaveLength(8);
    for (const span of spans) {
      checkWireSpan(JSON.parse(JSON.stringify(span)));
      expect(SpanSchema.parse(span)).toEqual(span);
    }
    const shapes = spans.map((span) => shapeOf(span, { rolloutId, attemptId }));
    if (process.env.AGL_UPDATE_FIXTURES === "1" && kind === "memory") {
      writeFileSync(TRACER_FIXTURE, `${JSON.stringify({ about: FIXTURE_ABOUT, spans: shapes }, null, 2)}\n`);
    }
    const fixture = JSON.parse(readFileSync(TRACER_FIXTURE, "utf8")) as { spans: unknown[] };
    expect(shapes).toEqual(fixture.spans);
  });

  it("read back through the readers", async () => {
    const { spans } = await writeWithTracer(new OtelTracer(), live);
    const byName = (name: string) => spans.filter((s) => s.name === name);
    expect(getRewardsFromSpan(byName("agentlightning.annotation")[0] as Span)).toEqual([
      { name: "task_completion", value: 1 },
      { name: "efficiency", value: 0.5 },
    ]);
    expect(findFinalReward(spans)).toBe(1);
    expect(byName("agentlightning.message").map((s) => getMessageValue(s))).toEqual(["hello", "inside"]);
    expect(byName("agentlightning.object").map((s) => getObjectValue(s))).toEqual([{ answer: 4 }, 3]);
    const op = byName("agentlightning.operation")[0] as Span;
    expect(filterAndUnflattenAttributes(op.attributes, "agentlightning.operation")).toEqual({
      name: "call_tool",
      input: { args: ["2 + 2"], retries: 2 },
      output: { ok: true, value: 4 },
    });
  });
});

const FIXTURE_ABOUT =
  "The shape of the spans OtelTracer writes (test/span-fixtures.test.ts): run-specific values replaced by <hex32>, <hex16>, <seconds>, <stack>, <rollout_id>, <attempt_id>. Regenerate with AGL_UPDATE_FIXTURES=1 after a deliberate change, and review the diff.";

describe("Python-shaped spans (hand-written fixture)", () => {
  const fixture = JSON.parse(readFileSync(PYTHON_FIXTURE, "utf8")) as {
    rollout_id: string;
    spans: Record<string, unknown>[];
  };

  it("parse with SpanSchema unchanged (extra keys kept) and pass the §1.2 check", () => {
    for (const raw of fixture.spans) {
      checkWireSpan(raw);
      expect(SpanSchema.parse(raw)).toEqual(raw);
    }
  });

  it.each(STORE_KINDS)("survive a store round trip (%s) and read back through the readers", async (kind) => {
    const live = await openLiveStore(kind);
    try {
      const rollout = await live.backing.startRollout({ input: "fixture" });
      // Re-home the fixture onto this store's rollout; everything else stays as Python wrote it.
      const spans = fixture.spans.map((raw) =>
        SpanSchema.parse({ ...raw, rollout_id: rollout.rollout_id, attempt_id: rollout.attempt.attempt_id }),
      );
      expect(await live.store.addManySpans(spans)).toHaveLength(spans.length);
      const stored = (await live.store.querySpans({ rolloutId: rollout.rollout_id })).items;
      expect(stored).toEqual(spans);

      const [llm, message, dict, bool, bytes, exception, op, legacyReward, annotation] = stored as Span[];
      expect(llm?.kind).toBe("SpanKind.CLIENT");
      expect(llm?.attributes.prompt_token_ids).toEqual([101, 2054, 2003]);
      expect(getMessageValue(message as Span)).toBe("thinking about arithmetic");
      expect(message?.links[0]?.context.trace_state).toEqual({ vendor: "x" });
      expect(getObjectValue(dict as Span)).toEqual({ answer: 4, steps: ["add"] });
      expect(getObjectValue(bool as Span)).toBe(true);
      expect(getObjectValue(bytes as Span)).toEqual(Buffer.from("binary"));
      expect(exception?.attributes["exception.type"]).toBe("ValueError");
      expect(filterAndUnflattenAttributes(op?.attributes ?? {}, "agentlightning.operation")).toEqual({
        name: "call_tool",
        input: { tool: "calculator", args: ["2 + 2"], options: { retries: 2 } },
        output: { ok: false },
      });
      expect(getRewardValue(legacyReward as Span)).toBe(0.25);
      expect(getRewardsFromSpan(annotation as Span)).toEqual([
        { name: "task_completion", value: 1 },
        { name: "efficiency", value: 0.8 },
      ]);
      expect(extractLinksFromAttributes(annotation?.attributes ?? {})).toEqual([
        { key_match: "gen_ai.response.id", value_match: "chatcmpl-123" },
      ]);
      expect(extractTagsFromAttributes(annotation?.attributes ?? {})).toEqual(["final"]);
      expect(findFinalReward(stored)).toBe(1);
    } finally {
      await live.close();
    }
  });
});
