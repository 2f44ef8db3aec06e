import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

  it("the build removes outputs whose source is gone, so they are neither cached nor packed", () => {
    const dir = mkdtempSync(join(tmpdir(), "agl-prune-"));
    try {
      const files = [
        "src/a.ts",
        "dist/a.js",
        "dist/a.d.ts",
        "dist/gone/b.js",
        "dist/gone/b.js.map",
        "dist/.tsbuildinfo",
      ];
      for (const file of files) {
        mkdirSync(join(dir, file, ".."), { recursive: true });
        writeFileSync(join(dir, file), "");
      }
      const script = fileURLToPath(new URL("../../../tooling/prune-stale-outputs.mjs", import.meta.url));
      execFileSync(process.execPath, [script], { cwd: dir });
      expect(files.filter((file) => existsSync(join(dir, file)))).toEqual([
        "src/a.ts",
        "dist/a.js",
        "dist/a.d.ts",
        "dist/.tsbuildinfo",
      ]);
      expect(existsSync(join(dir, "dist/gone"))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
