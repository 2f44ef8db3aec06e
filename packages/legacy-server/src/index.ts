/**
 * @packageDocumentation
 * The deprecated Agent Lightning v0.1 task server: `GET /task`, `GET /resources/latest`,
 * `GET /resources/:id`, `POST /rollout`, wire-compatible with the Python `AgentLightningClient`
 * v0.2.2 and v0.3.0. New code should use `LightningStore` from `@agentlightning/store`.
 */

export type { LegacyAppOptions } from "./app.js";
export { createLegacyApp, DEFAULT_TASK_TIMEOUT_SECONDS, LEGACY_VALIDATION_ERROR_STATUS } from "./app.js";
export type { RolloutSpanTarget } from "./rollout-spans.js";
export { countRolloutSpans, rolloutLegacySpans } from "./rollout-spans.js";
export type {
  AgentLightningServerOptions,
  PollCompletedRolloutOptions,
  QueueTaskOptions,
  RunForeverOptions,
} from "./server.js";
export { AgentLightningServer } from "./server.js";
export type { LegacyTaskBackend } from "./task-backend.js";
export { taskStoreBackend } from "./task-backend.js";
export type { AddTaskOptions, LegacyTaskStoreOptions } from "./task-store.js";
export { LegacyTaskStore } from "./task-store.js";
