// One "abort" listener per signal, however many calls wait on it. Node warns
// (MaxListenersExceededWarning) once an AbortSignal has more than 10 listeners, and a client that
// added one per request on a shared signal (its own close signal, or a caller's) printed that
// warning in users' programs as soon as 11 requests were in flight.

type Callback = () => void;

interface Fanout {
  callbacks: Set<Callback>;
  listener: Callback;
}

const fanouts = new WeakMap<AbortSignal, Fanout>();

/**
 * Calls `callback` once when `signal` aborts, through a single listener shared by every
 * subscription to that signal. Returns the unsubscribe function (call it when the work is done;
 * the shared listener is removed with the last subscriber).
 *
 * @example
 * ```ts
 * const unsubscribe = onAbort(signal, () => controller.abort());
 * try { await work(); } finally { unsubscribe(); }
 * ```
 */
export function onAbort(signal: AbortSignal, callback: Callback): () => void {
  let fanout = fanouts.get(signal);
  if (fanout === undefined) {
    const callbacks = new Set<Callback>();
    const listener = (): void => {
      fanouts.delete(signal);
      for (const cb of [...callbacks]) cb();
      callbacks.clear();
    };
    fanout = { callbacks, listener };
    fanouts.set(signal, fanout);
    signal.addEventListener("abort", listener, { once: true });
  }
  const own = fanout;
  // A wrapper, so that the same function subscribed twice is two subscriptions.
  const entry: Callback = () => callback();
  own.callbacks.add(entry);
  return () => {
    if (!own.callbacks.delete(entry) || own.callbacks.size > 0) return;
    if (fanouts.get(signal) === own) {
      fanouts.delete(signal);
      signal.removeEventListener("abort", own.listener);
    }
  };
}
