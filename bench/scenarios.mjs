// The store benchmark workloads of the Python project (minimal, medium, long queue) reproduced with
// TypeScript runners against `agl store`. Per rollout: 1..R rounds; per round a parent span with two
// nested child spans, each child sleeping uniform(0, S) seconds and carrying 28 random attributes
// (about 5 KB of JSON); a reward in the round with probability 0.5; then a final span and a final
// reward. The algorithm enqueues batches (minimal, medium: the next batch once the previous one
// finished; long queue: a batch whenever fewer than `refill` rollouts are unfinished).
//
// Runners: the Python benchmark runs N runner processes doing one rollout at a time. Ours run many
// rollouts at once per process, so the N runners are N concurrency slots spread over `--processes`
// runner processes (slots per process = N / processes), forked by the Trainer's `cs` strategy.
//
//   BENCH_DATABASE_URL=postgres://... node bench/scenarios.mjs [--scenario minimal,medium,long_queue]
//     [--processes 2] [--scale 0.25] [--backend postgres|memory]
//
// Results: bench/results/scenarios.{json,md}.
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { Algorithm } from "../packages/algorithm/dist/index.js";
import { LitAgentRunner, rollout } from "../packages/litagent/dist/index.js";
import { LightningStoreClient } from "../packages/store/dist/index.js";
import { emitReward, OtelTracer } from "../packages/tracer/dist/index.js";
import { ClientServerExecutionStrategy, Trainer } from "../packages/trainer/dist/index.js";
import { fmt, machine, startAglStore, writeResults } from "./lib.mjs";

/** The Python project's scenarios: total tasks, batch size, runners, max rounds R, max sleep S. */
const SCENARIOS = {
  minimal: { total: 4096, batch: 256, runners: 32, rounds: 6, sleep: 0.5, refill: null },
  medium: { total: 10_000, batch: 1000, runners: 100, rounds: 10, sleep: 0.1, refill: null },
  long_queue: { total: 50_000, batch: 1024, runners: 256, rounds: 4, sleep: 0.1, refill: 4096 },
};
/** Totals we run on a 2-core machine (the Python totals take minutes each at the target rates). */
const SCALED_TOTALS = { minimal: 1024, medium: 3000, long_queue: 8192 };
/** The Python project's in-memory figures (32 vCPUs); the targets here are 3× them. */
const TARGETS = { minimal: null, medium: 70, long_queue: 93 };

const ATTRIBUTES_PER_CHILD = 28;
const VALUE_CHARS = 160;

function sleep(seconds) {
  return new Promise((resolve) => setTimeout(resolve, seconds * 1000));
}

// Random text is cut from one pool made once: drawing fresh random bytes for every attribute cost a
// fifth of a runner's CPU in the first profile, and the workload must not be what we measure.
const POOL = randomBytes(64 * 1024).toString("hex");
function randomText(length) {
  const start = Math.floor(Math.random() * (POOL.length - length));
  return POOL.slice(start, start + length);
}

/** 28 attributes of random text, about 5 KB of JSON. */
function randomAttributes() {
  const attributes = {};
  for (let i = 0; i < ATTRIBUTES_PER_CHILD; i++) {
    attributes[`bench.attr_${i}.${randomText(6)}`] = randomText(VALUE_CHARS);
  }
  return attributes;
}

/** The workload agent: spans through the tracer's operations, rewards through emitReward. */
function workloadAgent(tracer, scenario) {
  return rollout(async () => {
    const rounds = 1 + Math.floor(Math.random() * scenario.rounds);
    for (let round = 0; round < rounds; round++) {
      await tracer.operation("bench.round", { "bench.round": round }, async () => {
        for (const child of ["bench.child_a", "bench.child_b"]) {
          await tracer.operation(child, randomAttributes(), () => sleep(Math.random() * scenario.sleep));
        }
        if (Math.random() < 0.5) emitReward(Math.random());
      });
    }
    await tracer.operation("bench.final", { "bench.rounds": rounds }, () => undefined);
    emitReward(Math.random());
  });
}

// ---- command line: the parent runs the scenarios; runner processes get theirs as arguments ----
const { values } = parseArgs({
  options: {
    scenario: { type: "string", default: "minimal,medium,long_queue" },
    processes: { type: "string", default: "2" },
    scale: { type: "string" },
    backend: { type: "string", default: process.env.BENCH_DATABASE_URL ? "postgres" : "memory" },
    // --profile-dir DIR: a CPU profile of each runner process (node --cpu-prof), to find hot spots.
    "profile-dir": { type: "string" },
    // --call-latency: runner processes print the mean latency of each store call when they exit.
    "call-latency": { type: "boolean", default: false },
    // Set by the parent on the runner processes the Trainer forks (their `entry` arguments).
    "store-url": { type: "string" },
    slots: { type: "string" },
  },
});
const processes = Number(values.processes);

/** The scenario as run: the total scaled down (SCALED_TOTALS, or --scale), the refill mark alike. */
function scenarioOf(name) {
  const base = SCENARIOS[name];
  if (!base) throw new Error(`unknown scenario ${name}; one of ${Object.keys(SCENARIOS).join(", ")}`);
  const total = values.scale ? Math.round(base.total * Number(values.scale)) : SCALED_TOTALS[name];
  const refill =
    base.refill === null ? null : Math.max(base.batch, Math.round((base.refill * total) / base.total));
  return { ...base, total, refill };
}

/**
 * The Trainer of one scenario, built the same way in the parent and in each runner process: the
 * `cs` strategy re-executes this script with `entry.args`, and there `fit` runs that process's
 * runner worker and exits. The store is `agl store`, unmanaged: every process (the algorithm and
 * each runner) talks to it through its own LightningStoreClient.
 */
function scenarioTrainer(name, storeUrl, slots, algorithmFn = async () => {}) {
  const tracer = new OtelTracer();
  const strategy = new ClientServerExecutionStrategy({
    nRunners: processes,
    managedStore: false,
    gracefulTimeout: 30,
    entry: {
      args: [
        "--scenario",
        name,
        "--store-url",
        storeUrl,
        "--slots",
        String(slots),
        "--processes",
        String(processes),
      ]
        .concat(values["call-latency"] ? ["--call-latency"] : [])
        .concat(values.scale ? ["--scale", values.scale] : []),
      execArgv: values["profile-dir"] ? ["--cpu-prof", `--cpu-prof-dir=${values["profile-dir"]}`] : [],
    },
  });
  // A class, not `algo(fn)`: the Trainer takes a bare function as a factory of the component and
  // would call the algorithm function itself while resolving it.
  class ScenarioAlgorithm extends Algorithm {
    async run() {
      await algorithmFn({ store: this.getStore() });
    }
  }
  const trainer = new Trainer({
    algorithm: new ScenarioAlgorithm(),
    store:
      values["call-latency"] && values["store-url"]
        ? timedStore(new LightningStoreClient({ url: storeUrl }))
        : new LightningStoreClient({ url: storeUrl }),
    runner: new LitAgentRunner({ tracer, concurrency: slots, pollInterval: 0.05 }),
    tracer,
    strategy,
  });
  return { trainer, strategy, agent: workloadAgent(tracer, scenarioOf(name)) };
}

/** The store with the latency of every call recorded, printed when the process exits. */
function timedStore(store) {
  const calls = new Map();
  process.on("exit", () => {
    const rows = [...calls].map(
      ([method, [n, ms]]) => `${String(method)} ${n} calls, mean ${(ms / n).toFixed(1)} ms`,
    );
    process.stderr.write(`[runner ${process.pid}] store calls: ${rows.join("; ")}\n`);
  });
  return new Proxy(store, {
    get(target, key) {
      const value = target[key];
      if (typeof value !== "function") return value;
      return (...args) => {
        const started = performance.now();
        const result = value.apply(target, args);
        Promise.resolve(result).then(
          () => {
            const entry = calls.get(key) ?? [0, 0];
            entry[0]++;
            entry[1] += performance.now() - started;
            calls.set(key, entry);
          },
          () => {},
        );
        return result;
      };
    },
  });
}

if (values["store-url"]) {
  // A runner process: `fit` runs this process's runner worker and exits the process when stopped.
  const { trainer, agent } = scenarioTrainer(values.scenario, values["store-url"], Number(values.slots));
  await trainer.fit(agent, []);
}

/** Enqueues batches and waits, as the scenario says; resolves with what finished. */
async function runBatches(store, scenario) {
  let enqueued = 0;
  let finished = 0;
  const enqueueBatch = async () => {
    const size = Math.min(scenario.batch, scenario.total - enqueued);
    const rollouts = await store.enqueueManyRollouts(
      Array.from({ length: size }, (_, i) => ({ input: { task: enqueued + i } })),
    );
    enqueued += size;
    return rollouts.map((r) => r.rollout_id);
  };
  let pending = [];
  const collect = async (timeout) => {
    const done = await store.waitForRollouts(pending, { timeout });
    if (done.length === 0) return;
    const doneIds = new Set(done.map((r) => r.rollout_id));
    finished += doneIds.size;
    pending = pending.filter((id) => !doneIds.has(id));
  };
  while (enqueued < scenario.total || pending.length > 0) {
    if (scenario.refill === null) {
      // Batch mode: the next batch once the previous one finished.
      if (pending.length === 0) pending = await enqueueBatch();
      await collect(5);
    } else {
      // Long queue: refill whenever fewer than `refill` rollouts are unfinished.
      while (enqueued < scenario.total && pending.length < scenario.refill)
        pending.push(...(await enqueueBatch()));
      await collect(0.5);
    }
  }
  return { enqueued, finished };
}

/** Sleep time of one simulated rollout: 1..R rounds of two uniform(0, S) children. */
function simulatedSleep(scenario) {
  const rounds = 1 + Math.floor(Math.random() * scenario.rounds);
  let seconds = 0;
  for (let i = 0; i < rounds; i++) seconds += Math.random() * scenario.sleep + Math.random() * scenario.sleep;
  return seconds;
}

/**
 * The best rate the scenario allows with zero overhead once its batching is counted: each free slot
 * takes the next queued rollout; in batch mode the next batch starts when the last rollout of the
 * previous one ended (idle slots meanwhile). Mean of `reps` simulated runs of the same workload,
 * plus `overhead` seconds per rollout (e.g. the measured store round trips).
 */
function batchingBound(scenario, runners, overhead = 0, reps = 10) {
  let rate = 0;
  for (let rep = 0; rep < reps; rep++) {
    const slots = new Float64Array(runners);
    let released = 0;
    let done = 0;
    while (done < scenario.total) {
      const count =
        scenario.refill === null ? Math.min(scenario.batch, scenario.total - done) : scenario.total;
      slots.fill(released);
      for (let i = 0; i < count; i++) {
        let k = 0;
        for (let j = 1; j < runners; j++) if (slots[j] < slots[k]) k = j;
        slots[k] += simulatedSleep(scenario) + overhead;
      }
      released = Math.max(...slots);
      done += count;
    }
    rate += scenario.total / released;
  }
  return rate / reps;
}

/** CPU seconds a process used so far (utime + stime of /proc/<pid>/stat). */
function processCpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU seconds used so far by the PostgreSQL backends serving `database` (processes titled
 * `postgres: <user> <database> ...`), keyed by pid: the server's own work for this benchmark.
 */
function postgresBackendCpu(database) {
  const cpu = new Map();
  if (!database) return cpu;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const title = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
      if (title.startsWith("postgres: ") && title.split(" ")[2] === database) {
        cpu.set(entry, processCpuSeconds(entry));
      }
    } catch {
      // the process ended meanwhile
    }
  }
  return cpu;
}

function cpuDelta(before, after) {
  let sum = 0;
  for (const [pid, seconds] of after) sum += seconds - (before.get(pid) ?? 0);
  return sum;
}

async function runScenario(name, server) {
  const base = SCENARIOS[name];
  const scenario = scenarioOf(name);
  const slots = Math.ceil(base.runners / processes);
  const database =
    values.backend === "postgres" ? new URL(process.env.BENCH_DATABASE_URL).pathname.slice(1) : null;
  const statsClient = new LightningStoreClient({ url: server.url });
  const before = await statsClient.statistics();
  let measured;
  const { trainer, strategy, agent } = scenarioTrainer(name, server.url, slots, async ({ store }) => {
    // The strategy starts the runner processes before the algorithm: wait until every slot has
    // registered as a worker (first heartbeat), so that process start-up is not measured.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && (await store.queryWorkers({ limit: 1 })).total < slots * processes) {
      await sleep(0.2);
    }
    const pids = strategy.children.map((c) => c.pid);
    const runnerCpu0 = pids.map(processCpuSeconds);
    const serverCpu0 = processCpuSeconds(server.pid);
    const postgresCpu0 = postgresBackendCpu(database);
    const cpu0 = process.cpuUsage();
    const load0 = loadavg()[0];
    const started = performance.now();
    const result = await runBatches(store, scenario);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    measured = {
      ...result,
      seconds,
      load0,
      load1: loadavg()[0],
      algorithmCpu: (cpu.user + cpu.system) / 1e6,
      serverCpu: processCpuSeconds(server.pid) - serverCpu0,
      postgresCpu:
        values.backend === "postgres" ? cpuDelta(postgresCpu0, postgresBackendCpu(database)) : null,
      runnerCpu: pids.map((pid, i) => processCpuSeconds(pid) - runnerCpu0[i]),
    };
  });
  await trainer.fit(agent, []);
  const after = await statsClient.statistics();
  await statsClient.close();
  const m = measured;
  const spans = after.total_spans - before.total_spans;
  // Mean sleep per rollout: (R + 1) / 2 rounds of two children sleeping S / 2 on average.
  const meanSleep = ((base.rounds + 1) / 2) * 2 * (base.sleep / 2);
  const ideal = base.runners / meanSleep;
  const cpuTotal = m.algorithmCpu + m.serverCpu + m.runnerCpu.reduce((a, b) => a + b, 0);
  const row = {
    scenario: name,
    total_python: base.total,
    total: scenario.total,
    batch: base.batch,
    refill: scenario.refill,
    runners: base.runners,
    processes,
    slots_per_process: slots,
    R: base.rounds,
    S: base.sleep,
    finished: m.finished,
    seconds: m.seconds,
    rollouts_per_s: m.finished / m.seconds,
    spans,
    spans_per_rollout: spans / m.finished,
    spans_per_s: spans / m.seconds,
    mean_sleep_per_rollout_s: meanSleep,
    ideal_rollouts_per_s: ideal,
    fraction_of_ideal: m.finished / m.seconds / ideal,
    batching_bound_rollouts_per_s: batchingBound(scenario, base.runners),
    target_rollouts_per_s: name === "minimal" ? 0.9 * ideal : TARGETS[name],
    algorithm_cpu_s: m.algorithmCpu,
    server_cpu_s: m.serverCpu,
    runner_cpu_s: m.runnerCpu,
    cpu_ms_per_rollout: (1000 * cpuTotal) / m.finished,
    postgres_cpu_s: m.postgresCpu,
    postgres_cpu_ms_per_rollout: m.postgresCpu === null ? null : (1000 * m.postgresCpu) / m.finished,
    load_avg_start: m.load0,
    load_avg_end: m.load1,
  };
  console.log(
    `${name}: ${m.finished} rollouts in ${fmt(m.seconds)} s = ${fmt(row.rollouts_per_s)} rollouts/s ` +
      `(ideal ${fmt(ideal)}: ${fmt(100 * row.fraction_of_ideal)} %; batching bound ${fmt(row.batching_bound_rollouts_per_s)}; target ${fmt(row.target_rollouts_per_s)}), ` +
      `${spans} spans = ${fmt(row.spans_per_s)} spans/s; CPU ${fmt(row.cpu_ms_per_rollout)} ms/rollout ` +
      `(agl store ${fmt(m.serverCpu)} s, runners ${m.runnerCpu.map(fmt).join(" + ")} s, algorithm ${fmt(m.algorithmCpu)} s)` +
      (m.postgresCpu === null
        ? "; "
        : `, PostgreSQL backends ${fmt(row.postgres_cpu_ms_per_rollout)} ms/rollout; `) +
      `load ${fmt(m.load0)} -> ${fmt(m.load1)}`,
  );
  return row;
}

const rows = [];
for (const name of values.scenario.split(",")) {
  scenarioOf(name);
  const server = await startAglStore({
    ...(values.backend === "postgres"
      ? { backend: "postgres", databaseUrl: process.env.BENCH_DATABASE_URL }
      : { backend: "memory" }),
    // With --profile-dir the server is profiled too.
    nodeArgs: values["profile-dir"] ? ["--cpu-prof", `--cpu-prof-dir=${values["profile-dir"]}/server`] : [],
  });
  try {
    rows.push(await runScenario(name, server));
  } finally {
    await server.stop();
  }
}

const markdown = [
  "# Scenario benchmark (`node bench/scenarios.mjs`)",
  "",
  "The Python project's store benchmark workloads, run by our Trainer (`cs` strategy) and TypeScript runners.",
  `Store: \`agl store\` on ${values.backend === "postgres" ? "PostgreSQL 15 (a real server on loopback)" : "its memory backend"}, ` +
    "unmanaged (the algorithm and every runner process use their own LightningStoreClient).",
  "",
  "* Per rollout: 1..R rounds; per round a parent span with two nested child spans, each child sleeping",
  "  uniform(0, S) s with 28 random attributes (about 5 KB of JSON); a reward in the round with probability",
  "  0.5; then a final span and a final reward (plus the runner's root span of the rollout).",
  "* Python's N runners (one rollout at a time each) are N concurrency slots here, spread over",
  `  ${processes} runner processes forked by the Trainer (slots per process = N / ${processes}).`,
  "* Totals are scaled down to fit a 2-core machine shared with other work: minimal 4,096 → 1,024,",
  "  medium 10,000 → 3,000, long queue 50,000 → 8,192; the long queue's refill mark is scaled alike",
  "  (max(batch, 4,096 × 8,192 / 50,000) = 1,024 unfinished rollouts, so at least 768 always wait for 256",
  "  slots). Batch sizes, runner counts, R and S are the Python ones.",
  "* Ideal bound = runners ÷ mean sleep per rollout = N ÷ ((R + 1) / 2 × S).",
  "* Batching bound: the best rate with zero overhead once the batching is counted (the next batch starts",
  "  when the previous one's last rollout ended), by simulating the same workload (mean of 10 runs).",
  "* The clock starts once every slot has registered with the store (process start-up not counted).",
  "",
  "| scenario | tasks (Python) | batch | runners = processes × slots | R | S | rollouts/s | spans/s | ideal bound | batching bound | % of ideal | target | CPU ms / rollout (ours + PostgreSQL) | load avg |",
  "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
  ...rows.map(
    (r) =>
      `| ${r.scenario} | ${r.total} (${r.total_python}) | ${r.batch}${r.refill ? `, refill < ${r.refill}` : ""} | ` +
      `${r.runners} = ${r.processes} × ${r.slots_per_process} | ${r.R} | ${r.S} | ${fmt(r.rollouts_per_s)} | ` +
      `${fmt(r.spans_per_s)} | ${fmt(r.ideal_rollouts_per_s)} | ${fmt(r.batching_bound_rollouts_per_s)} | ${fmt(100 * r.fraction_of_ideal)} | ` +
      `${fmt(r.target_rollouts_per_s)} | ${fmt(r.cpu_ms_per_rollout)} + ${r.postgres_cpu_ms_per_rollout === null ? "n/a" : fmt(r.postgres_cpu_ms_per_rollout)} | ` +
      `${fmt(r.load_avg_start)} → ${fmt(r.load_avg_end)} |`,
  ),
  "",
  `Machine: ${JSON.stringify(machine())}.`,
].join("\n");
// The analysis below the marker in the results file is written by hand after a run; keep it.
const ANALYSIS_MARKER = "<!-- analysis (kept when bench/scenarios.mjs rewrites this file) -->";
const resultsFile = new URL("./results/scenarios.md", import.meta.url);
const previous = existsSync(resultsFile) ? readFileSync(resultsFile, "utf8") : "";
const analysis = previous.includes(ANALYSIS_MARKER)
  ? previous.slice(previous.indexOf(ANALYSIS_MARKER)).trimEnd()
  : "";
if (rows.length > 0) {
  writeResults("scenarios", { options: values, rows }, analysis ? `${markdown}\n\n${analysis}` : markdown);
}
