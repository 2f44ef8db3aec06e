// Longest delay a Node timer accepts; longer ones fire at once, so long waits re-arm in steps.
const MAX_TIMER_MS = 2_147_483_647;

interface Waiter {
  pending: Set<string>;
  release: () => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Wake-ups for `waitForRollouts`: each wait registers the rollout ids it still needs, and the store
 * calls {@link CompletionWaiters.notifyFinished} whenever a rollout enters a finished status. A wait
 * is released as soon as none of its ids is pending, when its timeout passes, or on close.
 */
export class CompletionWaiters {
  private readonly byRollout = new Map<string, Set<Waiter>>();
  private readonly waiters = new Set<Waiter>();

  /** Number of waits not yet released. */
  get size(): number {
    return this.waiters.size;
  }

  /**
   * Resolves once every id in `pending` was reported finished, after `timeoutSeconds` (null = no
   * limit), when `signal` aborts, or when {@link releaseAll} runs. `pending` must not be empty.
   */
  wait(pending: Iterable<string>, timeoutSeconds: number | null, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const waiter: Waiter = { pending: new Set(pending), release: () => {}, timer: undefined };
      const onAbort = () => waiter.release();
      waiter.release = () => {
        if (!this.waiters.delete(waiter)) return;
        if (waiter.timer !== undefined) clearTimeout(waiter.timer);
        signal?.removeEventListener("abort", onAbort);
        for (const id of waiter.pending) this.detach(id, waiter);
        waiter.pending.clear();
        resolve();
      };
      this.waiters.add(waiter);
      for (const id of waiter.pending) {
        let set = this.byRollout.get(id);
        if (set === undefined) {
          set = new Set();
          this.byRollout.set(id, set);
        }
        set.add(waiter);
      }
      if (timeoutSeconds !== null) this.arm(waiter, Date.now() + timeoutSeconds * 1000);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Reports that a rollout just entered a finished status. */
  notifyFinished(rolloutId: string): void {
    const set = this.byRollout.get(rolloutId);
    if (set === undefined) return;
    this.byRollout.delete(rolloutId);
    for (const waiter of set) {
      waiter.pending.delete(rolloutId);
      if (waiter.pending.size === 0) waiter.release();
    }
  }

  /** Releases every pending wait (store shutdown). */
  releaseAll(): void {
    for (const waiter of [...this.waiters]) waiter.release();
  }

  private arm(waiter: Waiter, deadlineMs: number): void {
    const delay = Math.max(0, deadlineMs - Date.now());
    waiter.timer = setTimeout(
      () => (delay > MAX_TIMER_MS ? this.arm(waiter, deadlineMs) : waiter.release()),
      Math.min(delay, MAX_TIMER_MS),
    );
  }

  private detach(rolloutId: string, waiter: Waiter): void {
    const set = this.byRollout.get(rolloutId);
    if (set === undefined) return;
    set.delete(waiter);
    if (set.size === 0) this.byRollout.delete(rolloutId);
  }
}
