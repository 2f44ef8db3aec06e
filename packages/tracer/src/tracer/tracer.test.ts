// Runtime contract §9, group "Tracer" (#28–#46; #47–#48 belong to the instrumented tracer), against
// real stores: the in-memory store and a LightningStoreClient talking to a live server.
import { InMemoryLightningStore, type LightningStore, LightningStoreClient } from "@agentlightning/store";
import { createStoreApp } from "@agentlightning/store/server";
import { AglError, type Span, SpanSchema } from "@agentlightning/types";
import { createAdaptorServer } from "@hono/node-server";
import { context as otelContext, trace as otelTrace, TraceFlags } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { Hono } from "hono";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type LiveStore,
  openLiveStore,
  STORE_KINDS,
  startedRollout,
} from "../../test/support/live-stores.js";
import { recordingLogger } from "../../test/support/recording-logger.js";
import { clearActiveTracer, getActiveTracer, setActiveTracer } from "../context/active-tracer.js";
import { getActiveRolloutContext } from "../context/rollout-context.js";
import { emitReward, reward } from "../emitter/reward.js";
import { getRewardValue, isRewardSpan } from "../emitter/reward-readers.js";
import { DummyTracer } from "./dummy-tracer.js";
import { OtelTracer } from "./otel-tracer.js";

afterEach(() => clearActiveTracer());

/**
 * A store of another package, as the tracer sees one: the in-memory store's methods, without its
 * internal one-call numbering, and with `addManySpans` going through `write` (to delay or fail it).
 */
function thirdPartyStore(
  inner: InMemoryLightningStore,
  write: (spans: Span[], next: (spans: Span[]) => Promise<Span[]>) => Promise<Span[]>,
): LightningStore {
  return new Proxy(inner, {
    get(target, key) {
      if (typeof key === "symbol" && key.description?.startsWith("agentlightning.store.")) return undefined;
      if (key === "addManySpans") return (spans: Span[]) => write(spans, (s) => target.addManySpans(s));
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("active tracer registry", () => {
  it("#28 setActiveTracer twice throws; after clearActiveTracer none is active", () => {
    const tracer = new DummyTracer();
    setActiveTracer(tracer);
    expect(getActiveTracer()).toBe(tracer);
    expect(() => setActiveTracer(new DummyTracer())).toThrow(/already set/);
    clearActiveTracer();
    expect(getActiveTracer()).toBeNull();
  });
});

describe("DummyTracer", () => {
  it("#29 createSpan on a fake clock at 42: start = end = 42, status OK", () => {
    const tracer = new DummyTracer({ now: () => 42 });
    expect(tracer.createSpan("dummy-span", { foo: "bar" })).toEqual({
      name: "dummy-span",
      attributes: { foo: "bar" },
      status: { status_code: "OK", description: null },
      start_time: 42,
      end_time: 42,
    });
  });

  it("#30 operation merges recorded attributes; ticking clock gives start 100, end 101; status OK", async () => {
    let t = 100;
    const tracer = new DummyTracer({ now: () => t++ });
    let recorded: ReturnType<typeof tracer.createSpan> | undefined;
    await tracer
      .operation("dummy-op", { foo: "bar" }, (span) => {
        span.recordAttributes({ bar: "baz" });
        queueMicrotask(() => {
          recorded = undefined;
        });
        return span;
      })
      .then((span) => {
        recorded = span.getRecordedSpan();
      });
    expect(recorded).toEqual({
      name: "dummy-op",
      attributes: { foo: "bar", bar: "baz" },
      status: { status_code: "OK", description: null },
      start_time: 100,
      end_time: 101,
    });
  });

  it("#31 a throwing body: ERROR 'boom', exception attributes, re-thrown, end_time set", async () => {
    const tracer = new DummyTracer({ now: () => 7 });
    let handle: Parameters<Parameters<DummyTracer["operation"]>[2]>[0] | undefined;
    await expect(
      tracer.operation("op", {}, (span) => {
        handle = span;
        throw new RangeError("boom");
      }),
    ).rejects.toThrow("boom");
    const span = handle?.getRecordedSpan();
    expect(span?.status).toEqual({ status_code: "ERROR", description: "boom" });
    expect(span?.attributes).toMatchObject({
      "exception.type": "RangeError",
      "exception.message": "boom",
      "exception.escaped": true,
    });
    expect(span?.end_time).toBe(7);
  });

  it("#32 getRecordedSpan before the operation ended throws", async () => {
    const tracer = new DummyTracer();
    await tracer.operation("op", {}, (span) => {
      expect(() => span.getRecordedSpan()).toThrow(/finalize first/);
    });
  });

  it("has no traces: trace() and getLastTrace() are unsupported", async () => {
    const tracer = new DummyTracer();
    await expect(tracer.trace({}, () => 1)).rejects.toMatchObject({ code: "unsupported" });
    expect(() => tracer.getLastTrace()).toThrow(AglError);
  });
});

describe("OtelTracer without a store", () => {
  it("#33 createSpan at 2000.123 with ERROR 'boom': start ≈ end ≈ 2000.123, status ERROR", () => {
    const tracer = new OtelTracer();
    const span = tracer.createSpan("otel-span", { foo: "bar" }, 2000.123, {
      status_code: "ERROR",
      description: "boom",
    });
    expect(span.name).toBe("otel-span");
    expect(span.attributes).toEqual({ foo: "bar" });
    expect(span.start_time).toBeCloseTo(2000.123, 6);
    expect(span.end_time).toBeCloseTo(2000.123, 6);
    expect(span.status).toEqual({ status_code: "ERROR", description: "boom" });
  });

  it("#34 a throwing operation: initial and recorded attributes, ERROR containing the message, times set, error propagates", async () => {
    const tracer = new OtelTracer();
    let handle: Parameters<Parameters<OtelTracer["operation"]>[2]>[0] | undefined;
    await expect(
      tracer.operation("otel-op", { initial: 1 }, (span) => {
        handle = span;
        span.recordAttributes({ recorded: "yes" });
        throw new Error("otel failure");
      }),
    ).rejects.toThrow("otel failure");
    const span = handle?.getRecordedSpan();
    expect(span?.attributes).toMatchObject({ initial: 1, recorded: "yes" });
    expect(span?.status.status_code).toBe("ERROR");
    expect(span?.status.description).toContain("otel failure");
    expect(span?.start_time).toEqual(expect.any(Number));
    expect(span?.end_time).toEqual(expect.any(Number));
  });

  it("#35 exactly one id → error; both ids without a store → error", async () => {
    const tracer = new OtelTracer();
    await expect(tracer.trace({ rolloutId: "ro-1" }, () => 1)).rejects.toThrow(/all provided or all absent/);
    await expect(tracer.trace({ attemptId: "at-1" }, () => 1)).rejects.toThrow(/all provided or all absent/);
    await expect(tracer.trace({ rolloutId: "ro-1", attemptId: "at-1" }, () => 1)).rejects.toThrow(
      /store is required/,
    );
  });

  it("#36 inside trace() the tracer is active; after it (also after a throw) none is; a nested trace() throws", async () => {
    const tracer = new OtelTracer();
    await tracer.trace({}, async () => {
      expect(getActiveTracer()).toBe(tracer);
      await expect(tracer.trace({}, () => 1)).rejects.toMatchObject({ code: "conflict" });
      await expect(new OtelTracer().trace({}, () => 1)).rejects.toMatchObject({ code: "conflict" });
    });
    expect(getActiveTracer()).toBeNull();
    await expect(
      tracer.trace({}, () => {
        throw new Error("body failed");
      }),
    ).rejects.toThrow("body failed");
    expect(getActiveTracer()).toBeNull();
    expect(getActiveRolloutContext()).toBeUndefined();
  });

  it("#37 emitReward(4.5) inside trace() is the one span of getLastTrace(); same via the reward wrapper returning 2.5", async () => {
    const tracer = new OtelTracer();
    await tracer.trace({}, () => {
      emitReward(4.5);
    });
    const spans = tracer.getLastTrace();
    expect(spans).toHaveLength(1);
    expect(isRewardSpan(spans[0] as Span)).toBe(true);
    expect(getRewardValue(spans[0] as Span)).toBe(4.5);

    const judged = reward(async () => 2.5);
    await tracer.trace({}, async () => {
      expect(await judged()).toBe(2.5);
    });
    expect(tracer.getLastTrace().map((s) => getRewardValue(s))).toEqual([2.5]);
  });

  it("spans nest across await: operation children carry the operation's span id as parent", async () => {
    const tracer = new OtelTracer();
    await tracer.trace({}, async () => {
      await tracer.operation("outer", {}, async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        tracer.createSpan("inner");
      });
    });
    const [inner, outer] = tracer.getLastTrace();
    expect(inner?.name).toBe("inner");
    expect(outer?.name).toBe("outer");
    expect(inner?.parent_id).toBe(outer?.span_id);
    expect(inner?.trace_id).toBe(outer?.trace_id);
  });
});

describe("LightningSpanProcessor", () => {
  it("#38 ignores spans without a context and unsampled spans (no store call either)", async () => {
    const tracer = new OtelTracer();
    const store = new InMemoryLightningStore();
    const rollout = await startedRollout(store);
    const ids = { rolloutId: rollout.rollout_id, attemptId: rollout.attempt.attempt_id, store };
    await tracer.trace(ids, (t) => {
      const span = t.startSpan("sampled");
      span.end();
      const real = span as unknown as ReadableSpan;
      const unsampled = Object.create(real, {
        spanContext: { value: () => ({ ...real.spanContext(), traceFlags: TraceFlags.NONE }) },
      });
      const contextless = Object.create(real, { spanContext: { value: () => undefined } });
      tracer.processor.onEnd(unsampled);
      tracer.processor.onEnd(contextless);
    });
    expect(tracer.getLastTrace().map((s) => s.name)).toEqual(["sampled"]);
    expect((await store.querySpans({ rolloutId: rollout.rollout_id })).total).toBe(1);
  });

  it("#39 the plain processor scope resets the buffer on entry; its spans stay readable after exit", async () => {
    const tracer = new OtelTracer();
    const processor = tracer.processor;
    await processor.withContext({}, () => tracer.getOtelTracer().startSpan("first").end());
    await processor.withContext({}, () => tracer.getOtelTracer().startSpan("second").end());
    expect(processor.spans().map((s) => [s.name, s.rollout_id, s.attempt_id])).toEqual([
      ["second", "rollout-dummy", "attempt-dummy"],
    ]);
  });

  it("#44 entering withContext again resets the buffer to the new spans", async () => {
    const store = new InMemoryLightningStore();
    const rollout = await startedRollout(store);
    const target = { store, rolloutId: rollout.rollout_id, attemptId: rollout.attempt.attempt_id };
    const tracer = new OtelTracer();
    await tracer.processor.withContext(target, () => tracer.getOtelTracer().startSpan("old").end());
    await tracer.processor.withContext(target, () => tracer.getOtelTracer().startSpan("new").end());
    expect(tracer.processor.spans().map((s) => [s.name, s.sequence_id])).toEqual([["new", 2]]);
  });

  it("#45 outside any store context spans carry rollout-dummy / attempt-dummy and local sequence ids 0, 1, 2", async () => {
    const tracer = new OtelTracer();
    await tracer.trace({}, (t) => {
      for (const name of ["a", "b", "c"]) t.startSpan(name).end();
    });
    expect(tracer.getLastTrace().map((s) => [s.name, s.rollout_id, s.attempt_id, s.sequence_id])).toEqual([
      ["a", "rollout-dummy", "attempt-dummy", 0],
      ["b", "rollout-dummy", "attempt-dummy", 1],
      ["c", "rollout-dummy", "attempt-dummy", 2],
    ]);
  });
});

describe.each(STORE_KINDS)("OtelTracer writing to a store (%s)", (kind) => {
  let live: LiveStore;
  let store: LightningStore;
  beforeEach(async () => {
    live = await openLiveStore(kind);
    store = live.store;
  });
  afterEach(async () => {
    await live.close();
  });

  const scopeOf = async () => {
    const rollout = await startedRollout(store);
    return { rolloutId: rollout.rollout_id, attemptId: rollout.attempt.attempt_id, store };
  };

  it("#40 two ended spans are stored for (rollout, attempt) in end order, numbered by the store; the trace holds the stored spans", async () => {
    const tracer = new OtelTracer();
    const ids = await scopeOf();
    await tracer.trace(ids, (t) => {
      const first = t.startSpan("first");
      const second = t.startSpan("second");
      second.end();
      first.end();
    });
    const stored = (await live.backing.querySpans({ rolloutId: ids.rolloutId })).items;
    expect(stored.map((s) => [s.name, s.sequence_id, s.attempt_id])).toEqual([
      ["second", 1, ids.attemptId],
      ["first", 2, ids.attemptId],
    ]);
    expect(tracer.getLastTrace()).toEqual(stored);
    for (const span of stored) expect(SpanSchema.safeParse(span).success).toBe(true);
  });

  it("#41 a store that refuses the spans: nothing escapes, the spans stay in the trace with the real ids, the drop is logged", async () => {
    const logger = recordingLogger();
    const tracer = new OtelTracer({ logger });
    const ids = { rolloutId: "ro-000000000000", attemptId: "at-00000000", store };
    await tracer.trace(ids, (t) => {
      t.startSpan("lost").end();
    });
    const [span] = tracer.getLastTrace();
    expect(span).toMatchObject({ name: "lost", rollout_id: ids.rolloutId, attempt_id: ids.attemptId });
    expect(logger.messages("error").join("\n")).toMatch(
      /Dropped 1 span\(s\) of rollout ro-000000000000.*refused/,
    );
  });

  it("#43 a span the store already holds (same span id) is not part of the trace", async () => {
    const tracer = new OtelTracer({
      spanTransforms: [(span) => ({ ...span, span_id: "00000000000000aa" })],
    });
    const ids = await scopeOf();
    await tracer.trace(ids, (t) => {
      t.startSpan("kept").end();
      t.startSpan("repeat").end();
    });
    expect(tracer.getLastTrace().map((s) => s.name)).toEqual(["kept"]);
    expect((await live.backing.querySpans({ rolloutId: ids.rolloutId })).total).toBe(1);
  });

  it("#46 10 concurrent producers × 5 spans in one scope → 50 spans traced and stored", async () => {
    const tracer = new OtelTracer();
    const ids = await scopeOf();
    await tracer.trace(ids, async (t) => {
      await Promise.all(
        Array.from({ length: 10 }, async (_, p) => {
          for (let i = 0; i < 5; i++) {
            await new Promise((resolve) => setImmediate(resolve));
            t.startSpan(`p${p}-${i}`).end();
          }
        }),
      );
    });
    const trace = tracer.getLastTrace();
    expect(trace).toHaveLength(50);
    expect(new Set(trace.map((s) => s.sequence_id)).size).toBe(50);
    expect((await live.backing.querySpans({ rolloutId: ids.rolloutId })).total).toBe(50);
  });

  it("a 20-span rollout is written with one request (the store numbers the spans)", async () => {
    const tracer = new OtelTracer();
    const ids = await scopeOf();
    const before = live.requests();
    await tracer.trace(ids, (t) => {
      for (let i = 0; i < 20; i++) t.startSpan(`s${i}`).end();
    });
    expect(live.requests() - before).toBe(kind === "http" ? 1 : 0);
    expect(tracer.getLastTrace().map((s) => s.sequence_id)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  it("writes a long rollout's spans while it runs (size threshold and timer), one request per flush", async () => {
    const tracer = new OtelTracer({ flushSpanCount: 10, flushIntervalMs: 20 });
    const ids = await scopeOf();
    let seenWhileRunning = 0;
    await tracer.trace(ids, async (t) => {
      for (let i = 0; i < 10; i++) t.startSpan(`batch-${i}`).end();
      t.startSpan("timer").end();
      // Both flushes happen while the scope is still open.
      for (let i = 0; i < 200 && seenWhileRunning < 11; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        seenWhileRunning = (await live.backing.querySpans({ rolloutId: ids.rolloutId })).total;
      }
    });
    expect(seenWhileRunning).toBe(11);
    expect(tracer.getLastTrace().map((s) => s.sequence_id)).toEqual(
      Array.from({ length: 11 }, (_, i) => i + 1),
    );
  });
});

describe("#42 a store write slower than the close timeout", () => {
  it("ends the trace with a warning; the spans are in the trace with local numbers; the write completes later", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const store = thirdPartyStore(new InMemoryLightningStore(), async (spans, write) => {
      await gate;
      return write(spans);
    });
    const rollout = await startedRollout(store);
    const logger = recordingLogger();
    const tracer = new OtelTracer({ logger, closeTimeoutMs: 20 });
    const ids = { rolloutId: rollout.rollout_id, attemptId: rollout.attempt.attempt_id, store };
    await tracer.trace(ids, (t) => t.startSpan("slow").end());
    expect(logger.messages("warn").join("\n")).toMatch(/took longer than 20 ms/);
    expect(tracer.getLastTrace().map((s) => s.name)).toEqual(["slow"]);
    release();
    await tracer.flush();
    expect((await store.querySpans({ rolloutId: rollout.rollout_id })).items.map((s) => s.name)).toEqual([
      "slow",
    ]);
  });
});

describe("transient write failures", () => {
  it("keep the spans for the next flush; teardown drops and logs what is still unwritten", async () => {
    let failures = 1;
    const store = thirdPartyStore(new InMemoryLightningStore(), async (spans, write) => {
      if (failures-- > 0) throw new AglError("unavailable", "store restarting");
      return write(spans);
    });
    const rollout = await startedRollout(store);
    const logger = recordingLogger();
    const tracer = new OtelTracer({ logger, flushIntervalMs: 60_000 });
    const ids = { rolloutId: rollout.rollout_id, attemptId: rollout.attempt.attempt_id, store };
    await tracer.trace(ids, (t) => t.startSpan("retried").end());
    expect(logger.messages("warn").join("\n")).toMatch(
      /failed \(unavailable: store restarting\); keeping them/,
    );
    expect((await store.querySpans({ rolloutId: rollout.rollout_id })).total).toBe(0);
    await tracer.flush();
    expect((await store.querySpans({ rolloutId: rollout.rollout_id })).total).toBe(1);

    failures = 100;
    await tracer.trace(ids, (t) => {
      t.startSpan("lost-1").end();
      t.startSpan("lost-2").end();
    });
    await tracer.teardown();
    expect(logger.messages("error").join("\n")).toMatch(
      /Dropped 2 unwritten span\(s\) of rollout .* at teardown: the store could not be reached \(unavailable: store restarting\)/,
    );
  });
});

describe("write failures over HTTP", () => {
  it("a 503 keeps the spans for the next flush; they reach the store once the server answers again", async () => {
    const backing = new InMemoryLightningStore();
    const inner = createStoreApp({ store: backing });
    let unavailable = 1;
    const front = new Hono();
    front.all("*", (c) => {
      if (c.req.path.endsWith("/spans/batch") && unavailable-- > 0)
        return c.json({ detail: "restarting" }, 503);
      return inner.fetch(c.req.raw);
    });
    const server = createAdaptorServer({ fetch: front.fetch });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const client = new LightningStoreClient({ url, retryDelays: [], healthRetryDelays: [] });
    try {
      const logger = recordingLogger();
      const tracer = new OtelTracer({ logger, flushIntervalMs: 60_000 });
      const rollout = await startedRollout(client);
      const ids = { rolloutId: rollout.rollout_id, attemptId: rollout.attempt.attempt_id, store: client };
      await tracer.trace(ids, (t) => t.startSpan("after-503").end());
      expect(logger.messages("warn").join("\n")).toMatch(/HTTP 503.*keeping them for the next try/);
      expect((await backing.querySpans({ rolloutId: rollout.rollout_id })).total).toBe(0);
      await tracer.flush();
      expect((await backing.querySpans({ rolloutId: rollout.rollout_id })).items.map((s) => s.name)).toEqual([
        "after-503",
      ]);
      expect(logger.messages("error")).toEqual([]);
    } finally {
      await client.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe("lifespan", () => {
  it("init → initWorker(0, store) → body → teardownWorker → teardown; the worker store is the default of trace()", async () => {
    const store = new InMemoryLightningStore();
    const rollout = await startedRollout(store);
    const tracer = new OtelTracer();
    const result = await tracer.lifespan(store, () =>
      tracer.trace({ rolloutId: rollout.rollout_id, attemptId: rollout.attempt.attempt_id }, (t) => {
        t.startSpan("in-lifespan").end();
        return "done";
      }),
    );
    expect(result).toBe("done");
    expect((await store.querySpans({ rolloutId: rollout.rollout_id })).total).toBe(1);
    await expect(
      tracer.trace({ rolloutId: rollout.rollout_id, attemptId: rollout.attempt.attempt_id }, () => 1),
    ).rejects.toThrow(/store is required/);
  });
});

describe("OTel context", () => {
  it("registers a working context manager so the active span follows await", async () => {
    const tracer = new OtelTracer();
    await tracer.operation("op", {}, async () => {
      await Promise.resolve();
      expect(otelTrace.getSpan(otelContext.active())).toBeDefined();
    });
  });
});
