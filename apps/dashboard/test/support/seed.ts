import { LightningStoreClient } from "@agentlightning/store";
import type { Attributes, Span } from "@agentlightning/types";

let counter = 0;
const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");

/** A complete span (all 16 keys) with ids made from a counter and times in seconds. */
export function makeSpan(
  ids: { rollout_id: string; attempt_id: string },
  sequence_id: number,
  name: string,
  times: [number, number],
  options: {
    parent?: string | null;
    attributes?: Attributes;
    error?: string;
    spanId?: string;
    events?: Span["events"];
  } = {},
): Span {
  const spanId = options.spanId ?? hex(++counter, 16);
  const traceId = hex(0xabc, 32);
  return {
    ...ids,
    sequence_id,
    trace_id: traceId,
    span_id: spanId,
    parent_id: options.parent ?? null,
    name,
    status: options.error
      ? { status_code: "ERROR", description: options.error }
      : { status_code: "OK", description: null },
    attributes: options.attributes ?? {},
    events: options.events ?? [],
    links: [],
    start_time: times[0],
    end_time: times[1],
    context: { trace_id: traceId, span_id: spanId, is_remote: false, trace_state: {} },
    parent: null,
    resource: { attributes: {}, schema_url: "" },
  } as Span;
}

const reward = (value: number): Attributes => ({
  "agentlightning.reward.0.name": "primary",
  "agentlightning.reward.0.value": value,
});

/** What `seedStore` created, for the tests' assertions. */
export interface Seeded {
  richRolloutId: string;
  richAttemptIds: [string, string];
  bigRolloutId: string;
  bigSpanCount: number;
  resourcesIds: [string, string];
  bulkCount: number;
  total: number;
  /** A rollout whose attempt is running (runner-2's current one), or null when the queue ran dry. */
  runningRolloutId: string | null;
}

/** Adds `count` spans under one root, in groups of 100, to an attempt. */
export async function addBigTrace(
  store: LightningStoreClient,
  ids: { rollout_id: string; attempt_id: string },
  count: number,
  t0: number,
) {
  const spans: Span[] = [
    makeSpan(ids, 1, "agent.run", [t0, t0 + count / 1000 + 1], { spanId: "b00000000000root" }),
  ];
  let group = "";
  for (let i = 1; i < count; i++) {
    if ((i - 1) % 100 === 0) {
      group = hex(0xb0000000 + i, 16);
      spans.push(
        makeSpan(ids, i + 1, `step-${(i - 1) / 100}`, [t0 + i / 1000, t0 + (i + 100) / 1000], {
          parent: "b00000000000root",
          spanId: group,
        }),
      );
    } else {
      spans.push(
        makeSpan(
          ids,
          i + 1,
          i === count - 1 ? "last-span" : `work-${i}`,
          [t0 + i / 1000, t0 + (i + 1) / 1000],
          {
            parent: group,
            error: i % 997 === 0 ? "boom" : undefined,
          },
        ),
      );
    }
  }
  for (let i = 0; i < spans.length; i += 1000) await store.addManySpans(spans.slice(i, i + 1000));
}

/**
 * Seeds a store through its HTTP API with what the browser tests look for: two resources
 * snapshots, a rollout with a failed and a succeeded attempt whose trace has LLM calls, a tool
 * call, an error and a reward, a rollout with `bigSpans` spans, `bulk` more rollouts in every
 * status and mode, and two workers with heartbeat stats.
 */
export async function seedStore(url: string, { bulk = 57, bigSpans = 2000 } = {}): Promise<Seeded> {
  const store = new LightningStoreClient({ url, spanConcurrency: 32 });
  try {
    const resA = await store.addResources({
      main_llm: { resource_type: "llm", endpoint: "http://127.0.0.1:9/v1", model: "qwen-7b" },
      prompt: {
        resource_type: "prompt_template",
        template: "You are a math tutor.\nQ: {question}\nA:",
        engine: "f-string",
      },
    });
    // The rich rollout: attempt 1 fails, attempt 2 succeeds with a full trace.
    const rich = await store.enqueueRollout({
      input: { question: "What is 12*7?" },
      mode: "train",
      config: { max_attempts: 2, retry_condition: ["failed"] },
    });
    const a1 = await store.dequeueRollout({ workerId: "runner-1" });
    if (a1?.rollout_id !== rich.rollout_id) throw new Error("seed: expected the rich rollout first");
    const ids1 = { rollout_id: rich.rollout_id, attempt_id: a1.attempt.attempt_id };
    const t = Date.now() / 1000 - 60;
    await store.addManySpans([
      makeSpan(ids1, 1, "agent.run", [t, t + 0.5]),
      makeSpan(ids1, 2, "tool.execute", [t + 0.1, t + 0.2], { error: "connection refused" }),
    ]);
    await store.updateAttempt(rich.rollout_id, a1.attempt.attempt_id, { status: "failed" });
    const a2 = await store.dequeueRollout({ workerId: "runner-1" });
    if (a2?.rollout_id !== rich.rollout_id) throw new Error("seed: expected the retry of the rich rollout");
    const ids = { rollout_id: rich.rollout_id, attempt_id: a2.attempt.attempt_id };
    const s = t + 10;
    await store.addManySpans([
      makeSpan(ids, 1, "agent.run", [s, s + 4.2], {
        spanId: "a00000000000root",
        attributes: { "agent.name": "math-agent" },
      }),
      makeSpan(ids, 2, "openai.chat.completion", [s + 0.1, s + 1.3], {
        parent: "a00000000000root",
        spanId: "a000000000000llm",
        attributes: {
          "gen_ai.system": "openai",
          "gen_ai.request.model": "qwen-7b",
          "gen_ai.prompt.0.role": "system",
          "gen_ai.prompt.0.content": "You are a math tutor.",
          "gen_ai.prompt.1.role": "user",
          "gen_ai.prompt.1.content": "What is 12*7?",
          "gen_ai.completion.0.role": "assistant",
          "gen_ai.completion.0.content": "Let me compute 12*7.",
          "gen_ai.completion.0.finish_reason": "tool_calls",
          "gen_ai.response.id": "chatcmpl-1",
          "gen_ai.usage.prompt_tokens": 42,
          "gen_ai.usage.completion_tokens": 7,
          "gen_ai.usage.total_tokens": 49,
          prompt_token_ids: [1, 2, 3, 4],
          response_token_ids: [5, 6],
        },
      }),
      makeSpan(ids, 3, "tool_call.calculator", [s + 1.31, s + 1.35], {
        parent: "a000000000000llm",
        attributes: {
          "tool.name": "calculator",
          "tool.parameters": '{"expr":"12*7"}',
          "tool.call.id": "call-1",
        },
      }),
      makeSpan(ids, 4, "tool.execute", [s + 1.4, s + 1.45], {
        parent: "a00000000000root",
        error: "division by zero",
        events: [
          {
            name: "exception",
            attributes: { "exception.type": "ZeroDivisionError", "exception.message": "division by zero" },
            timestamp: s + 1.44,
          },
        ],
      }),
      makeSpan(ids, 5, "openai.chat.completion", [s + 1.5, s + 2.5], {
        parent: "a00000000000root",
        attributes: {
          "gen_ai.request.model": "qwen-7b",
          "gen_ai.prompt.0.role": "user",
          "gen_ai.prompt.0.content": "The tool says 84. Answer.",
          "gen_ai.completion.0.role": "assistant",
          "gen_ai.completion.0.content": "12*7 = 84",
          "gen_ai.response.id": "chatcmpl-2",
          "gen_ai.usage.prompt_tokens": 60,
          "gen_ai.usage.completion_tokens": 5,
          "gen_ai.usage.total_tokens": 65,
        },
      }),
      makeSpan(ids, 6, "agentlightning.annotation", [s + 3, s + 3], {
        parent: "a00000000000root",
        attributes: reward(0.8),
      }),
    ]);
    await store.updateAttempt(rich.rollout_id, a2.attempt.attempt_id, { status: "succeeded" });

    // The big rollout.
    const big = await store.enqueueRollout({ input: { question: "big" }, mode: "val" });
    const b = await store.dequeueRollout({ workerId: "runner-1" });
    if (b?.rollout_id !== big.rollout_id) throw new Error("seed: expected the big rollout");
    await addBigTrace(store, { rollout_id: big.rollout_id, attempt_id: b.attempt.attempt_id }, bigSpans, t);
    await store.updateAttempt(big.rollout_id, b.attempt.attempt_id, { status: "succeeded" });

    // A second resources snapshot with an edited prompt, then the bulk rollouts.
    const resB = await store.addResources({
      main_llm: { resource_type: "llm", endpoint: "http://127.0.0.1:9/v1", model: "qwen-7b-ft" },
      prompt: {
        resource_type: "prompt_template",
        template: "You are a careful math tutor.\nQ: {question}\nThink step by step.\nA:",
        engine: "f-string",
      },
    });
    const modes = ["train", "val", "test"] as const;
    const bulk_ = await store.enqueueManyRollouts(
      Array.from({ length: bulk }, (_, i) => ({ input: { question: `q${i}`, i }, mode: modes[i % 3] })),
    );
    const claimed = await store.dequeueManyRollouts({ limit: Math.floor(bulk * 0.7), workerId: "runner-2" });
    let i = 0;
    for (const c of claimed) {
      const cids = { rollout_id: c.rollout_id, attempt_id: c.attempt.attempt_id };
      if (i % 4 !== 3) {
        const at = Date.now() / 1000;
        await store.addManySpans([
          makeSpan(cids, 1, "openai.chat.completion", [at - 0.3, at - 0.1], {
            attributes: {
              "gen_ai.usage.prompt_tokens": 10 + i,
              "gen_ai.usage.completion_tokens": 2,
              "gen_ai.usage.total_tokens": 12 + i,
            },
          }),
          makeSpan(cids, 2, "agentlightning.annotation", [at, at], {
            attributes: reward(Math.round((i / claimed.length) * 100) / 100),
          }),
        ]);
        await store.updateAttempt(c.rollout_id, c.attempt.attempt_id, { status: "succeeded" });
      } else if (i % 8 === 3) {
        await store.updateAttempt(c.rollout_id, c.attempt.attempt_id, { status: "failed" });
      } else {
        await store.updateAttempt(c.rollout_id, c.attempt.attempt_id, { status: "running" });
      }
      i++;
    }
    // runner-2 ends busy with one more rollout in progress.
    const current = await store.dequeueRollout({ workerId: "runner-2" });
    if (current)
      await store.updateAttempt(current.rollout_id, current.attempt.attempt_id, { status: "running" });
    await store.updateWorker("runner-1", { heartbeatStats: { cpu_percent: 12.5, rollouts_done: 2 } });
    await store.updateWorker("runner-2", {
      heartbeatStats: { cpu_percent: 80, rollouts_done: claimed.length },
    });
    return {
      richRolloutId: rich.rollout_id,
      richAttemptIds: [a1.attempt.attempt_id, a2.attempt.attempt_id],
      bigRolloutId: big.rollout_id,
      bigSpanCount: bigSpans,
      resourcesIds: [resA.resources_id, resB.resources_id],
      bulkCount: bulk_.length,
      runningRolloutId: current?.rollout_id ?? null,
      total: bulk_.length + 2,
    };
  } finally {
    await store.close();
  }
}
