// Added latency per traced LLM call (issue 10): the official `openai` client calling the scripted
// OpenAI-compatible server on loopback, untraced vs traced by InstrumentedTracer into an in-memory
// store (20 calls per rollout, each rollout one `tracer.trace()` scope), non-streaming and
// streaming, p50/p99 per call. Untraced and traced batches alternate so drift hits both alike.
//
//   pnpm build && node bench/tracer-llm.mjs [--calls 2000] [--rounds 4]
//
// Results: bench/results/tracer-llm.{json,md}.
import { createRequire } from "node:module";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { InMemoryLightningStore } from "../packages/store/dist/index.js";
import { InstrumentedTracer } from "../packages/tracer/dist/index.js";
import { startScriptedOpenAI } from "../tooling/scripted-openai/index.js";
import { fmt, percentile, repoDir, writeResults } from "./lib.mjs";

const { values } = parseArgs({
  options: { calls: { type: "string", default: "2000" }, rounds: { type: "string", default: "4" } },
});
const CALLS = Number(values.calls);
const ROUNDS = Number(values.rounds);
const PER_ROLLOUT = 20;
let spans = 0;

// openai is a dev dependency of the tracer package, not of the repository root.
const require = createRequire(join(repoDir, "packages/tracer/package.json"));
const { default: OpenAI } = await import(require.resolve("openai").replace(/index\.js$/, "index.mjs"));

const model = await startScriptedOpenAI({
  reply: (req) => `The answer to "${req.lastUserMessage}" is 42, as usual.`,
});
const client = new OpenAI({ baseURL: model.baseUrl, apiKey: "unused", maxRetries: 0 });
const store = new InMemoryLightningStore();
const tracer = new InstrumentedTracer({ openai: { sdk: OpenAI, requestTokenIds: true } });
await tracer.init();
// Same scopes and root span, but openai calls are not recorded: separates the cost of running inside
// a trace scope (AsyncLocalStorage, root span, flush) from the cost of recording the call itself.
const scopeOnly = new InstrumentedTracer({ openai: false });
await scopeOnly.init();

const messages = (i) => [
  { role: "system", content: "You are a terse assistant." },
  { role: "user", content: `question number ${i}: what is six times seven?` },
];

// Every variant asks for token ids, so all of them get the same response bytes.
async function call(i, stream) {
  const start = process.hrtime.bigint();
  if (stream) {
    const s = await client.chat.completions.create({
      model: "m",
      messages: messages(i),
      stream: true,
      return_token_ids: true,
    });
    for await (const _ of s) {
      /* read every chunk */
    }
  } else {
    await client.chat.completions.create({ model: "m", messages: messages(i), return_token_ids: true });
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** `n` calls, untraced; per-call latencies in ms. */
async function untraced(n, stream) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await call(i, stream));
  return out;
}

/** `n` calls in rollouts of PER_ROLLOUT calls; per-call latencies, and the scopes' own cost per call. */
async function traced(n, stream, by = tracer) {
  const out = [];
  let scopeMs = 0;
  for (let done = 0; done < n; done += PER_ROLLOUT) {
    const rollout = await store.enqueueRollout({ input: {} });
    const claimed = await store.dequeueRollout({ workerId: "bench" });
    const start = process.hrtime.bigint();
    let inCalls = 0;
    await tracer.trace(
      { rolloutId: rollout.rollout_id, attemptId: claimed.attempt.attempt_id, store },
      async () => {
        for (let i = 0; i < PER_ROLLOUT; i++) {
          const ms = await call(done + i, stream);
          inCalls += ms;
          out.push(ms);
        }
      },
    );
    scopeMs += Number(process.hrtime.bigint() - start) / 1e6 - inCalls;
    spans += by.getLastTrace().length;
  }
  return { latencies: out, scopeMsPerCall: scopeMs / n };
}

const rows = [];
for (const stream of [false, true]) {
  await untraced(200, stream); // warm-up of both paths
  await traced(200, stream);
  await traced(200, stream, scopeOnly);
  const plain = [];
  const scoped = [];
  const instrumented = [];
  let scope = 0;
  // CPU time of the whole process (client, server, tracer) per call: less sensitive than latency
  // to other processes competing for the cores.
  const cpu = { plain: 0, scoped: 0, traced: 0 };
  const cpuMs = async (key, fn) => {
    const before = process.cpuUsage();
    const result = await fn();
    const used = process.cpuUsage(before);
    cpu[key] += (used.user + used.system) / 1000 / CALLS;
    return result;
  };
  for (let r = 0; r < ROUNDS; r++) {
    plain.push(...(await cpuMs("plain", () => untraced(CALLS / ROUNDS, stream))));
    scoped.push(...(await cpuMs("scoped", () => traced(CALLS / ROUNDS, stream, scopeOnly))).latencies);
    const t = await cpuMs("traced", () => traced(CALLS / ROUNDS, stream));
    instrumented.push(...t.latencies);
    scope += t.scopeMsPerCall / ROUNDS;
  }
  const row = {
    mode: stream ? "streaming" : "non-streaming",
    calls: plain.length,
    untraced_p50_ms: percentile(plain, 50),
    untraced_p99_ms: percentile(plain, 99),
    in_scope_untraced_p50_ms: percentile(scoped, 50),
    in_scope_untraced_p99_ms: percentile(scoped, 99),
    traced_p50_ms: percentile(instrumented, 50),
    traced_p99_ms: percentile(instrumented, 99),
    added_p50_ms: percentile(instrumented, 50) - percentile(plain, 50),
    added_p99_ms: percentile(instrumented, 99) - percentile(plain, 99),
    scope_overhead_ms_per_call: scope,
    cpu_ms_per_call: cpu,
    added_cpu_ms_per_call: cpu.traced - cpu.plain,
  };
  rows.push(row);
  console.log(row);
}
await tracer.teardown();
await scopeOnly.teardown();
await store.close();
await model.close();

const load = loadavg()[0];
const md = [
  "# Added latency per traced LLM call (`node bench/tracer-llm.mjs`)",
  "",
  `The \`openai\` client (v6) calling the scripted OpenAI-compatible server on loopback, ${CALLS} calls per mode, untraced vs traced by \`InstrumentedTracer\` (global patching, token ids asked for) into an in-memory store, ${PER_ROLLOUT} calls per rollout. Every call asks for token ids (same response bytes in every column). Per-call latency in ms: untraced (no scope), inside a \`trace()\` scope of a tracer that does not record openai calls (the cost of the scope's AsyncLocalStorage context on Node 20), traced; CPU is the process's CPU time (client, scripted server and tracer share it) per call. "scope" is the rest of each traced \`trace()\` scope (root span, flush of the rollout's spans to the store) spread over its calls. Load average at the end: ${load.toFixed(2)} on ${cpus().length} cores; ${spans.toLocaleString("en-US")} spans written. On a loaded machine p99 mostly measures the scheduler: the p50 and CPU columns are the steadier figures.`,
  "",
  "| mode | untraced p50 / p99 | in scope, unrecorded p50 / p99 | traced p50 / p99 | added p50 / p99 | scope per call | CPU per call untraced / in scope / traced (added) |",
  "| --- | --- | --- | --- | --- | --- | --- |",
  ...rows.map(
    (r) =>
      `| ${r.mode} | ${fmt(r.untraced_p50_ms)} / ${fmt(r.untraced_p99_ms)} | ${fmt(r.in_scope_untraced_p50_ms)} / ${fmt(r.in_scope_untraced_p99_ms)} | ${fmt(r.traced_p50_ms)} / ${fmt(r.traced_p99_ms)} | ${fmt(r.added_p50_ms)} / ${fmt(r.added_p99_ms)} | ${fmt(r.scope_overhead_ms_per_call)} | ${fmt(r.cpu_ms_per_call.plain)} / ${fmt(r.cpu_ms_per_call.scoped)} / ${fmt(r.cpu_ms_per_call.traced)} (${fmt(r.added_cpu_ms_per_call)}) |`,
  ),
].join("\n");
writeResults("tracer-llm", { calls: CALLS, per_rollout: PER_ROLLOUT, load_average: load, spans, rows }, md);
console.log(md);
