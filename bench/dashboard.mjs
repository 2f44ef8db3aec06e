#!/usr/bin/env node
// Dashboard benchmark: the built size of apps/dashboard (JS + CSS, gzipped) and the time headless
// Chromium takes to show a 10,000-span attempt. Usage (after `pnpm build`):
//   node bench/dashboard.mjs [--spans 10000] [--runs 5]
// Needs Debian's chromium at /usr/bin/chromium (the browser tests' requirement too).
import { execFileSync } from "node:child_process";
import {
  createReadStream,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import { createRequire } from "node:module";
import { loadavg, tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { fmt, percentile, repoDir, startAglStore, writeResults } from "./lib.mjs";

const { values: opts } = parseArgs({
  options: { spans: { type: "string", default: "10000" }, runs: { type: "string", default: "5" } },
});
const SPANS = Number(opts.spans);
const RUNS = Number(opts.runs);
const dist = join(repoDir, "apps/dashboard/dist");
if (!existsSync(join(dist, "index.html")))
  throw new Error("apps/dashboard/dist is missing: run pnpm build first");

// --- 1. built size ---------------------------------------------------------------------------
const assets = readdirSync(join(dist, "assets")).filter((f) => /\.(js|css)$/.test(f));
const files = assets.map((f) => {
  const raw = readFileSync(join(dist, "assets", f));
  return { file: f, bytes: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
});
const sum = (list, key) => list.reduce((s, f) => s + f[key], 0);
const size = {
  js: {
    bytes: sum(
      files.filter((f) => f.file.endsWith(".js")),
      "bytes",
    ),
    gzip: sum(
      files.filter((f) => f.file.endsWith(".js")),
      "gzip",
    ),
  },
  css: {
    bytes: sum(
      files.filter((f) => f.file.endsWith(".css")),
      "bytes",
    ),
    gzip: sum(
      files.filter((f) => f.file.endsWith(".css")),
      "gzip",
    ),
  },
};
size.total = { bytes: size.js.bytes + size.css.bytes, gzip: size.js.gzip + size.css.gzip };
console.log(
  `built size: JS ${fmt(size.js.gzip / 1024)} KB + CSS ${fmt(size.css.gzip / 1024)} KB gzipped = ${fmt(size.total.gzip / 1024)} KB`,
);

// --- 2. a store with one 10,000-span attempt --------------------------------------------------
const { LightningStoreClient } = await import(join(repoDir, "packages/store/dist/index.js"));
const load0 = loadavg();
const help = execFileSync(process.execPath, [join(repoDir, "apps/server/dist/main.js"), "store", "--help"], {
  encoding: "utf8",
});
// Serve this checkout's dashboard build from agl store itself when it can (as users get it).
const server = await startAglStore({
  backend: "memory",
  args: help.includes("--dashboard") ? ["--dashboard", dist] : [],
});
const client = new LightningStoreClient({ url: server.url, spanConcurrency: 64 });
const rollout = await client.enqueueRollout({ input: { question: "bench" }, mode: "train" });
const claimed = await client.dequeueRollout({ workerId: "bench-runner" });
const ids = { rollout_id: rollout.rollout_id, attempt_id: claimed.attempt.attempt_id };
const t0 = 1_700_000_000;
const TRACE_ID = `${"0".repeat(31)}1`;
const span = (seq, id, parent, name, start, end, attributes = {}, error = false) => ({
  ...ids,
  sequence_id: seq,
  trace_id: TRACE_ID,
  span_id: id,
  parent_id: parent,
  name,
  status: error ? { status_code: "ERROR", description: "boom" } : { status_code: "OK", description: null },
  attributes,
  events: [],
  links: [],
  start_time: start,
  end_time: end,
  context: { trace_id: TRACE_ID, span_id: id, is_remote: false, trace_state: {} },
  parent: null,
  resource: { attributes: {}, schema_url: "" },
});
// A root, steps of 100 spans, every 10th an LLM call with a prompt and usage, a few errors.
const spans = [span(1, "root".padStart(16, "0"), null, "agent.run", t0, t0 + SPANS / 100 + 1)];
let step = "";
for (let i = 1; i < SPANS; i++) {
  const id = i.toString(16).padStart(16, "0");
  if ((i - 1) % 100 === 0) {
    step = id;
    spans.push(
      span(i + 1, id, spans[0].span_id, `step-${(i - 1) / 100}`, t0 + i / 100, t0 + (i + 100) / 100),
    );
  } else if (i % 10 === 0) {
    spans.push(
      span(i + 1, id, step, "openai.chat.completion", t0 + i / 100, t0 + (i + 1) / 100, {
        "gen_ai.prompt.0.role": "user",
        "gen_ai.prompt.0.content": `question ${i} `.repeat(20),
        "gen_ai.completion.0.role": "assistant",
        "gen_ai.completion.0.content": `answer ${i}`,
        "gen_ai.usage.prompt_tokens": 120,
        "gen_ai.usage.completion_tokens": 30,
        "gen_ai.usage.total_tokens": 150,
      }),
    );
  } else {
    spans.push(
      span(
        i + 1,
        id,
        step,
        i === SPANS - 1 ? "last-span" : `tool-${i % 7}`,
        t0 + i / 100,
        t0 + (i + 0.5) / 100,
        { i },
        i % 499 === 0,
      ),
    );
  }
}
const seedStart = performance.now();
for (let i = 0; i < spans.length; i += 2000) await client.addManySpans(spans.slice(i, i + 2000));
await client.updateAttempt(ids.rollout_id, ids.attempt_id, { status: "succeeded" });
console.log(`seeded ${SPANS} spans in ${fmt((performance.now() - seedStart) / 1000)} s`);
const apiStart = performance.now();
const apiBody = await (
  await fetch(`${server.url}/v1/agl/spans?rollout_id=${ids.rollout_id}&attempt_id=${ids.attempt_id}&limit=-1`)
).text();
const apiMs = performance.now() - apiStart;

// --- 3. the dashboard, served by the store if it does, else by a static server with a /v1 proxy --
async function servesDashboard(url) {
  try {
    const res = await fetch(`${url}/`, { redirect: "manual" });
    return res.ok && (await res.text()).includes('<div id="root">');
  } catch {
    return false;
  }
}
let appUrl = server.url;
let statics;
if (!(await servesDashboard(server.url))) {
  const store = new URL(server.url);
  statics = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path.startsWith("/v1/")) {
      const up = httpRequest(
        { host: store.hostname, port: store.port, method: req.method, path: req.url, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      req.pipe(up);
      return;
    }
    let file = normalize(join(dist, path));
    if (!file.startsWith(dist) || !existsSync(file) || statSync(file).isDirectory())
      file = join(dist, "index.html");
    const type =
      { ".js": "text/javascript", ".css": "text/css", ".html": "text/html" }[extname(file)] ??
      "application/octet-stream";
    res.writeHead(200, { "content-type": type });
    createReadStream(file).pipe(res);
  });
  await new Promise((r) => statics.listen(0, "127.0.0.1", r));
  appUrl = `http://127.0.0.1:${statics.address().port}`;
}

// --- 4. Chromium ------------------------------------------------------------------------------
const require = createRequire(join(repoDir, "apps/dashboard/package.json"));
const { chromium } = require("playwright-core");
const profile = mkdtempSync(join(tmpdir(), "agl-bench-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1440, height: 900 },
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const page = context.pages()[0] ?? (await context.newPage());
const detail = `${appUrl}/#/rollouts/${ids.rollout_id}`;
// "Shown": the root's row is painted (the first spans arrived and were drawn); "complete": the
// waterfall holds every span (its header reads "N spans").
const firstRows = () => page.locator('.wf-row[data-span-name="agent.run"]').waitFor();
const complete = () => page.getByText(`${SPANS} spans`, { exact: true }).waitFor();
const cold = [];
const coldComplete = [];
const spansRequests = [];
const warm = [];
const warmComplete = [];
const scroll = [];
const collapse = [];
const domRows = [];
for (let run = 0; run < RUNS; run++) {
  // Cold: a fresh page load of the detail URL (bundle, API call, tree, first paint of rows).
  await page.goto("about:blank");
  let start = performance.now();
  await page.goto(detail);
  await firstRows();
  cold.push(performance.now() - start);
  await complete();
  coldComplete.push(performance.now() - start);
  // Time the browser spent on the span requests (request start to last byte).
  spansRequests.push(
    await page.evaluate(() =>
      performance
        .getEntriesByType("resource")
        .filter((e) => e.name.includes("/v1/agl/spans?"))
        .map((e) => Math.round(e.responseEnd - e.startTime))
        .join(" + "),
    ),
  );
  domRows.push(await page.locator(".wf-row").count());
  // Scroll to the end: the rows of the last span are rendered.
  start = performance.now();
  await page.locator(".wf-scroll").evaluate((el) => {
    el.scrollTop = el.scrollHeight;
  });
  await page.locator('.wf-row[data-span-name="last-span"]').waitFor();
  scroll.push(performance.now() - start);
  // Collapse and expand all: rebuilds the visible rows of the whole tree twice.
  start = performance.now();
  await page.getByRole("button", { name: "collapse all" }).click();
  await page.locator(".wf-row").nth(1).waitFor({ state: "detached" });
  await page.getByRole("button", { name: "expand all" }).click();
  await page.locator(".wf-row").nth(5).waitFor();
  collapse.push(performance.now() - start);
  // Warm: from the rollouts list (app loaded, nothing of the rollout cached) to the waterfall.
  await page.goto(`${appUrl}/#/rollouts`);
  await page.reload();
  await page.getByRole("link", { name: ids.rollout_id }).waitFor();
  start = performance.now();
  await page.getByRole("link", { name: ids.rollout_id }).click();
  await firstRows();
  warm.push(performance.now() - start);
  await complete();
  warmComplete.push(performance.now() - start);
}
await context.close();
rmSync(profile, { recursive: true, force: true });
await statics?.close?.();
await client.close();
await server.stop();
const load1 = loadavg();

const stat = (list) => ({ median: percentile(list, 50), min: Math.min(...list), max: Math.max(...list) });
const results = {
  spans: SPANS,
  runs: RUNS,
  size,
  files,
  api_spans_ms: apiMs,
  api_spans_bytes: apiBody.length,
  cold_ms: stat(cold),
  cold_complete_ms: stat(coldComplete),
  warm_ms: stat(warm),
  warm_complete_ms: stat(warmComplete),
  browser_span_requests_ms: spansRequests,
  scroll_to_end_ms: stat(scroll),
  collapse_expand_ms: stat(collapse),
  dom_rows: Math.max(...domRows),
  served_by: appUrl === server.url ? "agl store" : "static server + /v1 proxy",
  load_before: load0,
  load_after: load1,
};
console.log(JSON.stringify(results, null, 2));
const row = (name, s) => `| ${name} | ${fmt(s.median)} | ${fmt(s.min)} | ${fmt(s.max)} |`;
writeResults(
  "dashboard",
  results,
  `# Dashboard: build size and a ${SPANS.toLocaleString("en-US")}-span attempt in Chromium (\`node bench/dashboard.mjs --runs ${RUNS}\`)

Targets (issue #14): at most 400 KB of JS + CSS gzipped; a 10,000-span attempt shown within 1 s.

## Built size (\`apps/dashboard/dist\`, gzip level 9)

| | raw (KB) | gzipped (KB) |
| --- | --- | --- |
| JavaScript | ${fmt(size.js.bytes / 1024)} | ${fmt(size.js.gzip / 1024)} |
| CSS | ${fmt(size.css.bytes / 1024)} | ${fmt(size.css.gzip / 1024)} |
| **total** | ${fmt(size.total.bytes / 1024)} | **${fmt(size.total.gzip / 1024)}** |

## Showing one attempt of ${SPANS.toLocaleString("en-US")} spans

Headless Chromium (\`/usr/bin/chromium\`, 1440×900), \`agl store --backend memory\` on loopback, the
dashboard served by ${results.served_by}. The spans: one root, steps of 100, every tenth an LLM
call with a prompt and token usage, a few errors. ${RUNS} runs; milliseconds.

The page draws the first 2,000 spans (by sequence id) as soon as they arrive and fetches the rest in a
second request ("first rows shown"); "every span" waits for both.

| | median | min | max |
| --- | --- | --- | --- |
${row("cold: detail URL in a blank tab → first rows shown (bundle, API, tree)", results.cold_ms)}
${row("cold: … → every span in the waterfall", results.cold_complete_ms)}
${row("warm: click the rollout in the list (app loaded, nothing cached) → first rows shown", results.warm_ms)}
${row("warm: … → every span in the waterfall", results.warm_complete_ms)}
${row("scroll to the end → last span's row rendered", results.scroll_to_end_ms)}
${row("collapse all + expand all", results.collapse_expand_ms)}

Of that, the API answer alone (\`GET /v1/agl/spans?...&limit=-1\` from Node, all spans at once): ${fmt(apiMs)} ms for
${fmt(apiBody.length / 2 ** 20)} MB of JSON; the browser's two span requests per cold run (ms): ${spansRequests.join("; ")}. Rows in the DOM at once: ${results.dom_rows} of ${SPANS} (virtualised).

Load average (1/5/15 min) before: ${load0.map((n) => n.toFixed(2)).join(" / ")}, after:
${load1.map((n) => n.toFixed(2)).join(" / ")} on 2 cores shared with other work; above the core count
the figures are inflated.`,
);
