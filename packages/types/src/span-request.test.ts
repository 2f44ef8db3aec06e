import { describe, expect, it } from "vitest";
import { SpanSchema } from "./span.js";
import { AddSpanRequestSchema, completeSpanRequest } from "./span-request.js";

describe("AddSpanRequestSchema and completeSpanRequest", () => {
  it("requires only rollout_id, attempt_id and name, and validates present keys as a span does", () => {
    expect(AddSpanRequestSchema.safeParse({ rollout_id: "r", attempt_id: "a", name: "n" }).success).toBe(
      true,
    );
    for (const missing of ["rollout_id", "attempt_id", "name"]) {
      const body: Record<string, unknown> = { rollout_id: "r", attempt_id: "a", name: "n" };
      delete body[missing];
      expect(AddSpanRequestSchema.safeParse(body).success, missing).toBe(false);
    }
    const base = { rollout_id: "r", attempt_id: "a", name: "n" };
    expect(AddSpanRequestSchema.safeParse({ ...base, attributes: { k: { a: 1 } } }).success).toBe(false);
    expect(AddSpanRequestSchema.safeParse({ ...base, sequence_id: -1 }).success).toBe(false);
    expect(AddSpanRequestSchema.safeParse({ ...base, status: { status_code: "FINE" } }).success).toBe(false);
  });

  it("fills absent keys, keeps present ones (explicit nulls included) and extra keys", () => {
    const request = AddSpanRequestSchema.parse({
      rollout_id: "r",
      attempt_id: "a",
      name: "n",
      end_time: null,
      x: 1,
    });
    const span = completeSpanRequest(request, { sequenceId: 7, now: 42 });
    expect(SpanSchema.parse(span)).toEqual(span);
    expect(span).toMatchObject({
      sequence_id: 7,
      parent_id: null,
      status: { status_code: "UNSET", description: null },
      start_time: 42,
      end_time: null,
      parent: null,
      x: 1,
      context: { trace_id: span.trace_id, span_id: span.span_id, is_remote: false, trace_state: {} },
    });
    const child = completeSpanRequest(
      AddSpanRequestSchema.parse({
        rollout_id: "r",
        attempt_id: "a",
        name: "c",
        trace_id: "t",
        parent_id: "p",
      }),
      { sequenceId: 8, now: 1 },
    );
    expect(child.parent).toEqual({ trace_id: "t", span_id: "p", is_remote: false, trace_state: {} });
  });

  it("leaves a complete span (what the Python client sends) unchanged", () => {
    const full = SpanSchema.parse({
      rollout_id: "r",
      attempt_id: "a",
      sequence_id: 3,
      trace_id: "t",
      span_id: "s",
      parent_id: null,
      name: "n",
      status: { status_code: "OK", description: null },
      attributes: { a: 1 },
      events: [],
      links: [],
      start_time: null,
      end_time: null,
      context: null,
      parent: null,
      resource: { attributes: {}, schema_url: "" },
    });
    expect(completeSpanRequest(AddSpanRequestSchema.parse(full), { sequenceId: 99, now: 5 })).toEqual(full);
  });
});
