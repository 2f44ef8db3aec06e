import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, runAgl } from "./cli-process.js";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));

// A stand-in `vllm` executable: reports the version it is told to, records its arguments, and
// either exits with the code it is told to or waits for a signal and records it.
const STAND_IN = `#!${process.execPath}
const fs = require("node:fs");
const args = process.argv.slice(2);
if (args[0] === "--version") { console.log(process.env.STANDIN_VERSION ?? "0.11.0"); process.exit(0); }
fs.writeFileSync(process.env.STANDIN_RECORD, JSON.stringify(args));
if (args.includes("--wait")) {
  for (const s of ["SIGINT", "SIGTERM"]) process.on(s, () => { fs.writeFileSync(process.env.STANDIN_RECORD + ".signal", s); process.exit(0); });
  fs.writeFileSync(process.env.STANDIN_RECORD + ".ready", "1");
  setInterval(() => {}, 1000);
} else {
  process.exit(Number(process.env.STANDIN_EXIT ?? 0));
}
`;

let dir: string;
let bin: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "agl-vllm-"));
  bin = join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, "vllm"), STAND_IN);
  chmodSync(join(bin, "vllm"), 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function withStandIn(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`,
    STANDIN_RECORD: join(dir, "record.json"),
    ...extra,
  };
}

describe("agl vllm", () => {
  it("runs vllm with the arguments unchanged and returns its exit code", async () => {
    const args = ["serve", "Qwen/Qwen2.5-1.5B-Instruct", "--port", "8000", "--max-model-len", "4096"];
    const { code, stderr } = await runAgl(["vllm", ...args], withStandIn({ STANDIN_EXIT: "3" }));
    expect(code).toBe(3);
    expect(JSON.parse(readFileSync(join(dir, "record.json"), "utf8"))).toEqual(args);
    expect(stderr).not.toContain("older than");
  });

  it("warns when the installed vLLM is too old to return token ids", async () => {
    const { code, stderr } = await runAgl(["vllm", "serve", "m"], withStandIn({ STANDIN_VERSION: "0.9.2" }));
    expect(code).toBe(0);
    expect(stderr).toContain("vLLM 0.9.2 is older than 0.10.2");
  });

  it("says clearly how to install vllm when it is missing, exit code 127", async () => {
    const { code, stderr } = await runAgl(["vllm", "serve", "m"], { PATH: "/nonexistent" });
    expect(code).toBe(127);
    expect(stderr).toContain("'vllm' was not found");
    expect(stderr).toContain("pip install");
  });

  it("honours AGL_VLLM_BIN", async () => {
    const { code } = await runAgl(["vllm", "serve", "x"], {
      ...withStandIn(),
      PATH: "/nonexistent",
      AGL_VLLM_BIN: join(bin, "vllm"),
    });
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "record.json"), "utf8"))).toEqual(["serve", "x"]);
  });

  it("passes SIGINT on to vllm and exits cleanly after it", async () => {
    const env = { ...cleanEnv(), ...withStandIn() };
    const record = env.STANDIN_RECORD as string;
    const child = spawn(process.execPath, [MAIN, "vllm", "serve", "m", "--wait"], { env, stdio: "ignore" });
    const exited = new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    for (let i = 0; i < 200 && !existsSync(`${record}.ready`); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(`${record}.ready`)).toBe(true);
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(readFileSync(`${record}.signal`, "utf8")).toBe("SIGINT");
  });

  it("prints its help, which says how token ids are asked for", async () => {
    const { code, stdout } = await runAgl(["vllm", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("return_token_ids");
  });
});

describe("agl agentops and agl prometheus", () => {
  it.each([
    ["agentops", "/v1/traces"],
    ["prometheus", "/v1/prometheus/"],
  ])("agl %s explains what to use instead and exits 1", async (command, pointer) => {
    const run = await runAgl([command]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("is not needed");
    expect(run.stderr).toContain(pointer);
    const help = await runAgl([command, "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(pointer);
  });

  it("agl --help lists every subcommand", async () => {
    const { stdout } = await runAgl(["--help"]);
    for (const command of ["store", "vllm", "agentops", "prometheus"])
      expect(stdout).toContain(`agl ${command}`);
  });
});
