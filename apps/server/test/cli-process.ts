import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));

/** A running `agl` child process and what it printed. */
export interface AglProcess {
  child: ChildProcess;
  url: string;
  /** JSON log lines printed so far. */
  logs: Record<string, unknown>[];
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs `agl` to completion and returns its exit code and output. */
export function runAgl(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: { ...cleanEnv(), ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The test process's environment without its own settings (DATABASE_URL, PORT, ...), for a child. */
export function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(DATABASE_URL|TEST_DATABASE_URL|PORT|HOST|AGL_.*)$/.test(k)) env[k] = v;
  }
  return env;
}

/** Options of {@link startAglStore}. */
export interface StartOptions {
  timeoutMs?: number;
  /** Add `--port 0` (default true). */
  anyPort?: boolean;
}

// "agl store ready" as a readable line: `12:00:00.000 INFO  agl store ready url=http://... ...`.
function prettyReady(line: string): Record<string, unknown> | undefined {
  const url = /^\d\d:\d\d:\d\d\.\d{3} INFO +agl store ready url=(\S+)/.exec(line)?.[1];
  return url === undefined ? undefined : { msg: "agl store ready", url };
}

/**
 * Starts `agl store ...` and resolves once it logged "agl store ready" (as JSON or as a readable
 * line), or rejects with its output.
 */
export function startAglStore(
  args: string[],
  env: Record<string, string> = {},
  { timeoutMs = 60_000, anyPort = true }: StartOptions = {},
): Promise<AglProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, "store", ...(anyPort ? ["--port", "0"] : []), ...args], {
      env: { ...cleanEnv(), ...env },
    });
    const logs: Record<string, unknown>[] = [];
    let buffered = "";
    let output = "";
    const exited = new Promise<number | null>((done) => child.on("close", (code) => done(code)));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`agl store did not become ready:\n${output}`));
    }, timeoutMs);
    child.stdout?.on("data", (d) => (output += d));
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk;
      buffered += chunk.toString();
      let newline = buffered.indexOf("\n");
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf("\n");
        try {
          const record = (prettyReady(line) ?? JSON.parse(line)) as Record<string, unknown>;
          logs.push(record);
          if (record.msg === "agl store ready") {
            clearTimeout(timer);
            resolve({
              child,
              url: String(record.url),
              logs,
              output: () => output,
              stop: (signal = "SIGTERM") => {
                child.kill(signal);
                return exited;
              },
            });
          }
        } catch {
          // not a JSON line
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`agl store exited with ${code} before it was ready:\n${output}`));
    });
  });
}
