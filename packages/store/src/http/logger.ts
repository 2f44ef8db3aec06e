/**
 * Where the store server writes its log lines. `console` fits; so do pino and winston loggers
 * (bound to a `(message, ...args)` call shape).
 */
export interface StoreServerLogger {
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

const noop = (): void => {};

/** The default logger: a library stays silent unless the application asks for its logs. */
export const silentStoreLogger: StoreServerLogger = { debug: noop, info: noop, warn: noop, error: noop };
