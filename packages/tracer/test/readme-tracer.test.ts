// Runs the README's tracer example (the block between the tracer-example markers) as it is
// written, and checks that every console.log prints what the comment lines under it say.
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { importCapturingLogs, readmeBlock } from "@agentlightning/vitest-config/readme-example";
import { afterEach, describe, expect, it } from "vitest";

const README = new URL("../README.md", import.meta.url);

/** The example's code, and the lines its `console.log` calls are documented to print (the `//` lines under each). */
function example(): { code: string; expected: string[] } {
  const code = readmeBlock(README, "tracer-example");
  const lines = code.split("\n");
  const expected: string[] = [];
  lines.forEach((line, i) => {
    if (!/^(for .*\) )?console\.log\(/.test(line)) return;
    for (let j = i + 1; lines[j]?.startsWith("// "); j++) expected.push((lines[j] as string).slice(3));
  });
  return { code, expected };
}

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe("README tracer example", () => {
  it("runs as written and prints what it says", async () => {
    const { code, expected } = example();
    expect(expected).toHaveLength(3);
    // The example imports the published names; point them at this checkout.
    const require = createRequire(import.meta.url);
    const runnable = code
      .replace(
        '"@agentlightning/tracer"',
        JSON.stringify(fileURLToPath(new URL("../src/index.ts", import.meta.url))),
      )
      .replace('"@agentlightning/store"', JSON.stringify(require.resolve("@agentlightning/store")));
    dir = mkdtempSync(join(tmpdir(), "agl-readme-tracer-"));
    expect(await importCapturingLogs(runnable, { dir })).toEqual(expected);
  });
});
