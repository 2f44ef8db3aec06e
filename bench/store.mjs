// LightningStore benchmark (issue 3): enqueue throughput, dequeue + 4 spans + complete cycles/s at
// 1/8/64 concurrent workers, span inserts single and batched, memory after 100k spans, and (for
// Postgres) the same claim-and-complete cycle as plain SQL through the same driver: the raw limit.
//
//   node bench/store.mjs [--backends memory,pglite,postgres] [--scale 1]
//
// `postgres` needs DATABASE_URL (or BENCH_DATABASE_URL). Results: bench/results/store.{json,md}.
import { parseArgs } from "node:util";
import { fmt, makeSpan, runWorkers, timed, writeResults } from "./lib.mjs";
import { openBackend } from "./store-backends.mjs";

const { values } = parseArgs({
  options: {
    backends: { type: "string", default: "memory,pglite,postgres" },
    scale: { type: "string", default: "1" },
  },
});
const scale = Number(values.scale);
const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
const backends = values.backends.split(",").filter((b) => b !== "postgres" || databaseUrl);

const SIZES = {
  memory: { enqueue: 50_000, cycles: 20_000, spans: 50_000, memSpans: 100_000 },
  pglite: { enqueue: 5_000, cycles: 1_500, spans: 5_000, memSpans: 100_000 },
  postgres: { enqueue: 20_000, cycles: 6_000, spans: 20_000, memSpans: 100_000 },
};

async function benchEnqueue(store, n) {
  const batch = 100;
  const { seconds } = await timed(async () => {
    for (let i = 0; i < n; i += batch) {
      await store.enqueueManyRollouts(
        Array.from({ length: Math.min(batch, n - i) }, (_, j) => ({ input: { i: i + j } })),
      );
    }
  });
  const single = Math.max(100, Math.floor(n / 20));
  const one = await timed(async () => {
    for (let i = 0; i < single; i++) await store.enqueueRollout({ input: { i } });
  });
  return { batched_per_s: n / seconds, single_per_s: single / one.seconds };
}

/** Drains the queue: each worker dequeues, writes 4 spans, completes the attempt. */
async function benchCycles(store, n, workers) {
  await store.enqueueManyRollouts(Array.from({ length: n }, (_, i) => ({ input: { i } })));
  let done = 0;
  const { seconds } = await timed(() =>
    runWorkers(workers, async (w) => {
      const rollout = await store.dequeueRollout({ workerId: `w${w}` });
      if (rollout === null) return false;
      for (let s = 1; s <= 4; s++)
        await store.addSpan(makeSpan(rollout.rollout_id, rollout.attempt.attempt_id, s));
      await store.updateAttempt(rollout.rollout_id, rollout.attempt.attempt_id, { status: "succeeded" });
      done++;
      return true;
    }),
  );
  if (done !== n) throw new Error(`expected ${n} cycles, completed ${done}`);
  return n / seconds;
}

async function benchSpans(store, n) {
  const rollout = await store.startRollout({ input: "spans" });
  const { rollout_id: r, attempt } = rollout;
  const single = Math.max(200, Math.floor(n / 5));
  const one = await timed(async () => {
    for (let i = 1; i <= single; i++) await store.addSpan(makeSpan(r, attempt.attempt_id, i));
  });
  const batch = 100;
  const many = await timed(async () => {
    for (let i = 0; i < n; i += batch) {
      await store.addManySpans(
        Array.from({ length: batch }, (_, j) => makeSpan(r, attempt.attempt_id, single + i + j + 1)),
      );
    }
  });
  return { single_per_s: single / one.seconds, batched_per_s: n / many.seconds };
}

async function benchMemory(store, n) {
  global.gc?.();
  const before = process.memoryUsage();
  const per = 100;
  for (let r = 0; r < n / 1000; r++) {
    const { rollout_id, attempt } = await store.startRollout({ input: r });
    for (let i = 0; i < 1000; i += per) {
      await store.addManySpans(
        Array.from({ length: per }, (_, j) => makeSpan(rollout_id, attempt.attempt_id, i + j + 1)),
      );
    }
  }
  global.gc?.();
  const after = process.memoryUsage();
  return {
    rss_mb: after.rss / 2 ** 20,
    heap_used_mb: after.heapUsed / 2 ** 20,
    heap_growth_mb: (after.heapUsed - before.heapUsed) / 2 ** 20,
  };
}

const results = {};
for (const name of backends) {
  const size = Object.fromEntries(Object.entries(SIZES[name]).map(([k, v]) => [k, Math.round(v * scale)]));
  const backend = await openBackend(name, databaseUrl);
  const r = {};
  console.log(`\n== ${name} ==`);
  let store = await backend.fresh();
  r.enqueue = await benchEnqueue(store, size.enqueue);
  console.log(
    `enqueue: ${fmt(r.enqueue.batched_per_s)}/s batched (100), ${fmt(r.enqueue.single_per_s)}/s single`,
  );
  r.cycles = {};
  for (const workers of [1, 8, 64]) {
    await store.close();
    store = await backend.fresh();
    r.cycles[workers] = await benchCycles(store, size.cycles, workers);
    console.log(`cycles (dequeue + 4 spans + complete), ${workers} workers: ${fmt(r.cycles[workers])}/s`);
  }
  if (backend.rawCycles) {
    r.raw_cycles = {};
    for (const workers of [1, 8, 64]) {
      r.raw_cycles[workers] = await backend.rawCycles(size.cycles, workers);
      console.log(
        `raw SQL cycles, ${workers} workers: ${fmt(r.raw_cycles[workers])}/s (store reaches ${fmt((100 * r.cycles[workers]) / r.raw_cycles[workers])} %)`,
      );
    }
  }
  await store.close();
  store = await backend.fresh();
  r.spans = await benchSpans(store, size.spans);
  console.log(`spans: ${fmt(r.spans.single_per_s)}/s single, ${fmt(r.spans.batched_per_s)}/s batched (100)`);
  await store.close();
  store = await backend.fresh();
  r.memory_after_100k_spans = await benchMemory(store, size.memSpans);
  console.log(
    `after ${size.memSpans} spans: rss ${fmt(r.memory_after_100k_spans.rss_mb)} MB, heap used ${fmt(r.memory_after_100k_spans.heap_used_mb)} MB`,
  );
  await store.close();
  await backend.dispose();
  results[name] = { sizes: size, ...r };
}

const rows = Object.entries(results).map(
  ([name, r]) =>
    `| ${name} | ${fmt(r.enqueue.batched_per_s)} | ${[1, 8, 64].map((w) => fmt(r.cycles[w])).join(" / ")} | ${
      r.raw_cycles
        ? [1, 8, 64]
            .map((w) => `${fmt(r.raw_cycles[w])} (${fmt((100 * r.cycles[w]) / r.raw_cycles[w])} %)`)
            .join(" / ")
        : "n/a"
    } | ${fmt(r.spans.single_per_s)} | ${fmt(r.spans.batched_per_s)} | ${fmt(r.memory_after_100k_spans.rss_mb)} |`,
);
writeResults(
  "store",
  { results },
  [
    "# LightningStore benchmark (`node --expose-gc bench/store.mjs`)",
    "",
    "| backend | enqueue/s (batch 100) | cycles/s at 1 / 8 / 64 workers | raw SQL cycles/s (store %) | spans/s single | spans/s batched (100) | RSS after 100k spans (MB) |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n"),
);
console.log("\nwrote bench/results/store.json and store.md");
