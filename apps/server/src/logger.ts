import type { Logger } from "@agentlightning/types";
import type { LogLevel } from "./config.js";
import { LOG_LEVELS } from "./config.js";

/** The server's own logger: a message plus structured fields, one JSON line each. */
export interface StructuredLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * A logger writing one JSON object per line (`{"time","level","msg",...fields}`) to `write`,
 * dropping levels below `level`.
 */
export function createJsonLogger(level: LogLevel, write: (line: string) => void): StructuredLogger {
  const threshold = LOG_LEVELS.indexOf(level);
  const log =
    (lvl: LogLevel) =>
    (msg: string, fields: Record<string, unknown> = {}) => {
      if (LOG_LEVELS.indexOf(lvl) < threshold) return;
      const record = { time: new Date().toISOString(), level: lvl, msg, ...fields };
      write(
        `${JSON.stringify(record, (_k, v) => (v instanceof Error ? { name: v.name, message: v.message } : v))}\n`,
      );
    };
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

/** Adapts the structured logger for a library component: extra arguments go to `details`. */
export function componentLogger(logger: StructuredLogger, component: string): Logger {
  const fields = (args: unknown[]) => (args.length === 0 ? { component } : { component, details: args });
  return {
    debug: (message, ...args) => logger.debug(message, fields(args)),
    info: (message, ...args) => logger.info(message, fields(args)),
    warn: (message, ...args) => logger.warn(message, fields(args)),
    error: (message, ...args) => logger.error(message, fields(args)),
  };
}
