import { fileURLToPath } from "node:url";
import { checkPackedPackage, unpublishableFiles } from "@agentlightning/vitest-config/pack-check";
import { describe, expect, it } from "vitest";

describe("published tarball", () => {
  it("holds dist, src and LICENSE without tests or build caches, and its exports import from a clean folder", () => {
    const { files, exported } = checkPackedPackage(fileURLToPath(new URL("..", import.meta.url)));
    expect(files).toContain("dist/index.js");
    expect(files).toContain("dist/index.d.ts");
    expect(files).toContain("README.md");
    expect(files).toContain("LICENSE");
    expect(files.some((f) => f.endsWith(".test.ts") || f.endsWith(".test.js"))).toBe(false);
    expect(exported["."]).toEqual(
      expect.arrayContaining(["RolloutSchema", "SpanSchema", "AglError", "formatPromptTemplate"]),
    );
  }, 120_000);

  it("the check names build caches, tests and outputs whose source is gone", () => {
    const files = [
      "src/a.ts",
      "dist/a.js",
      "dist/a.d.ts",
      "dist/a.js.map",
      "dist/.tsbuildinfo",
      "dist/old.js",
      "src/b.test.ts",
    ];
    expect(unpublishableFiles(files)).toEqual([
      "dist/.tsbuildinfo: a TypeScript build cache",
      "dist/old.js: no src/old.ts emits it (stale build output)",
      "src/b.test.ts: a test file",
    ]);
  });
});
