import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const examplesDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = join(examplesDir, "..");
const rootScripts = (
  JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> }
).scripts;

/**
 * Runs `pnpm example:<name>` as a child process, minus its build step (the test task runs after
 * the build): the part of the root script after `&&`, from the repository root, with no model
 * configured (so the stand-in is used and nothing leaves the machine).
 */
async function runExample(name: string): Promise<string[]> {
  const script = rootScripts[`example:${name}`];
  expect(script, `root package.json has example:${name}`).toBeDefined();
  const command = (script as string).split("&&").at(-1)?.trim() ?? "";
  expect(command).toBe(`node examples/dist/${name}.js`);
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith("OPENAI_") || key.startsWith("AGL_")) delete env[key];
  }
  const { stdout } = await run(process.execPath, [`examples/dist/${name}.js`], {
    cwd: repoRoot,
    env,
    timeout: 180_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout.trimEnd().split("\n");
}

function bestScore(lines: string[]): { best: number; initial: number } {
  const last = lines.at(-1) ?? "";
  const match = /^best score: (-?[\d.]+) \(initial: (-?[\d.]+)\)$/.exec(last);
  expect(match, `last line: ${last}`).not.toBeNull();
  return { best: Number(match?.[1]), initial: Number(match?.[2]) };
}

describe("examples (each run as a child process, against the stand-in)", () => {
  it("example:apo improves the validation score with Trainer.fit and ends with the best-score line", async () => {
    const lines = await runExample("apo");
    expect(lines[0]).toContain("Trainer.fit");
    expect(lines.join("\n")).toContain("STAND-IN");
    expect(lines.some((l) => /^round 1\/2/.test(l))).toBe(true);
    expect(lines.some((l) => /candidate v\d+ \(from v0\)/.test(l))).toBe(true);
    const { best, initial } = bestScore(lines);
    expect(best).toBeGreaterThan(initial);
  }, 200_000);

  it("example:dev runs every task once with Trainer.dev and reports rewards and spans", async () => {
    const lines = await runExample("dev");
    expect(lines[0]).toContain("Trainer.dev");
    const rows = lines.filter((l) => /^ro-\S+ \[(train|val)\]/.test(l));
    expect(rows).toHaveLength(12);
    for (const row of rows)
      expect(row).toMatch(/succeeded, \d+ spans, answer "The answer is \d+\.", reward 0/);
    expect(lines.at(-1)).toBe("rollouts: 12, mean reward: 0.000");
  }, 200_000);

  it("example:cs trains across 4 runner processes and improves the score", async () => {
    const lines = await runExample("cs");
    const started = lines.filter((l) => /^runner process \d \(pid \d+\) started$/.test(l));
    expect(started).toHaveLength(4);
    const perProcess = lines.find((l) => l.startsWith("rollouts per runner process: "));
    const workers = [...(perProcess ?? "").matchAll(/Worker-(\d+)=(\d+)/g)];
    // Rollouts ran in runner processes only (never "unknown"), and in more than one of them.
    expect(perProcess).not.toContain("unknown");
    expect(workers.length).toBeGreaterThan(1);
    const { best, initial } = bestScore(lines);
    expect(best).toBeGreaterThan(initial);
  }, 200_000);

  it("example:ai-sdk traces the AI SDK agent's model and tool calls and scores each rollout", async () => {
    const lines = await runExample("ai-sdk");
    const rollouts = lines.filter((l) => /^rollout ro-/.test(l));
    expect(rollouts).toHaveLength(4);
    for (const r of rollouts) expect(r).toMatch(/succeeded, reward 1$/);
    expect(
      lines.filter((l) => /openai\.chat\.completion \(model stand-in, called calculator\)/.test(l)),
    ).toHaveLength(4);
    expect(
      lines.filter((l) => /openai\.chat\.completion \(model stand-in, answered "\d+"\)/.test(l)),
    ).toHaveLength(4);
    expect(lines.filter((l) => /span \d+: tool_call\.calculator$/.test(l))).toHaveLength(4);
    expect(lines.at(-1)).toBe("rollouts: 4, LLM call spans: 8, mean reward: 1");
  }, 200_000);
});
