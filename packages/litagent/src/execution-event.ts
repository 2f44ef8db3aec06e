/**
 * A flag that tells running loops to stop: the TypeScript form of the Python runner's
 * `ExecutionEvent` (a `threading.Event`). `set()` wakes every `wait()`; `clear()` lowers the flag
 * again. It is also an {@link AbortSignal} source: `event.signal` aborts when the event is set, and
 * {@link ExecutionEvent.fromSignal} makes an event that follows a signal, so callers can stop a
 * runner with either.
 *
 * @example
 * ```ts
 * const event = new ExecutionEvent();
 * setTimeout(() => event.set(), 1000);
 * await event.wait(); // resolves true after one second
 * ```
 */
export class ExecutionEvent {
  #set = false;
  #waiters = new Set<() => void>();
  #controller = new AbortController();

  /** An event that is set as soon as `signal` aborts (at once when it already has). */
  static fromSignal(signal: AbortSignal): ExecutionEvent {
    const event = new ExecutionEvent();
    if (signal.aborted) event.set();
    else signal.addEventListener("abort", () => event.set(), { once: true });
    return event;
  }

  /** Raises the flag and wakes every waiter; setting a set event does nothing. */
  set(): void {
    if (this.#set) return;
    this.#set = true;
    this.#controller.abort();
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Lowers the flag; `signal` is replaced by a fresh, unaborted one. */
  clear(): void {
    if (!this.#set) return;
    this.#set = false;
    this.#controller = new AbortController();
  }

  /** Whether the flag is raised. */
  isSet(): boolean {
    return this.#set;
  }

  /** An AbortSignal that aborts when the event is set (the current one, until `clear()`). */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /**
   * Resolves `true` once the event is set, or `false` after `timeoutMs` milliseconds (no limit when
   * absent). The timer does not keep the process alive.
   */
  wait(timeoutMs?: number): Promise<boolean> {
    if (this.#set) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const wake = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        resolve(true);
      };
      this.#waiters.add(wake);
      if (timeoutMs !== undefined && Number.isFinite(timeoutMs)) {
        timer = setTimeout(
          () => {
            this.#waiters.delete(wake);
            resolve(this.#set);
          },
          Math.max(0, timeoutMs),
        );
        timer.unref();
      }
    });
  }
}

/** One event for "stop": the given event, or one following the signal, or a fresh one. */
export function toExecutionEvent(options: { event?: ExecutionEvent; signal?: AbortSignal }): ExecutionEvent {
  const { event, signal } = options;
  if (signal === undefined) return event ?? new ExecutionEvent();
  if (event === undefined) return ExecutionEvent.fromSignal(signal);
  // Both: stop when either says so, without changing the caller's event.
  const merged = ExecutionEvent.fromSignal(signal);
  if (event.isSet()) merged.set();
  else event.signal.addEventListener("abort", () => merged.set(), { once: true });
  return merged;
}
