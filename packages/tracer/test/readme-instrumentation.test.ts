// Runs the README's instrumentation example (the block between the instrumentation-example
// markers) as it is written, against the scripted OpenAI-compatible server, and checks that every
// console.log prints what the comment under it says.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { format } from "node:util";
import { type ScriptedOpenAI, startScriptedOpenAI } from "@agentlightning/scripted-openai";
import { afterEach, describe, expect, it, vi } from "vitest";

const README = new URL("../README.md", import.meta.url);
const BLOCK =
  /<!-- instrumentation-example:start -->\s*```ts\n([\s\S]*?)```\s*<!-- instrumentation-example:end -->/;

/** The example's code, and the lines each `console.log` is documented to print (the comments after it). */
function example(): { code: string; expected: string[] } {
  const code = BLOCK.exec(readFileSync(README, "utf8"))?.[1];
  if (code === undefined) throw new Error("README has no instrumentation example block");
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
  vi.restoreAllMocks();
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
    const file = join(dir, "example.ts");
    writeFileSync(file, runnable);
    const printed: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
      printed.push(format(...args));
    });
    await import(/* @vite-ignore */ pathToFileURL(file).href);
    expect(printed).toEqual(expected);
    // Both model calls went to the server, the openai one asking for token ids.
    expect(model.requests.map((r) => (r.body as { return_token_ids?: boolean }).return_token_ids)).toEqual([
      true,
      true,
    ]);
  });
});
