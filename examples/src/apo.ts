// pnpm example:apo — APO improves the prompt template of a small agent, trained with Trainer.fit.
// Against the built-in stand-in (no network) unless OPENAI_BASE_URL / OPENAI_API_KEY name a model.
import { LitAgentRunner } from "@agentlightning/litagent";
import { InMemoryLightningStore } from "@agentlightning/store";
import { InstrumentedTracer } from "@agentlightning/tracer";
import { bestScoreLine, exampleApo } from "./apo-setup.js";
import { exampleModel } from "./example-model.js";
import { mathAgent, SEED_PROMPT, TRAIN_TASKS, VAL_TASKS } from "./math-agent.js";

const model = await exampleModel();
console.log(`example:apo — APO on a prompt template, ${model.describe}`);
const { apo, outcome } = exampleApo(model);
apo.setInitialResources({ prompt: SEED_PROMPT });
const store = new InMemoryLightningStore();
apo.setStore(store);
const runner = new LitAgentRunner({ tracer: new InstrumentedTracer(), concurrency: 8 });
const stop = new AbortController();
const running = runner.runContext({ agent: mathAgent(model), store }, () => runner.iter({ signal: stop.signal }));
await apo.run(TRAIN_TASKS, VAL_TASKS);
stop.abort();
await running;
await store.close();
console.log(`best prompt (${outcome.bestVersion}): ${JSON.stringify(apo.getBestPrompt().template)}`);
await model.close();
console.log(bestScoreLine(outcome));
