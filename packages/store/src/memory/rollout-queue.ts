/**
 * FIFO queue of rollout ids with O(1) push and pop, holding each id at most once (invariant 1 of
 * `docs/store-contract.md` §3.4). Popped slots are reclaimed by compacting once the consumed prefix
 * outweighs the live part, so a long-lived queue neither shifts a big array nor grows forever.
 */
export class RolloutQueue {
  private items: (string | undefined)[] = [];
  private head = 0;
  private readonly members = new Set<string>();

  /** Number of entries (including stale ones whose rollout is no longer queuing-like). */
  get size(): number {
    return this.items.length - this.head;
  }

  /** True if the id has an entry. */
  has(rolloutId: string): boolean {
    return this.members.has(rolloutId);
  }

  /** Appends the id unless it already has an entry; returns whether it was appended. */
  pushIfAbsent(rolloutId: string): boolean {
    if (this.members.has(rolloutId)) return false;
    this.members.add(rolloutId);
    this.items.push(rolloutId);
    return true;
  }

  /** Removes and returns the head, or undefined when the queue is empty. */
  shift(): string | undefined {
    if (this.head >= this.items.length) return undefined;
    const id = this.items[this.head];
    this.items[this.head] = undefined;
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (id !== undefined) this.members.delete(id);
    return id;
  }
}
