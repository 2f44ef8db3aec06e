import type { LightningStore } from "@agentlightning/store";

interface Waiting {
  rolloutId: string;
  attemptId: string;
  resolve: (sequenceId: number) => void;
  reject: (error: unknown) => void;
}

/**
 * Allocates span sequence ids for proxied calls. Requests arriving in the same turn of the event
 * loop share one store call (`getManySpanSequenceIds`; `getNextSpanSequenceId` for a single one),
 * which matters when the store is remote: many concurrent calls, one round trip. The allocation
 * is started when the request arrives, before the backend is called, and runs alongside it.
 */
export class SequenceAllocator {
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(private readonly getStore: () => LightningStore | null) {}

  /** The next sequence id of the rollout (the store numbers per rollout). */
  allocate(rolloutId: string, attemptId: string): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.waiting.push({ rolloutId, attemptId, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // The allocation overlaps the backend call, so waiting for the next turn costs no latency
        // and gathers the requests that arrived meanwhile.
        setImmediate(() => this.run());
      }
    });
  }

  private run(): void {
    this.scheduled = false;
    const batch = this.waiting;
    this.waiting = [];
    const store = this.getStore();
    if (store === null) {
      const error = new Error("No store is set on the LLM proxy.");
      for (const entry of batch) entry.reject(error);
      return;
    }
    const ids =
      batch.length === 1
        ? store.getNextSpanSequenceId(batch[0]!.rolloutId, batch[0]!.attemptId).then((id) => [id])
        : store.getManySpanSequenceIds(batch.map((entry) => [entry.rolloutId, entry.attemptId] as const));
    ids.then(
      (values) => {
        batch.forEach((entry, i) => {
          const value = values[i];
          if (value === undefined) entry.reject(new Error("The store returned too few sequence ids."));
          else entry.resolve(value);
        });
      },
      (error: unknown) => {
        if (batch.length === 1) {
          batch[0]!.reject(error);
          return;
        }
        // One bad pair fails the bulk call: number each request alone so the others still get ids.
        for (const entry of batch) {
          store.getNextSpanSequenceId(entry.rolloutId, entry.attemptId).then(entry.resolve, entry.reject);
        }
      },
    );
  }
}
