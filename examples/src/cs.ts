// pnpm example:cs — the APO training of example:apo with the client-server strategy: this process
// serves the store over HTTP and runs APO; 4 runner processes (this script re-executed by the
// Trainer with AGL_CURRENT_ROLE=runner) run the rollouts through a store client.
import { LitAgentRunner } from "@agentlightning/litagent";
import { InMemoryLightningStore } from "@agentlightning/store";
import { InstrumentedTracer } from "@agentlightning/tracer";
import { ChildEnvVars, Trainer } from "@agentlightning/trainer";
import { bestScoreLine, exampleApo } from "./apo-setup.js";
import { exampleModel } from "./example-model.js";
import { mathAgent, SEED_PROMPT, TRAIN_TASKS, VAL_TASKS } from "./math-agent.js";

// Set in the runner processes the Trainer forks: they run one runner worker inside `fit` and exit.
const workerId = process.env[ChildEnvVars.CHILD_OF] ? process.env[ChildEnvVars.WORKER_ID] : undefined;
const model = await exampleModel();
if (workerId === undefined) {
  console.log(
    `example:cs — APO with the cs strategy: store server here, 4 runner processes; ${model.describe}`,
  );
} else {
  console.log(`runner process ${workerId} (pid ${process.pid}) started`);
}
const { apo, outcome } = exampleApo(model);
const store = new InMemoryLightningStore();
const trainer = new Trainer({
  algorithm: apo,
  store,
  initialResources: { prompt: SEED_PROMPT },
  runner: new LitAgentRunner({ tracer: new InstrumentedTracer(), concurrency: 4, pollInterval: 0.1 }),
  // serverPort 0: any free port (the default 4747 may be taken); the runners are told which one.
  strategy: { type: "cs", n_runners: 4, server_port: 0 },
});
await trainer.fit(mathAgent(model), TRAIN_TASKS, { valDataset: VAL_TASKS });
// Which runner process ran each rollout: slot worker ids are Worker-<process>-<slot>.
const perProcess = new Map<string, number>();
for (const rollout of (await store.queryRollouts({})).items) {
  const worker = "attempt" in rollout ? rollout.attempt.worker_id : null;
  const key = worker?.replace(/-\d+$/, "") ?? "unknown";
  perProcess.set(key, (perProcess.get(key) ?? 0) + 1);
}
console.log(
  `rollouts per runner process: ${[...perProcess]
    .sort()
    .map(([w, n]) => `${w}=${n}`)
    .join(", ")}`,
);
console.log(`best prompt (${outcome.bestVersion}): ${JSON.stringify(apo.getBestPrompt().template)}`);
await model.close();
console.log(bestScoreLine(outcome));
