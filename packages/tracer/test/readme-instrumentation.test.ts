// Runs the README's instrumentation example (the block between the instrumentation-example
// markers) as it is written, against the scripted OpenAI-compatible server, and checks that every
// console.log prints what the comment under it says.
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ScriptedOpenAI, startScriptedOpenAI } from "@agentlightning/scripted-openai";
import { importCapturingLogs, readmeBlock } from "@agentlightning/vitest-config/readme-example";
import { afterEach, describe, expect, it, vi } from "vitest";

const README = new URL("../README.md", import.meta.url);

/** The example's code, and the lines each `console.log` is documented to print (the comments after it). */
function example(): { code: string; expected: string[] } {
  const code = readmeBlock(README, "instrumentation-example");
  const lines = code.split("\n");
  const expected: string[] = [];
  lines.forEach((line, i) => {
    if (!line.trimStart().startsWith("console.log(")) return;
    // The comment lines right after the loop or statement holding the console.log.
    let j = i + 1;
    while (j < lines.length && !lines[j]?.startsWith("//")) j += 1;
    while (j < lines.length && lines[j]?.startsWith("// ")) expected.push((lines[j++] ?? "").slice(3));
  });
  return { code, expected };
}

let dir: string | undefined;
let model: ScriptedOpenAI | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  await model?.close();
});

describe("README instrumentation example", () => {
  it("runs as written against an OpenAI-compatible server and prints what it says", async () => {
    const { code, expected } = example();
    expect(expected.length).toBe(3);
    model = await startScriptedOpenAI({
      reply: (req) => ((req.lastUserMessage ?? "").includes("Is the answer right?") ? "yes" : "It is 4."),
    });
    vi.stubEnv("OPENAI_BASE_URL", model.baseUrl);
    vi.stubEnv("OPENAI_MODEL", "scripted-model");
    // The example imports the published name of this package; point it at this checkout. It is
    // written inside the package folder so that `openai`, `ai` and the store resolve as for a user.
    const runnable = code.replace(
      '"@agentlightning/tracer"',
      JSON.stringify(fileURLToPath(new URL("../src/index.ts", import.meta.url))),
    );
    dir = mkdtempSync(join(fileURLToPath(new URL("..", import.meta.url)), ".readme-example-"));
    expect(await importCapturingLogs(runnable, { dir })).toEqual(expected);
    // Both model calls went to the server, the openai one asking for token ids.
    expect(model.requests.map((r) => (r.body as { return_token_ids?: boolean }).return_token_ids)).toEqual([
      true,
      true,
    ]);
  });
});
