/**
 * @packageDocumentation
 * The deprecated Agent Lightning v0.1 task client (`AgentLightningClient`) and its offline stand-in
 * (`DevTaskLoader`), wire-compatible with the Python `AgentLightningServer` v0.2.2 and v0.3.0.
 * New code should use `LightningStoreClient` from `@agentlightning/store`.
 */

export type { AgentLightningClientOptions, PollNextTaskOptions, PostRolloutResult } from "./client.js";
export { AgentLightningClient } from "./client.js";
export type {
  DevTaskLoaderOptions,
  DevTaskLoaderPostResult,
  DevTaskLoaderResources,
  LegacyResourcesUpdateInput,
} from "./dev-task-loader.js";
export { DevTaskLoader } from "./dev-task-loader.js";
