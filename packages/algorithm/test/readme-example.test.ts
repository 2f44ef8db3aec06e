// Runs the README's APO example as written (extracted between its markers) against the scripted
// arithmetic model on loopback, and checks it prints what the README says it prints.
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ScriptedOpenAI } from "@agentlightning/scripted-openai";
import { importCapturingLogs, readmeBlock } from "@agentlightning/vitest-config/readme-example";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startArithmeticModel } from "./support/arithmetic-world.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const README = new URL("../README.md", import.meta.url);

describe("README APO example", () => {
  let model: ScriptedOpenAI;
  const dir = `${here}.readme-example`;
  beforeAll(async () => {
    model = await startArithmeticModel();
  });
  afterAll(async () => {
    await model.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("optimises the prompt with a runner and prints the scores, the best prompt and the latest resources", async () => {
    vi.stubEnv("OPENAI_BASE_URL", model.baseUrl);
    vi.stubEnv("OPENAI_API_KEY", "unused");
    vi.stubEnv("OPENAI_MODEL", "scripted");
    let lines: string[];
    try {
      lines = await importCapturingLogs(readmeBlock(README, "readme-example"), { dir });
    } finally {
      vi.unstubAllEnvs();
    }
    const expected = readmeBlock(README, "readme-output").trim();
    expect(lines.join("\n")).toBe(expected);
  }, 60_000);
});
