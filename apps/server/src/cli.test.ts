import { describe, expect, it } from "vitest";
import { runCli } from "./cli.js";

// `--log-format auto` decides by whether stderr is a terminal; main.ts passes `isTTY`.
async function logsOf(args: string[], stderrIsTty: boolean): Promise<string[]> {
  const lines: string[] = [];
  const code = await runCli(
    ["store", "--backend", "memory", "--port", "0", ...args],
    {},
    {
      stdout: () => {},
      stderr: (text) => lines.push(text),
      stderrIsTty,
      stopSignal: Promise.resolve("SIGTERM"),
    },
  );
  expect(code).toBe(0);
  return lines;
}

describe("agl store log format", () => {
  it("writes readable lines on a terminal and JSON otherwise (auto)", async () => {
    const tty = await logsOf([], true);
    expect(
      tty.some((l) =>
        /^\d\d:\d\d:\d\d\.\d{3} INFO {2}agl store ready url=http:\/\/127\.0\.0\.1:\d+ /.test(l),
      ),
    ).toBe(true);
    expect(tty.some((l) => l.startsWith("{"))).toBe(false);
    const piped = await logsOf([], false);
    for (const line of piped) expect(JSON.parse(line)).toHaveProperty("msg");
  });

  it("follows --log-format over the terminal check", async () => {
    for (const line of await logsOf(["--log-format", "json"], true))
      expect(() => JSON.parse(line)).not.toThrow();
    expect(
      (await logsOf(["--log-format", "pretty"], false)).some((l) => l.includes("INFO  agl store ready")),
    ).toBe(true);
  });
});
