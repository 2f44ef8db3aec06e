/**
 * Where {@link LightningStoreClient} writes its log lines (retries, swallowed dequeue failures).
 * `console` fits; so do pino or winston loggers bound to a `(message, ...args)` call shape.
 */
export interface StoreClientLogger {
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

const noop = (): void => {};

/** The default logger: a library stays silent unless the application asks for its logs. */
export const silentClientLogger: StoreClientLogger = { debug: noop, info: noop, warn: noop, error: noop };
