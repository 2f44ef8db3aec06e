// TEMPORARY stand-in for LitAgentRunner until @agentlightning/litagent lands: dequeues, runs an
// agent function with the rollout's resources, writes one reward span, completes the attempt.
import type { LightningStore } from "@agentlightning/store";
import { makeSpan } from "@agentlightning/store/testing";
import type { NamedResources } from "@agentlightning/types";

export type ToyAgent = (task: unknown, resources: NamedResources) => Promise<number>;

export function startToyRunner(
  store: LightningStore,
  agent: ToyAgent,
  concurrency = 4,
): { stop(): Promise<void> } {
  let stopped = false;
  const loop = async (worker: number) => {
    while (!stopped) {
      const claimed = await store.dequeueRollout({ workerId: `toy-${worker}` });
      if (claimed === null) {
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      const resources =
        claimed.resources_id === null
          ? await store.getLatestResources()
          : await store.getResourcesById(claimed.resources_id);
      const reward = await agent(claimed.input, resources?.resources ?? {});
      const seq = await store.getNextSpanSequenceId(claimed.rollout_id, claimed.attempt.attempt_id);
      await store.addSpan(
        makeSpan(claimed.rollout_id, claimed.attempt.attempt_id, seq, {
          name: "agentlightning.annotation",
          attributes: { "agentlightning.reward.0.name": "primary", "agentlightning.reward.0.value": reward },
        }),
      );
      await store.updateAttempt(claimed.rollout_id, claimed.attempt.attempt_id, { status: "succeeded" });
    }
  };
  const loops = Array.from({ length: concurrency }, (_, i) => loop(i));
  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}
