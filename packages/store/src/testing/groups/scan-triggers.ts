import { describe, expect } from "vitest";
import { expectAglError, readWorker, type StoreTest } from "../harness.js";
import { makeSpan } from "../make-span.js";

/**
 * Which operations run the watchdog (§2.0 rule 4, the scan column of §4.5): the *[scan]* ones apply
 * pending verdicts (#113, in the watchdog group); the others, and calls rejected for bad input
 * (§4.2), apply none.
 */
export function scanTriggerTests(test: StoreTest): void {
  describe("Scan triggers", () => {
    test("§2.0 statistics, spans, sequence ids, resources and worker calls apply no pending verdict", async ({
      store,
      clock,
    }) => {
      const started = await store.startRollout({ input: 1, config: { timeout_seconds: 1 }, workerId: "w" });
      clock.advance(2);
      await store.statistics();
      await store.addSpan(makeSpan(started.rollout_id, started.attempt.attempt_id, 1));
      await store.addManySpans([makeSpan(started.rollout_id, started.attempt.attempt_id, 2)]);
      await store.getNextSpanSequenceId(started.rollout_id, started.attempt.attempt_id);
      const resources = await store.addResources({});
      await store.getResourcesById(resources.resources_id);
      await store.getLatestResources();
      await store.queryResources();
      await store.updateWorker("w");
      // A scan would have marked the attempt timed out and the worker unknown.
      expect((await readWorker(store, "w")).status).toBe("busy");
      // A scanning call applies the verdict.
      expect((await store.getLatestAttempt(started.rollout_id))?.status).toBe("timeout");
      expect((await readWorker(store, "w")).status).toBe("unknown");
    });

    test("§4.2 a call rejected for bad input applies no pending verdict", async ({ store, clock }) => {
      const started = await store.startRollout({ input: 1, config: { timeout_seconds: 1 }, workerId: "w" });
      clock.advance(2);
      await expectAglError(store.queryRollouts({ sortBy: "nonexistent_field" }), "invalid_argument");
      await expectAglError(store.queryRollouts({ sortBy: "metadata" }), "invalid_argument");
      await expectAglError(store.queryRollouts({ limit: -2 }), "invalid_argument");
      await expectAglError(store.queryWorkers({ offset: -1 }), "invalid_argument");
      await expectAglError(
        store.updateRollout(started.rollout_id, { status: "bogus" } as never),
        "invalid_argument",
      );
      expect((await readWorker(store, "w")).status).toBe("busy");
      expect((await store.getLatestAttempt(started.rollout_id))?.status).toBe("timeout");
    });
  });
}
