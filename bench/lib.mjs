// Shared helpers of the benchmark scripts: timing, spans, result files. Benchmarks print their
// figures and write them to bench/results/; tests never assert timings.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const benchDir = dirname(fileURLToPath(import.meta.url));
export const repoDir = join(benchDir, "..");

/** Seconds elapsed while running `fn`, and its result. */
export async function timed(fn) {
  const start = process.hrtime.bigint();
  const result = await fn();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, result };
}

/** Runs `workers` concurrent loops of `step(workerIndex)` until a step returns false. */
export async function runWorkers(workers, step) {
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (await step(w)) {
        /* keep going */
      }
    }),
  );
}

let spanCounter = 0;
/** A small but realistic span for a rollout/attempt. */
export function makeSpan(rolloutId, attemptId, sequenceId) {
  spanCounter++;
  const hex = spanCounter.toString(16).padStart(16, "0");
  return {
    rollout_id: rolloutId,
    attempt_id: attemptId,
    sequence_id: sequenceId,
    trace_id: hex.padStart(32, "0"),
    span_id: hex,
    parent_id: null,
    name: "openai.chat.completion",
    status: { status_code: "OK", description: null },
    attributes: {
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.usage.prompt_tokens": 120,
      "agentlightning.reward.0.value": 0.5,
    },
    events: [],
    links: [],
    start_time: 1_700_000_000 + spanCounter / 1000,
    end_time: 1_700_000_000.5 + spanCounter / 1000,
    context: { trace_id: hex.padStart(32, "0"), span_id: hex, is_remote: false, trace_state: {} },
    parent: null,
    resource: { attributes: { "service.name": "bench" }, schema_url: "" },
  };
}

/** Percentile (0..100) of a list of numbers. */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Machine facts recorded with every result. */
export function machine() {
  return {
    node: process.version,
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? "unknown",
    total_mem_gb: Math.round(totalmem() / 2 ** 30),
  };
}

/** Writes `results/<name>.json` and a markdown table `results/<name>.md`. */
export function writeResults(name, data, markdown) {
  mkdirSync(join(benchDir, "results"), { recursive: true });
  writeFileSync(
    join(benchDir, "results", `${name}.json`),
    `${JSON.stringify({ date: new Date().toISOString(), machine: machine(), ...data }, null, 2)}\n`,
  );
  writeFileSync(join(benchDir, "results", `${name}.md`), `${markdown}\n`);
}

/** Rounds for display. */
export const fmt = (n) =>
  Number.isFinite(n) ? (n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(2)) : String(n);

const kv = (key, value) => ({
  key,
  value: typeof value === "number" ? { doubleValue: value } : { stringValue: value },
});

/**
 * One OTLP/HTTP protobuf export of `count` spans of one attempt, without sequence ids (the store
 * allocates them). `otlpTypes` is the store's compiled OTLP message set (dist/http/otlp/proto.js of
 * the checkout under test).
 */
export function otlpPayload(otlpTypes, rolloutId, attemptId, count) {
  const T = otlpTypes.ExportTraceServiceRequest;
  const spans = Array.from({ length: count }, () => {
    const s = makeSpan(rolloutId, attemptId, 0);
    return {
      name: s.name,
      traceId: Buffer.from(s.trace_id, "hex"),
      spanId: Buffer.from(s.span_id, "hex"),
      startTimeUnixNano: "1700000000500000000",
      endTimeUnixNano: "1700000001000000000",
      attributes: Object.entries(s.attributes).map(([k, v]) => kv(k, v)),
      status: { code: 1 },
    };
  });
  const message = T.fromObject({
    resourceSpans: [
      {
        resource: {
          attributes: [
            kv("agentlightning.rollout_id", rolloutId),
            kv("agentlightning.attempt_id", attemptId),
          ],
        },
        scopeSpans: [{ scope: { name: "bench" }, spans }],
      },
    ],
  });
  return Buffer.from(T.encode(message).finish());
}

/**
 * Starts `agl store --port 0` of `checkout` (default: this repo's build) in a child process and
 * resolves once it logs "agl store ready". `backend` "memory", "pglite" (a fresh temporary data
 * folder, removed on stop) or "postgres" (a fresh schema in `databaseUrl`); `args` are appended.
 * Resolves with the server's `url`, `pid`, `rssMb()` (its current RSS) and `stop()`.
 */
export function startAglStore({
  backend = "memory",
  checkout = repoDir,
  databaseUrl,
  args = [],
  nodeArgs = [],
} = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "agl-bench-"));
  const argv = [join(checkout, "apps/server/dist/main.js"), "store", "--port", "0"];
  if (backend === "memory") argv.push("--backend", "memory");
  if (backend === "pglite") argv.push("--data-dir", dataDir);
  if (backend === "postgres") {
    argv.push("--database-url", databaseUrl, "--database-schema", `agl_bench_${Date.now().toString(36)}`);
  }
  const child = spawn(process.execPath, [...nodeArgs, ...argv, ...args], {
    env: { ...process.env, AGL_LOG_LEVEL: "info", AGL_LOG_FORMAT: "json" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let buffered = "";
    child.stderr.on("data", (chunk) => {
      buffered += chunk;
      const ready = buffered.split("\n").find((line) => line.includes('"agl store ready"'));
      if (ready === undefined) return;
      buffered = "";
      resolve({
        url: JSON.parse(ready).url,
        pid: child.pid,
        rssMb: () =>
          Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))[1]) / 1024,
        stop: async () => {
          child.kill("SIGTERM");
          await new Promise((r) => child.on("close", r));
          rmSync(dataDir, { recursive: true, force: true });
        },
      });
    });
    child.on("close", (code) => reject(new Error(`server exited with ${code}: ${buffered}`)));
  });
}

/** Enqueues `count` rollouts (input `{ i }`) through `client`, 500 per request. */
export async function enqueueMany(client, count) {
  for (let i = 0; i < count; i += 500) {
    await client.post("/v1/agl/queues/rollouts/enqueue", {
      rollouts: Array.from({ length: Math.min(500, count - i) }, (_, j) => ({ input: { i: i + j } })),
    });
  }
}
