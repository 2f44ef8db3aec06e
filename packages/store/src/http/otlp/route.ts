import { gunzipSync, gzipSync } from "node:zlib";
import type { Logger } from "@agentlightning/types";
import { AglError } from "@agentlightning/types";
import type { Context } from "hono";
import type { LightningStore } from "../../store.js";
import { convertTraceRequest, OtlpConversionError } from "./convert.js";
import { type DecodedTraceRequest, decodeTraceRequest, encodeRpcStatus } from "./proto.js";
import { storeOtlpSpans } from "./store-spans.js";

/** The only OTLP/HTTP encoding the server accepts (OTLP/JSON is not supported, as upstream). */
export const PROTOBUF_CONTENT_TYPE = "application/x-protobuf";

function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(",").some((token) => token.split(";")[0]?.trim().toLowerCase() === "gzip");
}

/** A protobuf response, gzip-compressed when the client accepts it (OTLP/HTTP). */
function protobufReply(c: Context, status: 200 | 400, payload: Uint8Array): Response {
  const headers: Record<string, string> = { "Content-Type": PROTOBUF_CONTENT_TYPE };
  let body = payload;
  if (acceptsGzip(c.req.header("accept-encoding"))) {
    body = gzipSync(payload);
    headers["Content-Encoding"] = "gzip";
  }
  return c.body(body as Uint8Array<ArrayBuffer>, status, headers);
}

/** 400 with a `google.rpc.Status` body, as the OTLP/HTTP spec asks. */
function rejected(c: Context, message: string): Response {
  return protobufReply(c, 400, encodeRpcStatus(message));
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Options of {@link createOtlpTracesHandler}. */
export interface OtlpTracesHandlerOptions {
  store: LightningStore;
  logger: Logger;
  /** Largest decompressed body accepted, in bytes. */
  maxBodyBytes: number;
}

/**
 * The `POST /v1/traces` handler (docs/store-contract.md §4.7): protobuf only, optional gzip in and out, 400 with a
 * `google.rpc.Status` for a wrong content type, an invalid or truncated gzip stream, an undecodable
 * payload, invalid attribute values or text, or an unknown rollout/attempt — in which case nothing
 * of the request is stored.
 */
export function createOtlpTracesHandler(options: OtlpTracesHandlerOptions) {
  const { store, logger, maxBodyBytes } = options;
  return async (c: Context): Promise<Response> => {
    const contentType = (c.req.header("content-type") ?? "").split(";")[0]?.trim() ?? "";
    if (contentType !== PROTOBUF_CONTENT_TYPE) {
      return rejected(c, `Unsupported Content-Type '${contentType}', expected '${PROTOBUF_CONTENT_TYPE}'`);
    }
    let body = new Uint8Array(await c.req.arrayBuffer());
    if (body.length > 0 && (c.req.header("content-encoding") ?? "").toLowerCase() === "gzip") {
      try {
        body = gunzipSync(body, { maxOutputLength: maxBodyBytes });
      } catch (error) {
        if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
          return c.json({ detail: `Decompressed request body exceeds ${maxBodyBytes} bytes` }, 413);
        }
        // Anything else zlib refuses (bad header, corrupt data, truncated stream) is the client's
        // garbage, answered like any undecodable payload (upstream answers 500).
        return rejected(c, `Unable to decompress gzip OTLP traces payload: ${reason(error)}`);
      }
    }
    let decoded: DecodedTraceRequest = {};
    if (body.length > 0) {
      try {
        decoded = decodeTraceRequest(body);
      } catch (error) {
        return rejected(c, `Unable to parse OTLP traces payload: ${reason(error)}`);
      }
    }
    try {
      const result = await storeOtlpSpans(store, convertTraceRequest(decoded));
      if (result.skipped > 0) {
        logger.warn(`OTLP export: ${result.skipped} span(s) without rollout_id/attempt_id were skipped.`);
      }
      logger.debug(`OTLP export: ${result.stored} span(s) stored, ${result.duplicates} duplicate(s).`);
    } catch (error) {
      const clientFault =
        error instanceof OtlpConversionError ||
        (AglError.isInstance(error) && ["not_found", "invalid_argument", "gone"].includes(error.code));
      if (clientFault) return rejected(c, reason(error));
      throw error;
    }
    return protobufReply(c, 200, new Uint8Array(0));
  };
}
