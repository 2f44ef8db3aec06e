// Web Crypto (`globalThis.crypto`, global in Node 20 and every browser) rather than `node:crypto`, so
// this module, and everything built on it (the adapters of @agentlightning/tracer), runs in a
// browser unchanged. Ids are drawn from a pooled random buffer: one call per 4 KiB of ids instead of
// one per id, which matters when a store creates tens of thousands of rollouts per second.
const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
let poolOffset = POOL_SIZE;
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

/** `bytes` random bytes as lowercase hex (`2 * bytes` characters). */
export function randomHex(bytes: number): string {
  if (bytes > POOL_SIZE) return randomHex(POOL_SIZE) + randomHex(bytes - POOL_SIZE);
  if (poolOffset + bytes > POOL_SIZE) {
    globalThis.crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  let hex = "";
  for (let i = poolOffset; i < poolOffset + bytes; i++) hex += HEX[pool[i] as number];
  poolOffset += bytes;
  return hex;
}

/** A new rollout id: `ro-` + 12 lowercase hex characters. */
export function generateRolloutId(): string {
  return `ro-${randomHex(6)}`;
}

/** A new attempt id: `at-` + 8 lowercase hex characters. */
export function generateAttemptId(): string {
  return `at-${randomHex(4)}`;
}

/** A new resources snapshot id: `rs-` + 12 lowercase hex characters. */
export function generateResourcesId(): string {
  return `rs-${randomHex(6)}`;
}

/** A new OpenTelemetry trace id: 32 lowercase hex characters. */
export function generateTraceId(): string {
  return randomHex(16);
}

/** A new OpenTelemetry span id: 16 lowercase hex characters. */
export function generateSpanId(): string {
  return randomHex(8);
}

/** A legacy (v0.1 task server) rollout id: `rollout-` + a UUID v4. */
export function generateLegacyRolloutId(): string {
  return `rollout-${globalThis.crypto.randomUUID()}`;
}

/** A legacy (v0.1 task server) resources id: `res-` + a UUID v4. */
export function generateLegacyResourcesId(): string {
  return `res-${globalThis.crypto.randomUUID()}`;
}

/** Regular expressions a caller (or a test) may use to recognise generated ids. */
export const ID_PATTERNS = {
  rollout: /^ro-[0-9a-f]{12}$/,
  attempt: /^at-[0-9a-f]{8}$/,
  resources: /^rs-[0-9a-f]{12}$/,
  traceId: /^[0-9a-f]{32}$/,
  spanId: /^[0-9a-f]{16}$/,
  legacyRollout: /^rollout-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  legacyResources: /^res-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
} as const;
