/**
 * @packageDocumentation
 * Write an agent once, run it on many tasks: {@link LitAgent} and the rollout helpers
 * (`rollout`, `llmRollout`, `promptRollout`) that make agents of plain functions, and
 * {@link LitAgentRunner}, which takes rollouts from a LightningStore, traces them and reports
 * rewards, many at once in one process. `LegacyAgentRunner` runs agents against the deprecated
 * v0.1 task server.
 */

export type { AgentContext, AgentContextOptions } from "./agent-context.js";
export { createAgentContext } from "./agent-context.js";
export { ExecutionEvent } from "./execution-event.js";
export type {
  AgentFunction,
  FunctionalAgent,
  FunctionalAgentKind,
  FunctionalAgentOptions,
} from "./functional-agent.js";
export { FunctionalLitAgent, llmRollout, promptRollout, rollout } from "./functional-agent.js";
export type { RolloutEndEvent, RolloutStartEvent, RunnerHook, TraceEvent } from "./hook.js";
export { Hook } from "./hook.js";
export type {
  LegacyAgentRunnerOptions,
  LegacyRolloutArguments,
} from "./legacy/legacy-agent-runner.js";
export { LegacyAgentRunner } from "./legacy/legacy-agent-runner.js";
export type { LegacyResultContext, TripletExporter } from "./legacy/legacy-result.js";
export { toRolloutLegacy } from "./legacy/legacy-result.js";
export type { AgentRunner, AgentTrainer, LitAgentOptions } from "./lit-agent.js";
export { LitAgent } from "./lit-agent.js";
export type { FormattablePromptTemplate } from "./resource-lookup.js";
export { findLlmResource, findPromptTemplateResource } from "./resource-lookup.js";
export type { PostProcessContext, RolloutRawResult } from "./rollout-result.js";
export { postProcessRolloutResult } from "./rollout-result.js";
export type { HeartbeatOptions, SnapshotFunction } from "./runner/heartbeat.js";
export { emitHeartbeat, startHeartbeatLoop } from "./runner/heartbeat.js";
export type {
  IterOptions,
  LitAgentRunnerOptions,
  RunContextOptions,
  StepOptions,
} from "./runner/lit-agent-runner.js";
export { LitAgentRunner } from "./runner/lit-agent-runner.js";
export { systemSnapshot } from "./runner/system-snapshot.js";
