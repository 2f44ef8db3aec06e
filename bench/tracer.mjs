// Tracer benchmark (issue 10): spans per second through OtelTracer into an in-memory store and over
// HTTP into `agl store` (Postgres and memory backends), HTTP requests per span for a 20-span
// rollout (counted by the server's own request counter), and the latency a traced call adds.
//
//   node bench/tracer.mjs [--rounds 3] [--skip-postgres]
//
// Postgres needs BENCH_DATABASE_URL or DATABASE_URL. Uses the built packages (pnpm build first).
// Results: bench/results/tracer.{json,md}.
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { InMemoryLightningStore, LightningStoreClient } from "../packages/store/dist/index.js";
import { OtelTracer } from "../packages/tracer/dist/index.js";
import { fmt, percentile, startAglStore, timed, writeResults } from "./lib.mjs";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    "skip-postgres": { type: "boolean", default: false },
  },
});
const rounds = Number(values.rounds);
const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;

/** An LLM-call-sized span: the attributes an instrumented chat completion carries. */
const LLM_ATTRIBUTES = {
  "gen_ai.system": "openai",
  "gen_ai.request.model": "gpt-4o-mini",
  "gen_ai.prompt.0.role": "user",
  "gen_ai.prompt.0.content": "What is the capital of France? Answer in one word.",
  "gen_ai.completion.0.role": "assistant",
  "gen_ai.completion.0.content": "Paris",
  "gen_ai.usage.prompt_tokens": 17,
  "gen_ai.usage.completion_tokens": 1,
  prompt_token_ids: [101, 2054, 2003, 1996, 3007, 1997, 2605, 1029],
  response_token_ids: [3000],
};

const median = (xs) => percentile(xs, 50);

/** CPU seconds used so far by process `pid` (user + system, from /proc). */
function cpuSecondsOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds of this process and, when given, of the server process. */
function cpuNow(serverPid) {
  const own = process.cpuUsage();
  return (own.user + own.system) / 1e6 + (serverPid === undefined ? 0 : cpuSecondsOf(serverPid));
}

/**
 * Traces `rollouts` rollouts of `spansPerRollout` spans each through one tracer, `concurrency`
 * rollouts at a time; returns spans per second (trace() returning = spans written).
 */
async function tracerThroughput(store, { rollouts, spansPerRollout, concurrency, serverPid }) {
  const tracer = new OtelTracer();
  const started = await Promise.all(
    Array.from({ length: rollouts }, (_, i) => store.startRollout({ input: i })),
  );
  let next = 0;
  const cpuBefore = cpuNow(serverPid);
  const { seconds } = await timed(() =>
    Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let r = next++; r < rollouts; r = next++) {
          const rollout = started[r];
          await tracer.trace(
            { rolloutId: rollout.rollout_id, attemptId: rollout.attempt.attempt_id, store },
            async (otel) => {
              for (let i = 0; i < spansPerRollout; i++) {
                otel.startSpan("openai.chat.completion", { attributes: LLM_ATTRIBUTES }).end();
                // A real agent awaits its model between calls.
                if (i % 5 === 4) await new Promise((resolve) => setImmediate(resolve));
              }
            },
          );
        }
      }),
    ),
  );
  const cpuSeconds = cpuNow(serverPid) - cpuBefore;
  await tracer.teardown();
  const total = (
    await Promise.all(started.map((r) => store.querySpans({ rolloutId: r.rollout_id, limit: 1 })))
  ).reduce((sum, page) => sum + page.total, 0);
  if (total !== rollouts * spansPerRollout)
    throw new Error(`stored ${total} spans, expected ${rollouts * spansPerRollout}`);
  const spans = rollouts * spansPerRollout;
  return { spans_per_s: spans / seconds, spans_per_cpu_s: spans / cpuSeconds };
}

/** Sum of the server's `agl_http_total` counter (every request it answered). */
async function serverRequests(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split("\n"))
    if (line.startsWith("agl_http_total{")) sum += Number(line.split(" ").pop());
  return sum;
}

/** Requests the server answered while one rollout of `spans` spans was traced (the metrics scrape itself excluded). */
async function requestsPerRollout(url, spans) {
  const client = new LightningStoreClient({ url });
  const tracer = new OtelTracer();
  const rollout = await client.startRollout({ input: "one" });
  const before = await serverRequests(url);
  await tracer.trace(
    { rolloutId: rollout.rollout_id, attemptId: rollout.attempt.attempt_id, store: client },
    (otel) => {
      for (let i = 0; i < spans; i++)
        otel.startSpan("openai.chat.completion", { attributes: LLM_ATTRIBUTES }).end();
    },
  );
  const after = await serverRequests(url);
  await tracer.teardown();
  await client.close();
  // The scrape before is counted once it is answered: subtract it.
  return after - before - 1;
}

/** Mean wall and CPU microseconds per call of `await fn()`, over `n` calls (after a warm-up). */
async function microsPerCall(n, fn) {
  for (let i = 0; i < 1000; i++) await fn();
  const cpuBefore = cpuNow();
  const { seconds } = await timed(async () => {
    for (let i = 0; i < n; i++) await fn();
  });
  return { wall: (seconds / n) * 1e6, cpu: ((cpuNow() - cpuBefore) / n) * 1e6 };
}

/** Latency a traced call adds: an async no-op "LLM call" alone, inside `tracer.operation`, and as an emitted span. */
async function addedLatency() {
  const store = new InMemoryLightningStore();
  const rollout = await store.startRollout({ input: "latency" });
  const tracer = new OtelTracer({ flushSpanCount: 1000 });
  const noop = async () => undefined;
  const n = 20_000;
  let result;
  await tracer.trace(
    { rolloutId: rollout.rollout_id, attemptId: rollout.attempt.attempt_id, store },
    async (otel) => {
      const plain = await microsPerCall(n, noop);
      const operation = await microsPerCall(n, () =>
        tracer.operation("llm", { "gen_ai.request.model": "m" }, noop),
      );
      const span = await microsPerCall(n, async () => {
        const s = otel.startSpan("openai.chat.completion", { attributes: LLM_ATTRIBUTES });
        await noop();
        s.end();
      });
      result = { plain, operation, span };
    },
  );
  await tracer.teardown();
  return {
    untraced_us: result.plain.wall,
    operation_us: result.operation.wall,
    llm_span_us: result.span.wall,
    added_operation_us: result.operation.wall - result.plain.wall,
    added_llm_span_us: result.span.wall - result.plain.wall,
    added_operation_cpu_us: result.operation.cpu - result.plain.cpu,
    added_llm_span_cpu_us: result.span.cpu - result.plain.cpu,
  };
}

async function main() {
  const data = {
    rounds,
    load_average_start: loadavg()[0],
    in_process: [],
    http: {},
    requests_per_span: {},
    latency: [],
  };

  for (let r = 0; r < rounds; r++) {
    const store = new InMemoryLightningStore();
    data.in_process.push(
      await tracerThroughput(store, { rollouts: 400, spansPerRollout: 100, concurrency: 32 }),
    );
    await store.close();
    data.latency.push(await addedLatency());
    const last = data.in_process.at(-1);
    console.log(
      `in-process round ${r + 1}: ${fmt(last.spans_per_s)} spans/s, ${fmt(last.spans_per_cpu_s)} spans per CPU second`,
    );
  }

  const backends = ["memory", ...(databaseUrl && !values["skip-postgres"] ? ["postgres"] : [])];
  for (const backend of backends) {
    const server = await startAglStore({ backend, databaseUrl });
    try {
      const client = new LightningStoreClient({ url: server.url });
      const samples = { rollout20: [], rollout100: [] };
      for (let r = 0; r < rounds; r++) {
        const serverPid = server.pid;
        samples.rollout20.push(
          await tracerThroughput(client, { rollouts: 400, spansPerRollout: 20, concurrency: 32, serverPid }),
        );
        samples.rollout100.push(
          await tracerThroughput(client, { rollouts: 100, spansPerRollout: 100, concurrency: 32, serverPid }),
        );
        console.log(
          `${backend} over HTTP round ${r + 1}: ${fmt(samples.rollout20.at(-1).spans_per_s)} spans/s (20-span rollouts), ` +
            `${fmt(samples.rollout100.at(-1).spans_per_s)} spans/s (100-span rollouts)`,
        );
      }
      await client.close();
      data.http[backend] = samples;
      const requests = await requestsPerRollout(server.url, 20);
      data.requests_per_span[backend] = { spans: 20, requests, per_span: requests / 20 };
      console.log(`${backend}: a 20-span rollout cost ${requests} request(s) at the server`);
    } finally {
      await server.stop();
    }
  }

  data.load_average_end = loadavg()[0];
  const lat = (key) => median(data.latency.map((l) => l[key]));
  const both = (samples) => ({
    spans_per_s: median(samples.map((x) => x.spans_per_s)),
    spans_per_cpu_s: median(samples.map((x) => x.spans_per_cpu_s)),
  });
  const summary = {
    in_process: both(data.in_process),
    http: Object.fromEntries(
      Object.entries(data.http).map(([b, s]) => [
        b,
        { rollout20: both(s.rollout20), rollout100: both(s.rollout100) },
      ]),
    ),
    requests_per_span: data.requests_per_span,
    latency_us: {
      untraced: lat("untraced_us"),
      operation: lat("operation_us"),
      llm_span: lat("llm_span_us"),
      added_operation: lat("added_operation_us"),
      added_llm_span: lat("added_llm_span_us"),
      added_operation_cpu: lat("added_operation_cpu_us"),
      added_llm_span_cpu: lat("added_llm_span_cpu_us"),
    },
  };
  const label = (b) => (b === "postgres" ? "PostgreSQL 15" : "memory backend");
  const httpRows = Object.entries(summary.http)
    .map(
      ([b, s]) =>
        `| \`agl store\` (${label(b)}) over HTTP, 20-span rollouts | ${fmt(s.rollout20.spans_per_s)} | ${fmt(s.rollout20.spans_per_cpu_s)} | ≥ 5,000 |\n` +
        `| \`agl store\` (${label(b)}) over HTTP, 100-span rollouts | ${fmt(s.rollout100.spans_per_s)} | ${fmt(s.rollout100.spans_per_cpu_s)} | ≥ 5,000 |`,
    )
    .join("\n");
  const requestRows = Object.entries(summary.requests_per_span)
    .map(([b, r]) => `| ${b} | ${r.spans} | ${r.requests} | ${r.per_span.toFixed(2)} |`)
    .join("\n");
  const l = summary.latency_us;
  const markdown = `# Tracer benchmark (\`node bench/tracer.mjs\`; median of ${rounds} rounds)

Spans go through \`OtelTracer\` (OpenTelemetry JS SDK 2.x, one \`LightningSpanProcessor\`) into a store:
each rollout is one \`tracer.trace()\` scope whose spans (an LLM-call-sized span: 10 \`gen_ai.*\`
attributes and token ids) are buffered and written with one \`addSpansAllocating\` per flush (the
store numbers them; over HTTP one \`POST /v1/agl/spans/batch\`), 32 rollouts at a time, an
\`await\` every 5 spans. A round ends when every \`trace()\` returned, i.e. every span is stored; the
count is checked. The machine has 2 cores: the 1-minute load average was
${data.load_average_start.toFixed(1)} at the start and ${data.load_average_end.toFixed(1)} at the end${
    Math.max(data.load_average_start, data.load_average_end) > 2
      ? ", so other work shared the cores and wall-clock figures are below what an idle machine gives"
      : " (a quiet machine)"
  }. "Per CPU second" divides the spans by the CPU time the
benchmark process and (over HTTP) the \`agl store\` process used meanwhile (Postgres's own CPU
not counted): the rate one free core would reach for that work. Samples per round are in
tracer.json.

| path | spans/s (wall) | spans per CPU second | target |
| --- | --- | --- | --- |
| in process, \`InMemoryLightningStore\`, 100-span rollouts | ${fmt(summary.in_process.spans_per_s)} | ${fmt(summary.in_process.spans_per_cpu_s)} | ≥ 20,000 |
${httpRows}

HTTP requests per span, counted by the server (\`agl_http_total\`) while one 20-span rollout is
traced (target ≤ 0.1):

| backend | spans | requests | requests per span |
| --- | --- | --- | --- |
${requestRows}

Added latency per traced call (mean µs per call over 20,000 calls, in a trace writing to an
in-memory store, span writes included; the "call" is an async no-op, so the figures are the
tracing overhead alone; CPU µs is the CPU time the process spent per call, i.e. the latency on a
free core):

| call | wall µs per call | added by tracing, wall µs | added by tracing, CPU µs |
| --- | --- | --- | --- |
| untraced \`await call()\` | ${l.untraced.toFixed(2)} | — | — |
| \`await tracer.operation("llm", attrs, call)\` | ${l.operation.toFixed(2)} | ${l.added_operation.toFixed(2)} | ${l.added_operation_cpu.toFixed(2)} |
| an LLM-call span around \`await call()\` (what an instrumentation does) | ${l.llm_span.toFixed(2)} | ${l.added_llm_span.toFixed(2)} | ${l.added_llm_span_cpu.toFixed(2)} |

A real LLM call takes hundreds of milliseconds, so the tracing overhead is below 0.1 % of it.
`;
  writeResults("tracer", { summary, samples: data }, markdown);
  console.log(markdown);
}

await main();
