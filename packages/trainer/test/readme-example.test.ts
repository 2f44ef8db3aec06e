// Runs the README's example as written (the block between its markers, saved as train.mjs) with
// node, against the scripted arithmetic model: the default cs strategy forks 4 runner processes
// that re-run the script, and the script prints the improved score.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ScriptedOpenAI } from "@agentlightning/scripted-openai";
import { readmeBlock } from "@agentlightning/vitest-config/readme-example";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startArithmeticModel } from "./fixtures/arithmetic-world.mjs";
import { freePort, runScript } from "./support.js";

const dir = fileURLToPath(new URL("./.readme-example", import.meta.url));

describe("README example", () => {
  let model: ScriptedOpenAI;
  beforeAll(async () => {
    model = await startArithmeticModel();
    mkdirSync(dir, { recursive: true });
  });
  afterAll(async () => {
    await model.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("trains with APO and 4 runner processes (default cs strategy) and prints the improved score", {
    timeout: 120_000,
  }, async () => {
    const script = `${dir}/train.mjs`;
    writeFileSync(script, readmeBlock(new URL("../README.md", import.meta.url), "readme-example"));
    const run = runScript(script, {
      OPENAI_BASE_URL: model.baseUrl,
      OPENAI_API_KEY: "unused",
      OPENAI_MODEL: "scripted",
      AGL_SERVER_PORT: String(await freePort()),
    });
    const { code } = await run.exited;
    expect(run.output()).toContain("best score: 1 (initial: 0)");
    expect(run.output()).toContain('best prompt: "Reply with the number only.\\nQuestion: {question}"');
    expect(code).toBe(0);
    // The agent's model was asked by the runner processes (the parent runs no rollouts).
    expect(
      model.requests.filter((r) => (r.body as { model?: string }).model === "scripted").length,
    ).toBeGreaterThan(0);
  });
});
