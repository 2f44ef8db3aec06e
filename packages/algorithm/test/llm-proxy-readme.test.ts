// Runs the README's LLM proxy example as written (between its markers) against the scripted model
// and checks it prints what the README says.
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type ScriptedOpenAI, startScriptedOpenAI } from "@agentlightning/scripted-openai";
import { importCapturingLogs, readmeBlock } from "@agentlightning/vitest-config/readme-example";
import { afterAll, beforeAll, expect, it, vi } from "vitest";

const here = fileURLToPath(new URL(".", import.meta.url));
const README = new URL("../README.md", import.meta.url);

let model: ScriptedOpenAI;
const dir = `${here}.proxy-readme-example`;
beforeAll(async () => {
  model = await startScriptedOpenAI({ reply: (req) => (req.lastUserMessage?.includes("2 + 2") ? "4" : "?") });
});
afterAll(async () => {
  await model.close();
  rmSync(dir, { recursive: true, force: true });
});

it("the README's LLM proxy example records the call and prints what the README shows", async () => {
  vi.stubEnv("VLLM_BASE_URL", model.baseUrl);
  let lines: string[];
  try {
    lines = await importCapturingLogs(readmeBlock(README, "proxy-example"), { dir });
  } finally {
    vi.unstubAllEnvs();
  }
  expect(lines.join("\n")).toBe(readmeBlock(README, "proxy-output").trim());
  expect(model.requests[0]?.body).toMatchObject({ model: "Qwen/Qwen2.5-0.5B", return_token_ids: true });
});
