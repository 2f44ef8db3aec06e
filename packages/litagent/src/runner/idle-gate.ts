import type { ExecutionEvent } from "../execution-event.js";
import { jitteredMs } from "./jitter.js";

/** First pause of an idle runner before it asks an empty queue again, in seconds. */
const FIRST_POLL_SECONDS = 0.05;
/** Slots woken by each successful claim: the runner ramps up on a burst by doubling. */
const WAKE_PER_CLAIM = 2;

/**
 * How the slots of one runner wait on an empty queue without hammering the store. One idle slot
 * (the poller) asks the store again after a pause that starts at 50 ms and doubles up to
 * `pollInterval`; the other idle slots sleep. Every successful claim wakes two sleeping slots (so a
 * burst of new work is picked up by doubling: 2, 4, 8... slots) and resets the pause. Setting the
 * stop event wakes everyone.
 */
export class IdleGate {
  readonly #pollInterval: number;
  readonly #jitter: number;
  readonly #event: ExecutionEvent;
  #pause: number;
  #hasPoller = false;
  readonly #sleepers: Array<() => void> = [];
  /** How many times a slot paused before asking the store again (the poller's pauses). */
  pollWaits = 0;

  constructor(options: { pollInterval: number; jitter: number; event: ExecutionEvent }) {
    this.#pollInterval = options.pollInterval;
    this.#jitter = options.jitter;
    this.#event = options.event;
    this.#pause = Math.min(FIRST_POLL_SECONDS, this.#pollInterval);
    options.event.signal.addEventListener("abort", () => this.#wakeAll(), { once: true });
  }

  /** A slot found work: wake two sleepers and reset the pause. */
  claimed(): void {
    this.#pause = Math.min(FIRST_POLL_SECONDS, this.#pollInterval);
    for (let i = 0; i < WAKE_PER_CLAIM; i++) this.#sleepers.shift()?.();
  }

  /**
   * A slot found the queue empty (or the store failing): resolves when it should ask again, or
   * once the stop event is set.
   */
  async idle(): Promise<void> {
    if (this.#event.isSet()) return;
    if (this.#hasPoller) {
      await new Promise<void>((resolve) => this.#sleepers.push(resolve));
      return;
    }
    this.#hasPoller = true;
    try {
      this.pollWaits++;
      // The jitter only shortens the pause, so new work is seen within pollInterval.
      const ms = Math.max(10, jitteredMs(this.#pause, 0) - Math.random() * this.#jitter * 1000);
      this.#pause = Math.min(this.#pause * 2, this.#pollInterval);
      await this.#event.wait(ms);
    } finally {
      this.#hasPoller = false;
    }
  }

  #wakeAll(): void {
    for (const wake of this.#sleepers.splice(0)) wake();
  }
}
