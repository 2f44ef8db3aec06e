// Runs the README's APO example as written (extracted between its markers) against the scripted
// arithmetic model on loopback, and checks it prints what the README says it prints.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ScriptedOpenAI } from "@agentlightning/scripted-openai";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startArithmeticModel } from "./support/arithmetic-world.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const readme = readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8");

function block(start: string, end: string): string {
  const from = readme.indexOf(start);
  const to = readme.indexOf(end, from);
  if (from < 0 || to < 0) throw new Error(`README markers ${start} / ${end} not found`);
  return readme
    .slice(from + start.length, to)
    .replace(/^\s*```\w*\n/, "")
    .replace(/```\s*$/, "");
}

describe("README APO example", () => {
  let model: ScriptedOpenAI;
  const dir = `${here}.readme-example`;
  beforeAll(async () => {
    model = await startArithmeticModel();
    mkdirSync(dir, { recursive: true });
  });
  afterAll(async () => {
    await model.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("optimises the prompt with a runner and prints the scores, the best prompt and the latest resources", async () => {
    const file = `${dir}/example.ts`;
    writeFileSync(file, block("<!-- readme-example:start -->", "<!-- readme-example:end -->"));
    vi.stubEnv("OPENAI_BASE_URL", model.baseUrl);
    vi.stubEnv("OPENAI_API_KEY", "unused");
    vi.stubEnv("OPENAI_MODEL", "scripted");
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
    const expected = block("<!-- readme-output:start -->", "<!-- readme-output:end -->").trim();
    expect(lines.join("\n")).toBe(expected);
  }, 60_000);
});
