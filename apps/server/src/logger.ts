import type { Logger } from "@agentlightning/types";
import { LOG_LEVELS, type LogLevel } from "./options.js";

/** The server's own logger: a message plus structured fields, one line each. */
export interface StructuredLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

type Fields = Record<string, unknown>;

const errorsAsObjects = (_key: string, value: unknown) =>
  value instanceof Error ? { name: value.name, message: value.message } : value;

function jsonLine(level: LogLevel, msg: string, fields: Fields): string {
  return `${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }, errorsAsObjects)}\n`;
}

function prettyValue(value: unknown): string {
  if (typeof value === "string") return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value, errorsAsObjects) ?? String(value);
}

// `12:00:01.234 INFO  [store-server] message key=value ...`: local time, the level padded so
// messages line up, the component (if any) before the message, the other fields after it.
function prettyLine(level: LogLevel, msg: string, fields: Fields): string {
  const now = new Date();
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  const time = `${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}.${pad(now.getMilliseconds(), 3)}`;
  const { component, ...rest } = fields;
  const prefix = typeof component === "string" ? `[${component}] ` : "";
  const tail = Object.entries(rest)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ` ${key}=${prettyValue(value)}`)
    .join("");
  return `${time} ${level.toUpperCase().padEnd(5)} ${prefix}${msg}${tail}\n`;
}

/**
 * A logger writing one line per record to `write`, dropping levels below `level`: `json` writes
 * `{"time","level","msg",...fields}` objects (for log collectors), `pretty` readable lines
 * (for a terminal).
 */
export function createLogger(
  level: LogLevel,
  format: "pretty" | "json",
  write: (line: string) => void,
): StructuredLogger {
  const threshold = LOG_LEVELS.indexOf(level);
  const render = format === "json" ? jsonLine : prettyLine;
  const log =
    (lvl: LogLevel) =>
    (msg: string, fields: Fields = {}) => {
      if (LOG_LEVELS.indexOf(lvl) < threshold) return;
      write(render(lvl, msg, fields));
    };
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

/** A logger writing JSON lines; see {@link createLogger}. */
export function createJsonLogger(level: LogLevel, write: (line: string) => void): StructuredLogger {
  return createLogger(level, "json", write);
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
