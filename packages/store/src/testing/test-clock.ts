/** Default start of a {@link TestClock}: 2023-11-14T22:13:20Z, a realistic epoch in seconds. */
export const TEST_CLOCK_EPOCH = 1_700_000_000;

/**
 * A clock the tests move by hand. Stores take it as `settings.now`, so timeouts and liveness
 * checks are driven by {@link TestClock.advance} instead of sleeping.
 *
 * @example
 * ```ts
 * const clock = new TestClock();
 * const store = new InMemoryLightningStore({ now: () => clock.now(), scanDebounceSeconds: 0 });
 * clock.advance(1.5); // the store now sees 1.5 s more
 * ```
 */
export class TestClock {
  private current: number;

  constructor(start: number = TEST_CLOCK_EPOCH) {
    this.current = start;
  }

  /** Current time in float seconds since the epoch; it only moves through {@link advance}. */
  now(): number {
    return this.current;
  }

  /** Moves the clock forward; a clock never goes back, so negative steps are refused. */
  advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new RangeError(
        `TestClock.advance needs a finite, non-negative number of seconds, got ${seconds}`,
      );
    }
    this.current += seconds;
  }
}
