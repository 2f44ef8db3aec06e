import protobuf from "protobufjs";

// The subset of opentelemetry-proto (and google.rpc.Status) the traces endpoint needs, declared
// with protobufjs reflection instead of generated code. Field numbers and types follow
// opentelemetry-proto v1; field names are camelCase, as protobufjs exposes them.

const f = (type: string, id: number) => ({ type, id });
const repeated = (type: string, id: number) => ({ rule: "repeated", type, id });

const COMMON = "opentelemetry.proto.common.v1";

const OTLP_DESCRIPTOR = {
  nested: {
    opentelemetry: {
      nested: {
        proto: {
          nested: {
            common: {
              nested: {
                v1: {
                  nested: {
                    AnyValue: {
                      oneofs: {
                        value: {
                          oneof: [
                            "stringValue",
                            "boolValue",
                            "intValue",
                            "doubleValue",
                            "arrayValue",
                            "kvlistValue",
                            "bytesValue",
                          ],
                        },
                      },
                      fields: {
                        stringValue: f("string", 1),
                        boolValue: f("bool", 2),
                        intValue: f("int64", 3),
                        doubleValue: f("double", 4),
                        arrayValue: f("ArrayValue", 5),
                        kvlistValue: f("KeyValueList", 6),
                        bytesValue: f("bytes", 7),
                      },
                    },
                    ArrayValue: { fields: { values: repeated("AnyValue", 1) } },
                    KeyValueList: { fields: { values: repeated("KeyValue", 1) } },
                    KeyValue: { fields: { key: f("string", 1), value: f("AnyValue", 2) } },
                    InstrumentationScope: {
                      fields: {
                        name: f("string", 1),
                        version: f("string", 2),
                        attributes: repeated("KeyValue", 3),
                        droppedAttributesCount: f("uint32", 4),
                      },
                    },
                  },
                },
              },
            },
            resource: {
              nested: {
                v1: {
                  nested: {
                    Resource: {
                      fields: {
                        attributes: repeated(`${COMMON}.KeyValue`, 1),
                        droppedAttributesCount: f("uint32", 2),
                      },
                    },
                  },
                },
              },
            },
            trace: {
              nested: {
                v1: {
                  nested: {
                    ResourceSpans: {
                      fields: {
                        resource: f("opentelemetry.proto.resource.v1.Resource", 1),
                        scopeSpans: repeated("ScopeSpans", 2),
                        schemaUrl: f("string", 3),
                      },
                    },
                    ScopeSpans: {
                      fields: {
                        scope: f(`${COMMON}.InstrumentationScope`, 1),
                        spans: repeated("Span", 2),
                        schemaUrl: f("string", 3),
                      },
                    },
                    Span: {
                      fields: {
                        traceId: f("bytes", 1),
                        spanId: f("bytes", 2),
                        traceState: f("string", 3),
                        parentSpanId: f("bytes", 4),
                        flags: f("fixed32", 16),
                        name: f("string", 5),
                        kind: f("int32", 6),
                        startTimeUnixNano: f("fixed64", 7),
                        endTimeUnixNano: f("fixed64", 8),
                        attributes: repeated(`${COMMON}.KeyValue`, 9),
                        droppedAttributesCount: f("uint32", 10),
                        events: repeated("Event", 11),
                        droppedEventsCount: f("uint32", 12),
                        links: repeated("Link", 13),
                        droppedLinksCount: f("uint32", 14),
                        status: f("Status", 15),
                      },
                      nested: {
                        Event: {
                          fields: {
                            timeUnixNano: f("fixed64", 1),
                            name: f("string", 2),
                            attributes: repeated(`${COMMON}.KeyValue`, 3),
                            droppedAttributesCount: f("uint32", 4),
                          },
                        },
                        Link: {
                          fields: {
                            traceId: f("bytes", 1),
                            spanId: f("bytes", 2),
                            traceState: f("string", 3),
                            attributes: repeated(`${COMMON}.KeyValue`, 4),
                            droppedAttributesCount: f("uint32", 5),
                            flags: f("fixed32", 6),
                          },
                        },
                      },
                    },
                    // Span status; `code` is declared as int32 so unknown codes survive decoding.
                    Status: { fields: { message: f("string", 2), code: f("int32", 3) } },
                  },
                },
              },
            },
            collector: {
              nested: {
                trace: {
                  nested: {
                    v1: {
                      nested: {
                        ExportTraceServiceRequest: {
                          fields: {
                            resourceSpans: repeated("opentelemetry.proto.trace.v1.ResourceSpans", 1),
                          },
                        },
                        ExportTraceServiceResponse: {
                          fields: { partialSuccess: f("ExportTracePartialSuccess", 1) },
                        },
                        ExportTracePartialSuccess: {
                          fields: { rejectedSpans: f("int64", 1), errorMessage: f("string", 2) },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    google: {
      nested: {
        protobuf: { nested: { Any: { fields: { typeUrl: f("string", 1), value: f("bytes", 2) } } } },
        rpc: {
          nested: {
            Status: {
              fields: {
                code: f("int32", 1),
                message: f("string", 2),
                details: repeated("google.protobuf.Any", 3),
              },
            },
          },
        },
      },
    },
  },
};

/** The protobufjs root holding the OTLP trace messages and `google.rpc.Status`. */
export const otlpRoot: protobuf.Root = protobuf.Root.fromJSON(OTLP_DESCRIPTOR);

/**
 * The protobufjs message types of OTLP/HTTP trace export. Use them to encode payloads in tests or
 * tools (`ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(obj)).finish()`).
 */
export const otlpTypes = {
  ExportTraceServiceRequest: otlpRoot.lookupType(
    "opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest",
  ),
  ExportTraceServiceResponse: otlpRoot.lookupType(
    "opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse",
  ),
  RpcStatus: otlpRoot.lookupType("google.rpc.Status"),
} as const;

/** An OTLP `AnyValue` as decoded: at most one of the value fields is set (`value` names it). */
export interface DecodedAnyValue {
  value?:
    | "stringValue"
    | "boolValue"
    | "intValue"
    | "doubleValue"
    | "arrayValue"
    | "kvlistValue"
    | "bytesValue";
  stringValue?: string;
  boolValue?: boolean;
  intValue?: bigint;
  doubleValue?: number;
  arrayValue?: { values?: DecodedAnyValue[] };
  kvlistValue?: { values?: DecodedKeyValue[] };
  bytesValue?: Uint8Array;
}

/** An OTLP `KeyValue` as decoded. */
export interface DecodedKeyValue {
  key?: string;
  value?: DecodedAnyValue;
}

/** An OTLP span as decoded (only the fields the store uses). */
export interface DecodedSpan {
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  parentSpanId?: Uint8Array;
  name?: string;
  startTimeUnixNano?: bigint;
  endTimeUnixNano?: bigint;
  attributes?: DecodedKeyValue[];
  events?: { timeUnixNano?: bigint; name?: string; attributes?: DecodedKeyValue[] }[];
  links?: { traceId?: Uint8Array; spanId?: Uint8Array; attributes?: DecodedKeyValue[] }[];
  status?: { message?: string; code?: number };
}

/** An OTLP `ExportTraceServiceRequest` as decoded. */
export interface DecodedTraceRequest {
  resourceSpans?: {
    resource?: { attributes?: DecodedKeyValue[] };
    scopeSpans?: { spans?: DecodedSpan[] }[];
    schemaUrl?: string;
  }[];
}

/**
 * Decodes an `ExportTraceServiceRequest`; 64-bit integers become `bigint`. Throws the protobuf
 * error when the bytes are not a valid message.
 */
export function decodeTraceRequest(bytes: Uint8Array): DecodedTraceRequest {
  const type = otlpTypes.ExportTraceServiceRequest;
  const message = type.decode(bytes);
  return type.toObject(message, { longs: BigInt, oneofs: true, arrays: true }) as DecodedTraceRequest;
}

/** Serialises a `google.rpc.Status` with `message` (code 0, as the Python server sends it). */
export function encodeRpcStatus(message: string): Uint8Array {
  const type = otlpTypes.RpcStatus;
  return type.encode(type.create({ message })).finish();
}
