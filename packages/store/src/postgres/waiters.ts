// In-process registry of pending waitForRollouts calls. A waiter is woken when one of its rollouts
// may have finished: by this process right after its transaction commits, or by a NOTIFY from
// another process. Waking only makes the waiter re-read the rollouts; it never decides anything.

/** One pending wait. */
export class RolloutWaiter {
  private dirty = false;
  private release: (() => void) | null = null;

  constructor(
    readonly rolloutIds: ReadonlySet<string>,
    private readonly onDispose: (waiter: RolloutWaiter) => void,
  ) {}

  /** Marks the waiter to re-read, releasing a pending {@link next}. */
  wake(): void {
    this.dirty = true;
    const release = this.release;
    this.release = null;
    release?.();
  }

  /** Resolves after a wake (including one that came before this call) or after `ms`. */
  next(ms: number): Promise<void> {
    if (this.dirty) {
      this.dirty = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.release = null;
        resolve();
      }, ms);
      this.release = () => {
        clearTimeout(timer);
        this.dirty = false;
        resolve();
      };
    });
  }

  /** Unregisters the waiter. */
  dispose(): void {
    this.onDispose(this);
  }
}

/** All pending waits of one store, indexed by rollout id. */
export class RolloutWaiters {
  private readonly byId = new Map<string, Set<RolloutWaiter>>();
  private readonly all = new Set<RolloutWaiter>();

  /** A new waiter for `rolloutIds`; dispose it when done. */
  register(rolloutIds: Iterable<string>): RolloutWaiter {
    const waiter = new RolloutWaiter(new Set(rolloutIds), (w) => this.remove(w));
    this.all.add(waiter);
    for (const id of waiter.rolloutIds) {
      let set = this.byId.get(id);
      if (set === undefined) {
        set = new Set();
        this.byId.set(id, set);
      }
      set.add(waiter);
    }
    return waiter;
  }

  /** Wakes the waiters of these rollouts. */
  wake(rolloutIds: Iterable<string>): void {
    for (const id of rolloutIds) {
      const set = this.byId.get(id);
      if (set === undefined) continue;
      for (const waiter of set) waiter.wake();
    }
  }

  /** Wakes every waiter (on close, or when notifications may have been missed). */
  wakeAll(): void {
    for (const waiter of this.all) waiter.wake();
  }

  /** Number of pending waits. */
  get size(): number {
    return this.all.size;
  }

  private remove(waiter: RolloutWaiter): void {
    this.all.delete(waiter);
    for (const id of waiter.rolloutIds) {
      const set = this.byId.get(id);
      if (set === undefined) continue;
      set.delete(waiter);
      if (set.size === 0) this.byId.delete(id);
    }
  }
}
