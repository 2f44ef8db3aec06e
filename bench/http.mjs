// Store-over-HTTP benchmark (issue 4): the `agl store` server runs in a child process (client and
// server share the machine's cores), 64 concurrent runners drive it with a cheap keep-alive client.
//
//   node bench/http.mjs [--backends memory,pglite,postgres] [--scale 1]
//
// Measures: dequeue + 4 spans + complete cycles/s (64 runners), single-span posts/s, batched spans/s
// (OTLP/HTTP protobuf, 100 spans per request), p50/p99 dequeue latency at half (32) and full (64)
// load, and the server's RSS after 1M spans. `postgres` needs DATABASE_URL. Results:
// bench/results/http.{json,md}.
import { parseArgs } from "node:util";
import { otlpTypes } from "../packages/store/dist/http/otlp/proto.js";
import { createCheapClient } from "./http-client.mjs";
import {
  enqueueMany,
  fmt,
  makeSpan,
  otlpPayload,
  percentile,
  runWorkers,
  startAglStore,
  timed,
  writeResults,
} from "./lib.mjs";

const { values } = parseArgs({
  options: {
    backends: { type: "string", default: "memory,pglite,postgres" },
    scale: { type: "string", default: "1" },
  },
});
const scale = Number(values.scale);
const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
const backends = values.backends.split(",").filter((b) => b !== "postgres" || databaseUrl);
const P = "/v1/agl";

async function cycles(client, n, runners) {
  await enqueueMany(client, n);
  const latencies = [];
  let done = 0;
  const { seconds } = await timed(() =>
    runWorkers(runners, async (w) => {
      const t0 = performance.now();
      const claimed = await client.post(`${P}/queues/rollouts/dequeue`, { limit: 1, worker_id: `w${w}` });
      latencies.push(performance.now() - t0);
      if (claimed.length === 0) return false;
      const { rollout_id: r, attempt } = claimed[0];
      for (let s = 1; s <= 4; s++) await client.post(`${P}/spans`, makeSpan(r, attempt.attempt_id, s));
      await client.post(`${P}/rollouts/${r}/attempts/${attempt.attempt_id}`, { status: "succeeded" });
      done++;
      return true;
    }),
  );
  if (done !== n) throw new Error(`expected ${n} cycles, got ${done}`);
  return {
    per_s: n / seconds,
    dequeue_p50_ms: percentile(latencies, 50),
    dequeue_p99_ms: percentile(latencies, 99),
  };
}

/** The same cycle with the attempt's 4 spans exported as one OTLP request, as an OTel exporter does. */
async function cyclesOtlp(client, n, runners) {
  await enqueueMany(client, n);
  let done = 0;
  const { seconds } = await timed(() =>
    runWorkers(runners, async (w) => {
      const claimed = await client.post(`${P}/queues/rollouts/dequeue`, { limit: 1, worker_id: `w${w}` });
      if (claimed.length === 0) return false;
      const { rollout_id: r, attempt } = claimed[0];
      await client.post("/v1/traces", otlpPayload(otlpTypes, r, attempt.attempt_id, 4), {
        "content-type": "application/x-protobuf",
      });
      await client.post(`${P}/rollouts/${r}/attempts/${attempt.attempt_id}`, { status: "succeeded" });
      done++;
      return true;
    }),
  );
  if (done !== n) throw new Error(`expected ${n} cycles, got ${done}`);
  return n / seconds;
}

async function singleSpans(client, n, runners) {
  const { rollout_id: r, attempt } = await client.post(`${P}/rollouts`, { input: "spans" });
  let next = 0;
  const { seconds } = await timed(() =>
    runWorkers(runners, async () => {
      const i = ++next;
      if (i > n) return false;
      await client.post(`${P}/spans`, makeSpan(r, attempt.attempt_id, i));
      return true;
    }),
  );
  return n / seconds;
}

/** Posts `total` spans as OTLP requests of `perRequest` spans, `concurrency` at a time, over `rollouts` rollouts. */
async function batchedSpans(client, total, perRequest, concurrency, rollouts = 1) {
  const targets = [];
  for (let i = 0; i < rollouts; i++) {
    const { rollout_id, attempt } = await client.post(`${P}/rollouts`, { input: i });
    targets.push([rollout_id, attempt.attempt_id]);
  }
  const requests = Math.ceil(total / perRequest);
  let next = 0;
  const { seconds } = await timed(() =>
    runWorkers(concurrency, async () => {
      const i = next++;
      if (i >= requests) return false;
      const [r, a] = targets[i % targets.length];
      await client.post("/v1/traces", otlpPayload(otlpTypes, r, a, perRequest), {
        "content-type": "application/x-protobuf",
      });
      return true;
    }),
  );
  return (requests * perRequest) / seconds;
}

const SIZES = {
  memory: { cycles: 6000, single: 20_000, batched: 200_000, million: 1_000_000 },
  pglite: { cycles: 1000, single: 3000, batched: 30_000, million: 200_000 },
  postgres: { cycles: 4000, single: 12_000, batched: 100_000, million: 1_000_000 },
};

const results = {};
for (const backend of backends) {
  const size = Object.fromEntries(Object.entries(SIZES[backend]).map(([k, v]) => [k, Math.round(v * scale)]));
  console.log(`\n== ${backend} (server in a child process) ==`);
  const r = { sizes: size };
  let server = await startAglStore({ backend, databaseUrl });
  let client = createCheapClient(server.url);
  r.half_load = await cycles(client, Math.round(size.cycles / 2), 32);
  console.log(
    `32 runners: ${fmt(r.half_load.per_s)} cycles/s, dequeue p50 ${fmt(r.half_load.dequeue_p50_ms)} ms, p99 ${fmt(r.half_load.dequeue_p99_ms)} ms`,
  );
  r.full_load = await cycles(client, size.cycles, 64);
  console.log(
    `64 runners: ${fmt(r.full_load.per_s)} cycles/s, dequeue p50 ${fmt(r.full_load.dequeue_p50_ms)} ms, p99 ${fmt(r.full_load.dequeue_p99_ms)} ms`,
  );
  r.otlp_cycles_per_s = await cyclesOtlp(client, size.cycles, 64);
  console.log(`64 runners, 4 spans as one OTLP export per attempt: ${fmt(r.otlp_cycles_per_s)} cycles/s`);
  r.single_spans_per_s = await singleSpans(client, size.single, 64);
  console.log(`single-span posts (64 concurrent): ${fmt(r.single_spans_per_s)}/s`);
  r.batched_spans_per_s = await batchedSpans(client, size.batched, 100, 8);
  console.log(`batched spans (OTLP, 100 per request, 8 concurrent): ${fmt(r.batched_spans_per_s)}/s`);
  client.close();
  await server.stop();

  server = await startAglStore({ backend, databaseUrl });
  client = createCheapClient(server.url);
  const rssBefore = server.rssMb();
  const { seconds } = await timed(() => batchedSpans(client, size.million, 500, 8, 1000));
  r.million = { spans: size.million, seconds, rss_before_mb: rssBefore, rss_after_mb: server.rssMb() };
  console.log(
    `server RSS after ${fmt(size.million)} spans: ${fmt(r.million.rss_after_mb)} MB (was ${fmt(rssBefore)} MB; ${fmt(seconds)} s to load)`,
  );
  client.close();
  await server.stop();
  results[backend] = r;
}

writeResults(
  "http",
  { results },
  [
    "# Store over HTTP benchmark (`node bench/http.mjs`; server in a child process, 2 shared cores)",
    "",
    "| backend | cycles/s (64 runners) | cycles/s, spans as one OTLP export | single spans/s | batched spans/s (OTLP x100) | dequeue p50 / p99 ms, 32 runners | dequeue p50 / p99 ms, 64 runners | server RSS after N spans |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...Object.entries(results).map(
      ([b, r]) =>
        `| ${b} | ${fmt(r.full_load.per_s)} | ${fmt(r.otlp_cycles_per_s)} | ${fmt(r.single_spans_per_s)} | ${fmt(r.batched_spans_per_s)} | ${fmt(r.half_load.dequeue_p50_ms)} / ${fmt(r.half_load.dequeue_p99_ms)} | ${fmt(r.full_load.dequeue_p50_ms)} / ${fmt(r.full_load.dequeue_p99_ms)} | ${fmt(r.million.rss_after_mb)} MB after ${fmt(r.million.spans)} |`,
    ),
  ].join("\n"),
);
console.log("\nwrote bench/results/http.json and http.md");
