import { describe, expect, it } from "vitest";
import { AGL_ERROR_CODES, AglError } from "./errors.js";

describe("AglError", () => {
  it("carries code, message, cause, details and status", () => {
    const cause = new Error("socket closed");
    const e = new AglError("unavailable", "store down", { cause, details: { tries: 4 }, status: 503 });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("AglError");
    expect(e.code).toBe("unavailable");
    expect(e.message).toBe("store down");
    expect(e.cause).toBe(cause);
    expect(e.details).toEqual({ tries: 4 });
    expect(e.status).toBe(503);
  });

  it("is recognised across package copies by its symbol marker, and only then", () => {
    const e = new AglError("not_found", "x");
    expect(AglError.isInstance(e)).toBe(true);
    const foreign = Object.assign(new Error("y"), { [Symbol.for("agentlightning.AglError")]: true });
    expect(AglError.isInstance(foreign)).toBe(true);
    expect(AglError.isInstance(new Error("z"))).toBe(false);
    expect(AglError.isInstance(null)).toBe(false);
    expect(AglError.isInstance("not_found")).toBe(false);
  });

  it("has a closed list of codes", () => {
    expect(AGL_ERROR_CODES).toContain("invalid_argument");
    expect(AGL_ERROR_CODES).toContain("internal");
    expect(new Set(AGL_ERROR_CODES).size).toBe(AGL_ERROR_CODES.length);
  });
});
