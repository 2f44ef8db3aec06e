/**
 * @packageDocumentation
 * The Agent Lightning Trainer: `new Trainer({ algorithm, nRunners }).fit(agent, train, { valDataset })`
 * resolves its components from specs and runs the algorithm and the runners with an execution
 * strategy (`shm`: one process; `cs`: a store server and runner processes, or other machines;
 * `ipc`: runner processes on an IPC store), plus typed configuration from flags and environment (`lightningCli`).
 */

export { ExecutionEvent } from "@agentlightning/litagent";
export type {
  BuildComponentOptions,
  ComponentKind,
  ComponentSpec,
  OptionalDefault,
  SpecDict,
} from "./component/build-component.js";
export {
  buildComponent,
  instantiateComponent,
  instantiateFromSpec,
  pythonTypeName,
} from "./component/build-component.js";
export { ExecutionStrategyRegistry, Kinds } from "./component/kinds.js";
export type { ComponentClass } from "./component/registry.js";
export { registerComponent } from "./component/registry.js";
export type { EnvSource, ExecutionRole } from "./env-vars.js";
export {
  AglEnvVars,
  EnvVarError,
  FALSY_VALUES,
  resolveBoolEnvVar,
  resolveIntEnvVar,
  resolveRole,
  resolveStrEnvVar,
  TRUTHY_VALUES,
} from "./env-vars.js";
export { ValueError } from "./errors.js";
export type {
  ClientServerExecutionStrategyOptions,
  MainProcess,
} from "./execution/client-server.js";
export { ChildEnvVars, ClientServerExecutionStrategy } from "./execution/client-server.js";
export type { GuardOptions } from "./execution/guard.js";
export { runUntilCompletedOrCanceled } from "./execution/guard.js";
export type { InterProcessExecutionStrategyOptions } from "./execution/inter-process.js";
export { InterProcessExecutionStrategy, IPC_CHILD_ENV } from "./execution/inter-process.js";
export { ipcStoreClient, serveStoreOverIpc } from "./execution/ipc-store.js";
export { failMaroonedAttempts } from "./execution/marooned-rollouts.js";
export type { ChildEntry, ControlMessage, ShutdownOptions } from "./execution/processes.js";
export {
  ChildHandle,
  exitCodeOf,
  isChannelClosedError,
  joinUntilDeadline,
  shutdownProcesses,
  signalProcesses,
} from "./execution/processes.js";
export { serializedStore } from "./execution/serialized-store.js";
export type { MainThread, SharedMemoryExecutionStrategyOptions } from "./execution/shared-memory.js";
export { SharedMemoryExecutionStrategy } from "./execution/shared-memory.js";
export type { AlgorithmBundle, RunnerBundle } from "./execution/strategy.js";
export { ExecutionStrategy } from "./execution/strategy.js";
export type {
  CliConfigurable,
  CliInstances,
  CliParam,
  CliParamType,
  CliSchema,
  LightningCliOptions,
} from "./lightning-cli.js";
export {
  CliUsageError,
  cliEnvVar,
  cliFlag,
  lightningCli,
  lightningCliHelp,
  parseLightningCli,
} from "./lightning-cli.js";
export type { TrainerRunner } from "./runner-bundle.js";
export type { FitOptions, TrainerAdapter, TrainerOptions } from "./trainer.js";
export { Trainer } from "./trainer.js";
