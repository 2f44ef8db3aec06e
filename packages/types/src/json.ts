import * as z from "zod";

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object with arbitrary values (metadata, heartbeat stats, sampling parameters). */
export const JsonObjectSchema = z.record(z.string(), z.unknown());
/** A JSON object with arbitrary values. */
export type JsonObject = Record<string, unknown>;

/**
 * Any JSON value whose key must be present (JSON `null` allowed). Used for task `input`, which the
 * wire requires even when it is null.
 */
export const RequiredJsonSchema = z.unknown();
