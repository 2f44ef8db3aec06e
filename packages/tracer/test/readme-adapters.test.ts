// Runs the README's adapter example (the block between the adapters-example markers) as it is
// written, and checks that every console.log prints what the comment under it says.
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { importCapturingLogs, readmeBlock } from "@agentlightning/vitest-config/readme-example";
import { afterEach, describe, expect, it } from "vitest";

const README = new URL("../README.md", import.meta.url);

/** The example's code, and the output each `console.log` is documented to print (the comment under it). */
function example(): { code: string; expected: string[] } {
  const code = readmeBlock(README, "adapters-example");
  const lines = code.split("\n");
  const expected: string[] = [];
  lines.forEach((line, i) => {
    if (line.startsWith("console.log(")) expected.push((lines[i + 1] ?? "").replace(/^\/\/ /, ""));
  });
  return { code, expected };
}

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe("README adapters example", () => {
  it("runs as written and prints what it says", async () => {
    const { code, expected } = example();
    expect(expected.length).toBeGreaterThan(0);
    // The example imports the published names; point them at this checkout.
    const require = createRequire(import.meta.url);
    const runnable = code
      .replace(
        '"@agentlightning/tracer"',
        JSON.stringify(fileURLToPath(new URL("../src/index.ts", import.meta.url))),
      )
      .replace('"@agentlightning/store"', JSON.stringify(require.resolve("@agentlightning/store")));
    dir = mkdtempSync(join(tmpdir(), "agl-readme-"));
    expect(await importCapturingLogs(runnable, { dir })).toEqual(expected);
  });
});
