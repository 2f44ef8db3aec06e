// LLM proxy benchmark (issue 12): the latency the proxy adds to a chat completion and the calls/s
// it carries, against the scripted OpenAI-compatible backend.
//
//   node bench/proxy.mjs [--calls 2000] [--concurrency 32]
//                        [--stores memory,memory-background,http,http-background]
//
// Three processes share the machine's cores: the scripted backend, the proxy (its store in
// process, or `agl store --backend memory` over HTTP for `http`), and this client (node:http
// keep-alive, no validation). Every proxied call goes through a rollout prefix, so it is recorded
// (3 spans per call); the run checks that the store received them. `-background` runs the proxy
// with `spanWrites: "background"` (answer first, spans behind); otherwise the answer waits for the
// spans to be stored (the default). `--profile-dir DIR` writes a CPU profile of the proxy.
// Latency: sequential calls, direct to the backend vs through the proxy, p50 / p99 of each and the
// difference (non-streaming, and streaming to the last byte). Throughput: `--concurrency` clients
// in a loop, non-streaming. Results: bench/results/proxy.{json,md}.
import { spawn } from "node:child_process";
import { loadavg } from "node:os";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { createCheapClient } from "./http-client.mjs";
import { fmt, machine, percentile, repoDir, runWorkers, startAglStore, timed, writeResults } from "./lib.mjs";

const { values } = parseArgs({
  options: {
    child: { type: "string" },
    "backend-url": { type: "string" },
    "store-url": { type: "string" },
    calls: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "32" },
    // store kind, optionally with "-background" (spanWrites: "background"; default before-response)
    stores: { type: "string", default: "memory,memory-background,http,http-background" },
    "span-writes": { type: "string", default: "before-response" },
    "profile-dir": { type: "string" },
  },
});

const ROLLOUTS = 8;

const children = new Set();
process.on("exit", () => {
  for (const proc of children) proc.kill();
});

/** Starts `node bench/proxy.mjs --child <role> ...` and resolves with its first JSON line. */
function child(role, args = []) {
  // --profile-dir DIR writes a CPU profile of the proxy process there.
  const profile =
    role === "proxy" && values["profile-dir"]
      ? ["--cpu-prof", `--cpu-prof-dir=${values["profile-dir"]}`]
      : [];
  const proc = spawn(
    process.execPath,
    [...profile, new URL(import.meta.url).pathname, "--child", role, ...args],
    {
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  children.add(proc);
  proc.on("exit", () => children.delete(proc));
  const lines = createInterface({ input: proc.stdout });
  const next = () => new Promise((resolve) => lines.once("line", (line) => resolve(JSON.parse(line))));
  return next().then((first) => ({ ...first, proc, next }));
}

const body = (i, stream = false) => ({
  model: "policy",
  messages: [
    { role: "system", content: "You are a helpful assistant. Answer in one sentence." },
    { role: "user", content: `What is ${i} + ${i}?` },
  ],
  max_tokens: 32,
  temperature: 0.7,
  stream,
});

/** Sequential calls: per-call latency in ms. */
async function latencies(client, path, n, stream) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await client.post(path, body(i, stream));
    out.push(performance.now() - t0);
  }
  return out;
}

async function throughput(client, paths, n, concurrency) {
  let issued = 0;
  const { seconds } = await timed(() =>
    runWorkers(concurrency, async (w) => {
      if (issued >= n) return false;
      const i = issued++;
      await client.post(paths[(w + i) % paths.length], body(i));
      return true;
    }),
  );
  return n / seconds;
}

async function benchStore(storeKind, backend, calls, concurrency) {
  const aglStore = storeKind.startsWith("http") ? await startAglStore({ backend: "memory" }) : null;
  const proxy = await child("proxy", [
    "--span-writes",
    storeKind.endsWith("-background") ? "background" : "before-response",
    "--backend-url",
    backend.baseUrl,
    ...(aglStore ? ["--store-url", aglStore.url] : []),
  ]);
  const direct = createCheapClient(backend.baseUrl.replace(/\/v1$/, ""), concurrency);
  const viaProxy = createCheapClient(proxy.url, concurrency);
  const paths = proxy.rollouts.map(([r, a]) => `/rollout/${r}/attempt/${a}/v1/chat/completions`);

  const sequential = Math.min(calls, 1000);
  const log = (m) => process.stderr.write(`[${storeKind}] ${m}\n`);
  // Warm-up: connections, JIT.
  log("warm-up");
  await latencies(direct, "/v1/chat/completions", 200, false);
  await latencies(viaProxy, paths[0], 200, false);
  log("latency");
  const d = await latencies(direct, "/v1/chat/completions", sequential, false);
  const p = await latencies(viaProxy, paths[0], sequential, false);
  const ds = await latencies(direct, "/v1/chat/completions", sequential, true);
  const ps = await latencies(viaProxy, paths[1], sequential, true);
  log("throughput");
  const directPerS = await throughput(direct, ["/v1/chat/completions"], calls, concurrency);
  const proxyPerS = await throughput(viaProxy, paths, calls, concurrency);

  log("stopping");
  proxy.proc.stdin.write("stop\n");
  const { spans, cpuMs } = await proxy.next();
  const expected = 3 * (200 + 2 * sequential + calls);
  direct.close();
  viaProxy.close();
  await aglStore?.stop();
  const row = {
    store: storeKind,
    direct_p50_ms: percentile(d, 50),
    direct_p99_ms: percentile(d, 99),
    proxy_p50_ms: percentile(p, 50),
    proxy_p99_ms: percentile(p, 99),
    added_p50_ms: percentile(p, 50) - percentile(d, 50),
    added_p99_ms: percentile(p, 99) - percentile(d, 99),
    stream_direct_p50_ms: percentile(ds, 50),
    stream_proxy_p50_ms: percentile(ps, 50),
    stream_added_p50_ms: percentile(ps, 50) - percentile(ds, 50),
    direct_calls_per_s: directPerS,
    proxy_calls_per_s: proxyPerS,
    proxy_cpu_ms_per_call: cpuMs / (200 + 2 * sequential + calls),
    spans_stored: spans,
    spans_expected: expected,
  };
  console.log(JSON.stringify(row));
  return row;
}

async function main() {
  const calls = Number(values.calls);
  const concurrency = Number(values.concurrency);
  const backend = await child("backend");
  const loadBefore = loadavg()[0];
  const rows = [];
  for (const storeKind of values.stores.split(","))
    rows.push(await benchStore(storeKind, backend, calls, concurrency));
  backend.proc.kill();
  const load = [loadBefore, loadavg()[0]];

  const md = [
    `# LLM proxy benchmark (\`node bench/proxy.mjs --calls ${calls} --concurrency ${concurrency}\`)`,
    "",
    `Backend (scripted), proxy and client in 3 processes on ${machine().cpus} shared cores, load average ${load.map((l) => l.toFixed(1)).join(" → ")} during the run.`,
    "Latency: sequential chat completions, p50 / p99 in ms, direct to the scripted backend vs through the proxy under a rollout prefix (recorded: 3 spans per call).",
    `Throughput: ${concurrency} concurrent clients, non-streaming, ${calls} calls. Targets: at most 2 ms added at p50, at least 2,000 calls/s.`,
    '`-background`: `spanWrites: "background"` (answer first); otherwise the answer waits until the spans are stored (default).',
    "",
    "| store | direct p50 / p99 | proxy p50 / p99 | added p50 / p99 | streamed: direct / proxy / added p50 | direct calls/s | proxy calls/s | proxy CPU ms per call | spans stored / expected |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| ${r.store} | ${fmt(r.direct_p50_ms)} / ${fmt(r.direct_p99_ms)} | ${fmt(r.proxy_p50_ms)} / ${fmt(r.proxy_p99_ms)} | ${fmt(r.added_p50_ms)} / ${fmt(r.added_p99_ms)} | ${fmt(r.stream_direct_p50_ms)} / ${fmt(r.stream_proxy_p50_ms)} / ${fmt(r.stream_added_p50_ms)} | ${fmt(r.direct_calls_per_s)} | ${fmt(r.proxy_calls_per_s)} | ${fmt(r.proxy_cpu_ms_per_call)} | ${r.spans_stored} / ${r.spans_expected} |`,
    ),
  ].join("\n");
  console.log(md);
  writeResults("proxy", { calls, concurrency, load_average: load, rows }, md);
}

async function runChild() {
  if (values.child === "backend") {
    const { startScriptedOpenAI } = await import(`${repoDir}/tooling/scripted-openai/index.js`);
    const model = await startScriptedOpenAI({
      reply: (req) => `An answer to ${req.lastUserMessage} in a few words.`,
    });
    // Keep the request log from growing for the whole run.
    setInterval(() => {
      model.requests.length = 0;
    }, 1000).unref();
    console.log(JSON.stringify({ baseUrl: model.baseUrl }));
    // The parent is gone when stdin ends.
    process.stdin.resume();
    process.stdin.on("end", () => process.exit(0));
  } else if (values.child === "proxy") {
    const { LLMProxy } = await import(`${repoDir}/packages/algorithm/dist/index.js`);
    const { InMemoryLightningStore, LightningStoreClient } = await import(
      `${repoDir}/packages/store/dist/index.js`
    );
    const storeUrl = values["store-url"];
    const store = storeUrl ? new LightningStoreClient({ url: storeUrl }) : new InMemoryLightningStore();
    const proxy = new LLMProxy({
      store,
      spanWrites: values["span-writes"],
      modelList: [
        {
          model_name: "policy",
          litellm_params: { model: "hosted_vllm/scripted", api_base: values["backend-url"] },
        },
      ],
    });
    await proxy.start();
    const rollouts = [];
    for (let i = 0; i < ROLLOUTS; i++) {
      const r = await store.startRollout({ input: { i } });
      rollouts.push([r.rollout_id, r.attempt.attempt_id]);
    }
    console.log(JSON.stringify({ url: proxy.url, rollouts }));
    // "stop" on stdin: flush, report what the store holds, exit.
    for await (const line of createInterface({ input: process.stdin })) {
      if (line.trim() !== "stop") continue;
      await proxy.stop();
      const cpu = process.cpuUsage();
      let spans = 0;
      for (const [rolloutId] of rollouts) spans += (await store.querySpans({ rolloutId, limit: 1 })).total;
      console.log(JSON.stringify({ spans, cpuMs: (cpu.user + cpu.system) / 1000 }));
      process.exit(0);
    }
    process.exit(0);
  }
}

if (values.child) await runChild();
else await main();
