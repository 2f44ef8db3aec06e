import { describe } from "vitest";
import type { LightningStore } from "../store.js";
import { badInputTests } from "./groups/bad-input.js";
import { basicsTests } from "./groups/basics.js";
import { concurrencyTests } from "./groups/concurrency.js";
import { dequeueTests } from "./groups/dequeue.js";
import { enqueueTests } from "./groups/enqueue.js";
import { lifecycleTests } from "./groups/lifecycle.js";
import { readingTests } from "./groups/reading.js";
import { resourcesTests } from "./groups/resources.js";
import { scanTriggerTests } from "./groups/scan-triggers.js";
import { spanBatchTests } from "./groups/span-batches.js";
import { spanPathTests, spanTests } from "./groups/spans.js";
import { startTests } from "./groups/start.js";
import { updateAttemptTests } from "./groups/update-attempt.js";
import { updateRolloutTests } from "./groups/update-rollout.js";
import { waitTests } from "./groups/wait.js";
import { watchdogTests } from "./groups/watchdog.js";
import { workerTests } from "./groups/workers.js";
import { storeTestRegistrar } from "./harness.js";
import { TestClock } from "./test-clock.js";

/** Settings the suite passes to a {@link StoreFactory}: the fake clock and the scan debounce. */
export interface ConformanceStoreSettings {
  /** The test's clock, in float seconds since the epoch; the store must take every timestamp from it. */
  now: () => number;
  /** Seconds between health scans; the suite passes 0 (scan before every triggering call) except in the debounce test. */
  scanDebounceSeconds: number;
}

/**
 * Creates a fresh, empty store for one test. The suite calls `close()` on it after the test, so a
 * factory that opens a database per store should release it in `close()`.
 */
export type StoreFactory = (settings: ConformanceStoreSettings) => Promise<LightningStore>;

/** Options of {@link describeLightningStore}. */
export interface ConformanceOptions {
  /**
   * Leave out the "Concurrency" group (parallel dequeuers, parallel sequence ids, ...). Only for a
   * backend that cannot run calls in parallel at all; every shared store must pass that group.
   */
  skipConcurrency?: boolean;
  /**
   * The store's `addManySpans` may keep the spans stored before a failing one, so the all-or-nothing
   * case (Quirk B14) is left out. Only for a store that cannot make a batch atomic, e.g.
   * `LightningStoreClient` talking to a Python v0.3.0 server (no batch span route, so it posts spans
   * one by one). Our server's `POST /spans/batch` makes the client's batches atomic.
   */
  nonAtomicSpanBatches?: boolean;
}

/**
 * Registers the LightningStore conformance suite (`docs/store-contract.md` §6 at store level, plus
 * concurrency, bad input, the §3.5 retry timeline and the §3.7 late-data rules) as vitest tests.
 * Every test gets a fresh store from `factory`, running on a {@link TestClock} that starts at
 * 1,700,000,000 s and only moves when the test advances it; timeouts are tested by advancing it.
 * Test names start with the checklist number (`#17 ...`) or the spec section (`§2.9 ...`).
 *
 * @example
 * ```ts
 * // my-store.conformance.test.ts
 * import { describeLightningStore } from "@agentlightning/store/testing";
 * import { MyStore } from "../src/my-store.js";
 *
 * describeLightningStore("MyStore", async (settings) => new MyStore(settings));
 * ```
 */
export function describeLightningStore(
  name: string,
  factory: StoreFactory,
  options: ConformanceOptions = {},
): void {
  const test = storeTestRegistrar(async (scanDebounceSeconds) => {
    const clock = new TestClock();
    const store = await factory({ now: () => clock.now(), scanDebounceSeconds });
    return { store, clock };
  });
  describe(`LightningStore conformance: ${name}`, () => {
    basicsTests(test);
    enqueueTests(test);
    dequeueTests(test);
    startTests(test);
    readingTests(test);
    updateRolloutTests(test);
    updateAttemptTests(test);
    spanTests(test);
    spanBatchTests(test, options);
    spanPathTests(test);
    waitTests(test);
    resourcesTests(test);
    workerTests(test);
    watchdogTests(test);
    scanTriggerTests(test);
    lifecycleTests(test);
    if (!options.skipConcurrency) concurrencyTests(test);
    badInputTests(test);
  });
}
