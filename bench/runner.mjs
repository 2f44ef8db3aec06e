#!/usr/bin/env node
// Rollouts per second of LitAgentRunner (packages/litagent) running a small agent — one LLM call to
// the scripted OpenAI-compatible server, 4 spans, a reward — with concurrency 1, 16 and 256 in one
// runner process, against an in-memory store in the runner's process and over HTTP to `agl store`
// on PostgreSQL. Each measurement runs in a fresh runner process; the scripted model and `agl
// store` run in their own processes. Also records the runner process's peak RSS and its CPU time
// per rollout (the figure that does not depend on how busy the machine is).
//
//   pnpm build
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:55432/litagent node bench/runner.mjs
//   (DATABASE_URL is used when BENCH_DATABASE_URL is unset; without either the HTTP rows use
//   `agl store` on PGlite.)
//
// Options: --quick (fewer rollouts), --only=memory|http, --concurrency=1,16,256,
// --runner-node-options="--max-old-space-size=64" (V8 flags of the runner processes),
// --results=NAME (write bench/results/NAME.{md,json} instead of runner).
import { spawn } from "node:child_process";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { fmt, repoDir, startAglStore, writeResults } from "./lib.mjs";

const self = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);
const flag = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

if (args[0] === "--child") await child(JSON.parse(args[1]));
else await main();

// ---------------------------------------------------------------------------------------------
// The runner process: one measurement.

async function child({ mode, concurrency, rollouts, storeUrl, modelUrl, agentKind = "llm" }) {
  const { LitAgentRunner, llmRollout } = await import(`${repoDir}/packages/litagent/dist/index.js`);
  const { InMemoryLightningStore, LightningStoreClient } = await import(
    `${repoDir}/packages/store/dist/index.js`
  );
  const { OtelTracer } = await import(`${repoDir}/packages/tracer/dist/index.js`);

  const store =
    mode === "memory"
      ? new InMemoryLightningStore()
      : new LightningStoreClient({ url: storeUrl, retryDelays: [] });
  await store.addResources({ llm: { resource_type: "llm", endpoint: modelUrl, model: "scripted" } });
  for (let i = 0; i < rollouts; i += 500) {
    const batch = Array.from({ length: Math.min(500, rollouts - i) }, (_, j) => ({ input: { i: i + j } }));
    await store.enqueueManyRollouts(batch);
  }

  const tracer = new OtelTracer();
  // The small agent: an "agent" operation around one chat completion (recorded as a span with the
  // request and answer) and a tool span, then the reward returned as a number.
  const agent = llmRollout(async (task, ctx) => {
    let answer = "";
    await tracer.operation("agent", { "task.index": task.i }, async () => {
      await tracer.operation(
        "openai.chat.completion",
        { "gen_ai.request.model": ctx.llm.model },
        async (span) => {
          if (agentKind === "local") {
            // The reference variant: no model call (a turn of the event loop instead), to show
            // what the runner, the tracer and the store cost on their own.
            await new Promise((resolve) => setImmediate(resolve));
            answer = String(task.i + 1);
            span.recordAttributes({
              "gen_ai.response.text": answer,
              "gen_ai.usage.prompt_tokens": 8,
              "gen_ai.usage.completion_tokens": 1,
            });
            return;
          }
          const response = await fetch(`${ctx.llm.endpoint}/chat/completions`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({
              model: ctx.llm.model,
              messages: [{ role: "user", content: `What is ${task.i} + 1?` }],
            }),
          });
          const body = await response.json();
          answer = body.choices[0].message.content;
          span.recordAttributes({
            "gen_ai.response.text": answer,
            "gen_ai.usage.prompt_tokens": body.usage.prompt_tokens,
            "gen_ai.usage.completion_tokens": body.usage.completion_tokens,
          });
        },
      );
      tracer.createSpan("tool.check", { "tool.input": answer });
      tracer.createSpan("agent.done", { "answer.length": answer.length });
    });
    return answer === String(task.i + 1) ? 1 : 0;
  });

  // process.memoryUsage() reads /proc and walks the heap: sample it sparingly (rss() is cheap).
  let peakRss = process.memoryUsage.rss();
  let peakHeap = process.memoryUsage().heapUsed;
  let ticks = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    if (++ticks % 5 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 100);
  const runner = new LitAgentRunner({ tracer, concurrency, maxRollouts: rollouts });
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const processed = await runner.runContext({ agent, store }, () => runner.iter());
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);

  // Check that the work reached the store: every rollout succeeded with its 5 spans and reward 1.
  const sample = (await store.queryRollouts({ limit: 20 })).items;
  let spansOk = 0;
  for (const r of sample) {
    const spans = (await store.querySpans({ rolloutId: r.rollout_id })).items;
    const reward = spans.find((s) => s.name === "agentlightning.annotation")?.attributes[
      "agentlightning.reward.0.value"
    ];
    if (r.status === "succeeded" && spans.length === 5 && reward === 1) spansOk++;
  }
  const stats = await store.statistics?.().catch(() => null);
  await store.close();
  process.stdout.write(
    `${JSON.stringify({
      processed,
      seconds,
      rollouts_per_s: processed / seconds,
      cpu_ms_per_rollout: (cpu.user + cpu.system) / 1000 / processed,
      peak_rss_mb: peakRss / 2 ** 20,
      peak_heap_used_mb: peakHeap / 2 ** 20,
      checked: `${spansOk}/${sample.length}`,
      total_spans: stats?.total_spans ?? null,
    })}\n`,
  );
  process.exit(0);
}

function runChild(spec) {
  return new Promise((resolve, reject) => {
    // --runner-node-options="--max-old-space-size=64": V8 flags of the runner processes.
    const nodeOptions = flag("runner-node-options")?.split(" ").filter(Boolean) ?? [];
    const proc = spawn(process.execPath, [...nodeOptions, self, "--child", JSON.stringify(spec)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    proc.stdout.on("data", (chunk) => {
      out += chunk;
    });
    proc.on("close", (code) => {
      const line = out.trim().split("\n").pop();
      if (code !== 0 || !line) reject(new Error(`runner process exited with ${code}: ${out}`));
      else resolve(JSON.parse(line));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The orchestrator.

async function main() {
  const quick = args.includes("--quick");
  const only = flag("only");
  const concurrencies = (flag("concurrency") ?? "1,16,256").split(",").map(Number);
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
  const counts = {
    memory: { 1: quick ? 200 : 500, 16: quick ? 1000 : 4000, 256: quick ? 2000 : 10000 },
    http: { 1: quick ? 100 : 300, 16: quick ? 500 : 2000, 256: quick ? 1000 : 5000 },
  };

  const { startScriptedOpenAI } = await import(`${repoDir}/tooling/scripted-openai/index.js`);
  // The model answers "<i + 1>" to "What is <i> + 1?", so the agent earns reward 1.
  const model = await startModelProcess();
  const rows = [];
  const load = [];
  // The agent of the issue (one model call) at each concurrency, then the same agent without the
  // model call at 256 (what the runner, the tracer and the store cost on their own).
  const plan = [
    ...concurrencies.map((concurrency) => ({ concurrency, agentKind: "llm" })),
    ...(concurrencies.includes(256) ? [{ concurrency: 256, agentKind: "local" }] : []),
  ];
  try {
    for (const mode of ["memory", "http"]) {
      if (only && only !== mode) continue;
      const server =
        mode === "http"
          ? await startAglStore(databaseUrl ? { backend: "postgres", databaseUrl } : { backend: "pglite" })
          : null;
      try {
        for (const { concurrency, agentKind } of plan) {
          const rollouts = counts[mode][concurrency] ?? 1000;
          load.push(loadavg()[0]);
          const result = await runChild({
            mode,
            concurrency,
            rollouts,
            storeUrl: server?.url,
            modelUrl: model.baseUrl,
            agentKind,
          });
          const backend =
            mode === "memory"
              ? "in-memory store, in process"
              : `agl store over HTTP (${databaseUrl ? "PostgreSQL" : "PGlite"})`;
          const agentName = agentKind === "llm" ? "1 model call" : "no model call";
          rows.push({
            backend,
            agent: agentName,
            concurrency,
            rollouts,
            ...result,
            load_avg_1m: loadavg()[0],
          });
          console.log(
            `${backend.padEnd(40)} ${agentName.padEnd(13)} concurrency ${String(concurrency).padStart(3)}: ${fmt(result.rollouts_per_s)} rollouts/s, ` +
              `${fmt(result.cpu_ms_per_rollout)} ms CPU/rollout, peak RSS ${fmt(result.peak_rss_mb)} MB, checked ${result.checked}`,
          );
        }
      } finally {
        await server?.stop();
      }
    }
  } finally {
    await model.stop();
  }
  void startScriptedOpenAI;

  const table = [
    "| store | agent | concurrency | rollouts | rollouts/s | runner CPU ms / rollout | rollouts/s per runner CPU second | runner peak RSS (MB) | peak heap used (MB) | load avg (1 min) |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows.map(
      (r) =>
        `| ${r.backend} | ${r.agent} | ${r.concurrency} | ${r.rollouts} | ${fmt(r.rollouts_per_s)} | ${fmt(r.cpu_ms_per_rollout)} | ${fmt(1000 / r.cpu_ms_per_rollout)} | ${fmt(r.peak_rss_mb)} | ${fmt(r.peak_heap_used_mb)} | ${r.load_avg_1m.toFixed(1)} |`,
    ),
  ];
  writeResults(
    flag("results") ?? "runner",
    { rows },
    [
      "# LitAgentRunner throughput (`bench/runner.mjs`)",
      "",
      "A small agent (one chat completion to the scripted OpenAI-compatible server, 4 spans, the reward",
      "returned as a number: 5 spans stored per rollout) run by one `LitAgentRunner` process with",
      "`OtelTracer`, against an in-memory store in that process and over HTTP to `agl store`. Each row",
      "is a fresh runner process; the model and `agl store` run in their own processes on the same",
      "machine. Targets: >= 1,000 rollouts/s in process at 256, >= 300 rollouts/s over HTTP on",
      "PostgreSQL, RSS <= 150 MB at 256.",
      "",
      ...table,
    ].join("\n"),
  );
}

/** The scripted model in its own process (so its CPU and memory are not the runner's). */
function startModelProcess() {
  const code = `
    const { startScriptedOpenAI } = await import(${JSON.stringify(`${repoDir}/tooling/scripted-openai/index.js`)});
    const model = await startScriptedOpenAI({
      reply: (req) => { const m = /What is (\\d+) \\+ 1\\?/.exec(req.lastUserMessage ?? ""); return m ? String(Number(m[1]) + 1) : "?"; },
    });
    // Keep no history: the benchmark sends tens of thousands of calls.
    setInterval(() => { model.requests.length = 0; }, 1000).unref();
    process.stdout.write(JSON.stringify({ baseUrl: model.baseUrl }) + "\\n");
    process.on("SIGTERM", async () => { await model.close(); process.exit(0); });
  `;
  const proc = spawn(process.execPath, ["--input-type=module", "-e", code], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    proc.stdout.once("data", (chunk) => {
      const { baseUrl } = JSON.parse(String(chunk).trim().split("\n")[0]);
      resolve({
        baseUrl,
        stop: () =>
          new Promise((r) => {
            proc.once("close", r);
            proc.kill("SIGTERM");
          }),
      });
    });
    proc.once("error", reject);
  });
}
