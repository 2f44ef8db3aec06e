import { addSpansAllocating, type LightningStore } from "@agentlightning/store";
import type { Logger, Span } from "@agentlightning/types";
import { describeWriteFailure, isTransientWriteFailure } from "./write-failure.js";

/** How a scope writes its spans (the tracer's settings). */
export interface SpanWriteSettings {
  /** Flush what is buffered this long after the first unwritten span (milliseconds). */
  flushIntervalMs: number;
  /** Flush as soon as this many spans wait. */
  flushSpanCount: number;
  /** Unwritten spans one scope keeps while the store is unreachable; the oldest beyond it are dropped. */
  maxUnwrittenSpans: number;
  /** How long the end of a scope waits for its last write before giving up on it (milliseconds). */
  closeTimeoutMs: number;
  logger: Logger;
  /** Hands out local sequence ids (for spans the store did not number). */
  nextLocalSequenceId(): number;
}

/** Where a scope's spans go: a store and the rollout/attempt they belong to, or nowhere (kept locally). */
export interface ScopeTarget {
  store?: LightningStore;
  rolloutId?: string;
  attemptId?: string;
}

/** One span of a scope: the local conversion, replaced by the stored span once written. */
interface Entry {
  span: Span;
  /** The store reported it as a repeat of a stored span (not part of the trace, as upstream). */
  duplicate: boolean;
  /** Writes that included it. */
  tries: number;
}

/**
 * The spans of one trace scope (one rollout attempt): the ordered list `getLastTrace()` returns,
 * and the ones not yet written. Writes are batched: one `addSpansAllocating` (one
 * `store.addManySpans`, with the store numbering the spans) per flush, at most one in flight, so a
 * rollout's spans get their sequence ids in the order they ended. A flush happens when
 * `flushSpanCount` spans wait, `flushIntervalMs` after a span arrived, and when the scope closes.
 */
export class TraceScope {
  private readonly entries: Entry[] = [];
  private queue: Entry[] = [];
  /** The write loop in flight, if any (at most one per scope, so numbers follow end order). */
  private writing: Promise<void> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  /** The reason of the last transient failure, for the teardown message. */
  private lastFailure: string | undefined;
  /** Called when the scope has unwritten spans / none any more (the processor tracks such scopes). */
  onPendingChange: ((scope: TraceScope, pending: boolean) => void) | undefined;

  constructor(
    readonly target: ScopeTarget,
    private readonly settings: SpanWriteSettings,
  ) {}

  /** Whether spans are written to a store (both ids and a store). */
  get writes(): boolean {
    return this.target.store !== undefined && this.target.rolloutId !== undefined;
  }

  /** Unwritten spans. */
  get pendingCount(): number {
    return this.queue.length;
  }

  /** The scope's spans in the order they ended (stored versions where written; repeats left out). */
  spans(): Span[] {
    const out: Span[] = [];
    for (const entry of this.entries) if (!entry.duplicate) out.push(entry.span);
    return out;
  }

  /** Adds a finished span (already converted). */
  add(span: Span): void {
    const entry: Entry = { span, duplicate: false, tries: 0 };
    if (!this.closed) this.entries.push(entry);
    if (!this.writes) {
      span.sequence_id = this.settings.nextLocalSequenceId();
      return;
    }
    this.enqueue([entry]);
    // While the store fails, only the timer retries (not every span that arrives).
    if (this.queue.length >= this.settings.flushSpanCount && this.lastFailure === undefined)
      void this.flush();
    else this.schedule();
  }

  /**
   * Writes every unwritten span: one store call for what waits now, then one for what arrived
   * meanwhile, until nothing waits or a write fails. Joins the loop in flight if there is one.
   */
  flush(): Promise<void> {
    this.clearTimer();
    if (this.writing === undefined) {
      this.writing = this.writeLoop().finally(() => {
        this.writing = undefined;
      });
    }
    return this.writing;
  }

  private async writeLoop(): Promise<void> {
    while (this.queue.length > 0) {
      if (!(await this.writeQueued())) return;
    }
  }

  /**
   * Ends the scope: the last flush, waited for at most `closeTimeoutMs`. Spans a transient failure
   * left unwritten stay queued and are retried on the timer (and at teardown); their entries in the
   * trace get local sequence ids meanwhile.
   */
  async close(): Promise<void> {
    this.closed = true;
    if (!this.writes) return;
    const flushed = this.flush();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = await Promise.race([
      flushed.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), this.settings.closeTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      this.settings.logger.warn(
        `Writing the last ${this.queue.length + this.inFlight} span(s) of rollout ${this.target.rolloutId} / attempt ` +
          `${this.target.attemptId} took longer than ${this.settings.closeTimeoutMs} ms; the trace ends without waiting ` +
          "(the write goes on in the background)",
      );
    }
    this.numberUnwrittenLocally();
  }

  /**
   * Teardown: one last try, then drops (and logs, with counts and the reason) whatever is still
   * unwritten.
   */
  async drain(): Promise<void> {
    this.clearTimer();
    await this.flush();
    const left = this.queue.length;
    if (left === 0) return;
    this.queue = [];
    this.onPendingChange?.(this, false);
    this.settings.logger.error(
      `Dropped ${left} unwritten span(s) of rollout ${this.target.rolloutId} / attempt ${this.target.attemptId} at ` +
        `teardown: the store could not be reached (${this.lastFailure ?? "unknown failure"})`,
    );
  }

  private inFlight = 0;

  private enqueue(entries: Entry[]): void {
    const wasEmpty = this.queue.length === 0;
    this.queue.push(...entries);
    // The cap is for a store that keeps failing; spans waiting for a normal write are never dropped.
    const over = this.queue.length - this.settings.maxUnwrittenSpans;
    if (over > 0 && this.lastFailure !== undefined) {
      this.queue.splice(0, over);
      this.settings.logger.error(
        `Dropped the ${over} oldest unwritten span(s) of rollout ${this.target.rolloutId} / attempt ` +
          `${this.target.attemptId}: more than ${this.settings.maxUnwrittenSpans} spans wait for an unreachable store ` +
          `(${this.lastFailure ?? "no answer yet"})`,
      );
    }
    if (wasEmpty && this.queue.length > 0) this.onPendingChange?.(this, true);
  }

  private schedule(): void {
    if (this.timer !== undefined || this.queue.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.settings.flushIntervalMs);
    // A pending flush must not keep the process alive; teardown drains what is left.
    this.timer.unref?.();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One store call for the spans waiting now; false when it failed and the spans wait for a retry. */
  private async writeQueued(): Promise<boolean> {
    const batch = this.queue;
    if (batch.length === 0) return true;
    this.queue = [];
    this.inFlight = batch.length;
    for (const entry of batch) entry.tries++;
    const { store, rolloutId, attemptId } = this.target;
    try {
      const stored = await addSpansAllocating(
        store as LightningStore,
        batch.map((entry) => entry.span),
      );
      const byId = new Map<string, Span>();
      for (const span of stored) byId.set(span.span_id, span);
      for (const entry of batch) {
        const written = byId.get(entry.span.span_id);
        if (written === undefined) {
          // Not stored now: a repeat of a stored span, unless an earlier try (whose answer was
          // lost) stored this very span; then it stays in the trace.
          entry.duplicate = entry.tries === 1;
        } else {
          // One stored span answers one entry: a repeat later in the batch is the duplicate.
          byId.delete(entry.span.span_id);
          entry.span = written;
        }
      }
      this.lastFailure = undefined;
    } catch (error) {
      const reason = describeWriteFailure(error);
      if (isTransientWriteFailure(error)) {
        this.lastFailure = reason;
        this.queue = batch.concat(this.queue);
        this.settings.logger.warn(
          `Writing ${batch.length} span(s) of rollout ${rolloutId} / attempt ${attemptId} failed (${reason}); ` +
            `keeping them for the next try in ${this.settings.flushIntervalMs} ms`,
        );
      } else {
        this.settings.logger.error(
          `Dropped ${batch.length} span(s) of rollout ${rolloutId} / attempt ${attemptId}: the store refused them (${reason})`,
        );
        for (const entry of batch) entry.span.sequence_id = this.settings.nextLocalSequenceId();
      }
    } finally {
      this.inFlight = 0;
    }
    if (this.queue.length === 0) {
      this.onPendingChange?.(this, false);
      return true;
    }
    // A transient failure: try again later (spans that arrived meanwhile wait with them).
    if (this.lastFailure !== undefined) {
      this.schedule();
      return false;
    }
    return true;
  }

  /** Spans still unwritten after the scope ended get local numbers in the returned trace. */
  private numberUnwrittenLocally(): void {
    for (const entry of this.queue) {
      if (entry.span.sequence_id === 0) entry.span.sequence_id = this.settings.nextLocalSequenceId();
    }
  }
}
