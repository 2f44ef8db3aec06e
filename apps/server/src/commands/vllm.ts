import { spawn } from "node:child_process";

/** Where `agl vllm` writes, how it learns to stop, and how it finds the executable. */
export interface VllmIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Resolves when the process is asked to stop; the signal is passed on to vLLM. */
  stopSignal: Promise<string>;
}

/** vLLM answers `return_token_ids: true` with prompt and response token ids from this version on. */
export const MIN_VLLM_FOR_TOKEN_IDS = [0, 10, 2] as const;

/** `agl vllm --help`. */
export function vllmHelp(): string {
  return `Usage: agl vllm <vllm arguments...>      e.g. agl vllm serve Qwen/Qwen2.5-1.5B-Instruct --port 8000

Runs vLLM's own CLI (the 'vllm' executable on PATH, or the one named by AGL_VLLM_BIN) with the
arguments passed through unchanged, so its OpenAI-compatible server can be used by runners, the
LLM proxy and reinforcement-learning trainers.

Token ids: Agent Lightning asks for them per request ('return_token_ids': true, sent by the LLM
proxy and by the tracer's OpenAI instrumentation when asked), and vLLM 0.10.2 and later answer
with 'prompt_token_ids' and 'choices[i].token_ids'. No server patch is needed, unlike Python
Agent Lightning's 'agl vllm' for older vLLM versions. Before starting, this command checks the
installed version and warns when it is older than 0.10.2 (training from token ids then gets none).

vLLM is a Python package that needs a GPU machine: 'pip install vllm'. SIGINT/SIGTERM are passed
on to vLLM; the exit code is vLLM's.
`;
}

/** Parses the first `x.y.z` of a version text, or undefined. */
export function parseVllmVersion(text: string): [number, number, number] | undefined {
  const match = /(\d+)\.(\d+)\.(\d+)/.exec(text);
  if (match === null) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** Whether `version` is at least `minimum` (component-wise, most significant first). */
export function versionAtLeast(version: readonly number[], minimum: readonly number[]): boolean {
  for (let i = 0; i < minimum.length; i++) {
    const a = version[i] ?? 0;
    const b = minimum[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

type Outcome = { code: number | null; signal: NodeJS.Signals | null; error?: NodeJS.ErrnoException };

function run(
  bin: string,
  args: string[],
  env: Record<string, string | undefined>,
  inherit: boolean,
): { done: Promise<Outcome & { stdout: string }>; kill: (signal: NodeJS.Signals) => void } {
  const child = spawn(bin, args, {
    env: env as NodeJS.ProcessEnv,
    stdio: inherit ? "inherit" : ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  child.stdout?.on("data", (d) => (stdout += d));
  child.stderr?.on("data", (d) => (stdout += d));
  const done = new Promise<Outcome & { stdout: string }>((resolve) => {
    child.once("error", (error: NodeJS.ErrnoException) =>
      resolve({ code: null, signal: null, error, stdout }),
    );
    child.once("close", (code, signal) => resolve({ code, signal, stdout }));
  });
  return { done, kill: (signal) => child.kill(signal) };
}

function notInstalled(bin: string): string {
  return `agl vllm: '${bin}' was not found. vLLM is a Python package for GPU machines: install it with 'pip install "vllm>=0.10.2"' (in the Python environment on your PATH), or name the executable with AGL_VLLM_BIN=/path/to/vllm. Any other OpenAI-compatible server works too: point the LLM resource's endpoint at it.\n`;
}

/**
 * `agl vllm ...`: checks the installed vLLM's version, then runs `vllm` with the arguments
 * unchanged and resolves with its exit code (127 when it is not installed).
 */
export async function runVllm(
  args: string[],
  env: Record<string, string | undefined>,
  io: VllmIo,
): Promise<number> {
  if (args.length === 0 || args[0] === "--help" || args[0] === "-h") {
    io.stdout(vllmHelp());
    return args.length === 0 ? 2 : 0;
  }
  const bin = env.AGL_VLLM_BIN ?? "vllm";
  const probe = await run(bin, ["--version"], env, false).done;
  if (probe.error?.code === "ENOENT" || probe.error?.code === "EACCES") {
    io.stderr(notInstalled(bin));
    return 127;
  }
  const version = parseVllmVersion(probe.stdout);
  if (version === undefined) {
    io.stderr(
      `agl vllm: could not read the version of '${bin}' ('${probe.stdout.trim().slice(0, 200)}'); starting it anyway.\n`,
    );
  } else if (!versionAtLeast(version, MIN_VLLM_FOR_TOKEN_IDS)) {
    io.stderr(
      `agl vllm: vLLM ${version.join(".")} is older than ${MIN_VLLM_FOR_TOKEN_IDS.join(".")}: it ignores 'return_token_ids', so spans get no token ids and RL training from token ids will not work. Upgrade with 'pip install -U "vllm>=0.10.2"'.\n`,
    );
  }
  const child = run(bin, args, env, true);
  let stopped = false;
  void io.stopSignal.then((signal) => {
    stopped = true;
    child.kill(signal as NodeJS.Signals);
  });
  const outcome = await child.done;
  if (outcome.error !== undefined) {
    io.stderr(outcome.error.code === "ENOENT" ? notInstalled(bin) : `agl vllm: ${outcome.error.message}\n`);
    return 127;
  }
  if (outcome.code !== null) return outcome.code;
  // Ended by a signal: the shell convention, 128 + signal number (0 when we passed on a stop).
  if (stopped) return 0;
  return outcome.signal === "SIGKILL" ? 137 : outcome.signal === "SIGTERM" ? 143 : 130;
}
