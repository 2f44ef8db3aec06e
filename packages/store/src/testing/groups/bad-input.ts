import type { Span } from "@agentlightning/types";
import { describe, expect } from "vitest";
import type { AttemptPatch, RolloutPatch } from "../../store.js";
import {
  claimedRollout,
  counts,
  expectAglError,
  readAttempts,
  readRollout,
  readWorker,
  type StoreTest,
} from "../harness.js";
import { makeSpan } from "../make-span.js";

/** Bad input at the store level: clear `AglError` codes and messages, and no state change. */
export function badInputTests(test: StoreTest): void {
  describe("Bad input", () => {
    test("unknown rollout or attempt ids reject with not_found and change nothing", async ({ store }) => {
      const r = await claimedRollout(store, null, "w1");
      const before = await counts(store);
      const rolloutBefore = await readRollout(store, r.rollout_id);
      const workerBefore = await readWorker(store, "w1");
      const unknown = "ro-000000000000";
      await expectAglError(store.updateRollout(unknown, { status: "failed" }), "not_found", unknown);
      await expectAglError(store.updateAttempt(unknown, "latest", { worker_id: "w2" }), "not_found", unknown);
      await expectAglError(store.startAttempt(unknown, { workerId: "w3" }), "not_found", unknown);
      await expectAglError(store.addSpan(makeSpan(unknown, r.attempt.attempt_id, 1)), "not_found", unknown);
      await expectAglError(
        store.updateAttempt(r.rollout_id, "at-00000000", { status: "failed", worker_id: "w4" }),
        "not_found",
        "at-00000000",
      );
      expect(await counts(store)).toEqual(before);
      expect(await readRollout(store, r.rollout_id)).toEqual(rolloutBefore);
      expect(await readWorker(store, "w1")).toEqual(workerBefore);
      for (const w of ["w2", "w3", "w4"]) expect(await store.getWorkerById(w)).toBeNull();
    });

    test("an invalid field in a patch rejects the whole patch (valid fields are not applied)", async ({
      store,
    }) => {
      const r = await claimedRollout(store, null, "w1");
      const rolloutBefore = await readRollout(store, r.rollout_id);
      const attemptsBefore = await readAttempts(store, r.rollout_id);
      await expectAglError(
        store.updateRollout(r.rollout_id, {
          metadata: { new: 1 },
          status: "bogus",
        } as unknown as RolloutPatch),
        "invalid_argument",
        "status",
      );
      await expectAglError(
        store.updateRollout(r.rollout_id, { mode: "train", config: { max_attempts: 0 } }),
        "invalid_argument",
        "max_attempts",
      );
      await expectAglError(
        store.updateRollout(r.rollout_id, { mode: "prod" } as unknown as RolloutPatch),
        "invalid_argument",
        "mode",
      );
      await expectAglError(
        store.updateAttempt(r.rollout_id, r.attempt.attempt_id, {
          metadata: { x: 1 },
          status: "cancelled",
        } as unknown as AttemptPatch),
        "invalid_argument",
        "status",
      );
      await expectAglError(
        store.updateAttempt(r.rollout_id, r.attempt.attempt_id, {
          worker_id: "w9",
          last_heartbeat_time: "soon",
        } as unknown as AttemptPatch),
        "invalid_argument",
        "last_heartbeat_time",
      );
      expect(await readRollout(store, r.rollout_id)).toEqual(rolloutBefore);
      expect(await readAttempts(store, r.rollout_id)).toEqual(attemptsBefore);
      expect(await store.getWorkerById("w9")).toBeNull();
    });

    test("a malformed span is invalid_argument and consumes no sequence number", async ({ store }) => {
      const r = await store.startRollout({ input: 1 });
      const good = makeSpan(r.rollout_id, r.attempt.attempt_id, 50);
      const { parent_id: _p, ...noParent } = good;
      await expectAglError(store.addSpan(noParent as Span), "invalid_argument", "parent_id");
      const { rollout_id: _r, ...noRollout } = good;
      await expectAglError(store.addSpan(noRollout as Span), "invalid_argument", "rollout_id");
      await expectAglError(
        store.addSpan({ ...good, sequence_id: 1.5 } as Span),
        "invalid_argument",
        "sequence_id",
      );
      await expectAglError(
        store.addSpan({ ...good, events: "none" } as unknown as Span),
        "invalid_argument",
        "events",
      );
      expect((await counts(store)).total_spans).toBe(0);
      expect(await store.getNextSpanSequenceId(r.rollout_id, r.attempt.attempt_id)).toBe(1);
      expect((await readRollout(store, r.rollout_id)).status).toBe("preparing");
    });

    test("a batch of spans with one malformed span stores nothing", async ({ store }) => {
      const r = await store.startRollout({ input: 1 });
      const { context: _c, ...noContext } = makeSpan(r.rollout_id, r.attempt.attempt_id, 2);
      await expectAglError(
        store.addManySpans([makeSpan(r.rollout_id, r.attempt.attempt_id, 1), noContext as Span]),
        "invalid_argument",
        "context",
      );
      expect((await counts(store)).total_spans).toBe(0);
      expect((await readRollout(store, r.rollout_id)).status).toBe("preparing");
    });

    test("heartbeat stats null are invalid_argument; the worker is unchanged (not created)", async ({
      store,
    }) => {
      const nullStats = { heartbeatStats: null } as unknown as { heartbeatStats: Record<string, never> };
      const error = await expectAglError(store.updateWorker("w-new", nullStats), "invalid_argument");
      expect(error.message).toMatch(/heartbeat_?stats/i);
      expect(await store.getWorkerById("w-new")).toBeNull();
      const before = await store.updateWorker("w", { heartbeatStats: { cpu: 1 } });
      await expectAglError(store.updateWorker("w", nullStats), "invalid_argument");
      expect(await readWorker(store, "w")).toEqual(before);
    });

    test("an invalid resources update leaves the stored snapshot as it was", async ({ store }) => {
      const added = await store.addResources({});
      await expectAglError(
        store.updateResources(added.resources_id, { x: { resource_type: "llm" } } as never),
        "invalid_argument",
        "endpoint",
      );
      expect(await store.getResourcesById(added.resources_id)).toEqual(added);
      expect((await counts(store)).total_resources).toBe(1);
    });
  });
}
