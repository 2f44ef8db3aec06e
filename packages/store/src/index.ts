/**
 * @packageDocumentation
 * The LightningStore: the `LightningStore` interface, the in-memory store and the HTTP client.
 * This entry depends on `@agentlightning/types` and zod only, so a runner that talks to a store
 * over HTTP installs no database and no HTTP server.
 *
 * The other entries, each with its own optional peer dependencies:
 * - `@agentlightning/store/postgres`: `PostgresLightningStore`, its drivers and migrations
 *   (drizzle-orm, plus `@electric-sql/pglite` or `postgres`);
 * - `@agentlightning/store/server`: the HTTP API as a Hono app and `LightningStoreServer`, with
 *   OTLP trace ingestion and metrics (hono, `@hono/node-server`, protobufjs);
 * - `@agentlightning/store/testing`: the conformance suite (vitest).
 */

// The stores throw `AglError` with a `code` (`not_found`, `invalid_argument`, ...); re-exported so
// that a runner can test for them without depending on `@agentlightning/types` directly.
export type { AglErrorCode } from "@agentlightning/types";
export { AglError } from "@agentlightning/types";
export type { LightningStoreClientOptions } from "./client/store-client.js";
export { LightningStoreClient } from "./client/store-client.js";
export { addSpansAllocating } from "./core/span-allocation.js";
export type { LightningStoreInsights, RewardQueryOptions, SpanSearchOptions } from "./insights.js";
export { isLightningStoreInsights } from "./insights.js";
export type { InMemoryLightningStoreSettings } from "./memory/memory-store.js";
export { InMemoryLightningStore } from "./memory/memory-store.js";
export type {
  AttemptPatch,
  EnqueueRolloutOptions,
  LightningStore,
  PageOptions,
  QueryAttemptsOptions,
  QueryResourcesOptions,
  QueryRolloutsOptions,
  QuerySpansOptions,
  QueryWorkersOptions,
  RolloutConfigInput,
  RolloutPatch,
  StartRolloutOptions,
  StoreCapabilities,
  StoreSettings,
} from "./store.js";
