import type { LightningStore } from "@agentlightning/store";
import type { Logger, Span } from "@agentlightning/types";

interface PendingCall {
  /** Builds the call's spans; runs when the write happens, not on the request path. */
  build: () => Span[];
  /** Settles the call's `enqueue` promise (never with an error). */
  done: () => void;
}

/**
 * Writes the spans of finished calls to the store. Calls finished while a write is in flight are
 * gathered and written together in one `addManySpans` (one store call for many calls under load);
 * a call's spans are never split across writes. If a batch of several calls is refused (say one
 * call names an unknown rollout), each call is retried alone so one bad call costs no other call
 * its spans. Failures are logged, never thrown: a proxied call is answered whatever the store does.
 */
export class SpanWriter {
  private pending: PendingCall[] = [];
  private writing: Promise<void> | null = null;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];
  /** Calls whose spans the store refused or could not take. */
  failedCalls = 0;
  /** Calls whose spans were stored. */
  writtenCalls = 0;

  constructor(
    private readonly getStore: () => LightningStore | null,
    private readonly logger: Logger,
  ) {}

  /** Queues one call's spans; resolves once they are written (or given up on with a warning). */
  enqueue(build: () => Span[]): Promise<void> {
    return new Promise<void>((done) => {
      this.pending.push({ build, done });
      if (this.writing === null && !this.scheduled) {
        this.scheduled = true;
        // Gather the calls finishing in this turn of the event loop into one write.
        setImmediate(() => {
          this.scheduled = false;
          this.kick();
        });
      }
    });
  }

  /** Resolves once every call queued so far is written (or given up). */
  async flush(): Promise<void> {
    if (this.pending.length === 0 && this.writing === null && !this.scheduled) return;
    await new Promise<void>((resolve) => {
      this.idleWaiters.push(resolve);
      if (this.writing === null && !this.scheduled) this.kick();
    });
  }

  private kick(): void {
    if (this.writing !== null) return;
    if (this.pending.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
      return;
    }
    const batch = this.pending;
    this.pending = [];
    this.writing = this.write(batch).finally(() => {
      for (const call of batch) call.done();
      this.writing = null;
      this.kick();
    });
  }

  private async write(calls: PendingCall[]): Promise<void> {
    const batch: Span[][] = [];
    for (const call of calls) {
      try {
        batch.push(call.build());
      } catch (error) {
        this.failedCalls++;
        this.logger.error("LLM proxy: could not build the spans of a call.", error);
      }
    }
    if (batch.length === 0) return;
    const store = this.getStore();
    if (store === null) {
      this.failedCalls += batch.length;
      this.logger.warn(`LLM proxy: no store set; dropped the spans of ${batch.length} call(s).`);
      return;
    }
    try {
      await store.addManySpans(batch.flat());
      this.writtenCalls += batch.length;
      return;
    } catch (error) {
      if (batch.length === 1) {
        this.failed(batch[0]!, error);
        return;
      }
    }
    for (const spans of batch) {
      try {
        await store.addManySpans(spans);
        this.writtenCalls++;
      } catch (error) {
        this.failed(spans, error);
      }
    }
  }

  private failed(spans: Span[], error: unknown): void {
    this.failedCalls++;
    const first = spans[0];
    this.logger.warn(
      `LLM proxy: could not store the spans of a call of rollout ${first?.rollout_id} attempt ${first?.attempt_id}: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
}
