/**
 * @packageDocumentation
 * Test helpers for LightningStore implementations: the conformance suite every store must pass,
 * the fake clock it runs on, and the span factory of the spec's checklist.
 *
 * @example
 * ```ts
 * import { describeLightningStore } from "@agentlightning/store/testing";
 * describeLightningStore("MyStore", async (settings) => new MyStore(settings));
 * ```
 */

export type {
  ConformanceOptions,
  ConformanceStoreSettings,
  StoreFactory,
} from "./describe-lightning-store.js";
export { describeLightningStore } from "./describe-lightning-store.js";
export type { StoreTestContext } from "./harness.js";
export { makeSpan } from "./make-span.js";
export { TEST_CLOCK_EPOCH, TestClock } from "./test-clock.js";
