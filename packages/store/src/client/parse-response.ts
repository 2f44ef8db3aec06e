import { AglError, formatValidationError, toValidationDetail } from "@agentlightning/types";
import type * as z from "zod";

/**
 * Parses a response body with its wire schema. A body that does not fit is a server fault the
 * caller cannot fix: `AglError` `internal` naming every offending field
 * (`Malformed response to GET /v1/agl/rollouts/ro-1: attempt.sequence_id: Invalid input: ...`),
 * never a half-valid object.
 */
export function parseResponse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new AglError(
    "internal",
    `Malformed response to ${what}: ${formatValidationError(result.error, value)}`,
    {
      details: { response: toValidationDetail(result.error, "body", value) },
    },
  );
}
