/**
 * @packageDocumentation
 * `@agentlightning/store/server`: the store HTTP API (`/v1/agl/...`, OTLP trace ingestion at
 * `/v1/traces`, Prometheus metrics) as a Hono app, and `LightningStoreServer`, which serves it on a
 * port. hono, `@hono/node-server` and protobufjs are optional peer dependencies of
 * `@agentlightning/store`: install them to use this entry.
 *
 * @example
 * ```ts
 * import { InMemoryLightningStore } from "@agentlightning/store";
 * import { LightningStoreServer } from "@agentlightning/store/server";
 * const server = new LightningStoreServer({ store: new InMemoryLightningStore(), port: 4747 });
 * await server.start();
 * ```
 */
export type { StoreAppEnv, StoreAppOptions } from "./app.js";
export {
  createStoreApp,
  DEFAULT_BODY_LIMIT_BYTES,
  STORE_API_ALIAS_PREFIX,
  STORE_API_PREFIX,
} from "./app.js";
export { OTLP_ID_ATTRIBUTES, OtlpConversionError } from "./otlp/convert.js";
export type { OtlpIngestResult } from "./otlp/ingest.js";
export { ingestOtlpTraces } from "./otlp/ingest.js";
export type {
  ExtraApp,
  LightningStoreServerOptions,
  LightningStoreServerStopOptions,
} from "./server.js";
export { DEFAULT_STORE_PORT, LightningStoreServer } from "./server.js";
