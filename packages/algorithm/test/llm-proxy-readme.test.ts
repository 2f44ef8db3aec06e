// Runs the README's LLM proxy example as written (between its markers) against the scripted model
// and checks it prints what the README says.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type ScriptedOpenAI, startScriptedOpenAI } from "@agentlightning/scripted-openai";
import { afterAll, beforeAll, expect, it, vi } from "vitest";

const here = fileURLToPath(new URL(".", import.meta.url));
const readme = readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8");

function block(name: string): string {
  const start = `<!-- ${name}:start -->`;
  const from = readme.indexOf(start);
  const to = readme.indexOf(`<!-- ${name}:end -->`, from);
  if (from < 0 || to < 0) throw new Error(`README markers of ${name} not found`);
  return readme
    .slice(from + start.length, to)
    .replace(/^\s*```\w*\n/, "")
    .replace(/```\s*$/, "");
}

let model: ScriptedOpenAI;
const dir = `${here}.proxy-readme-example`;
beforeAll(async () => {
  model = await startScriptedOpenAI({ reply: (req) => (req.lastUserMessage?.includes("2 + 2") ? "4" : "?") });
  mkdirSync(dir, { recursive: true });
});
afterAll(async () => {
  await model.close();
  rmSync(dir, { recursive: true, force: true });
});

it("the README's LLM proxy example records the call and prints what the README shows", async () => {
  const file = `${dir}/example.ts`;
  writeFileSync(file, block("proxy-example"));
  vi.stubEnv("VLLM_BASE_URL", model.baseUrl);
  const lines: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    lines.push(args.join(" "));
  });
  try {
    await import(file);
  } finally {
    log.mockRestore();
    vi.unstubAllEnvs();
  }
  expect(lines.join("\n")).toBe(block("proxy-output").trim());
  expect(model.requests[0]?.body).toMatchObject({ model: "Qwen/Qwen2.5-0.5B", return_token_ids: true });
});
