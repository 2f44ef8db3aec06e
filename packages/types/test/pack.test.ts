import { fileURLToPath } from "node:url";
import { checkPackedPackage } from "@agentlightning/vitest-config/pack-check";
import { describe, expect, it } from "vitest";

describe("published tarball", () => {
  it("holds dist and src without tests, and its exports import from a clean folder", () => {
    const { files, exported } = checkPackedPackage(fileURLToPath(new URL("..", import.meta.url)));
    expect(files).toContain("dist/index.js");
    expect(files).toContain("dist/index.d.ts");
    expect(files).toContain("README.md");
    expect(files.some((f) => f.endsWith(".test.ts") || f.endsWith(".test.js"))).toBe(false);
    expect(exported["."]).toEqual(
      expect.arrayContaining(["RolloutSchema", "SpanSchema", "AglError", "formatPromptTemplate"]),
    );
  }, 120_000);
});
