import type { LightningStore } from "@agentlightning/store";

/**
 * Allocates span sequence ids for proxied calls, one `getNextSpanSequenceId` per call, started
 * when the request arrives (before the backend is called) and running alongside the backend
 * call. No batching on purpose: the HTTP client's `getManySpanSequenceIds` is one request per
 * pair in sequence, so concurrent single calls are faster over HTTP and as cheap in process.
 */
export class SequenceAllocator {
  constructor(private readonly getStore: () => LightningStore | null) {}

  /** The next sequence id of the rollout (the store numbers per rollout). */
  async allocate(rolloutId: string, attemptId: string): Promise<number> {
    const store = this.getStore();
    if (store === null) throw new Error("No store is set on the LLM proxy.");
    return store.getNextSpanSequenceId(rolloutId, attemptId);
  }
}
