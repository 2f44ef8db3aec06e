// Start-up time of the embedded database (issue 8 item 14): `node bench/startup.mjs [--runs N]`.
//
// Two views, each in fresh Node processes (a start is always a new process: nothing is warm):
// * phases: a child process times, on a fresh folder then again on the same folder (a restart),
//   loading the modules, opening PGlite, the migrations, and the HTTP listen;
// * end to end: `agl store --data-dir DIR --port 0` from spawn until it logs "agl store ready",
//   on a fresh folder (first start) and again (restart).
// Writes bench/results/startup.json and .md with the machine's load average at the time: the
// figures mean little on a busy machine, so the load is part of the result.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fmt, percentile, repoDir, writeResults } from "./lib.mjs";

const MAIN = join(repoDir, "apps/server/dist/main.js");
// The initialised, migrated data folder `pnpm build` makes for `agl store` (apps/server).
const TEMPLATE = join(repoDir, "apps/server/dist/pglite-template");

async function phasesChild(dataDir, useTemplate) {
  const t0 = performance.now();
  const { createPgliteDriver, PostgresLightningStore } = await import(
    "../packages/store/dist/postgres/index.js"
  );
  const { LightningStoreServer } = await import("../packages/store/dist/http/index.js");
  const t1 = performance.now();
  let copied;
  const driver = await createPgliteDriver({
    dataDir,
    ...(useTemplate && existsSync(TEMPLATE)
      ? { template: TEMPLATE, onTemplateCopied: () => (copied = performance.now()) }
      : {}),
  });
  const t2 = performance.now();
  const store = await PostgresLightningStore.fromDriver(driver);
  const t3 = performance.now();
  const server = new LightningStoreServer({ store, port: 0 });
  await server.start();
  const t4 = performance.now();
  const cpu = process.cpuUsage();
  await server.stop();
  await store.close();
  const ms = (a, b) => Math.round((b - a) * 10) / 10;
  process.stdout.write(
    `${JSON.stringify({ import: ms(t0, t1), template_copy: copied === undefined ? 0 : ms(t1, copied), pglite: ms(copied ?? t1, t2), migrations: ms(t2, t3), listen: ms(t3, t4), total: ms(t0, t4), cpu: Math.round((cpu.user + cpu.system) / 1000) })}\n`,
  );
}

function runChild(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split("\n").at(-1)))
        : reject(new Error(`exit ${code}: ${out}`)),
    );
  });
}

// CPU time (user + system, all threads) a process has used so far, in ms; Linux only. Less
// sensitive to other load than wall time: on a quiet machine a start takes about this long.
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

// Milliseconds from spawn until "agl store ready" and the CPU time used by then; then a graceful stop.
function cliStart(dataDir) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [MAIN, "store", "--port", "0", "--data-dir", dataDir, "--log-format", "json"],
      {
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let err = "";
    let readyAt;
    child.stderr.on("data", (d) => {
      err += d;
      if (readyAt === undefined && err.includes('"agl store ready"')) {
        readyAt = { ready: performance.now() - started, cpu: cpuMs(child.pid) };
        child.kill("SIGTERM");
      }
    });
    child.on("close", (code) =>
      readyAt !== undefined && code === 0 ? resolve(readyAt) : reject(new Error(`exit ${code}: ${err}`)),
    );
  });
}

const median = (values) => percentile(values, 50);

async function main() {
  const { values } = parseArgs({
    options: {
      runs: { type: "string", default: "3" },
      child: { type: "string" },
      initdb: { type: "boolean" },
    },
  });
  if (values.child !== undefined) return phasesChild(values.child, !values.initdb);
  const runs = Number(values.runs);
  const loadBefore = loadavg();
  const phases = { first: [], restart: [] };
  const initdb = { first: [], restart: [] };
  const cli = { first: [], restart: [] };
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), "agl-startup-"));
    try {
      phases.first.push(await runChild([new URL(import.meta.url).pathname, "--child", join(dir, "phases")]));
      phases.restart.push(
        await runChild([new URL(import.meta.url).pathname, "--child", join(dir, "phases")]),
      );
      initdb.first.push(
        await runChild([new URL(import.meta.url).pathname, "--child", join(dir, "initdb"), "--initdb"]),
      );
      initdb.restart.push(
        await runChild([new URL(import.meta.url).pathname, "--child", join(dir, "initdb"), "--initdb"]),
      );
      cli.first.push(await cliStart(join(dir, "cli")));
      cli.restart.push(await cliStart(join(dir, "cli")));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    process.stderr.write(`run ${i + 1}/${runs} done\n`);
  }
  const loadAfter = loadavg();
  const summary = (list) =>
    Object.fromEntries(
      ["import", "template_copy", "pglite", "migrations", "listen", "total", "cpu"].map((k) => [
        k,
        median(list.map((r) => r[k])),
      ]),
    );
  const result = {
    runs,
    load_average_before: loadBefore.map((n) => Math.round(n * 100) / 100),
    load_average_after: loadAfter.map((n) => Math.round(n * 100) / 100),
    cli_ready_ms: {
      first_start: median(cli.first.map((r) => r.ready)),
      restart: median(cli.restart.map((r) => r.ready)),
      all: cli,
    },
    cli_cpu_ms: {
      first_start: median(cli.first.map((r) => r.cpu)),
      restart: median(cli.restart.map((r) => r.cpu)),
    },
    phases_ms: { first_start: summary(phases.first), restart: summary(phases.restart), all: phases },
    phases_without_template_ms: {
      first_start: summary(initdb.first),
      restart: summary(initdb.restart),
      all: initdb,
    },
  };
  const p = result.phases_ms;
  const q = result.phases_without_template_ms;
  const markdown = `# Embedded database start-up (\`node bench/startup.mjs --runs ${runs}\`)

Medians of ${runs} runs, each start a fresh Node process. Load average (1/5/15 min) before:
${result.load_average_before.join(" / ")}, after: ${result.load_average_after.join(" / ")} on ${cpus().length} cores (a load above the core count means other work competed: the figures
are then inflated, see \`uptime\`).

| | first start (fresh folder) | restart |
| --- | --- | --- |
| \`agl store\` spawn → "agl store ready" (ms) | ${fmt(result.cli_ready_ms.first_start)} | ${fmt(result.cli_ready_ms.restart)} |
| CPU time used by then, all threads (ms) | ${fmt(result.cli_cpu_ms.first_start)} | ${fmt(result.cli_cpu_ms.restart)} |
| phase: load modules (ms) | ${fmt(p.first_start.import)} | ${fmt(p.restart.import)} |
| phase: copy the data-folder template (ms) | ${fmt(p.first_start.template_copy)} | ${fmt(p.restart.template_copy)} |
| phase: open PGlite (ms) | ${fmt(p.first_start.pglite)} | ${fmt(p.restart.pglite)} |
| phase: migrations (ms) | ${fmt(p.first_start.migrations)} | ${fmt(p.restart.migrations)} |
| phase: HTTP listen (ms) | ${fmt(p.first_start.listen)} | ${fmt(p.restart.listen)} |
| phases total (ms) | ${fmt(p.first_start.total)} | ${fmt(p.restart.total)} |
| CPU time of the phases, all threads (ms) | ${fmt(p.first_start.cpu)} | ${fmt(p.restart.cpu)} |

Without the template (a fresh folder goes through PGlite's initdb, as before it existed), in the
same runs:

| | first start (fresh folder) | restart |
| --- | --- | --- |
| phase: load modules (ms) | ${fmt(q.first_start.import)} | ${fmt(q.restart.import)} |
| phase: open PGlite, initdb included (ms) | ${fmt(q.first_start.pglite)} | ${fmt(q.restart.pglite)} |
| phase: migrations (ms) | ${fmt(q.first_start.migrations)} | ${fmt(q.restart.migrations)} |
| phase: HTTP listen (ms) | ${fmt(q.first_start.listen)} | ${fmt(q.restart.listen)} |
| phases total (ms) | ${fmt(q.first_start.total)} | ${fmt(q.restart.total)} |
| CPU time of the phases, all threads (ms) | ${fmt(q.first_start.cpu)} | ${fmt(q.restart.cpu)} |
`;
  writeResults("startup", result, markdown);
  process.stdout.write(markdown);
}

await main();
