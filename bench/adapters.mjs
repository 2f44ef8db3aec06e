// Adapter throughput: how long TracerTraceToTriplet (with hierarchy repair and diagnostics),
// LlmProxyTraceToTriplet and TraceToMessages take on one trace of N LLM calls, for growing N.
// The trace is the shape repair exists for: every LLM span hangs under the root next to its agent
// span, with a tool-call child and a reward per agent. Run `pnpm build` first.
//
//   node bench/adapters.mjs [--sizes 100,1000,5000] [--repeats 5]
import { loadavg } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { fmt, repoDir, writeResults } from "./lib.mjs";

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : args[i + 1];
};
const sizes = arg("sizes", "100,1000,5000").split(",").map(Number);
const repeats = Number(arg("repeats", "5"));

const tracer = await import(pathToFileURL(join(repoDir, "packages/tracer/dist/index.js")).href);
const { LlmProxyTraceToTriplet, TraceToMessages, TracerTraceToTriplet } = tracer;

let counter = 0;
function span(parent, name, start, end, attributes, sequence = 0) {
  counter++;
  const id = counter.toString(16).padStart(16, "0");
  return {
    rollout_id: "ro-bench",
    attempt_id: "at-bench",
    sequence_id: sequence,
    trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
    span_id: id,
    parent_id: parent,
    name,
    status: { status_code: "OK", description: null },
    attributes,
    events: [],
    links: [],
    start_time: start,
    end_time: end,
    context: null,
    parent: null,
    resource: { attributes: {}, schema_url: "" },
  };
}

function agentTrace(calls) {
  const root = span(null, "session", 0, calls * 10 + 10, {});
  const spans = [root];
  for (let i = 0; i < calls; i++) {
    const t = i * 10;
    const agent = span(root.span_id, "agent", t, t + 9, { "agent.name": `agent-${i % 3}` });
    const llm = span(root.span_id, "openai.chat.completion", t + 1, t + 2, {
      "gen_ai.system": "openai",
      "gen_ai.request.model": "gpt-test",
      "gen_ai.prompt.0.role": "system",
      "gen_ai.prompt.0.content": "You are a helpful agent.",
      "gen_ai.prompt.1.role": "user",
      "gen_ai.prompt.1.content": `Question ${i}`,
      "gen_ai.response.id": `chatcmpl-${i}`,
      "gen_ai.completion.0.role": "assistant",
      "gen_ai.completion.0.finish_reason": "tool_calls",
      "gen_ai.usage.total_tokens": 42,
      prompt_token_ids: Array.from({ length: 1024 }, (_, k) => k),
      response_token_ids: Array.from({ length: 256 }, (_, k) => k),
    });
    const tool = span(llm.span_id, "tool_call.lookup", t + 2, t + 2, {
      "tool.name": "lookup",
      "tool.parameters": '{"q":1}',
      "tool.call.id": `call_${i}`,
      "tool.call.type": "function",
    });
    const reward = span(agent.span_id, "agentlightning.annotation", t + 3, t + 3, {
      "agentlightning.reward.0.name": "primary",
      "agentlightning.reward.0.value": 1,
    });
    spans.push(agent, llm, tool, reward);
  }
  return spans;
}

function proxyTrace(calls) {
  const spans = [];
  for (let i = 0; i < calls; i++) {
    const seq = i * 2 + 1;
    const root = span(null, "Received Proxy Server Request", seq, seq + 0.5, {}, seq);
    const litellm = span(
      root.span_id,
      "litellm_request",
      seq,
      seq + 0.4,
      { "gen_ai.response.id": `chatcmpl-${i}` },
      seq,
    );
    const raw = span(
      litellm.span_id,
      "raw_gen_ai_request",
      seq,
      seq + 0.3,
      {
        "llm.hosted_vllm.id": `chatcmpl-${i}`,
        "llm.hosted_vllm.prompt_token_ids": `[${Array.from({ length: 1024 }, (_, k) => k).join(", ")}]`,
        "llm.hosted_vllm.choices": `[{'finish_reason': 'stop', 'index': 0, 'token_ids': [${Array.from({ length: 256 }, (_, k) => k).join(", ")}]}]`,
      },
      seq,
    );
    const reward = span(
      null,
      "agentlightning.annotation",
      seq + 1,
      seq + 1,
      {
        "agentlightning.reward.0.name": "primary",
        "agentlightning.reward.0.value": 1,
      },
      seq + 1,
    );
    spans.push(root, litellm, raw, reward);
  }
  return spans;
}

function measure(fn) {
  fn(); // warm up
  const times = [];
  for (let r = 0; r < repeats; r++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const rows = [];
for (const calls of sizes) {
  const agentSpans = agentTrace(calls);
  const proxySpans = proxyTrace(calls);
  const triplet = new TracerTraceToTriplet({ agentMatch: "agent" });
  const check = triplet.adaptWithDiagnostics(agentSpans);
  if (check.triplets.length !== calls || check.dropped.length !== 0) throw new Error("unexpected triplets");
  if (new LlmProxyTraceToTriplet().adapt(proxySpans).length !== calls)
    throw new Error("unexpected proxy triplets");
  const row = {
    llm_calls: calls,
    spans: agentSpans.length,
    tracer_triplet_ms: measure(() => triplet.adapt(agentSpans)),
    proxy_triplet_ms: measure(() => new LlmProxyTraceToTriplet().adapt(proxySpans)),
    messages_ms: measure(() => new TraceToMessages().adapt(agentSpans)),
  };
  row.tracer_spans_per_s = (row.spans / row.tracer_triplet_ms) * 1000;
  rows.push(row);
  console.log(
    `${calls} calls (${row.spans} spans): TracerTraceToTriplet ${fmt(row.tracer_triplet_ms)} ms ` +
      `(${fmt(row.tracer_spans_per_s)} spans/s), LlmProxyTraceToTriplet ${fmt(row.proxy_triplet_ms)} ms, ` +
      `TraceToMessages ${fmt(row.messages_ms)} ms`,
  );
}

const table = [
  "| LLM calls | spans | TracerTraceToTriplet ms | spans/s | LlmProxyTraceToTriplet ms | TraceToMessages ms |",
  "| --- | --- | --- | --- | --- | --- |",
  ...rows.map(
    (r) =>
      `| ${r.llm_calls} | ${r.spans} | ${fmt(r.tracer_triplet_ms)} | ${fmt(r.tracer_spans_per_s)} | ${fmt(r.proxy_triplet_ms)} | ${fmt(r.messages_ms)} |`,
  ),
];
const load = loadavg()[0];
writeResults(
  "adapters",
  { sizes, repeats, load_average: load, rows },
  [
    "# Adapters on one large trace (`node bench/adapters.mjs`)",
    "",
    `One trace of N LLM calls, each hanging under the root next to its agent span (so hierarchy repair moves every call), with a tool-call child and a reward; 1,024 prompt and 256 response token ids per call; the proxy trace has 4 spans per call with its token ids as Python-repr text. Median of ${repeats} runs after a warm-up, on 2 cores shared with other work (load average ${load.toFixed(1)} at the end of this run, so figures are noisy). Before the sweep-based repair, TracerTraceToTriplet took about 1 s at 2,000 calls (6,000 spans, 64 token ids per call) and grew with the square of the trace.`,
    "",
    ...table,
  ].join("\n"),
);
