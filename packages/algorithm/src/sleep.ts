/** Resolves after `seconds`, or at once when `signal` aborts (never rejects). */
export function sleepSeconds(seconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.max(0, seconds * 1000),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
