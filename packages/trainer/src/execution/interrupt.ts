/**
 * Calls `onInterrupt` on SIGINT (Ctrl+C) until the returned function is called. While installed,
 * Node's default "exit on SIGINT" is off: the strategy shuts down in order instead.
 */
export function onSigint(onInterrupt: () => void): () => void {
  const listener = (): void => onInterrupt();
  process.on("SIGINT", listener);
  return () => {
    process.off("SIGINT", listener);
  };
}
