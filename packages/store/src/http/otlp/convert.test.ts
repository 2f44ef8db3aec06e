import { describe, expect, it } from "vitest";
import { convertTraceRequest, OtlpConversionError } from "./convert.js";
import type { DecodedAnyValue, DecodedTraceRequest } from "./proto.js";

const s = (stringValue: string): DecodedAnyValue => ({ value: "stringValue", stringValue });

function request(
  sequence: DecodedAnyValue | undefined,
  extra: DecodedTraceRequest["resourceSpans"] = [],
): DecodedTraceRequest {
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: "agentlightning.rollout_id", value: s("ro-1") },
            { key: "agentlightning.attempt_id", value: s("at-1") },
          ],
        },
        scopeSpans: [
          {
            spans: [
              {
                name: "x",
                attributes: sequence ? [{ key: "agentlightning.span_sequence_id", value: sequence }] : [],
              },
            ],
          },
        ],
      },
      ...extra,
    ],
  };
}

function sequenceOf(value: DecodedAnyValue | undefined): number | null {
  const [draft] = convertTraceRequest(request(value)).spans;
  return draft?.allocateSequenceId ? null : (draft?.span.sequence_id ?? null);
}

describe("convertTraceRequest", () => {
  it("reads sequence ids from decimal strings and integers only (§4.7, E5, E7)", () => {
    expect(sequenceOf(s("42"))).toBe(42);
    expect(sequenceOf(s(" +7 "))).toBe(7);
    expect(sequenceOf(s("1_000"))).toBe(1000);
    expect(sequenceOf(s("0"))).toBe(0);
    expect(sequenceOf({ value: "intValue", intValue: 9n })).toBe(9);
    expect(sequenceOf(s("-1"))).toBeNull();
    expect(sequenceOf(s("4.2"))).toBeNull();
    expect(sequenceOf(s("abc"))).toBeNull();
    expect(sequenceOf({ value: "intValue", intValue: -3n })).toBeNull();
    expect(sequenceOf({ value: "doubleValue", doubleValue: 5 })).toBeNull();
    expect(sequenceOf({ value: "boolValue", boolValue: true })).toBeNull();
    expect(sequenceOf(undefined)).toBeNull();
  });

  it("stringifies non-string ids as Python's str() does", () => {
    const converted = convertTraceRequest({
      resourceSpans: [
        {
          resource: {
            attributes: [
              { key: "agentlightning.rollout_id", value: { value: "intValue", intValue: 12n } },
              { key: "agentlightning.attempt_id", value: { value: "boolValue", boolValue: true } },
            ],
          },
          scopeSpans: [{ spans: [{ name: "x" }] }],
        },
      ],
    });
    expect(converted.spans[0]?.span).toMatchObject({ rollout_id: "12", attempt_id: "True" });
  });

  it("maps timestamps, status codes and bytes", () => {
    const converted = convertTraceRequest({
      resourceSpans: [
        {
          resource: {
            attributes: [
              { key: "agentlightning.rollout_id", value: s("ro-1") },
              { key: "agentlightning.attempt_id", value: s("at-1") },
            ],
          },
          scopeSpans: [
            {
              spans: [
                {
                  name: "x",
                  startTimeUnixNano: 0n,
                  endTimeUnixNano: 1_700_000_000_250_000_000n,
                  status: { code: 9, message: "" },
                  attributes: [
                    { key: "raw", value: { value: "bytesValue", bytesValue: new Uint8Array([1, 171]) } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    const span = converted.spans[0]?.span;
    expect(span).toMatchObject({
      start_time: null,
      end_time: 1_700_000_000.25,
      status: { status_code: "UNSET", description: null },
      attributes: { raw: "01ab" },
      trace_id: "0".repeat(32),
      span_id: "0".repeat(16),
      parent_id: null,
    });
  });

  it("rejects the whole request for map, unset or mixed attribute values", () => {
    for (const value of [
      { value: "kvlistValue", kvlistValue: { values: [] } },
      {},
      { value: "arrayValue", arrayValue: { values: [s("a"), { value: "boolValue", boolValue: true }] } },
    ] as DecodedAnyValue[]) {
      const bad = request(undefined);
      bad.resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.[0]?.attributes?.push({ key: "bad", value });
      expect(() => convertTraceRequest(bad)).toThrow(OtlpConversionError);
    }
  });

  it("counts spans without ids as skipped", () => {
    const converted = convertTraceRequest(
      request(undefined, [{ scopeSpans: [{ spans: [{ name: "orphan" }] }] }]),
    );
    expect(converted.spans).toHaveLength(1);
    expect(converted.skipped).toBe(1);
  });
});
