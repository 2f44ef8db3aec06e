// Runs the README's example as written (extracted between its markers), against a scripted
// OpenAI-compatible server on loopback, and checks it prints what the README says it prints.
import { readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type ScriptedOpenAI, startScriptedOpenAI } from "@agentlightning/scripted-openai";
import { blockBetween, importCapturingLogs, readmeBlock } from "@agentlightning/vitest-config/readme-example";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const here = fileURLToPath(new URL(".", import.meta.url));
const README = new URL("../README.md", import.meta.url);

const ANSWERS: Record<string, string> = {
  "What is 2 + 2?": "4",
  "What is the capital of France?": "Paris",
  "What color is the sky on a clear day?": "Blue",
};

describe("README example", () => {
  let model: ScriptedOpenAI;
  const dir = `${here}.readme-example`;
  beforeAll(async () => {
    model = await startScriptedOpenAI({
      reply: (req) => {
        const question = Object.keys(ANSWERS).find((q) => (req.lastUserMessage ?? "").startsWith(q));
        return question === undefined ? "I do not know" : (ANSWERS[question] as string);
      },
    });
  });
  afterAll(async () => {
    await model.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs an llmRollout agent with two runners over HTTP and prints the rewards stored", async () => {
    vi.stubEnv("OPENAI_BASE_URL", model.baseUrl);
    vi.stubEnv("OPENAI_MODEL", "scripted");
    vi.stubEnv("OPENAI_API_KEY", "unused");
    let lines: string[];
    try {
      lines = await importCapturingLogs(readmeBlock(README, "readme-example"), { dir });
    } finally {
      vi.unstubAllEnvs();
    }
    const expected = blockBetween(
      readFileSync(README, "utf8"),
      "It prints (with a model that knows the answers):",
      "## Agents",
    )
      .replace(/^\s*```text\n/, "")
      .trim()
      .split("\n");
    expect(lines).toEqual(expected);
    // Each task went to the model once, through the endpoint the resources named.
    expect(model.requests.filter((r) => r.path.endsWith("/chat/completions"))).toHaveLength(3);
  }, 60_000);
});
