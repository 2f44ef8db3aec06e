import { describe, expect, it } from "vitest";
import { AglError } from "./errors.js";
import { assertSafeJson, findJsonProblem, findTextProblem, MAX_JSON_DEPTH } from "./safe-json.js";
import { EnqueueRolloutsBodySchema } from "./store-api.js";
import {
  echoInput,
  MAX_VALIDATION_DETAILS,
  parseOrThrow,
  parseStorable,
  toValidationDetail,
} from "./validation.js";

function nested(levels: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = i % 2 === 0 ? [value] : { k: value };
  return value;
}

describe("the JSON and text rule", () => {
  it("accepts ordinary text, paired surrogates and other control characters", () => {
    expect(findTextProblem("plain")).toBeNull();
    expect(findTextProblem("emoji 😀 ok")).toBeNull();
    expect(findTextProblem("tab\tnewline\n\u0001")).toBeNull();
  });

  it("finds NUL and lone surrogates of either half, with their position", () => {
    expect(findTextProblem("a\u0000b")).toMatch(/U\+0000 \(NUL\) at index 1/);
    expect(findTextProblem("\ud800")).toMatch(/lone UTF-16 surrogate \(U\+D800\) at index 0/);
    expect(findTextProblem("x\udc00")).toMatch(/U\+DC00\) at index 1/);
    expect(findTextProblem("😀\ud83d")).toMatch(/U\+D83D\) at index 2/);
  });

  it("counts nesting levels: exactly the limit passes, one more fails, naming the path", () => {
    expect(findJsonProblem(nested(MAX_JSON_DEPTH))).toBeNull();
    const problem = findJsonProblem({ input: nested(MAX_JSON_DEPTH) });
    expect(problem?.message).toMatch(/deeper than 100 levels/);
    expect(problem?.path.slice(0, 3)).toEqual(["input", "k", 0]);
    expect(findJsonProblem({}, 1)).toBeNull();
    expect(findJsonProblem({ a: {} }, 1)?.path).toEqual(["a"]);
  });

  it("walks a million levels and a cycle without recursion", () => {
    let deep: unknown[] = [];
    for (let i = 0; i < 1_000_000; i++) deep = [deep];
    expect(findJsonProblem(deep)?.message).toMatch(/deeper than/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(findJsonProblem(cyclic)?.message).toMatch(/deeper than/);
  });

  it("checks keys as well as values, anywhere in the document", () => {
    expect(findJsonProblem({ a: [{ b: "ok" }, { "k\u0000": 1 }] })).toEqual({
      path: ["a", 1],
      message: expect.stringMatching(/^key 'k\\u0000' contains U\+0000/),
    });
    expect(findJsonProblem({ a: [1, "\udfff"] })?.path).toEqual(["a", 1]);
  });

  it("assertSafeJson and parseStorable reject with invalid_argument naming the field", () => {
    const call = () =>
      parseStorable(EnqueueRolloutsBodySchema, { rollouts: [{ input: { q: "\ud800" } }] }, "body");
    expect(call).toThrow(AglError);
    expect(call).toThrow(/^Invalid body: rollouts\.0\.input\.q: text contains a lone UTF-16 surrogate/);
    expect(() => assertSafeJson("a\u0000", "workerId")).toThrow(/^Invalid workerId: text contains U\+0000/);
    try {
      assertSafeJson({ x: 1 }, "ok");
    } catch {
      expect.unreachable();
    }
  });

  it("parseOrThrow is a plain parse: a reader accepts text the store would not keep", () => {
    const body = { rollouts: [{ input: { q: "a\u0000b", s: "\ud800" } }] };
    expect(parseOrThrow(EnqueueRolloutsBodySchema, body, "body").rollouts[0]?.input).toEqual({
      q: "a\u0000b",
      s: "\ud800",
    });
    expect(() => parseStorable(EnqueueRolloutsBodySchema, body, "body")).toThrow(
      /^Invalid body: rollouts\.0\.input\.q: text contains U\+0000/,
    );
  });
});

describe("validation detail caps", () => {
  it("lists at most MAX_VALIDATION_DETAILS items and counts the rest", () => {
    // A few past the cap test it as well as 300,000 did (that size is in bench/bad-input.mjs).
    const input = { rollouts: Array.from({ length: MAX_VALIDATION_DETAILS + 5 }, () => ({ mode: "train" })) };
    const result = EnqueueRolloutsBodySchema.safeParse(input);
    expect(result.success).toBe(false);
    const detail = toValidationDetail(result.error!, "body", input);
    expect(detail).toHaveLength(MAX_VALIDATION_DETAILS + 1);
    expect(detail.at(-1)).toMatchObject({
      type: "too_many_errors",
      msg: expect.stringMatching(/^5 more /),
    });
  });

  it("echoes small values unchanged and cuts large ones to a bounded string", () => {
    expect(echoInput({ a: [1, "x"] })).toEqual({ a: [1, "x"] });
    const big = Array.from({ length: 100_000 }, (_, i) => ({ i }));
    const echoed = echoInput(big);
    expect(typeof echoed).toBe("string");
    expect((echoed as string).length).toBe(513);
    expect((echoed as string).startsWith('[{"i":0},{"i":1}')).toBe(true);
    expect(echoInput(nested(50_000))).toMatch(/^\{"k":\[\{"k":/);
  });
});
