// The runner of runtime contract §7 against a real in-memory store and a real OtelTracer: checklist
// items #109-#128, plus what the TypeScript runner adds (concurrent slots, stop, idle polling).
import { InMemoryLightningStore, type LightningStore } from "@agentlightning/store";
import { DummyTracer, OtelTracer } from "@agentlightning/tracer";
import type { AttemptedRollout, NamedResources, Rollout, Span } from "@agentlightning/types";
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RecordingLogger } from "../../test/support/recording-logger.js";
import { countingStore, sleep, waitUntil } from "../../test/support/stores.js";
import { ExecutionEvent } from "../execution-event.js";
import { llmRollout, rollout } from "../functional-agent.js";
import {
  Hook,
  type RolloutEndEvent,
  type RolloutStartEvent,
  type RunnerHook,
  type TraceEvent,
} from "../hook.js";
import { LitAgent } from "../lit-agent.js";
import type { RolloutRawResult } from "../rollout-result.js";
import { LitAgentRunner } from "./lit-agent-runner.js";

const REWARD_VALUE = "agentlightning.reward.0.value";

let store: InMemoryLightningStore;
let logger: RecordingLogger;
let tracer: OtelTracer;

beforeEach(() => {
  store = new InMemoryLightningStore({ scanDebounceSeconds: 0 });
  logger = new RecordingLogger();
  tracer = new OtelTracer({ logger });
});
afterEach(async () => {
  await store.close();
});

/** A runner initialised on `agent` and the store (worker 0), torn down by the caller's test end. */
async function runnerFor<T>(
  agent: LitAgent<T>,
  options: Partial<ConstructorParameters<typeof LitAgentRunner>[0]> = {},
  hooks: RunnerHook[] = [],
  on: LightningStore = store,
): Promise<LitAgentRunner<T>> {
  const runner = new LitAgentRunner<T>({ tracer, logger, heartbeatInterval: 0, ...options });
  await runner.init(agent, { hooks });
  await runner.initWorker(0, on);
  return runner;
}

const spansOf = async (rolloutId: string): Promise<Span[]> => (await store.querySpans({ rolloutId })).items;

function agentReturning(value: unknown): LitAgent {
  return rollout(() => value as RolloutRawResult);
}

describe("one rollout: results (runtime checklist #109-#117)", () => {
  it("#109 a number is the final reward: one annotation span, attempt succeeded", async () => {
    const runner = await runnerFor(agentReturning(0.75));
    const done = await runner.step({ q: 1 });
    expect(done.status).toBe("succeeded");
    expect((await store.getLatestAttempt(done.rollout_id))?.status).toBe("succeeded");
    const spans = await spansOf(done.rollout_id);
    const annotations = spans.filter((s) => s.name === "agentlightning.annotation");
    expect(annotations).toHaveLength(1);
    expect(annotations[0]?.attributes[REWARD_VALUE]).toBe(0.75);
    expect(annotations[0]?.attributes["agentlightning.reward.0.name"]).toBe("primary");
  });

  it("#110 true is the reward 1 with a warning", async () => {
    const runner = await runnerFor(agentReturning(true));
    const done = await runner.step(null);
    const [annotation] = await spansOf(done.rollout_id);
    expect(annotation?.attributes[REWARD_VALUE]).toBe(1);
    expect(logger.has("warn", "Reward is not a number")).toBe(true);
  });

  it("#111 an object: step rejects with TypeError 'Invalid raw result type', attempt failed with the error recorded", async () => {
    const runner = await runnerFor(agentReturning({ unexpected: true }));
    await expect(runner.step(null)).rejects.toThrow(TypeError);
    await expect(runner.step(null)).rejects.toThrow(/Invalid raw result type/);
    const [first] = (await store.queryRollouts()).items;
    expect(first?.status).toBe("failed");
    const attempt = await store.getLatestAttempt(first?.rollout_id as string);
    expect(attempt?.status).toBe("failed");
    const exception =
      (attempt?.metadata as { exception: Record<string, string> } | undefined)?.exception ?? {};
    expect(exception.type).toBe("TypeError");
    expect(exception.message).toMatch(/Invalid raw result type/);
    expect(exception.stacktrace).toMatch(/TypeError: Invalid raw result type/);
  });

  it("#112 nothing: the spans are what the tracer recorded, and no reward", async () => {
    const ends: Span[][] = [];
    const agent = rollout(async () => {
      tracer.createSpan("work", { step: 1 });
    });
    const runner = await runnerFor(agent, {}, [{ onRolloutEnd: ({ spans }) => void ends.push(spans) }]);
    const done = await runner.step(null);
    const stored = await spansOf(done.rollout_id);
    expect(stored.map((s) => s.name)).toEqual(["work"]);
    expect(ends[0]).toEqual(stored);
    expect(stored.some((s) => REWARD_VALUE in s.attributes)).toBe(false);
  });

  it("#113 OpenTelemetry spans are stored in order; with an OtelTracer a duplicates warning is logged", async () => {
    const other = new BasicTracerProvider().getTracer("agent");
    const agent = rollout(() => {
      const a = other.startSpan("otel-a");
      a.end();
      const b = other.startSpan("otel-b");
      b.end();
      return [a, b] as never;
    });
    const ends: Span[][] = [];
    const runner = await runnerFor(agent, {}, [{ onRolloutEnd: ({ spans }) => void ends.push(spans) }]);
    const done = await runner.step(null);
    const stored = await spansOf(done.rollout_id);
    expect(stored.map((s) => [s.name, s.sequence_id])).toEqual([
      ["otel-a", 1],
      ["otel-b", 2],
    ]);
    expect(ends[0]?.map((s) => s.name)).toEqual(["otel-a", "otel-b"]);
    expect(logger.has("warn", "Tracer is already an OpenTelemetry tracer")).toBe(true);
    expect(done.status).toBe("succeeded");
  });

  it("#114 stored spans are written as given", async () => {
    let runnerRef: LitAgentRunner | null = null;
    const agent = rollout((_t, ctx) => {
      const r = ctx.rollout as AttemptedRollout;
      const make = (id: string, seq: number): Span => ({
        rollout_id: r.rollout_id,
        attempt_id: r.attempt.attempt_id,
        sequence_id: seq,
        trace_id: "a".repeat(32),
        span_id: id.padEnd(16, "0").slice(0, 16),
        parent_id: null,
        name: id,
        status: { status_code: "OK", description: null },
        attributes: {},
        events: [],
        links: [],
        start_time: 1,
        end_time: 2,
        context: null,
        parent: null,
        resource: { attributes: {}, schema_url: "" },
      });
      return [make("custom-1", 7), make("custom-2", 8)];
    });
    runnerRef = await runnerFor(agent);
    const done = await runnerRef.step(null);
    expect((await spansOf(done.rollout_id)).map((s) => [s.name, s.sequence_id])).toEqual([
      ["custom-1", 7],
      ["custom-2", 8],
    ]);
  });

  it("#115 core fields become spans with fresh sequence ids, values in order", async () => {
    const dummy = new DummyTracer();
    const reward = (v: number) =>
      dummy.createSpan("agentlightning.annotation", {
        "agentlightning.reward.0.name": "primary",
        [REWARD_VALUE]: v,
      });
    const runner = await runnerFor(rollout(() => [reward(0.2), reward(0.6)]));
    const done = await runner.step(null);
    const stored = await spansOf(done.rollout_id);
    expect(stored.map((s) => s.attributes[REWARD_VALUE])).toEqual([0.2, 0.6]);
    expect(stored.map((s) => s.sequence_id)).toEqual([1, 2]);
  });

  it("#116 [] is a warning and success; a mixed list fails the attempt", async () => {
    const empty = await (await runnerFor(agentReturning([]))).step(null);
    expect(empty.status).toBe("succeeded");
    expect(logger.has("warn", "empty list")).toBe(true);
    const mixed = await runnerFor(agentReturning([1, "two"]));
    await expect(mixed.step(null)).rejects.toMatchObject({ code: "invalid_argument" });
    const failed = (await store.queryRollouts({ statusIn: ["failed"] })).items;
    expect(failed).toHaveLength(1);
  });

  it("#117 the agent sees the resources published as latest, including a template under another id", async () => {
    await store.addResources({ llm: { resource_type: "llm", endpoint: "http://x", model: "m" } });
    await store.addResources({
      template: { resource_type: "prompt_template", template: "Q: {q}", engine: "f-string" },
    });
    const seen: NamedResources[] = [];
    class Reader extends LitAgent<{ q: string }> {
      override rollout(task: { q: string }, resources: NamedResources): number {
        seen.push(resources);
        return resources.template?.resource_type === "prompt_template" && task.q === "2+2" ? 1 : 0;
      }
    }
    const runner = await runnerFor(new Reader());
    await store.enqueueRollout({ input: { q: "2+2" } });
    const event = new ExecutionEvent();
    const iterating = runner.iter({ event });
    await waitUntil(async () => (await store.queryRollouts({ statusIn: ["succeeded"] })).total === 1);
    event.set();
    await iterating;
    expect(Object.keys(seen[0] ?? {})).toEqual(["template"]);
  });
});

describe("mode and loop (runtime checklist #118-#122)", () => {
  it("#118 train → trainingRollout; val → validationRollout; the other is never called", async () => {
    const calls: string[] = [];
    class Modes extends LitAgent {
      override async trainingRollout(): Promise<number> {
        calls.push("train");
        return 1;
      }
      override async validationRollout(): Promise<number> {
        calls.push("val");
        return 0;
      }
    }
    const runner = await runnerFor(new Modes());
    await runner.step(null, { mode: "train" });
    expect(calls).toEqual(["train"]);
    await runner.step(null, { mode: "val" });
    await runner.step(null, { mode: "test" });
    await runner.step(null);
    expect(calls).toEqual(["train", "val", "val", "val"]);
  });

  it("#119 maxRollouts 2 with 3 queued: tasks 0 and 1 run, iter resolves", async () => {
    const seen: number[] = [];
    const runner = await runnerFor(
      rollout((task: number) => void seen.push(task)),
      { maxRollouts: 2 },
    );
    await store.enqueueManyRollouts([{ input: 0 }, { input: 1 }, { input: 2 }]);
    await expect(runner.iter()).resolves.toBe(2);
    expect(seen).toEqual([0, 1]);
    expect((await store.queryRollouts({ statusIn: ["succeeded"] })).total).toBe(2);
    expect((await store.queryRollouts({ statusIn: ["queuing"] })).total).toBe(1);
  });

  it("#120 an agent that sets the event during the first rollout: exactly one processed", async () => {
    const event = new ExecutionEvent();
    const runner = await runnerFor(rollout(() => void event.set()));
    await store.enqueueManyRollouts([{ input: 0 }, { input: 1 }]);
    await expect(runner.iter({ event })).resolves.toBe(1);
    expect((await store.queryRollouts({ statusIn: ["succeeded"] })).total).toBe(1);
  });

  it("#121 an empty queue is polled again (after a pause) until the event stops the loop", async () => {
    const counted = countingStore(store);
    const runner = await runnerFor(agentReturning(1), {}, [], counted.store);
    const event = new ExecutionEvent();
    const iterating = runner.iter({ event });
    await waitUntil(() => (counted.calls.get("dequeueRollout") ?? 0) >= 2);
    event.set();
    await expect(iterating).resolves.toBe(0);
  });

  it("#122 iter dequeues as Worker-0; step starts its rollout as Worker-0", async () => {
    const counted = countingStore(store);
    const runner = await runnerFor(agentReturning(1), { maxRollouts: 1 }, [], counted.store);
    await store.enqueueRollout({ input: 1 });
    await runner.iter();
    expect(new Set(counted.workerIdsOfDequeues)).toEqual(new Set(["Worker-0"]));
    const stepped = await runner.step(null);
    expect((await store.getLatestAttempt(stepped.rollout_id))?.worker_id).toBe("Worker-0");
    expect(runner.getWorkerId()).toBe("Worker-0");
  });
});

describe("hooks, failures, step, runContext (runtime checklist #123-#128)", () => {
  it("#123 hook order; onRolloutEnd gets the stored spans; a throwing hook is logged and harmless", async () => {
    const order: string[] = [];
    let endSpans: Span[] = [];
    class Recorder extends Hook {
      override onRolloutStart(_e: RolloutStartEvent): void {
        order.push("on_rollout_start");
      }
      override async onTraceStart(e: TraceEvent): Promise<void> {
        expect(e.tracer).toBe(tracer);
        order.push("on_trace_start");
      }
      override onTraceEnd(_e: TraceEvent): void {
        order.push("on_trace_end");
      }
      override onRolloutEnd(e: RolloutEndEvent): void {
        order.push("on_rollout_end");
        endSpans = e.spans;
      }
    }
    const thrower = {
      onRolloutStart(): void {
        throw new Error("hook boom");
      },
    };
    const agent = rollout(async () => {
      tracer.createSpan("work");
    });
    const runner = await runnerFor(agent, {}, [thrower, new Recorder()]);
    const done = await runner.step(null);
    expect(order).toEqual(["on_rollout_start", "on_trace_start", "on_trace_end", "on_rollout_end"]);
    expect(endSpans).toEqual(await spansOf(done.rollout_id));
    expect(done.status).toBe("succeeded");
    expect(logger.has("error", "onRolloutStart")).toBe(true);
  });

  it("#124 an agent throwing 'boom': attempt failed; step re-throws; iter logs and goes on", async () => {
    const agent = rollout((task: number) => {
      if (task === 0) throw new Error("boom");
      return 1;
    });
    const runner = await runnerFor(agent, { maxRollouts: 2 });
    await expect(runner.step(0)).rejects.toThrow("boom");
    await store.enqueueManyRollouts([{ input: 0 }, { input: 1 }]);
    await expect(runner.iter()).resolves.toBe(2);
    const statuses = (await store.queryRollouts()).items.map((r) => [r.input, r.status]);
    expect(statuses).toEqual([
      [0, "failed"],
      [0, "failed"],
      [1, "succeeded"],
    ]);
    expect(logger.has("error", "Exception during rollout")).toBe(true);
  });

  it("#125 step resolves to the finished rollout; with resources, a new snapshot is stored and used", async () => {
    let seen: NamedResources | null = null;
    const runner = await runnerFor(
      llmRollout((_t: { n: number }, ctx) => {
        seen = ctx.resources;
        return ctx.llm.model === "m1" ? 1 : 0;
      }),
    );
    const done = await runner.step(
      { n: 1 },
      { resources: { llm: { resource_type: "llm", endpoint: "http://x/v1", model: "m1" } } },
    );
    expect(done.status).toBe("succeeded");
    expect(done.input).toEqual({ n: 1 });
    expect(await store.getRolloutById(done.rollout_id)).toMatchObject({ rollout_id: done.rollout_id });
    expect(done.resources_id).toMatch(/^rs-/);
    expect((await store.queryResources()).total).toBe(1);
    expect(seen).toMatchObject({ llm: { model: "m1" } });
  });

  it("#126 a rollout the store no longer finds after the step is an error", async () => {
    class Forgetful extends InMemoryLightningStore {
      override async getRolloutById(): Promise<Rollout | null> {
        return null;
      }
    }
    const forgetful = new Forgetful();
    const runner = await runnerFor(agentReturning(1), {}, [], forgetful);
    await expect(runner.step(null)).rejects.toThrow(/Failed to fetch completed rollout by id after step/);
    await forgetful.close();
  });

  it("#127 missing resources: the attempt is left untouched and the loop goes on; step throws", async () => {
    const runner = await runnerFor(agentReturning(1), { maxRollouts: 2 });
    const missing = await store.enqueueRollout({ input: 0, resourcesId: "rs-missing" });
    await store.enqueueRollout({ input: 1, resourcesId: "rs-missing" });
    await expect(runner.iter()).resolves.toBe(2);
    expect((await store.getLatestAttempt(missing.rollout_id))?.status).toBe("preparing");
    expect(logger.has("error", "rs-missing not found")).toBe(true);
    // Without any resources in the store, a rollout without a resources id runs with none.
    await expect(runner.step(null)).resolves.toMatchObject({ status: "succeeded" });
  });

  it("#128 runContext wires and unwires; a throwing body still tears down; failed steps are not undone", async () => {
    const calls: string[] = [];
    class Watched extends OtelTracer {
      failInit = false;
      failInitWorker = false;
      failTeardowns = false;
      override async init(): Promise<void> {
        if (this.failInit) throw new Error("init");
        calls.push("init");
      }
      override async initWorker(id: number | string, s?: LightningStore): Promise<void> {
        if (this.failInitWorker) throw new Error("initWorker");
        calls.push(`initWorker:${id}`);
        await super.initWorker(id, s);
      }
      override async teardownWorker(id: number | string): Promise<void> {
        calls.push(`teardownWorker:${id}`);
        if (this.failTeardowns) throw new Error("tw");
      }
      override async teardown(): Promise<void> {
        calls.push("teardown");
        if (this.failTeardowns) throw new Error("t");
      }
    }
    const watched = new Watched();
    const runner = new LitAgentRunner({ tracer: watched, logger, heartbeatInterval: 0 });
    const agent = agentReturning(1);
    await runner.runContext({ agent, store }, () => {
      expect(calls).toEqual(["init", "initWorker:0"]);
      expect(runner.workerId).toBe(0);
      expect(runner.getAgent()).toBe(agent);
      expect(runner.getStore()).toBe(store);
      expect(agent.runner).toBe(runner);
      expect(agent.tracer).toBe(watched);
    });
    expect(calls).toEqual(["init", "initWorker:0", "teardownWorker:0", "teardown"]);
    expect(runner.workerId).toBeNull();
    expect(() => runner.getAgent()).toThrow(/init/);

    calls.length = 0;
    await expect(
      runner.runContext({ agent, store }, () => Promise.reject(new Error("body"))),
    ).rejects.toThrow("body");
    expect(calls).toEqual(["init", "initWorker:0", "teardownWorker:0", "teardown"]);

    calls.length = 0;
    watched.failInitWorker = true;
    await expect(runner.runContext({ agent, store }, () => 1)).rejects.toThrow("initWorker");
    expect(calls).toEqual(["init", "teardown"]);

    calls.length = 0;
    watched.failInitWorker = false;
    watched.failInit = true;
    await expect(runner.runContext({ agent, store }, () => 1)).rejects.toThrow("init");
    expect(calls).toEqual([]);

    watched.failInit = false;
    watched.failTeardowns = true;
    await expect(runner.runContext({ agent, store }, () => 5)).resolves.toBe(5);
    expect(logger.has("error", "Error during runner worker teardown")).toBe(true);
    expect(logger.has("error", "Error during runner teardown")).toBe(true);
  });
});

describe("concurrency, stop and idle polling (TypeScript runner)", () => {
  it("runs rollouts at once in slots with their own worker ids; each rollout's spans are its own", async () => {
    let inFlight = 0;
    let peak = 0;
    const agent = rollout(async (task: number, ctx) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await tracer.operation("step", { task }, async () => {
        await sleep(task % 3);
        tracer.createSpan("inner", { task, rollout: ctx.rollout.rollout_id });
      });
      inFlight--;
      return task / 100;
    });
    const counted = countingStore(store);
    const mixed: string[] = [];
    const checkOwnSpans: RunnerHook = {
      onRolloutEnd: ({ rollout: r, spans }) => {
        if (spans.length !== 3 || spans.some((span) => span.rollout_id !== r.rollout_id))
          mixed.push(r.rollout_id);
      },
    };
    const runner = await runnerFor(
      agent,
      { concurrency: 8, maxRollouts: 60 },
      [checkOwnSpans],
      counted.store,
    );
    expect(runner.getSlotWorkerIds()).toEqual(Array.from({ length: 8 }, (_, i) => `Worker-0-${i}`));
    await store.enqueueManyRollouts(Array.from({ length: 60 }, (_, i) => ({ input: i })));
    await expect(runner.iter()).resolves.toBe(60);
    expect(peak).toBeGreaterThan(1);
    // Each rollout's hooks got its own spans (the reward included), none of another rollout's.
    expect(mixed).toEqual([]);
    const all = (await store.queryRollouts()).items;
    expect(all.every((r) => r.status === "succeeded")).toBe(true);
    for (const r of all) {
      const spans = await spansOf(r.rollout_id);
      expect(spans.map((s) => s.name).sort()).toEqual(["agentlightning.annotation", "inner", "step"]);
      for (const s of spans)
        if (s.name !== "agentlightning.annotation") expect(s.attributes.task).toBe(r.input);
      expect(spans.find((s) => s.name === "agentlightning.annotation")?.attributes[REWARD_VALUE]).toBe(
        (r.input as number) / 100,
      );
    }
    const workers = new Set(
      (await Promise.all(all.map((r) => store.getLatestAttempt(r.rollout_id)))).map((a) => a?.worker_id),
    );
    expect([...workers].every((w) => /^Worker-0-[0-7]$/.test(String(w)))).toBe(true);
    expect(workers.size).toBeGreaterThan(1);
  });

  it("maxRollouts bounds claims across concurrent slots exactly", async () => {
    const runner = await runnerFor(agentReturning(1), { concurrency: 16, maxRollouts: 5 });
    await store.enqueueManyRollouts(Array.from({ length: 40 }, (_, i) => ({ input: i })));
    await expect(runner.iter()).resolves.toBe(5);
    expect((await store.queryRollouts({ statusIn: ["succeeded"] })).total).toBe(5);
    expect((await store.queryRollouts({ statusIn: ["queuing"] })).total).toBe(35);
  });

  it("stop: no new claims, running rollouts finish before iter resolves (AbortSignal)", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    const agent = rollout(async () => {
      started++;
      await gate;
      return 1;
    });
    const runner = await runnerFor(agent, { concurrency: 4 });
    await store.enqueueManyRollouts(Array.from({ length: 10 }, (_, i) => ({ input: i })));
    const stop = new AbortController();
    let resolved = false;
    const iterating = runner.iter({ signal: stop.signal }).then((n) => {
      resolved = true;
      return n;
    });
    await waitUntil(() => started === 4);
    stop.abort();
    await sleep(20);
    expect(resolved).toBe(false);
    release();
    await expect(iterating).resolves.toBe(4);
    expect((await store.queryRollouts({ statusIn: ["succeeded"] })).total).toBe(4);
    expect((await store.queryRollouts({ statusIn: ["queuing"] })).total).toBe(6);
  });

  it("idle slots do not each poll the store: one poller backs off, new work is still picked up", async () => {
    const counted = countingStore(store);
    const runner = await runnerFor(
      agentReturning(1),
      { concurrency: 64, pollInterval: 0.2, intervalJitter: 0 },
      [],
      counted.store,
    );
    const event = new ExecutionEvent();
    const iterating = runner.iter({ event });
    await sleep(400);
    const idleCalls = counted.calls.get("dequeueRollout") ?? 0;
    // 64 first tries, then one poller: 50, 100, 200, 200 ms pauses.
    expect(idleCalls).toBeGreaterThanOrEqual(64);
    expect(idleCalls).toBeLessThan(64 + 16);
    await store.enqueueManyRollouts(Array.from({ length: 20 }, (_, i) => ({ input: i })));
    await waitUntil(async () => (await store.queryRollouts({ statusIn: ["succeeded"] })).total === 20);
    event.set();
    await expect(iterating).resolves.toBe(20);
  });
});

describe("clone() for workers that share a process and a tracer", () => {
  it("a clone has the options and tracer but no agent; a sibling's teardown does not stop the other's spans", async () => {
    const release: Array<() => void> = [];
    const agent = rollout(async (input: number) => {
      await new Promise<void>((resolve) => release.push(resolve));
      return input;
    });
    const first = new LitAgentRunner<number>({ tracer, maxRollouts: 1, pollInterval: 0.05 });
    const second = first.clone();
    expect(second).not.toBe(first);
    expect(second.tracer).toBe(tracer);
    expect(second.maxRollouts).toBe(1);
    expect(() => second.getAgent()).toThrow(/Agent not initialized/);
    const { rollout_id } = await store.enqueueRollout({ input: 3 });
    await first.init(agent);
    await first.initWorker(0, store);
    await second.init(agent);
    await second.initWorker(1, store);
    const running = first.iter();
    await waitUntil(() => release.length === 1);
    // The idle sibling stops and tears down while the first rollout is still running.
    const event = new ExecutionEvent();
    event.set();
    await second.iter({ event });
    await second.teardownWorker(1);
    await second.teardown();
    release[0]?.();
    await running;
    const spans = await spansOf(rollout_id);
    expect(spans.some((s) => s.attributes[REWARD_VALUE] === 3)).toBe(true);
    await first.teardownWorker(0);
    await first.teardown();
  });
});
