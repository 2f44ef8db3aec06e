import { RolloutLegacySchema } from "@agentlightning/types";
import { describe, expect, it } from "vitest";
import { countRolloutSpans, rolloutLegacySpans } from "./rollout-spans.js";

/** The store span a legacy rollout with this one `trace` entry becomes. */
function traceEntryToSpan(entry: Record<string, unknown>) {
  const rollout = RolloutLegacySchema.parse({ rollout_id: "ro-1", trace: [entry] });
  return rolloutLegacySpans(rollout, { rolloutId: "ro-1", attemptId: "at-1", sequenceIds: [1], now: 5 })[0]!;
}

// What OpenTelemetry's Python ReadableSpan.to_json() prints (json.loads of it).
const OTEL_JSON = {
  name: "openai.chat",
  context: {
    trace_id: "0x4BF92F3577B34DA6A3CE929D0E0E4736",
    span_id: "0x00f067aa0ba902b7",
    trace_state: "[]",
  },
  kind: "SpanKind.CLIENT",
  parent_id: "0x1111111111111111",
  start_time: "2024-01-01T00:00:00.123456Z",
  end_time: "2024-01-01T00:00:01.000000Z",
  status: { status_code: "ERROR", description: "boom" },
  attributes: { "gen_ai.request.model": "gpt-4o", tokens: [1, 2], nested: { a: 1 }, gone: null },
  events: [{ name: "exception", timestamp: "2024-01-01T00:00:00.5Z", attributes: { "exception.type": "E" } }],
  links: [{ context: { trace_id: "0xab", span_id: "0xcd", trace_state: "[]" }, attributes: {} }],
  resource: { attributes: { "service.name": "agent" }, schema_url: "" },
};

describe("a trace entry as a store span", () => {
  it("reads OpenTelemetry's to_json() shape: 0x ids, ISO times with microseconds, status, kind kept", () => {
    const span = traceEntryToSpan(OTEL_JSON);
    expect(span).toMatchObject({
      trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
      span_id: "00f067aa0ba902b7",
      parent_id: "1111111111111111",
      name: "openai.chat",
      kind: "SpanKind.CLIENT",
      status: { status_code: "ERROR", description: "boom" },
      attributes: { "gen_ai.request.model": "gpt-4o", tokens: [1, 2], nested: '{"a":1}' },
      context: {
        trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
        span_id: "00f067aa0ba902b7",
        is_remote: false,
        trace_state: {},
      },
      parent: { trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", span_id: "1111111111111111" },
      links: [
        { context: { trace_id: "ab", span_id: "cd", is_remote: false, trace_state: {} }, attributes: {} },
      ],
      resource: { attributes: { "service.name": "agent" }, schema_url: "" },
    });
    expect(span.attributes).not.toHaveProperty("gone");
    expect(span.start_time).toBeCloseTo(1704067200.123456, 6);
    expect(span.end_time).toBe(1704067201);
    expect((span.events as { timestamp: number }[])[0]?.timestamp).toBeCloseTo(1704067200.5, 6);
  });

  it("keeps the ids and times of a dumped store span, and fills what is missing", () => {
    const span = traceEntryToSpan({
      trace_id: "t1",
      span_id: "s1",
      name: "x",
      start_time: 12.5,
      end_time: null,
    });
    expect(span).toMatchObject({
      trace_id: "t1",
      span_id: "s1",
      parent_id: null,
      start_time: 12.5,
      end_time: null,
    });
    const bare = traceEntryToSpan({});
    expect(bare.name).toBe("unnamed");
    expect(bare.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(bare.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(bare.status).toEqual({ status_code: "UNSET", description: null });
  });
});

describe("rolloutLegacySpans", () => {
  const rollout = RolloutLegacySchema.parse({
    rollout_id: "ro-1",
    final_reward: 0.5,
    triplets: [
      { prompt: { token_ids: [1] }, response: "a", reward: 1 },
      { prompt: "q2", response: "b" },
    ],
    trace: [OTEL_JSON, { rollout_id: "other", attempt_id: "other", sequence_id: 99, name: "dumped" }],
  });

  it("makes trace spans, one object span per triplet, and the reward span last, with the given ids", () => {
    expect(countRolloutSpans(rollout)).toBe(5);
    const spans = rolloutLegacySpans(rollout, {
      rolloutId: "ro-x",
      attemptId: "at-x",
      sequenceIds: [3, 4, 5, 6, 7],
      now: 100,
    });
    expect(spans.map((s) => [s.name, s.sequence_id, s.rollout_id, s.attempt_id])).toEqual([
      ["openai.chat", 3, "ro-x", "at-x"],
      ["dumped", 4, "ro-x", "at-x"],
      ["agentlightning.object", 5, "ro-x", "at-x"],
      ["agentlightning.object", 6, "ro-x", "at-x"],
      ["agentlightning.annotation", 7, "ro-x", "at-x"],
    ]);
    expect(JSON.parse(String(spans[2]?.attributes["agentlightning.object.json"]))).toEqual({
      prompt: { token_ids: [1] },
      response: "a",
      reward: 1,
      metadata: {},
    });
    expect(spans[3]?.attributes["agentlightning.legacy.triplet_index"]).toBe(1);
    expect(spans[4]?.attributes).toEqual({
      "agentlightning.reward.0.name": "primary",
      "agentlightning.reward.0.value": 0.5,
    });
    expect(spans[4]).toMatchObject({ start_time: 100, end_time: 100, status: { status_code: "OK" } });
  });

  it("makes nothing of an empty rollout and no reward span without a final reward", () => {
    const empty = RolloutLegacySchema.parse({ rollout_id: "ro-1" });
    expect(countRolloutSpans(empty)).toBe(0);
    expect(rolloutLegacySpans(empty, { rolloutId: "r", attemptId: "a", sequenceIds: [], now: 1 })).toEqual(
      [],
    );
    const noReward = RolloutLegacySchema.parse({
      rollout_id: "ro-1",
      triplets: [{ prompt: 1, response: 2 }],
    });
    const spans = rolloutLegacySpans(noReward, { rolloutId: "r", attemptId: "a", sequenceIds: [1], now: 1 });
    expect(spans.map((s) => s.name)).toEqual(["agentlightning.object"]);
  });
});
