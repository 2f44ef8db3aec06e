import type { Logger } from "@agentlightning/types";

/** One line a {@link RecordingLogger} received. */
export interface LogRecord {
  level: "debug" | "info" | "warn" | "error";
  message: string;
  args: unknown[];
}

/** A logger that keeps every line, for asserting on what was logged. */
export class RecordingLogger implements Logger {
  readonly records: LogRecord[] = [];
  debug(message: string, ...args: unknown[]): void {
    this.records.push({ level: "debug", message, args });
  }
  info(message: string, ...args: unknown[]): void {
    this.records.push({ level: "info", message, args });
  }
  warn(message: string, ...args: unknown[]): void {
    this.records.push({ level: "warn", message, args });
  }
  error(message: string, ...args: unknown[]): void {
    this.records.push({ level: "error", message, args });
  }
  /** Messages at `level` (all levels when absent). */
  messages(level?: LogRecord["level"]): string[] {
    return this.records.filter((r) => level === undefined || r.level === level).map((r) => r.message);
  }
  /** Whether a line at `level` contains `text`. */
  has(level: LogRecord["level"], text: string): boolean {
    return this.messages(level).some((m) => m.includes(text));
  }
}
