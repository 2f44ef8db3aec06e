// Bad-input benchmark (issue 8 items 1-6): what a hostile body costs the store server, and what
// the JSON rule (depth, NUL, lone surrogates; `assertSafeJson`) costs an ordinary one.
//
//   node bench/bad-input.mjs      (after `pnpm build`)
//
// Measures, in this process (server and client share it, the server on a loopback port over the
// memory store): the 422 for a ~7 MB body of 300,000 invalid rollouts (wall and CPU time, answer
// size, RSS growth), the 400 for a body nested 100,000 levels deep, and the time of
// `assertSafeJson` next to `JSON.parse` for an enqueue of 100 rollouts and a batch of 1,000 spans.
// Results: bench/results/bad-input.{json,md}.

import { cpus, loadavg } from "node:os";
import { LightningStoreServer } from "../packages/store/dist/http/server.js";
import { InMemoryLightningStore } from "../packages/store/dist/memory/memory-store.js";
import { assertSafeJson } from "../packages/types/dist/index.js";
import { fmt, makeSpan, writeResults } from "./lib.mjs";

const P = "/v1/agl";

async function measureRequest(url, text) {
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: text,
  });
  const body = await res.text();
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    status: res.status,
    body_mb: text.length / 1e6,
    answer_bytes: body.length,
    wall_ms: wallMs,
    cpu_ms: (cpu.user + cpu.system) / 1000,
    rss_growth_mb: (process.memoryUsage().rss - rssBefore) / 1e6,
  };
}

function best(runs) {
  return runs.reduce((a, b) => (b.cpu_ms < a.cpu_ms ? b : a));
}

function timePerCall(fn, iterations) {
  for (let i = 0; i < Math.min(50, iterations); i++) fn();
  const start = performance.now();
  for (let i = 0; i < iterations; i++) fn();
  return ((performance.now() - start) / iterations) * 1000; // µs
}

const store = new InMemoryLightningStore();
const server = new LightningStoreServer({ store, port: 0 });
await server.start();
try {
  const invalid = JSON.stringify({
    rollouts: Array.from({ length: 300_000 }, (_, i) => ({ input: i, mode: "bogus" })),
  });
  const invalidRuns = [];
  for (let i = 0; i < 3; i++)
    invalidRuns.push(await measureRequest(`${server.url}${P}/queues/rollouts/enqueue`, invalid));
  const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
  const deepRuns = [];
  for (let i = 0; i < 3; i++)
    deepRuns.push(await measureRequest(`${server.url}${P}/queues/rollouts/enqueue`, deep));

  const enqueueText = JSON.stringify({
    rollouts: Array.from({ length: 100 }, (_, i) => ({
      input: { question: `What is ${i} + ${i}?`, context: ["a", "b", { nested: [1, 2, 3] }] },
      metadata: { source: "bench", index: i },
    })),
  });
  const spansText = JSON.stringify(
    Array.from({ length: 1_000 }, (_, i) => makeSpan("ro-bench", "at-bench", i + 1)),
  );
  const enqueueValue = JSON.parse(enqueueText);
  const spansValue = JSON.parse(spansText);
  const rule = {
    enqueue_100: {
      json_parse_us: timePerCall(() => JSON.parse(enqueueText), 2_000),
      assert_safe_json_us: timePerCall(() => assertSafeJson(enqueueValue, "body"), 2_000),
    },
    spans_1000: {
      json_parse_us: timePerCall(() => JSON.parse(spansText), 200),
      assert_safe_json_us: timePerCall(() => assertSafeJson(spansValue, "body"), 200),
    },
  };

  const invalidBest = best(invalidRuns);
  const deepBest = best(deepRuns);
  const markdown = [
    "# Bad input benchmark (`node bench/bad-input.mjs`; server and client in one process)",
    "",
    `Load average when run: ${loadavg()
      .map((n) => n.toFixed(1))
      .join(", ")} on ${cpus().length} cores (figures scale with it; compare ratios).`,
    "",
    "| request | status | body | answer | wall ms | CPU ms | RSS growth |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    `| 300,000 invalid rollouts (best of 3) | ${invalidBest.status} | ${fmt(invalidBest.body_mb)} MB | ${invalidBest.answer_bytes} B | ${fmt(invalidBest.wall_ms)} | ${fmt(invalidBest.cpu_ms)} | ${fmt(invalidBest.rss_growth_mb)} MB |`,
    `| body nested 100,000 levels (best of 3) | ${deepBest.status} | ${fmt(deepBest.body_mb)} MB | ${deepBest.answer_bytes} B | ${fmt(deepBest.wall_ms)} | ${fmt(deepBest.cpu_ms)} | ${fmt(deepBest.rss_growth_mb)} MB |`,
    "",
    "| body | JSON.parse µs | assertSafeJson µs |",
    "| --- | --- | --- |",
    `| enqueue of 100 rollouts (${fmt(enqueueText.length / 1000)} kB) | ${fmt(rule.enqueue_100.json_parse_us)} | ${fmt(rule.enqueue_100.assert_safe_json_us)} |`,
    `| 1,000 spans (${fmt(spansText.length / 1000)} kB) | ${fmt(rule.spans_1000.json_parse_us)} | ${fmt(rule.spans_1000.assert_safe_json_us)} |`,
  ].join("\n");
  console.log(markdown);
  writeResults("bad-input", { invalid_items: invalidRuns, deep_body: deepRuns, json_rule: rule }, markdown);
} finally {
  await server.stop();
  await store.close();
}
