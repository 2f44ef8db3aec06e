import type { Logger } from "@agentlightning/types";

/** One logged line: level and message. */
export type LogLine = [level: "debug" | "info" | "warn" | "error", message: string];

/** A `Logger` that keeps every line, so tests can assert on what was logged. */
export function recordingLogger(): Logger & { lines: LogLine[]; messages(level?: LogLine[0]): string[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    debug: (message) => void lines.push(["debug", message]),
    info: (message) => void lines.push(["info", message]),
    warn: (message) => void lines.push(["warn", message]),
    error: (message) => void lines.push(["error", message]),
    messages: (level) => lines.filter(([l]) => level === undefined || l === level).map(([, m]) => m),
  };
}
