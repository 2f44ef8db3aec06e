// The dashboard aggregates (LightningStoreInsights, docs/store-contract.md §4.10) on a store of
// ROLLOUTS finished rollouts × SPANS spans each: the cost of one summaries request (500 rollouts),
// span searches across every rollout, and the rewards-over-time query, per backend, in process.
// Usage: node bench/insights.mjs   (BENCH_DATABASE_URL=postgres://... adds a real PostgreSQL)
import { createRequire } from "node:module";
import { InMemoryLightningStore } from "../packages/store/dist/index.js";
import { PostgresLightningStore } from "../packages/store/dist/postgres/index.js";
import { fmt, percentile, timed, writeResults } from "./lib.mjs";

const ROLLOUTS = 2000;
const SPANS = 50;
const RUNS = 5;
const databaseUrl = process.env.BENCH_DATABASE_URL || undefined;

function span(rolloutId, attemptId, seq, start) {
  const hex = `${seq.toString(16).padStart(8, "0")}${rolloutId.slice(-8)}`.slice(-16);
  const last = seq === SPANS;
  const llm = !last && seq % 2 === 0;
  return {
    rollout_id: rolloutId,
    attempt_id: attemptId,
    sequence_id: seq,
    trace_id: hex.padStart(32, "0"),
    span_id: hex,
    parent_id: null,
    name: last ? "agentlightning.annotation" : llm ? "openai.chat.completion" : "tool_call.search",
    status: { status_code: seq % 25 === 0 ? "ERROR" : "OK", description: null },
    attributes: last
      ? { "agentlightning.reward.0.name": "primary", "agentlightning.reward.0.value": Math.random() }
      : llm
        ? {
            "gen_ai.request.model": "gpt-4o-mini",
            "gen_ai.prompt.0.role": "user",
            "gen_ai.prompt.0.content": "What is the capital of France? ".repeat(8),
            "gen_ai.completion.0.role": "assistant",
            "gen_ai.completion.0.content": "Paris. ".repeat(8),
            "gen_ai.usage.prompt_tokens": 120,
            "gen_ai.usage.completion_tokens": 30,
            "gen_ai.usage.total_tokens": 150,
          }
        : { "tool.name": "search", "tool.parameters": '{"q":"paris"}' },
    events: [],
    links: [],
    start_time: start,
    end_time: start + 0.5,
    context: null,
    parent: null,
    resource: { attributes: { "service.name": "bench" }, schema_url: "" },
  };
}

async function seed(store) {
  const ids = [];
  let clock = 1_700_000_000;
  for (let i = 0; i < ROLLOUTS; i += 100) {
    const started = await Promise.all(
      Array.from({ length: Math.min(100, ROLLOUTS - i) }, (_, j) =>
        store.startRollout({ input: { i: i + j }, mode: (i + j) % 5 === 0 ? "val" : "train" }),
      ),
    );
    for (const r of started) {
      const spans = Array.from({ length: SPANS }, (_, s) =>
        span(r.rollout_id, r.attempt.attempt_id, s + 1, clock++),
      );
      await store.addManySpans(spans);
      await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "succeeded" });
      ids.push(r.rollout_id);
    }
  }
  return ids;
}

async function measure(fn) {
  await fn(); // warm-up
  const times = [];
  for (let i = 0; i < RUNS; i++) times.push((await timed(fn)).seconds * 1000);
  return percentile(times, 50);
}

async function run(name, open) {
  const store = await open();
  try {
    const { seconds: seedSeconds, result: ids } = await timed(() => seed(store));
    const some = ids.slice(-500);
    const figures = {
      backend: name,
      seed_s: seedSeconds,
      summaries_500_ms: await measure(() => store.summarizeRollouts(some)),
      spans_newest_100_ms: await measure(() => store.searchSpans({ limit: 100 })),
      spans_errors_last_hour_ms: await measure(() =>
        store.searchSpans({
          statusCode: "ERROR",
          nameContains: "openai",
          since: 1_700_000_000 + ROLLOUTS * SPANS - 3600,
        }),
      ),
      spans_by_attribute_ms: await measure(() =>
        store.searchSpans({
          attributeKey: "gen_ai.request.model",
          attributeValue: "gpt-4o-mini",
          limit: 100,
        }),
      ),
      rewards_all_ms: await measure(() => store.queryRewards({ limit: 10_000 })),
    };
    const check = await store.queryRewards({ limit: 10_000 });
    if (check.length !== ROLLOUTS)
      throw new Error(`${name}: ${check.length} reward points, expected ${ROLLOUTS}`);
    console.log(figures);
    return figures;
  } finally {
    await store.close();
  }
}

const results = [];
results.push(await run("memory", async () => new InMemoryLightningStore({ spanMemoryBudgetBytes: null })));
results.push(await run("pglite", () => PostgresLightningStore.pglite()));
if (databaseUrl !== undefined) {
  const schema = `agl_bench_insights_${Date.now().toString(36)}`;
  try {
    results.push(await run("postgres", () => PostgresLightningStore.connect({ url: databaseUrl, schema })));
  } finally {
    const storeRequire = createRequire(new URL("../packages/store/package.json", import.meta.url));
    const { default: postgres } = await import(storeRequire.resolve("postgres"));
    const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await sql.end();
  }
}

const rows = results.map(
  (r) =>
    `| ${r.backend} | ${fmt(r.summaries_500_ms)} | ${fmt(r.spans_newest_100_ms)} | ${fmt(r.spans_errors_last_hour_ms)} | ${fmt(r.spans_by_attribute_ms)} | ${fmt(r.rewards_all_ms)} |`,
);
writeResults(
  "insights",
  { rollouts: ROLLOUTS, spans_per_rollout: SPANS, runs: RUNS, results },
  [
    "# Dashboard aggregates (`bench/insights.mjs`)",
    "",
    `${ROLLOUTS} finished rollouts × ${SPANS} spans (${(ROLLOUTS * SPANS).toLocaleString("en-US")} spans; every other span an LLM call with`,
    "prompt/completion text, one reward span each), in process, median of 5 runs in milliseconds. Span searches",
    "count every match (`total`) besides returning the page. The memory store decodes every span a search looks at; the",
    "Postgres store parses the JSON of every span an attribute or status condition looks at (not indexed).",
    "",
    "| backend | summaries of 500 rollouts | newest 100 spans | failed LLM calls of the last hour | 100 spans by attribute value | rewards of all rollouts |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n"),
);
