/**
 * @packageDocumentation
 * The LightningStore: one interface, an in-memory and a Postgres implementation, the HTTP API and
 * its client. The conformance suite is at `@agentlightning/store/testing`.
 */
export { healthVerdict, ScanDebouncer } from "./core/health-scan.js";
export type { HealthVerdict } from "./core/health-scan.js";
export { propagateAttemptStatus } from "./core/propagate.js";
export { markWorkerIdleAfterEmptyDequeue, newWorker, syncWorkerWithAttempt } from "./core/worker-sync.js";
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
