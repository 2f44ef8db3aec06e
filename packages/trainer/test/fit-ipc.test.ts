// The ipc strategy: runner processes reach the parent's store over Node's IPC channel (no port).
import { fileURLToPath } from "node:url";
import type { ScriptedOpenAI } from "@agentlightning/scripted-openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InterProcessExecutionStrategy, Trainer } from "../src/index.js";
import { IMPROVED_TEMPLATE, startArithmeticModel } from "./fixtures/arithmetic-world.mjs";
import { processExists, runScript } from "./support.js";

const script = fileURLToPath(new URL("./fixtures/fit-cs.mjs", import.meta.url));

describe("Trainer.fit with ipc", () => {
  let model: ScriptedOpenAI;
  beforeAll(async () => {
    model = await startArithmeticModel();
  });
  afterAll(async () => {
    await model.close();
  });

  it("strategy 'ipc' resolves to InterProcessExecutionStrategy with the trainer's nRunners", () => {
    const trainer = new Trainer({ strategy: "ipc", nRunners: 3 });
    expect(trainer.strategy).toBeInstanceOf(InterProcessExecutionStrategy);
    expect(trainer.strategy.nRunners).toBe(3);
  });

  it("2 runner processes complete APO through the IPC store and improve the validation score; no server is started", {
    timeout: 180_000,
  }, async () => {
    const run = runScript(script, { MODEL_URL: model.baseUrl, STRATEGY: "ipc", N_RUNNERS: "2" });
    const { code } = await run.exited;
    const output = run.output();
    expect(code, output).toBe(0);
    const line = output.split("\n").find((l) => l.startsWith("RESULT "));
    const result = JSON.parse((line ?? "RESULT {}").slice(7)) as {
      initialScore: number;
      bestScore: number;
      bestPrompt: string;
      children: Array<{ name: string; pid: number; exitCode: number }>;
    };
    expect(result.initialScore).toBe(0);
    expect(result.bestScore).toBe(1);
    expect(result.bestPrompt).toBe(IMPROVED_TEMPLATE);
    expect(result.children.map((c) => [c.name, c.exitCode])).toEqual([
      ["runner-0", 0],
      ["runner-1", 0],
    ]);
    expect(output).not.toContain("store server listening");
    for (const child of result.children) {
      expect(output).toContain(`[${child.pid} runner] info [Worker-`);
      expect(processExists(child.pid)).toBe(false);
    }
  });
});
