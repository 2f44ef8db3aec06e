/**
 * @packageDocumentation
 * The LightningStore: one interface, an in-memory and a Postgres implementation, the HTTP API and
 * its client. The conformance suite is at `@agentlightning/store/testing`.
 */
export type { LightningStoreClientOptions } from "./client/store-client.js";
export { LightningStoreClient } from "./client/store-client.js";
export type { HealthVerdict } from "./core/health-scan.js";
export { healthVerdict, ScanDebouncer } from "./core/health-scan.js";
export { propagateAttemptStatus } from "./core/propagate.js";
export { markWorkerIdleAfterEmptyDequeue, newWorker, syncWorkerWithAttempt } from "./core/worker-sync.js";
export type { StoreAppEnv, StoreAppOptions } from "./http/app.js";
export {
  createStoreApp,
  DEFAULT_BODY_LIMIT_BYTES,
  STORE_API_ALIAS_PREFIX,
  STORE_API_PREFIX,
} from "./http/app.js";
export type { ConvertedTraceRequest, OtlpSpanDraft } from "./http/otlp/convert.js";
export { convertTraceRequest, OTLP_ID_ATTRIBUTES, OtlpConversionError } from "./http/otlp/convert.js";
export type { OtlpIngestResult } from "./http/otlp/ingest.js";
export { ingestOtlpTraces, storeOtlpSpans } from "./http/otlp/ingest.js";
export type { DecodedTraceRequest } from "./http/otlp/proto.js";
export { decodeTraceRequest, otlpTypes } from "./http/otlp/proto.js";
export type {
  ExtraApp,
  LightningStoreServerOptions,
  LightningStoreServerStopOptions,
} from "./http/server.js";
export { DEFAULT_STORE_PORT, LightningStoreServer } from "./http/server.js";
export type { InMemoryLightningStoreSettings } from "./memory/memory-store.js";
export { InMemoryLightningStore } from "./memory/memory-store.js";
export type {
  PgliteDriverOptions,
  PostgresDriverOptions,
  SqlExecutor,
  StoreDriver,
} from "./postgres/driver.js";
export { createPgliteDriver, createPostgresDriver, postgresJsDriver } from "./postgres/driver.js";
export type { MigrateStoreOptions } from "./postgres/migrate.js";
export { defaultMigrationsFolder, migrateStore } from "./postgres/migrate.js";
export type {
  FromDriverOptions,
  PgliteStoreOptions,
  PostgresConnectOptions,
  PostgresStoreOptions,
} from "./postgres/postgres-store.js";
export { PostgresLightningStore } from "./postgres/postgres-store.js";
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
