// pnpm example:ai-sdk — an agent written with the Vercel AI SDK (generateText with a tool), run by a
// LitAgentRunner under an InstrumentedTracer: its model calls and tool calls become spans of each
// rollout, and it earns a reward. Against the built-in stand-in unless OPENAI_BASE_URL is set.

import { Baseline } from "@agentlightning/algorithm";
import { LitAgentRunner, rollout } from "@agentlightning/litagent";
import { InMemoryLightningStore } from "@agentlightning/store";
import { aiSdkTelemetry, emitReward, InstrumentedTracer } from "@agentlightning/tracer";
import type { Span } from "@agentlightning/types";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { generateText, jsonSchema, stepCountIs, tool } from "ai";
import { exampleModel } from "./example-model.js";
import { type MathTask, VAL_TASKS } from "./math-agent.js";

const model = await exampleModel();
console.log(`example:ai-sdk — an AI SDK agent, traced and scored; ${model.describe}`);
const provider = createOpenAICompatible({
  name: "example",
  baseURL: model.baseUrl,
  apiKey: model.apiKey || "unused",
});

const calculator = tool({
  description: "Adds or multiplies two numbers exactly.",
  inputSchema: jsonSchema<{ a: number; b: number; operation: "add" | "multiply" }>({
    type: "object",
    properties: {
      a: { type: "number" },
      b: { type: "number" },
      operation: { type: "string", enum: ["add", "multiply"] },
    },
    required: ["a", "b", "operation"],
  }),
  execute: async ({ a, b, operation }) => String(operation === "add" ? a + b : a * b),
});

// The agent: the AI SDK drives the model and the tool; aiSdkTelemetry() hands the AI SDK the
// rollout's tracer, so each model call is recorded as an `openai.chat.completion` span.
const agent = rollout(async (task: MathTask) => {
  const { text } = await generateText({
    model: provider(model.model),
    system: "Use the calculator for arithmetic. Reply with the number only.",
    prompt: task.question,
    tools: { calculator },
    stopWhen: stepCountIs(3),
    experimental_telemetry: aiSdkTelemetry({ functionId: "math-agent" }),
  });
  emitReward(text.trim() === task.answer ? 1 : 0);
});

const store = new InMemoryLightningStore();
const runner = new LitAgentRunner({ tracer: new InstrumentedTracer(), concurrency: 4 });
const stop = new AbortController();
const running = runner.runContext({ agent, store }, () => runner.iter({ signal: stop.signal }));
const baseline = new Baseline({ pollingInterval: 0.2, spanVerbosity: "none" });
baseline.setStore(store);
const tasks = VAL_TASKS.slice(0, 4);
const report = await baseline.run(tasks, []);
stop.abort();
await running;

function describeSpan(span: Span): string {
  const attrs = span.attributes;
  if (span.name === "openai.chat.completion") {
    const content = attrs["gen_ai.completion.0.content"];
    const toolCall = attrs["gen_ai.completion.0.tool_calls.0.name"];
    const what = content ? `answered ${JSON.stringify(content)}` : `called ${String(toolCall)}`;
    return `${span.name} (model ${String(attrs["gen_ai.request.model"])}, ${what})`;
  }
  return span.name;
}

let llmCalls = 0;
for (const [i, r] of report.rollouts.entries()) {
  const spans = (await store.querySpans({ rolloutId: r.rolloutId })).items;
  llmCalls += spans.filter((s) => s.name === "openai.chat.completion").length;
  console.log(`rollout ${r.rolloutId} "${tasks[i]?.question}": ${r.status}, reward ${r.finalReward}`);
  for (const span of spans) console.log(`  span ${span.sequence_id}: ${describeSpan(span)}`);
}
await store.close();
await model.close();
const total = report.rollouts.reduce((sum, r) => sum + (r.finalReward ?? 0), 0);
console.log(
  `rollouts: ${report.rollouts.length}, LLM call spans: ${llmCalls}, mean reward: ${total / report.rollouts.length}`,
);
