/**
 * Where the legacy client writes its log lines. `console` fits; so do pino and winston loggers
 * (bind them to a `(message, ...args)` call shape).
 */
export interface LegacyLogger {
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

const noop = (): void => {};

/** The default logger: a library stays silent unless the application asks for its logs. */
export const silentLogger: LegacyLogger = { debug: noop, info: noop, warn: noop, error: noop };
