// Runtime contract §9, group "Emitters" (#49–#54, #59–#73; the reward readers #55–#58 are tested with
// reward-readers.ts, and read back here what the emitters wrote). Every emitter runs inside a
// trace of an OtelTracer writing to a real store (in-memory, and a client of a live server); the
// spans are read back from the store.
import type { LightningStore } from "@agentlightning/store";
import { type Span, SpanSchema } from "@agentlightning/types";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type LiveStore,
  openLiveStore,
  STORE_KINDS,
  startedRollout,
} from "../../test/support/live-stores.js";
import { clearActiveTracer, setActiveTracer } from "../context/active-tracer.js";
import { DummyTracer } from "../tracer/dummy-tracer.js";
import { OtelTracer } from "../tracer/otel-tracer.js";
import { makeLinkAttributes, makeTagAttributes, unflattenAttributes } from "../utils/attributes.js";
import { emitAnnotation } from "./annotation.js";
import { emitException } from "./exception.js";
import { emitMessage, getMessageValue } from "./message.js";
import { emitObject, encodeObject, getObjectValue } from "./object.js";
import { OperationContext, operation, operationScope } from "./operation.js";
import { emitReward } from "./reward.js";
import { findFinalReward, getRewardsFromSpan, getRewardValue } from "./reward-readers.js";

afterEach(() => clearActiveTracer());

/** A tracer that must never be used (for `propagate: false`). */
class ForbiddenTracer extends DummyTracer {
  override createSpan(): never {
    throw new Error("the active tracer was consulted");
  }
  override operation(): never {
    throw new Error("the active tracer was consulted");
  }
}

describe.each(STORE_KINDS)("emitters writing through OtelTracer to a store (%s)", (kind) => {
  let live: LiveStore;
  let store: LightningStore;
  const tracer = new OtelTracer();
  beforeAll(async () => {
    live = await openLiveStore(kind);
    store = live.store;
  });
  afterAll(async () => {
    await live.close();
  });

  /** Runs `fn` in a trace of a fresh rollout; returns the spans stored for it. */
  async function traced(fn: () => unknown): Promise<Span[]> {
    const rollout = await startedRollout(store);
    await tracer.trace({ rolloutId: rollout.rollout_id, attemptId: rollout.attempt.attempt_id, store }, fn);
    const spans = (await live.backing.querySpans({ rolloutId: rollout.rollout_id })).items;
    for (const span of spans) expect(SpanSchema.safeParse(span).success).toBe(true);
    expect(spans).toEqual(tracer.getLastTrace());
    return spans;
  }

  it("#49 emitReward(1.0): an OK annotation span with agentlightning.reward.0.name/value", async () => {
    const [span] = await traced(() => {
      const core = emitReward(1.0);
      expect(core.attributes).toEqual({
        "agentlightning.reward.0.name": "primary",
        "agentlightning.reward.0.value": 1,
      });
    });
    expect(span).toMatchObject({
      name: "agentlightning.annotation",
      status: { status_code: "OK" },
      attributes: { "agentlightning.reward.0.name": "primary", "agentlightning.reward.0.value": 1 },
    });
    expect(getRewardValue(span as Span)).toBe(1);
  });

  it("#51 a mapping with primaryKey: primary first, then the rest in insertion order", async () => {
    const spans = await traced(() => {
      emitReward({ efficiency: 0.8, task_completion: 1.0 }, { primaryKey: "task_completion" });
      emitReward({ score: 0.8, other: 0.2 }, { primaryKey: "score" });
    });
    expect(getRewardsFromSpan(spans[0] as Span)).toEqual([
      { name: "task_completion", value: 1 },
      { name: "efficiency", value: 0.8 },
    ]);
    expect(getRewardsFromSpan(spans[1] as Span).map((d) => d.name)).toEqual(["score", "other"]);
    expect(findFinalReward(spans)).toBe(0.8);
  });

  it("#53 link and tag attributes ride along with the reward list", async () => {
    const [span] = await traced(() =>
      emitReward(0.5, {
        attributes: {
          ...makeLinkAttributes({ "gen_ai.response.id": "response-123" }),
          ...makeTagAttributes(["fast", "reliable"]),
        },
      }),
    );
    expect(span?.attributes).toEqual({
      "agentlightning.reward.0.name": "primary",
      "agentlightning.reward.0.value": 0.5,
      "agentlightning.link.0.key_match": "gen_ai.response.id",
      "agentlightning.link.0.value_match": "response-123",
      "agentlightning.tag.0": "fast",
      "agentlightning.tag.1": "reliable",
    });
  });

  it("#59 emitAnnotation flattens nested objects: exactly {meta.tag, score}", async () => {
    const [span] = await traced(() => emitAnnotation({ meta: { tag: "foo" }, score: 1.5 }));
    expect(span?.name).toBe("agentlightning.annotation");
    expect(span?.attributes).toEqual({ "meta.tag": "foo", score: 1.5 });
  });

  it("#60 emitMessage: exactly the body; extras flattened with lists kept; no explicit status", async () => {
    const spans = await traced(() => {
      emitMessage("hello world");
      emitMessage("with extras", { attributes: { meta: { tag: "foo" }, labels: ["a", "b"] } });
    });
    expect(spans[0]).toMatchObject({
      name: "agentlightning.message",
      attributes: { "agentlightning.message.body": "hello world" },
      status: { status_code: "UNSET" },
    });
    expect(Object.keys(spans[0]?.attributes ?? {})).toEqual(["agentlightning.message.body"]);
    expect(spans[1]?.attributes).toEqual({
      "agentlightning.message.body": "with extras",
      "meta.tag": "foo",
      labels: ["a", "b"],
    });
    expect(getMessageValue(spans[0] as Span)).toBe("hello world");
  });

  it("#64 emitObject: agentlightning.object.json parses back to the payload; extras flattened", async () => {
    const payload = { foo: "bar", baz: [1, 2, 3] };
    const [span] = await traced(() => emitObject(payload, { attributes: { meta: { run: 1 } } }));
    expect(span?.name).toBe("agentlightning.object");
    expect(span?.attributes["agentlightning.object.type"]).toBe("dict");
    expect(JSON.parse(String(span?.attributes["agentlightning.object.json"]))).toEqual(payload);
    expect(span?.attributes["meta.run"]).toBe(1);
    expect(getObjectValue(span as Span)).toEqual(payload);
  });

  it("#65 emitException: exception attributes, status OK, extras flattened", async () => {
    class ValueError extends Error {
      override name = "ValueError";
    }
    const [span] = await traced(() =>
      emitException(new ValueError("boom"), { attributes: { ctx: { step: 2 } } }),
    );
    expect(span).toMatchObject({
      name: "agentlightning.exception",
      status: { status_code: "OK" },
      attributes: {
        "exception.type": "ValueError",
        "exception.message": "boom",
        "exception.escaped": true,
        "ctx.step": 2,
      },
    });
    expect(span?.attributes["exception.stacktrace"]).toContain("boom");
  });

  it("#66/#67 an OperationContext scope: name, flattened attributes, inputs and output", async () => {
    const spans = await traced(async () => {
      await new OperationContext("custom-span", { meta: { foo: 1 }, count: 2 }).run((op) => {
        op.setInput({ payload: 1 });
        op.setInputKeywords({ flag: true });
        op.setOutput({ success: true });
      });
      await operationScope({}, (op) => op.setInput("alpha", "beta"));
    });
    const [custom, plain] = spans;
    expect(custom?.name).toBe("custom-span");
    expect(custom?.attributes).toMatchObject({ "meta.foo": 1, count: 2 });
    expect(unflattenAttributes(custom?.attributes ?? {})).toMatchObject({
      agentlightning: {
        operation: { input: { args: [{ payload: 1 }], flag: true }, output: { success: true } },
      },
    });
    expect(plain?.attributes).toMatchObject({
      "agentlightning.operation.input.args.0": "alpha",
      "agentlightning.operation.input.args.1": "beta",
    });
  });

  it("#68 an output whose only representation is toString() is stored as the JSON text of that string", async () => {
    class Opaque {
      toString() {
        return "opaque-thing";
      }
    }
    const [span] = await traced(() => operationScope({}, (op) => op.setOutput(new Opaque())));
    expect(span?.attributes["agentlightning.operation.output"]).toBe('"opaque-thing"');
  });

  it("#69 a throwing operation scope: exception.type, ERROR with the message, re-thrown", async () => {
    const [span] = await traced(async () => {
      await expect(
        operationScope({ name: "fails" }, () => {
          throw new TypeError("bad thing");
        }),
      ).rejects.toThrow("bad thing");
    });
    expect(span?.status).toEqual({ status_code: "ERROR", description: "bad thing" });
    expect(span?.attributes["exception.type"]).toBe("TypeError");
  });

  it("#70 operation scopes: tags kept as a list, user.id flattened, name → operation.name", async () => {
    const spans = await traced(async () => {
      await operationScope({ attributes: { tags: ["one", "two"] } }, () => undefined);
      await operationScope({ attributes: { user: { id: 5 } } }, () => undefined);
      await operationScope({ name: "custom-operation" }, () => undefined);
    });
    expect(spans.map((s) => s.name)).toEqual(Array(3).fill("agentlightning.operation"));
    expect(spans[0]?.attributes.tags).toEqual(["one", "two"]);
    expect(spans[1]?.attributes["user.id"]).toBe(5);
    expect(spans[2]?.attributes["agentlightning.operation.name"]).toBe("custom-operation");
  });

  it("#71 a wrapped function: operation.name, inputs by paramNames, output = return value, attributes flattened", async () => {
    const combine = operation(
      function combine(data: number[], options: { meta: string }) {
        return { total: data.reduce((a, b) => a + b, 0), meta: options.meta };
      },
      { paramNames: ["data", "options"], attributes: { category: { kind: "math" } } },
    );
    const [span] = await traced(async () => {
      expect(await combine([1, 2], { meta: "m" })).toEqual({ total: 3, meta: "m" });
    });
    expect(span?.attributes).toEqual({
      "agentlightning.operation.name": "combine",
      "category.kind": "math",
      "agentlightning.operation.input.data": [1, 2],
      "agentlightning.operation.input.options.meta": "m",
      "agentlightning.operation.output.total": 3,
      "agentlightning.operation.output.meta": "m",
    });
  });

  it("#72 a wrapped function that throws (sync or async): ERROR with the message, re-thrown", async () => {
    const syncFails = operation(function syncFails() {
      throw new Error("sync boom");
    });
    const asyncFails = operation(async function asyncFails(x: number) {
      await Promise.resolve();
      throw new Error(`async boom ${x}`);
    });
    const spans = await traced(async () => {
      await expect(syncFails()).rejects.toThrow("sync boom");
      await expect(asyncFails(3)).rejects.toThrow("async boom 3");
    });
    expect(spans.map((s) => [s.attributes["agentlightning.operation.name"], s.status])).toEqual([
      ["syncFails", { status_code: "ERROR", description: "sync boom" }],
      ["asyncFails", { status_code: "ERROR", description: "async boom 3" }],
    ]);
    expect(spans[1]?.attributes["agentlightning.operation.input.args.0"]).toBe(3);
  });

  it("emitted spans nest under an enclosing operation", async () => {
    const [reward, op] = await traced(() => operationScope({ name: "judge" }, () => emitReward(0.25)));
    expect(reward?.parent_id).toBe(op?.span_id);
  });
});

describe("emitters with propagate: false, or without a tracer", () => {
  it("#50 emitReward(2, {attributes, propagate: false}): value 2, extras kept, the active tracer never consulted", () => {
    setActiveTracer(new ForbiddenTracer());
    const core = emitReward(2, { attributes: { extra: "value" }, propagate: false });
    expect(core.attributes).toEqual({
      "agentlightning.reward.0.name": "primary",
      "agentlightning.reward.0.value": 2,
      extra: "value",
    });
    expect(core.status.status_code).toBe("OK");
  });

  it("#52 bad rewards: mapping without/with an unknown primaryKey, non-number values, strings; true → 1", () => {
    const p = { propagate: false };
    expect(() => emitReward({ a: 1 }, p)).toThrow(/primaryKey is required/);
    expect(() => emitReward({ a: 1 }, { ...p, primaryKey: "b" })).toThrow(/not a dimension/);
    expect(() => emitReward({ a: "x" } as never, { ...p, primaryKey: "a" })).toThrow(/must be a number/);
    expect(() => emitReward("bad" as never, p)).toThrow(/must be a number/);
    expect(emitReward(true, p).attributes["agentlightning.reward.0.value"]).toBe(1);
  });

  it("#54 emitReward with no active tracer → No active tracer found", () => {
    expect(() => emitReward(1)).toThrow(/No active tracer found/);
    expect(() => emitMessage("x")).toThrow(/No active tracer found/);
  });

  it("#59 emitAnnotation: propagate false skips the tracer; non-primitive leaves are rejected", () => {
    setActiveTracer(new ForbiddenTracer());
    expect(emitAnnotation({ a: 1 }, { propagate: false }).attributes).toEqual({ a: 1 });
    expect(() => emitAnnotation({ s: new Set([1]) }, { propagate: false })).toThrow(/attribute "s"/);
    expect(() => emitAnnotation({ f: () => 1 }, { propagate: false })).toThrow(/attribute "f"/);
    expect(() => emitAnnotation({ n: null }, { propagate: false })).toThrow(/attribute "n"/);
  });

  it("#60/#61 emitMessage of a non-string and getMessageValue", () => {
    expect(() => emitMessage(42 as never, { propagate: false })).toThrow(/must be a string/);
    expect(getMessageValue({ attributes: { "agentlightning.message.body": "hi" } })).toBe("hi");
    expect(getMessageValue({ attributes: {} })).toBeNull();
    expect(() => getMessageValue({ attributes: { "agentlightning.message.body": 3 } })).toThrow(
      /must be a string/,
    );
  });

  it("#62 encodeObject: literals, bytes, dict; BigInt and cycles are errors (also from emitObject)", () => {
    expect(encodeObject("hello")).toEqual({ type: "str", literal: "hello" });
    expect(encodeObject(Buffer.from("binary"))).toEqual({
      type: "bytes",
      literal: Buffer.from("binary").toString("base64"),
    });
    expect(encodeObject(7)).toEqual({ type: "int", literal: "7" });
    expect(encodeObject(2.5)).toEqual({ type: "float", literal: "2.5" });
    expect(encodeObject(true)).toEqual({ type: "bool", literal: "True" });
    expect(encodeObject(null)).toEqual({ type: "NoneType", json: "null" });
    expect(encodeObject([1])).toEqual({ type: "list", json: "[1]" });
    const dict = encodeObject({ key: 1, nested: [1, 2] });
    expect(dict.type).toBe("dict");
    expect(JSON.parse(dict.json as string)).toEqual({ key: 1, nested: [1, 2] });
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => encodeObject(10n)).toThrow(/not JSON serializable/);
    expect(() => encodeObject(cycle)).toThrow(/not JSON serializable/);
    expect(() => emitObject(10n, { propagate: false })).toThrow(/not JSON serializable/);
  });

  it("#63 getObjectValue decodes JSON and typed literals; bad JSON and unknown types are errors", () => {
    const at = (attributes: Record<string, unknown>) => ({ attributes });
    expect(getObjectValue(at({ "agentlightning.object.json": '{"a":[1]}' }))).toEqual({ a: [1] });
    expect(
      getObjectValue(at({ "agentlightning.object.literal": "123", "agentlightning.object.type": "int" })),
    ).toBe(123);
    expect(
      getObjectValue(at({ "agentlightning.object.literal": "3.14", "agentlightning.object.type": "float" })),
    ).toBe(3.14);
    expect(
      getObjectValue(at({ "agentlightning.object.literal": "True", "agentlightning.object.type": "bool" })),
    ).toBe(true);
    expect(
      getObjectValue(
        at({ "agentlightning.object.literal": "YmluYXJ5", "agentlightning.object.type": "bytes" }),
      ),
    ).toEqual(Buffer.from("binary"));
    expect(getObjectValue(at({ "agentlightning.object.literal": "plain" }))).toBe("plain");
    expect(() => getObjectValue(at({ "agentlightning.object.json": "{nope" }))).toThrow(/not valid JSON/);
    expect(() =>
      getObjectValue(at({ "agentlightning.object.literal": "1j", "agentlightning.object.type": "complex" })),
    ).toThrow(/Unknown object literal type/);
    expect(getObjectValue(at({}))).toBeNull();
  });

  it("#65 emitException of a non-error → error; propagate false skips the tracer", () => {
    setActiveTracer(new ForbiddenTracer());
    expect(() => emitException("boom" as never, { propagate: false })).toThrow(/must be an Error/);
    expect(emitException(new Error("x"), { propagate: false }).attributes["exception.message"]).toBe("x");
  });

  it("#70 name together with the operation-name attribute, or a string instead of a function, is an error", async () => {
    await expect(
      operationScope(
        { name: "a", attributes: { "agentlightning.operation.name": "b" }, propagate: false },
        () => 1,
      ),
    ).rejects.toThrow(/specify both/);
    expect(() => operation("custom-name" as never)).toThrow(/wraps a function/);
  });

  it("#73 a propagate:false scope: span() throws inside; after: {value: 7}, OK, start < end", async () => {
    setActiveTracer(new ForbiddenTracer());
    let handle: OperationContext | undefined;
    await operationScope({ propagate: false, attributes: { value: 7 } }, async (op) => {
      handle = op;
      expect(() => op.span()).toThrow(/after the operation ended/);
      await new Promise((resolve) => setTimeout(resolve, 2));
    });
    const span = handle?.span();
    expect(span?.name).toBe("agentlightning.operation");
    expect(span?.attributes).toEqual({ value: 7 });
    expect(span?.status).toEqual({ status_code: "OK", description: null });
    expect(span?.start_time).toBeLessThan(span?.end_time as number);
  });

  it("setInput / setOutput outside the scope are errors", async () => {
    let handle: OperationContext | undefined;
    await operationScope({ propagate: false }, (op) => {
      handle = op;
    });
    expect(() => handle?.setOutput(1)).toThrow(/inside the operation scope/);
    expect(() => handle?.setInput(1)).toThrow(/inside the operation scope/);
  });
});
