// pnpm example:apo — APO improves the prompt template of a small agent, trained with Trainer.fit.
// Against the built-in stand-in (no network) unless OPENAI_BASE_URL / OPENAI_API_KEY name a model.
import { LitAgentRunner } from "@agentlightning/litagent";
import { InstrumentedTracer } from "@agentlightning/tracer";
import { Trainer } from "@agentlightning/trainer";
import { bestScoreLine, exampleApo } from "./apo-setup.js";
import { exampleModel } from "./example-model.js";
import { mathAgent, SEED_PROMPT, TRAIN_TASKS, VAL_TASKS } from "./math-agent.js";

const model = await exampleModel();
console.log(
  `example:apo — APO optimises a prompt template with Trainer.fit (shm: one process); ${model.describe}`,
);
const { apo, outcome } = exampleApo(model);
const trainer = new Trainer({
  algorithm: apo,
  initialResources: { prompt: SEED_PROMPT },
  // One runner in this process, running 8 rollouts at a time; the algorithm's end stops it.
  runner: new LitAgentRunner({ tracer: new InstrumentedTracer(), concurrency: 8, pollInterval: 0.1 }),
  strategy: { type: "shm", main_thread: "algorithm" },
});
await trainer.fit(mathAgent(model), TRAIN_TASKS, { valDataset: VAL_TASKS });
console.log(`best prompt (${outcome.bestVersion}): ${JSON.stringify(apo.getBestPrompt().template)}`);
await model.close();
console.log(bestScoreLine(outcome));
