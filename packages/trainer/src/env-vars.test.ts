import { describe, expect, it } from "vitest";
import {
  EnvVarError,
  resolveBoolEnvVar,
  resolveIntEnvVar,
  resolveRole,
  resolveStrEnvVar,
} from "./env-vars.js";

describe("environment variables of the strategies (orchestration §2.3)", () => {
  it("reads booleans case-insensitively and trimmed; an explicit value wins", () => {
    for (const v of ["1", "true", " YES ", "On"])
      expect(resolveBoolEnvVar("AGL_MANAGED_STORE", undefined, false, { AGL_MANAGED_STORE: v })).toBe(true);
    for (const v of ["0", "False", "no", " OFF"])
      expect(resolveBoolEnvVar("AGL_MANAGED_STORE", undefined, true, { AGL_MANAGED_STORE: v })).toBe(false);
    expect(resolveBoolEnvVar("AGL_MANAGED_STORE", false, true, { AGL_MANAGED_STORE: "1" })).toBe(false);
    expect(resolveBoolEnvVar("AGL_MANAGED_STORE", null, true, {})).toBe(true);
  });

  it("names the variable and both value sets for a bad boolean", () => {
    expect(() =>
      resolveBoolEnvVar("AGL_MANAGED_STORE", undefined, true, { AGL_MANAGED_STORE: "maybe" }),
    ).toThrow(EnvVarError);
    expect(() =>
      resolveBoolEnvVar("AGL_MANAGED_STORE", undefined, true, { AGL_MANAGED_STORE: "maybe" }),
    ).toThrow(
      /^AGL_MANAGED_STORE must be one of \{'1', 'true', 'yes', 'on'\} or \{'0', 'false', 'no', 'off'\}/,
    );
  });

  it("reads integers and refuses anything else", () => {
    expect(resolveIntEnvVar("AGL_SERVER_PORT", undefined, 4747, {})).toBe(4747);
    expect(resolveIntEnvVar("AGL_SERVER_PORT", undefined, 4747, { AGL_SERVER_PORT: " 8080 " })).toBe(8080);
    expect(resolveIntEnvVar("AGL_SERVER_PORT", 9000, 4747, { AGL_SERVER_PORT: "8080" })).toBe(9000);
    expect(() => resolveIntEnvVar("AGL_SERVER_PORT", undefined, 4747, { AGL_SERVER_PORT: "80.5" })).toThrow(
      /^AGL_SERVER_PORT must be an integer/,
    );
  });

  it("reads strings and the role, validating the role from either source", () => {
    expect(resolveStrEnvVar("AGL_SERVER_HOST", undefined, "localhost", {})).toBe("localhost");
    expect(resolveStrEnvVar("AGL_SERVER_HOST", undefined, "localhost", { AGL_SERVER_HOST: "10.0.0.2" })).toBe(
      "10.0.0.2",
    );
    expect(resolveRole(undefined, {})).toBe("both");
    expect(resolveRole(undefined, { AGL_CURRENT_ROLE: "runner" })).toBe("runner");
    expect(resolveRole("algorithm", { AGL_CURRENT_ROLE: "runner" })).toBe("algorithm");
    expect(() => resolveRole(undefined, { AGL_CURRENT_ROLE: "nobody" })).toThrow(
      "role must be one of 'algorithm', 'runner', or 'both'",
    );
    expect(() => resolveRole("x", {})).toThrow("role must be one of");
  });
});
