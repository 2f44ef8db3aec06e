// OTLP cycle benchmark (issue 9 part 2): the runner cycle of bench/http.mjs (dequeue, 4 spans,
// complete) with the 4 spans posted one by one and with the 4 spans as one OTLP export, against
// `agl store` builds of two checkouts, interleaved round by round so that both see the same load on
// a shared machine. Each checkout must be built (`pnpm build`).
//
//   node bench/otlp-cycle.mjs --before /path/to/old/checkout [--after .] [--backends pglite,postgres]
//     [--cycles 600] [--rounds 3]
//
// `postgres` needs DATABASE_URL. Results: bench/results/otlp-cycle.{json,md} (median of the rounds).
import { execFileSync } from "node:child_process";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createCheapClient } from "./http-client.mjs";
import {
  enqueueMany,
  fmt,
  makeSpan,
  otlpPayload,
  repoDir,
  runWorkers,
  startAglStore,
  timed,
  writeResults,
} from "./lib.mjs";

const { values } = parseArgs({
  options: {
    before: { type: "string" },
    after: { type: "string", default: repoDir },
    backends: { type: "string", default: "pglite,postgres" },
    cycles: { type: "string", default: "600" },
    rounds: { type: "string", default: "3" },
  },
});
if (values.before === undefined) throw new Error("--before <checkout> is required");
const checkouts = { before: resolve(values.before), after: resolve(values.after) };
const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
const backends = values.backends.split(",").filter((b) => b !== "postgres" || databaseUrl);
const n = Number(values.cycles);
const rounds = Number(values.rounds);
const RUNNERS = 64;
const P = "/v1/agl";

/** Cycles per second, 64 runners; `post` stores the attempt's 4 spans. */
async function cycles(client, post) {
  await enqueueMany(client, n);
  let done = 0;
  const { seconds } = await timed(() =>
    runWorkers(RUNNERS, async (w) => {
      const claimed = await client.post(`${P}/queues/rollouts/dequeue`, { limit: 1, worker_id: `w${w}` });
      if (claimed.length === 0) return false;
      const { rollout_id: r, attempt } = claimed[0];
      await post(r, attempt.attempt_id);
      await client.post(`${P}/rollouts/${r}/attempts/${attempt.attempt_id}`, { status: "succeeded" });
      done++;
      return true;
    }),
  );
  if (done !== n) throw new Error(`expected ${n} cycles, got ${done}`);
  return n / seconds;
}

const commitOf = (dir) =>
  execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: dir, encoding: "utf8" }).trim();
const commits = { before: commitOf(checkouts.before), after: commitOf(checkouts.after) };
const loadStart = loadavg()[0];
const { otlpTypes } = await import(join(checkouts.after, "packages/store/dist/http/otlp/proto.js"));
const samples = {};
for (let round = 1; round <= rounds; round++) {
  for (const backend of backends) {
    for (const [label, checkout] of Object.entries(checkouts)) {
      const server = await startAglStore({ checkout, backend, databaseUrl });
      const client = createCheapClient(server.url);
      const single = await cycles(client, async (r, a) => {
        for (let s = 1; s <= 4; s++) await client.post(`${P}/spans`, makeSpan(r, a, s));
      });
      const otlp = await cycles(client, (r, a) =>
        client.post("/v1/traces", otlpPayload(otlpTypes, r, a, 4), {
          "content-type": "application/x-protobuf",
        }),
      );
      client.close();
      await server.stop();
      const key = `${backend}/${label}`;
      samples[key] ??= { single: [], otlp: [] };
      samples[key].single.push(single);
      samples[key].otlp.push(otlp);
      console.log(
        `round ${round} ${key}: 4 single posts ${fmt(single)} cycles/s, one OTLP export ${fmt(otlp)} cycles/s`,
      );
    }
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = Object.entries(samples).map(([key, s]) => {
  const [backend, label] = key.split("/");
  return {
    backend,
    build: label,
    single_cycles_per_s: median(s.single),
    otlp_cycles_per_s: median(s.otlp),
    samples: s,
  };
});
writeResults(
  "otlp-cycle",
  { cycles: n, runners: RUNNERS, rounds, checkouts, commits, load: [loadStart, loadavg()[0]], results: rows },
  [
    `# OTLP cycle benchmark (\`node bench/otlp-cycle.mjs\`; ${n} cycles, ${RUNNERS} runners, median of ${rounds} interleaved rounds)`,
    "",
    "Cycle: dequeue, 4 spans, complete. The spans posted one by one (`POST /v1/agl/spans`), or as one",
    "OTLP export without sequence ids (`POST /v1/traces`, the store allocates them). `before`:",
    `commit ${commits.before}; \`after\`: commit ${commits.after}. 1-minute load average`,
    `${loadStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end (2 cores shared).`,
    "",
    "| backend | build | cycles/s, 4 single posts | cycles/s, one OTLP export |",
    "| --- | --- | --- | --- |",
    ...rows.map(
      (r) => `| ${r.backend} | ${r.build} | ${fmt(r.single_cycles_per_s)} | ${fmt(r.otlp_cycles_per_s)} |`,
    ),
  ].join("\n"),
);
console.log("\nwrote bench/results/otlp-cycle.json and otlp-cycle.md");
