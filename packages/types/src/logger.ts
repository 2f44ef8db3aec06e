/**
 * Where a library component writes its log lines, as `(message, ...args)`. `console` fits; so do
 * pino and winston loggers bound to that call shape. Every package takes this one interface.
 */
export interface Logger {
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

const noop = (): void => {};

/** The default logger: a library stays silent unless the application asks for its logs. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
