import { describe, expect, it } from "vitest";
import { AglError } from "./errors.js";
import { EnqueueRolloutsBodySchema } from "./store-api.js";
import { formatValidationError, parseOrThrow, toValidationDetail } from "./validation.js";

describe("validation errors", () => {
  it("turn a missing field into a FastAPI-style detail item", () => {
    const input = {};
    const r = EnqueueRolloutsBodySchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(toValidationDetail(r.error!, "body", input)).toEqual([
      { type: "missing", loc: ["body", "rollouts"], msg: "Field required", input: null },
    ]);
  });

  it("name the nested field and carry the offending value", () => {
    const input = { rollouts: [{ input: 1 }, { input: 2, config: { max_attempts: 0 } }] };
    const r = EnqueueRolloutsBodySchema.safeParse(input);
    const [item] = toValidationDetail(r.error!, "body", input);
    expect(item?.loc).toEqual(["body", "rollouts", 1, "config", "max_attempts"]);
    expect(item?.input).toBe(0);
    expect(formatValidationError(r.error!, input)).toMatch(/^rollouts\.1\.config\.max_attempts: /);
  });

  it("parseOrThrow returns the parsed value or throws invalid_argument naming the field", () => {
    expect(parseOrThrow(EnqueueRolloutsBodySchema, { rollouts: [] }, "enqueue body")).toEqual({
      rollouts: [],
    });
    try {
      parseOrThrow(EnqueueRolloutsBodySchema, { rollouts: [{ mode: "train" }] }, "enqueue body");
      expect.unreachable();
    } catch (e) {
      expect(AglError.isInstance(e)).toBe(true);
      const err = e as AglError;
      expect(err.code).toBe("invalid_argument");
      expect(err.message).toBe("Invalid enqueue body: rollouts.0.input: Field required");
      expect(err.details).toEqual([
        { type: "missing", loc: ["body", "rollouts", 0, "input"], msg: "Field required", input: null },
      ]);
    }
  });
});
