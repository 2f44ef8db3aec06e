// APO at its default size (beam 4 × branch 4, 3 rounds, gradient batches of 4, validation batches
// of 16), every candidate scored by real rollouts: a LitAgentRunner (concurrency 64) runs an agent
// that asks a scripted model on loopback, whose answers depend on the prompt (right only when the
// prompt holds an instruction the scripted optimizer adds). Measures the wall time of the whole run,
// the rollouts and optimizer calls it made, and rollouts per second, with the store in process
// (memory) and over HTTP (`agl store`, memory backend; Postgres too when BENCH_DATABASE_URL is set).
//
//   node bench/apo.mjs [--apo-concurrency 4] [--rounds 3] [--train 32] [--val 32] [--concurrency 64] [--poll-interval 1] [--skip-http]
//
// Results: bench/results/apo.{json,md}.
import { parseArgs } from "node:util";
import { APO, createChatClient } from "../packages/algorithm/dist/index.js";
import { LitAgentRunner, rollout } from "../packages/litagent/dist/index.js";
import { InMemoryLightningStore, LightningStoreClient } from "../packages/store/dist/index.js";
import { OtelTracer } from "../packages/tracer/dist/index.js";
import { startScriptedOpenAI } from "../tooling/scripted-openai/index.js";
import { fmt, startAglStore, writeResults } from "./lib.mjs";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    train: { type: "string", default: "32" },
    val: { type: "string", default: "32" },
    concurrency: { type: "string", default: "64" },
    "poll-interval": { type: "string", default: "1" },
    "skip-http": { type: "boolean", default: false },
    "apo-concurrency": { type: "string", default: "4" },
  },
});
const INSTRUCTION = "Reply with the number only.";
const SEED = "Question: {question}";

function tasks(count, offset) {
  return Array.from({ length: count }, (_, i) => {
    const a = i + offset;
    const b = 2 * i + 3;
    return { question: `What is ${a} + ${b}?`, answer: String(a + b) };
  });
}

const model = await startScriptedOpenAI({
  reply: (req) => {
    const system = req.messages?.[0]?.role === "system" ? String(req.messages[0].content) : "";
    if (system.includes("Revise the prompt template") || system.includes("conservative prompt edits")) {
      return `${INSTRUCTION}\n${SEED}`;
    }
    const text = (req.messages ?? []).map((m) => String(m.content)).join("\n");
    if (/optimize a prompt template|prompt engineer/.test(text)) return `- Add "${INSTRUCTION}"`;
    const match = /(\d+) \+ (\d+)/.exec(req.lastUserMessage ?? "");
    const sum = match ? Number(match[1]) + Number(match[2]) : 0;
    return (req.lastUserMessage ?? "").includes(INSTRUCTION) ? String(sum) : `Probably ${sum}.`;
  },
});
const client = createChatClient({ baseUrl: model.baseUrl });
const agent = rollout(async (task, ctx) => {
  const answer = await client.chat.completions.create({
    model: "agent",
    messages: [{ role: "user", content: ctx.promptTemplate.format({ question: task.question }) }],
  });
  return answer.choices[0]?.message.content === task.answer ? 1 : 0;
});

async function run(label, store) {
  const runner = new LitAgentRunner({
    tracer: new OtelTracer(),
    concurrency: Number(values.concurrency),
    pollInterval: Number(values["poll-interval"]),
  });
  const stop = new AbortController();
  const running = runner.runContext({ agent, store }, () => runner.iter({ signal: stop.signal }));
  const before = model.requests.length;
  const apo = new APO({
    client,
    beamRounds: Number(values.rounds),
    seed: 1,
    waitChunkSeconds: 5,
    concurrency: Number(values["apo-concurrency"]),
  });
  apo.setStore(store);
  apo.setInitialResources({
    prompt: { resource_type: "prompt_template", template: SEED, engine: "f-string" },
  });
  const started = performance.now();
  const result = await apo.run(tasks(Number(values.train), 2), tasks(Number(values.val), 50));
  const seconds = (performance.now() - started) / 1000;
  stop.abort();
  await running;
  const rollouts = result.history.reduce((n, c) => n + c.evaluations.reduce((m, e) => m + e.total, 0), 0);
  const calls = model.requests.length - before;
  const optimizerCalls = model.requests.slice(before).filter((r) => r.body?.model !== "agent").length;
  const row = {
    store: label,
    seconds,
    rollouts,
    rollouts_per_s: rollouts / seconds,
    optimizer_calls: optimizerCalls,
    model_calls: calls,
    candidates: result.history.length,
    initial_score: result.initialScore,
    best_score: result.bestScore,
  };
  console.log(
    `${label}: ${fmt(seconds)} s, ${rollouts} rollouts (${fmt(row.rollouts_per_s)}/s), ${optimizerCalls} optimizer calls, ` +
      `${row.candidates} candidates, score ${row.initial_score} -> ${row.best_score}`,
  );
  return row;
}

const rows = [];
const memory = new InMemoryLightningStore();
rows.push(await run("in-process memory store", memory));
await memory.close();
const servers = values["skip-http"] ? [] : [["HTTP, agl store (memory backend)", { backend: "memory" }]];
if (process.env.BENCH_DATABASE_URL && !values["skip-http"]) {
  servers.push([
    "HTTP, agl store (Postgres)",
    { backend: "postgres", databaseUrl: process.env.BENCH_DATABASE_URL },
  ]);
}
for (const [label, options] of servers) {
  const server = await startAglStore(options);
  const store = new LightningStoreClient({ url: server.url });
  rows.push(await run(label, store));
  await store.close();
  await server.stop();
}
await model.close();

const markdown = [
  "# APO end to end (bench/apo.mjs)",
  "",
  `Default APO size (beam 4, branch 4, gradient batch 4, validation batch 16), ${values.rounds} rounds, ` +
    `${values.train} train and ${values.val} validation tasks, one LitAgentRunner with concurrency ${values.concurrency} ` +
    `and pollInterval ${values["poll-interval"]} s, APO concurrency ${values["apo-concurrency"]}, ` +
    "scripted model on loopback (no think time).",
  "",
  "| store | wall s | rollouts | rollouts/s | optimizer calls | candidates | score |",
  "| --- | --- | --- | --- | --- | --- | --- |",
  ...rows.map(
    (r) =>
      `| ${r.store} | ${fmt(r.seconds)} | ${r.rollouts} | ${fmt(r.rollouts_per_s)} | ${r.optimizer_calls} | ${r.candidates} | ${r.initial_score} → ${r.best_score} |`,
  ),
].join("\n");
writeResults("apo", { options: values, rows }, markdown);
