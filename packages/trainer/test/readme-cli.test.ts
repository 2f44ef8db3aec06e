// Runs the README's lightningCli example as written (between its markers) and checks that it
// prints what the comment under its console.log says.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { importCapturingLogs, readmeBlock } from "@agentlightning/vitest-config/readme-example";
import { afterEach, expect, it } from "vitest";

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

it("the README's lightningCli example prints what it says", async () => {
  const code = readmeBlock(new URL("../README.md", import.meta.url), "cli-example");
  const expected = code
    .split("\n")
    .filter((line) => line.startsWith("// {"))
    .map((line) => line.slice(3));
  expect(expected).toHaveLength(1);
  // The example imports the published name; point it at this checkout.
  const runnable = code.replace(
    '"@agentlightning/trainer"',
    JSON.stringify(fileURLToPath(new URL("../src/index.ts", import.meta.url))),
  );
  dir = mkdtempSync(join(tmpdir(), "agl-readme-cli-"));
  expect(await importCapturingLogs(runnable, { dir })).toEqual(expected);
});
