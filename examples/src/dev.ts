// pnpm example:dev — Trainer.dev on the agent of example:apo: every task run once with the seed
// prompt by the Baseline algorithm (a FastAlgorithm), to see rewards and spans before training.
import { Baseline } from "@agentlightning/algorithm";
import { LitAgentRunner } from "@agentlightning/litagent";
import { InMemoryLightningStore } from "@agentlightning/store";
import { InstrumentedTracer } from "@agentlightning/tracer";
import { Trainer } from "@agentlightning/trainer";
import { exampleModel } from "./example-model.js";
import { mathAgent, SEED_PROMPT, TRAIN_TASKS, VAL_TASKS } from "./math-agent.js";

const model = await exampleModel();
console.log(`example:dev — Trainer.dev (Baseline: each task once, seed prompt); ${model.describe}`);
const store = new InMemoryLightningStore();
const baseline = new Baseline({ pollingInterval: 0.2, spanVerbosity: "none" });
const trainer = new Trainer({
  algorithm: baseline,
  store,
  initialResources: { prompt: SEED_PROMPT },
  runner: new LitAgentRunner({ tracer: new InstrumentedTracer(), concurrency: 4, pollInterval: 0.1 }),
  strategy: { type: "shm", main_thread: "algorithm" },
});
await trainer.dev(mathAgent(model), TRAIN_TASKS, { valDataset: VAL_TASKS });

const { items } = await store.queryRollouts({});
let rewardSum = 0;
for (const rollout of items) {
  const spans = (await store.querySpans({ rolloutId: rollout.rollout_id })).items;
  const call = spans.find((s) => s.name === "openai.chat.completion");
  const reward = spans
    .map((s) => s.attributes["agentlightning.reward.0.value"])
    .find((v): v is number => typeof v === "number");
  rewardSum += reward ?? 0;
  console.log(
    `${rollout.rollout_id} [${rollout.mode}] ${JSON.stringify((rollout.input as { question: string }).question)}: ` +
      `${rollout.status}, ${spans.length} spans, answer ${JSON.stringify(call?.attributes["gen_ai.completion.0.content"] ?? null)}, reward ${reward ?? "none"}`,
  );
}
await model.close();
console.log(`rollouts: ${items.length}, mean reward: ${(rewardSum / items.length).toFixed(3)}`);
