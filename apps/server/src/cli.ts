import { AglError } from "@agentlightning/types";
import { agentopsText, prometheusText } from "./commands/not-needed.js";
import { runVllm } from "./commands/vllm.js";
import { type ResolvedStoreConfig, resolveStoreConfig } from "./config.js";
import { mainHelp, storeHelp } from "./help.js";
import { createLogger } from "./logger.js";
import { serveStore } from "./serve.js";
import { serverVersion } from "./version.js";

/** Where the CLI writes and how it learns to stop; `main.ts` passes the process's. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr (where logs go) is a terminal: `--log-format auto` then writes readable lines. */
  stderrIsTty?: boolean;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  stopSignal: Promise<string>;
}

/**
 * Runs one `agl` command and resolves with the process exit code. `store` resolves only after a
 * stop signal, once the server has shut down.
 */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined>,
  io: CliIo,
): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    io.stdout(mainHelp(serverVersion()));
    return command === undefined ? 1 : 0;
  }
  if (command === "--version" || command === "-v" || command === "version") {
    io.stdout(`${serverVersion()}\n`);
    return 0;
  }
  if (command === "vllm") return runVllm(rest, env, io);
  if (command === "agentops" || command === "prometheus") {
    const text = command === "agentops" ? agentopsText() : prometheusText();
    if (rest.includes("--help") || rest.includes("-h")) {
      io.stdout(text);
      return 0;
    }
    io.stderr(text);
    return 1;
  }
  if (command !== "store") {
    io.stderr(`agl: unknown command '${command}'\n\n${mainHelp(serverVersion())}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(storeHelp());
    return 0;
  }
  let resolved: ResolvedStoreConfig;
  try {
    resolved = resolveStoreConfig(rest, env);
  } catch (error) {
    io.stderr(
      `agl store: ${error instanceof Error ? error.message : String(error)}\nRun 'agl store --help' for the options.\n`,
    );
    return 2;
  }
  const { config, notices } = resolved;
  const format = config.logFormat === "auto" ? (io.stderrIsTty ? "pretty" : "json") : config.logFormat;
  const logger = createLogger(config.logLevel, format, io.stderr);
  for (const notice of notices) logger.warn(notice);
  try {
    const running = await serveStore(config, logger);
    const signal = await io.stopSignal;
    logger.info("stopping", { signal });
    await running.stop();
    logger.info("stopped");
    return 0;
  } catch (error) {
    logger.error("agl store failed", {
      error: error instanceof Error ? error.message : String(error),
      code: AglError.isInstance(error) ? error.code : undefined,
    });
    return 1;
  }
}
