import { type LitAgent, LitAgentRunner } from "@agentlightning/litagent";
import type { LightningStore } from "@agentlightning/store";
import { OtelTracer } from "@agentlightning/tracer";

/**
 * Starts a real `LitAgentRunner` (OtelTracer, `concurrency` slots) on `store` in the background;
 * `stop()` aborts it, lets running rollouts finish and tears it down.
 */
export function startRunner(
  store: LightningStore,
  agent: LitAgent<unknown>,
  concurrency = 8,
): { stop(): Promise<void> } {
  const runner = new LitAgentRunner<unknown>({ tracer: new OtelTracer(), concurrency, pollInterval: 0.05 });
  const abort = new AbortController();
  const done = runner.runContext({ agent, store }, () => runner.iter({ signal: abort.signal }));
  return {
    async stop() {
      abort.abort();
      await done;
    },
  };
}
