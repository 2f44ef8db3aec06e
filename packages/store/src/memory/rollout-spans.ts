import type { Span } from "@agentlightning/types";

/**
 * Bytes a stored span costs besides its UTF-8 JSON: its slots in the rollout's arrays, its span id
 * string and a share of the buffer's spare room. An estimate; it keeps the budget honest for many
 * tiny spans.
 */
export const SPAN_ENTRY_OVERHEAD_BYTES = 100;

/** Buffers up to this size grow to the exact size needed (no spare room); larger ones by 25 %. */
const EXACT_GROWTH_LIMIT = 64 * 1024;

/** Rollouts with at most this many spans find duplicates by a scan instead of a key set. */
const SCAN_LIMIT = 32;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);

/** Largest scratch buffer kept for encoding; longer spans get a buffer of their own. */
const MAX_SCRATCH_BYTES = 1024 * 1024;
// Spans are encoded into this buffer and then copied into their rollout's: one allocation fewer per
// span than `TextEncoder.encode`. Shared by every store in the process, used synchronously only.
let scratch = new Uint8Array(64 * 1024);

/** The UTF-8 bytes of `text`, valid until the next call. */
function encodeTransient(text: string): Uint8Array {
  const worst = text.length * 3;
  if (worst > scratch.length) {
    if (worst > MAX_SCRATCH_BYTES) return encoder.encode(text);
    scratch = new Uint8Array(worst);
  }
  return scratch.subarray(0, encoder.encodeInto(text, scratch).written);
}

/**
 * What span queries can order by without decoding a span: its position and its ids. Decoding
 * (`RolloutSpans.read`) gives the whole span.
 */
export interface SpanRef {
  readonly index: number;
  readonly rollout_id: string;
  readonly attempt_id: string;
  readonly sequence_id: number;
  readonly span_id: string;
}

/**
 * The spans of one rollout, packed: their UTF-8 JSON one after the other in a single byte buffer
 * (outside the V8 heap), with a few numbers and ids per span in plain arrays. The bytes are the only
 * copy the store keeps and every read parses fresh objects from them, so no caller ever shares an
 * object with the store.
 *
 * Why packed: on the Python micro benchmark, spans kept as deep-copied objects (32 free-form
 * attribute keys each) made the server's RSS about 5× their JSON; as one string each, 3.7×; as one
 * byte array each (three small heap objects per span), 2.3×. V8 lets its old generation grow to
 * several times its live size between full collections, so every byte a span keeps on the heap
 * costs several in RSS; packed, a span keeps about 100 bytes there (`bench/results/memory.md`).
 *
 * Once evicted (§2.16) the rollout keeps no span: reads fail and later spans are accepted but not
 * kept.
 */
export class RolloutSpans {
  private data: Uint8Array = EMPTY;
  private used = 0;
  /** Per span, in insertion order: end offset of its JSON in `data`. */
  private ends: number[] = [];
  private sequenceIds: number[] = [];
  /** The store's own attempt id strings, shared by every span of the attempt. */
  private attemptIds: string[] = [];
  private spanIds: string[] = [];
  /** `attempt_id/span_id` of every span (attempt ids never contain `/`), once there are many. */
  private keys: Set<string> | undefined;
  private evictedFlag = false;
  /** Estimated bytes of the stored spans. */
  bytes = 0;

  /** Number of stored spans. */
  get size(): number {
    return this.ends.length;
  }

  /** True once the spans were evicted. */
  get evicted(): boolean {
    return this.evictedFlag;
  }

  /** True if a span with this id is stored for this attempt. */
  has(attemptId: string, spanId: string): boolean {
    if (this.keys !== undefined) return this.keys.has(`${attemptId}/${spanId}`);
    for (let i = 0; i < this.spanIds.length; i++) {
      if (this.spanIds[i] === spanId && this.attemptIds[i] === attemptId) return true;
    }
    return false;
  }

  /**
   * Stores the span unless its (attempt, span id) is already stored; returns the bytes added, or
   * null for a duplicate. After eviction nothing is kept and 0 is returned. `attemptId` should be the
   * store's own attempt id string, so spans share it instead of holding one copy each.
   */
  add(span: Span, attemptId: string): number | null {
    if (this.evictedFlag) return 0;
    if (this.has(attemptId, span.span_id)) return null;
    const encoded = encodeTransient(JSON.stringify(span));
    this.reserve(encoded.length);
    this.data.set(encoded, this.used);
    this.used += encoded.length;
    this.ends.push(this.used);
    this.sequenceIds.push(span.sequence_id);
    this.attemptIds.push(attemptId);
    this.spanIds.push(span.span_id);
    if (this.keys !== undefined) {
      this.keys.add(`${attemptId}/${span.span_id}`);
    } else if (this.spanIds.length > SCAN_LIMIT) {
      this.keys = new Set(this.spanIds.map((id, i) => `${this.attemptIds[i]}/${id}`));
    }
    const bytes = encoded.length + SPAN_ENTRY_OVERHEAD_BYTES;
    this.bytes += bytes;
    return bytes;
  }

  /** Position and ids of every stored span in insertion order, optionally of one attempt only. */
  refs(rolloutId: string, attemptId: string | null): SpanRef[] {
    const refs: SpanRef[] = [];
    for (let i = 0; i < this.ends.length; i++) {
      const attempt = this.attemptIds[i] as string;
      if (attemptId !== null && attempt !== attemptId) continue;
      refs.push({
        index: i,
        rollout_id: rolloutId,
        attempt_id: attempt,
        sequence_id: this.sequenceIds[i] as number,
        span_id: this.spanIds[i] as string,
      });
    }
    return refs;
  }

  /** A fresh object of the span at `index` (insertion order). */
  read(index: number): Span {
    const start = index === 0 ? 0 : (this.ends[index - 1] as number);
    return JSON.parse(decoder.decode(this.data.subarray(start, this.ends[index]))) as Span;
  }

  /** Drops every span for good; returns how many there were. */
  evict(): number {
    const count = this.ends.length;
    this.data = EMPTY;
    this.used = 0;
    this.ends = [];
    this.sequenceIds = [];
    this.attemptIds = [];
    this.spanIds = [];
    this.keys = undefined;
    this.bytes = 0;
    this.evictedFlag = true;
    return count;
  }

  /** Makes room for `extra` more bytes: exact growth while small, 25 % steps beyond. */
  private reserve(extra: number): void {
    const needed = this.used + extra;
    if (needed <= this.data.length) return;
    const capacity =
      needed <= EXACT_GROWTH_LIMIT ? needed : Math.max(needed, Math.ceil(this.data.length * 1.25));
    const next = new Uint8Array(capacity);
    next.set(this.data.subarray(0, this.used));
    this.data = next;
  }
}
