import { Algorithm, APO, Baseline, LLMProxy } from "@agentlightning/algorithm";
import { LitAgentRunner } from "@agentlightning/litagent";
import { InMemoryLightningStore, type LightningStore } from "@agentlightning/store";
import {
  Adapter,
  DummyTracer,
  InstrumentedTracer,
  LlmProxyTraceToTriplet,
  OtelTracer,
  Tracer,
  TracerTraceToTriplet,
  TraceToMessages,
} from "@agentlightning/tracer";
import { ClientServerExecutionStrategy } from "../execution/client-server.js";
import { InterProcessExecutionStrategy } from "../execution/inter-process.js";
import { SharedMemoryExecutionStrategy } from "../execution/shared-memory.js";
import { ExecutionStrategy } from "../execution/strategy.js";
import type { TrainerRunner } from "../runner-bundle.js";
import type { ComponentKind } from "./build-component.js";
import { type ComponentClass, registerComponent } from "./registry.js";

const hasMethods = (value: unknown, ...names: string[]): boolean =>
  typeof value === "object" &&
  value !== null &&
  names.every((name) => typeof (value as Record<string, unknown>)[name] === "function");

/** The kinds of component the Trainer resolves (orchestration §1.4 table). */
export const Kinds = {
  tracer: { name: "Tracer", base: Tracer, is: (v: unknown): v is Tracer => v instanceof Tracer },
  algorithm: {
    name: "Algorithm",
    base: Algorithm,
    is: (v: unknown): v is Algorithm => v instanceof Algorithm,
  },
  adapter: {
    name: "TraceAdapter",
    base: Adapter,
    is: (v: unknown): v is { adapt(spans: unknown): unknown } => hasMethods(v, "adapt"),
  },
  store: {
    name: "LightningStore",
    is: (v: unknown): v is LightningStore =>
      hasMethods(v, "enqueueRollout", "dequeueRollout", "updateAttempt"),
  },
  runner: {
    name: "Runner",
    base: LitAgentRunner,
    is: (v: unknown): v is TrainerRunner =>
      hasMethods(v, "init", "initWorker", "iter", "teardownWorker", "teardown"),
  },
  strategy: {
    name: "ExecutionStrategy",
    base: ExecutionStrategy,
    is: (v: unknown): v is ExecutionStrategy => v instanceof ExecutionStrategy,
  },
  llmProxy: {
    name: "LLMProxy",
    base: LLMProxy,
    is: (v: unknown): v is LLMProxy => v instanceof LLMProxy || hasMethods(v, "start", "stop", "setStore"),
  },
} satisfies Record<string, ComponentKind<unknown>>;

const SHM = "agentlightning.execution.shared_memory.SharedMemoryExecutionStrategy";
const CS = "agentlightning.execution.client_server.ClientServerExecutionStrategy";
const IPC = "agentlightning.execution.inter_process.InterProcessExecutionStrategy";

/** The strategy registry (orchestration §1.5): short names → registry names. */
export const ExecutionStrategyRegistry: ReadonlyMap<string, string> = new Map([
  ["shm", SHM],
  ["cs", CS],
  ["ipc", IPC],
]);

const RUNNER_OPTIONS = [
  "tracer",
  "maxRollouts",
  "concurrency",
  "pollInterval",
  "heartbeatInterval",
  "intervalJitter",
  "heartbeatIncludeGpu",
  "systemSnapshot",
  "resourcesCacheSeconds",
  "logger",
];

// Upstream dotted names keep upstream-style specs working; the bare class names are TypeScript's.
const known: Array<[string[], ComponentClass<unknown>, string[]?]> = [
  [
    [SHM, "agentlightning.execution.SharedMemoryExecutionStrategy", "SharedMemoryExecutionStrategy"],
    SharedMemoryExecutionStrategy,
  ],
  [
    [CS, "agentlightning.execution.ClientServerExecutionStrategy", "ClientServerExecutionStrategy"],
    ClientServerExecutionStrategy,
  ],
  [
    [IPC, "agentlightning.execution.InterProcessExecutionStrategy", "InterProcessExecutionStrategy"],
    InterProcessExecutionStrategy,
  ],
  [
    [
      "agentlightning.adapter.TraceToMessages",
      "agentlightning.adapter.messages.TraceToMessages",
      "TraceToMessages",
    ],
    TraceToMessages,
  ],
  [
    [
      "agentlightning.adapter.TracerTraceToTriplet",
      "agentlightning.adapter.triplet.TracerTraceToTriplet",
      "TracerTraceToTriplet",
    ],
    TracerTraceToTriplet,
  ],
  [
    [
      "agentlightning.adapter.LlmProxyTraceToTriplet",
      "agentlightning.adapter.triplet.LlmProxyTraceToTriplet",
      "LlmProxyTraceToTriplet",
    ],
    LlmProxyTraceToTriplet,
  ],
  [
    [
      "agentlightning.store.InMemoryLightningStore",
      "agentlightning.store.memory.InMemoryLightningStore",
      "InMemoryLightningStore",
    ],
    InMemoryLightningStore,
  ],
  [
    ["agentlightning.runner.LitAgentRunner", "agentlightning.runner.agent.LitAgentRunner", "LitAgentRunner"],
    LitAgentRunner,
    RUNNER_OPTIONS,
  ],
  [
    [
      "agentlightning.tracer.AgentOpsTracer",
      "agentlightning.tracer.agentops.AgentOpsTracer",
      "InstrumentedTracer",
    ],
    InstrumentedTracer,
  ],
  [["agentlightning.tracer.OtelTracer", "agentlightning.tracer.otel.OtelTracer", "OtelTracer"], OtelTracer],
  [
    ["agentlightning.tracer.DummyTracer", "agentlightning.tracer.dummy.DummyTracer", "DummyTracer"],
    DummyTracer,
  ],
  [["agentlightning.algorithm.Baseline", "agentlightning.algorithm.fast.Baseline", "Baseline"], Baseline],
  [["agentlightning.algorithm.APO", "agentlightning.algorithm.apo.APO", "APO"], APO],
  [["agentlightning.llm_proxy.LLMProxy", "agentlightning.LLMProxy", "LLMProxy"], LLMProxy, ["store"]],
];
for (const [names, cls, accepted] of known) {
  for (const name of names)
    registerComponent(name, cls, accepted === undefined ? {} : { acceptedOptions: accepted });
}
