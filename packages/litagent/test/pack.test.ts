import { fileURLToPath } from "node:url";
import { checkPackedPackage } from "@agentlightning/vitest-config/pack-check";
import { describe, expect, it } from "vitest";

describe("published tarball", () => {
  it("holds dist, src and LICENSE without tests or build caches, and imports from a clean folder", () => {
    const { files, exported } = checkPackedPackage(fileURLToPath(new URL("..", import.meta.url)));
    expect(files).toEqual(
      expect.arrayContaining(["dist/index.js", "dist/index.d.ts", "LICENSE", "README.md"]),
    );
    expect(files.some((f) => f.endsWith(".test.ts") || f.endsWith(".tsbuildinfo"))).toBe(false);
    expect(exported["."]).toEqual(
      expect.arrayContaining([
        "LitAgent",
        "LitAgentRunner",
        "LegacyAgentRunner",
        "llmRollout",
        "promptRollout",
        "rollout",
        "Hook",
        "ExecutionEvent",
      ]),
    );
  }, 120_000);
});
