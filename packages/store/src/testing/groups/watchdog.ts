import { describe, expect } from "vitest";
import { DEFAULT_CLAIM_LEASE_SECONDS } from "../../core/lifecycle-rules.js";
import type { LightningStore } from "../../store.js";
import {
  attempted,
  claimedRollout,
  dequeueOne,
  enqueueId,
  expectTime,
  readAttempts,
  readRollout,
  readWorker,
  type StoreTest,
} from "../harness.js";
import { makeSpan } from "../make-span.js";

const RETRY_ON_TIMEOUT = { timeout_seconds: 1, max_attempts: 2, retry_condition: ["timeout" as const] };

/**
 * One [scan] operation called first after a deadline passed, and a check that its answer (or, for
 * operations whose answer cannot show it, the worker read without a scan) already reflects the
 * verdict. Setup: rollout r with `RETRY_ON_TIMEOUT`, claimed by w1, one span, clock past the deadline.
 */
interface ScanProbe {
  name: string;
  run(store: LightningStore, rolloutId: string): Promise<void>;
}

async function workerMarkedUnknown(store: LightningStore): Promise<void> {
  // get_worker_by_id is not a [scan] operation, so it shows what the probed call did.
  expect((await readWorker(store, "w1")).status).toBe("unknown");
}

const SCAN_PROBES: ScanProbe[] = [
  {
    name: "get_latest_attempt",
    async run(store, r) {
      expect((await store.getLatestAttempt(r))?.status).toBe("timeout");
    },
  },
  {
    name: "get_rollout_by_id",
    async run(store, r) {
      const read = attempted(await store.getRolloutById(r));
      expect(read.status).toBe("requeuing");
      expect(read.attempt.status).toBe("timeout");
    },
  },
  {
    name: "query_rollouts",
    async run(store, r) {
      const page = await store.queryRollouts({ rolloutIdIn: [r] });
      expect(page.items[0]?.status).toBe("requeuing");
    },
  },
  {
    name: "query_attempts",
    async run(store, r) {
      expect((await store.queryAttempts(r)).items[0]?.status).toBe("timeout");
    },
  },
  {
    name: "query_workers",
    async run(store) {
      const page = await store.queryWorkers({ workerIdContains: "w1" });
      expect(page.items[0]?.status).toBe("unknown");
    },
  },
  {
    name: "dequeue_rollout",
    async run(store, r) {
      const claimed = await store.dequeueRollout();
      expect(claimed?.rollout_id).toBe(r);
      expect(claimed?.attempt.sequence_id).toBe(2);
    },
  },
  {
    name: "dequeue_many_rollouts",
    async run(store, r) {
      const claimed = await store.dequeueManyRollouts({ limit: 2 });
      expect(claimed.map((c) => [c.rollout_id, c.attempt.sequence_id])).toEqual([[r, 2]]);
    },
  },
  {
    name: "update_rollout",
    async run(store, r) {
      expect((await store.updateRollout(r, {})).status).toBe("requeuing");
    },
  },
  {
    name: "update_attempt",
    async run(store, r) {
      expect((await store.updateAttempt(r, "latest", {})).status).toBe("timeout");
    },
  },
  {
    name: "start_attempt",
    async run(store, r) {
      const started = await store.startAttempt(r);
      expect(started.attempt.sequence_id).toBe(2);
      await workerMarkedUnknown(store);
    },
  },
  {
    name: "query_spans",
    async run(store, r) {
      await store.querySpans({ rolloutId: r });
      await workerMarkedUnknown(store);
    },
  },
  {
    name: "wait_for_rollouts",
    async run(store, r) {
      await store.waitForRollouts([r], { timeout: 0 });
      await workerMarkedUnknown(store);
    },
  },
  {
    name: "enqueue_rollout",
    async run(store) {
      await store.enqueueRollout({ input: "other" });
      await workerMarkedUnknown(store);
    },
  },
  {
    name: "enqueue_many_rollouts",
    async run(store) {
      await store.enqueueManyRollouts([{ input: "x" }, { input: "y" }]);
      await workerMarkedUnknown(store);
    },
  },
  {
    name: "start_rollout",
    async run(store) {
      await store.startRollout({ input: "other" });
      await workerMarkedUnknown(store);
    },
  },
  {
    name: "update_resources",
    async run(store) {
      await store.updateResources("rs-probe", {});
      await workerMarkedUnknown(store);
    },
  },
];

/** §6 "Watchdog" (items 109–114), §2.15 and §3.6, driven by the fake clock. */
export function watchdogTests(test: StoreTest): void {
  describe("Watchdog", () => {
    test("#109 a timed-out attempt is marked timeout, the rollout requeued, the worker unknown", async ({
      store,
      clock,
    }) => {
      const r = await claimedRollout(store, RETRY_ON_TIMEOUT, "w1");
      await store.addSpan(makeSpan(r.rollout_id, r.attempt.attempt_id, 1));
      clock.advance(1.3);
      const read = attempted(await store.getRolloutById(r.rollout_id));
      expect(read.status).toBe("requeuing");
      expect(read.end_time).toBeNull();
      expect(read.attempt.status).toBe("timeout");
      expect(read.attempt.end_time).toBeNull();
      const worker = await readWorker(store, "w1");
      expect(worker.status).toBe("unknown");
      expect(worker.current_rollout_id).toBeNull();
      expect(worker.current_attempt_id).toBeNull();
      expectTime(worker.last_idle_time, clock.now());
    });

    test("#110 the retry times out too and the rollout fails; nothing more is dequeued", async ({
      store,
      clock,
    }) => {
      const r = await claimedRollout(store, RETRY_ON_TIMEOUT, "w1");
      await store.addSpan(makeSpan(r.rollout_id, r.attempt.attempt_id, 1));
      clock.advance(1.3);
      const second = await dequeueOne(store, "w1");
      expect(second.rollout_id).toBe(r.rollout_id);
      expect(second.attempt.sequence_id).toBe(2);
      clock.advance(1.3);
      const read = attempted(await store.getRolloutById(r.rollout_id));
      expect(read.status).toBe("failed");
      expectTime(read.end_time, clock.now());
      expect(read.attempt.status).toBe("timeout");
      expect(await store.dequeueRollout()).toBeNull();
      expect((await readAttempts(store, r.rollout_id)).map((a) => a.status)).toEqual(["timeout", "timeout"]);
    });

    test("#111 without heartbeats, unresponsiveness counts from the attempt's start", async ({
      store,
      clock,
    }) => {
      const id = await enqueueId(store, 1, { config: { unresponsive_seconds: 1 } });
      clock.advance(5);
      const claimed = await dequeueOne(store);
      clock.advance(0.5);
      expect((await store.getLatestAttempt(id))?.status).toBe("preparing");
      clock.advance(0.8);
      const latest = await store.getLatestAttempt(id);
      expect(latest?.attempt_id).toBe(claimed.attempt.attempt_id);
      expect(latest?.status).toBe("unresponsive");
      expect(latest?.end_time).toBeNull();
      const rollout = await readRollout(store, id);
      expect(rollout.status).toBe("failed");
      expect(rollout.end_time).not.toBeNull();
    });

    test("#112 spans every 0.4 s keep an attempt with unresponsive_seconds 1 alive", async ({
      store,
      clock,
    }) => {
      const r = await claimedRollout(store, { unresponsive_seconds: 1 });
      for (let n = 1; n <= 5; n++) {
        clock.advance(0.4);
        await store.addSpan(makeSpan(r.rollout_id, r.attempt.attempt_id, n));
        expect((await readRollout(store, r.rollout_id)).status).toBe("running");
      }
      expect((await store.getLatestAttempt(r.rollout_id))?.status).toBe("running");
      clock.advance(1.1);
      expect((await store.getLatestAttempt(r.rollout_id))?.status).toBe("unresponsive");
    });

    for (const probe of SCAN_PROBES) {
      test(`#113 ${probe.name} applies a pending verdict before answering`, async ({ store, clock }) => {
        const r = await claimedRollout(store, RETRY_ON_TIMEOUT, "w1");
        await store.addSpan(makeSpan(r.rollout_id, r.attempt.attempt_id, 1));
        clock.advance(1.3);
        await probe.run(store, r.rollout_id);
      });
    }

    test("#114 queued rollouts are never judged, however small their limits", async ({ store, clock }) => {
      const id = await enqueueId(store, 1, { config: { timeout_seconds: 0.01, unresponsive_seconds: 0.01 } });
      clock.advance(100);
      const read = await readRollout(store, id);
      expect(read.status).toBe("queuing");
      expect(read).not.toHaveProperty("attempt");
      const claimed = await dequeueOne(store);
      expect(claimed.rollout_id).toBe(id);
      expect(claimed.attempt.sequence_id).toBe(1);
      expect(claimed.attempt.status).toBe("preparing");
    });

    test("§2.15 requeuing and finished rollouts are not judged again", async ({ store, clock }) => {
      const r = await claimedRollout(store, { ...RETRY_ON_TIMEOUT, max_attempts: 3 }, "w1");
      clock.advance(1.3);
      expect((await readRollout(store, r.rollout_id)).status).toBe("requeuing");
      clock.advance(100);
      expect((await readRollout(store, r.rollout_id)).status).toBe("requeuing");
      expect((await readAttempts(store, r.rollout_id)).map((a) => a.status)).toEqual(["timeout"]);
      const done = await store.startRollout({ input: 1, config: { timeout_seconds: 1 } });
      await store.updateAttempt(done.rollout_id, done.attempt.attempt_id, { status: "succeeded" });
      clock.advance(100);
      expect((await store.getLatestAttempt(done.rollout_id))?.status).toBe("succeeded");
      expect((await readRollout(store, done.rollout_id)).status).toBe("succeeded");
    });

    test("§2.15 comparisons are strict: exactly at the limit is not yet a timeout", async ({
      store,
      clock,
    }) => {
      const r = await claimedRollout(store, { timeout_seconds: 2 });
      clock.advance(2);
      expect((await store.getLatestAttempt(r.rollout_id))?.status).toBe("preparing");
      clock.advance(0.5);
      expect((await store.getLatestAttempt(r.rollout_id))?.status).toBe("timeout");
      expect((await readRollout(store, r.rollout_id)).status).toBe("failed");
    });

    test("§2.15 timeout wins over unresponsive when both limits are exceeded", async ({ store, clock }) => {
      const r = await claimedRollout(store, {
        timeout_seconds: 1,
        unresponsive_seconds: 1,
        max_attempts: 2,
        retry_condition: ["unresponsive"],
      });
      clock.advance(5);
      expect((await store.getLatestAttempt(r.rollout_id))?.status).toBe("timeout");
      expect((await readRollout(store, r.rollout_id)).status).toBe("failed");
    });

    test("§2.15 the timeout clock is the latest attempt's start, not the rollout's", async ({
      store,
      clock,
    }) => {
      const r = await claimedRollout(store, {
        timeout_seconds: 10,
        max_attempts: 3,
        retry_condition: ["failed"],
      });
      clock.advance(8);
      await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { status: "failed" });
      await dequeueOne(store);
      clock.advance(8);
      const latest = await store.getLatestAttempt(r.rollout_id);
      expect(latest?.sequence_id).toBe(2);
      expect(latest?.status).toBe("preparing");
      clock.advance(2.5);
      expect((await store.getLatestAttempt(r.rollout_id))?.status).toBe("timeout");
    });

    test("§3.6 an explicit last_heartbeat_time counts as a heartbeat; worker heartbeats do not", async ({
      store,
      clock,
    }) => {
      const r = await claimedRollout(store, { unresponsive_seconds: 1 }, "w1");
      clock.advance(0.8);
      await store.updateAttempt(r.rollout_id, r.attempt.attempt_id, { last_heartbeat_time: clock.now() });
      clock.advance(0.8);
      expect((await store.getLatestAttempt(r.rollout_id))?.status).toBe("preparing");
      await store.updateWorker("w1");
      clock.advance(0.5);
      expect((await store.getLatestAttempt(r.rollout_id))?.status).toBe("unresponsive");
      expect((await readWorker(store, "w1")).status).toBe("unknown");
    });

    test("§2.15 only the latest attempt is judged", async ({ store, clock }) => {
      const started = await store.startRollout({ input: 1, config: { timeout_seconds: 5 } });
      clock.advance(4);
      const second = await store.startAttempt(started.rollout_id);
      clock.advance(2);
      const attempts = await readAttempts(store, started.rollout_id);
      expect(attempts.map((a) => a.status)).toEqual(["preparing", "preparing"]);
      clock.advance(3.5);
      expect((await store.getLatestAttempt(started.rollout_id))?.attempt_id).toBe(second.attempt.attempt_id);
      expect((await readAttempts(store, started.rollout_id)).map((a) => a.status)).toEqual([
        "preparing",
        "timeout",
      ]);
    });

    test("§2.15 (B17) a running-like rollout's latest attempt is judged whatever its own status", async ({
      store,
      clock,
    }) => {
      const started = await store.startRollout({ input: 1, config: { timeout_seconds: 1 } });
      await store.updateAttempt(started.rollout_id, started.attempt.attempt_id, { status: "succeeded" });
      await store.updateRollout(started.rollout_id, { status: "running" });
      clock.advance(2);
      expect((await store.getLatestAttempt(started.rollout_id))?.status).toBe("timeout");
      expect((await readRollout(store, started.rollout_id)).status).toBe("failed");
    });

    test("claim lease: a claim that never starts is reclaimed after the default 600 s, whatever the retry budget", async ({
      store,
      clock,
    }) => {
      // Default config: max_attempts 1, no retry condition, no timeouts. The runner died (or never
      // got the dequeue response): no span, no update.
      const r = await claimedRollout(store, null, "w1");
      clock.advance(DEFAULT_CLAIM_LEASE_SECONDS);
      // Exactly at the lease: not yet (strict comparison, like every health check).
      expect(attempted(await store.getRolloutById(r.rollout_id)).status).toBe("preparing");
      clock.advance(0.5);
      const read = attempted(await store.getRolloutById(r.rollout_id));
      expect(read.status).toBe("requeuing");
      expect(read.end_time).toBeNull();
      expect(read.attempt.status).toBe("unresponsive");
      expect(read.attempt.end_time).toBeNull();
      expect((await readWorker(store, "w1")).status).toBe("unknown");
      // Another runner gets it, as attempt #2; the retry budget no longer applies to that one.
      const second = await dequeueOne(store, "w2");
      expect(second.rollout_id).toBe(r.rollout_id);
      expect(second.attempt.sequence_id).toBe(2);
      await store.updateAttempt(r.rollout_id, second.attempt.attempt_id, { status: "succeeded" });
      expect((await readRollout(store, r.rollout_id)).status).toBe("succeeded");
      // A late span of the first runner revives its attempt but leaves the rollout alone (§3.7).
      await store.addSpan(makeSpan(r.rollout_id, r.attempt.attempt_id, 1));
      expect((await readAttempts(store, r.rollout_id)).map((a) => a.status)).toEqual([
        "running",
        "succeeded",
      ]);
      expect((await readRollout(store, r.rollout_id)).status).toBe("succeeded");
    });

    test("claim lease: an attempt that had a span or a heartbeat is never reclaimed by the lease", async ({
      store,
      clock,
    }) => {
      const withSpan = await claimedRollout(store);
      await store.addSpan(makeSpan(withSpan.rollout_id, withSpan.attempt.attempt_id, 1));
      const withBeat = await claimedRollout(store);
      await store.updateAttempt(withBeat.rollout_id, withBeat.attempt.attempt_id, {
        last_heartbeat_time: clock.now(),
      });
      clock.advance(DEFAULT_CLAIM_LEASE_SECONDS * 10);
      expect(attempted(await store.getRolloutById(withSpan.rollout_id)).attempt.status).toBe("running");
      const beat = attempted(await store.getRolloutById(withBeat.rollout_id));
      expect([beat.status, beat.attempt.status]).toEqual(["preparing", "preparing"]);
    });

    test("claim lease: a claim whose worker keeps beating (update_worker) is held past the lease, reclaimed once the beats stop", async ({
      store,
      clock,
    }) => {
      // A runner in a long setup (no span ends for 25 minutes) keeps sending its worker heartbeat.
      const r = await claimedRollout(store, null, "w1");
      const beat = async (step: number) => {
        await store.updateWorker("w1", { heartbeatStats: { cpu: 0.5, step } });
      };
      await beat(0);
      for (let step = 1; step <= 50; step++) {
        clock.advance(30);
        await beat(step);
      }
      let read = attempted(await store.getRolloutById(r.rollout_id));
      expect([read.status, read.attempt.status]).toEqual(["preparing", "preparing"]);
      const worker = await readWorker(store, "w1");
      expect([worker.current_rollout_id, worker.current_attempt_id]).toEqual([
        r.rollout_id,
        r.attempt.attempt_id,
      ]);
      // The runner dies: exactly the lease after its last beat the claim is still held...
      clock.advance(DEFAULT_CLAIM_LEASE_SECONDS);
      read = attempted(await store.getRolloutById(r.rollout_id));
      expect([read.status, read.attempt.status]).toEqual(["preparing", "preparing"]);
      // ...and past it, reclaimed like any expired claim: requeued, another runner gets it.
      clock.advance(0.5);
      read = attempted(await store.getRolloutById(r.rollout_id));
      expect([read.status, read.attempt.status]).toEqual(["requeuing", "unresponsive"]);
      const second = await dequeueOne(store, "w2");
      expect([second.rollout_id, second.attempt.sequence_id]).toEqual([r.rollout_id, 2]);
    });

    test("claim lease: a claim whose worker dequeued another rollout since is reclaimed though the worker still beats", async ({
      store,
      clock,
    }) => {
      // The dequeue response for r1 was lost: the live runner dequeues again and gets r2.
      const r1 = await claimedRollout(store, null, "w1");
      await store.updateWorker("w1", { heartbeatStats: { cpu: 0.5 } });
      clock.advance(100);
      const r2 = await claimedRollout(store, null, "w1");
      for (let t = 100; t < 800; t += 30) {
        await store.updateWorker("w1", { heartbeatStats: { cpu: 0.5, t } });
        clock.advance(30);
      }
      await store.updateWorker("w1", { heartbeatStats: { cpu: 0.5 } });
      // Both claims are past the lease with no span; w1 beats but holds only r2.
      const first = attempted(await store.getRolloutById(r1.rollout_id));
      expect([first.status, first.attempt.status]).toEqual(["requeuing", "unresponsive"]);
      const held = attempted(await store.getRolloutById(r2.rollout_id));
      expect([held.status, held.attempt.status]).toEqual(["preparing", "preparing"]);
      // The reclaim of the stale claim leaves w1's record alone: it still holds r2, which stays held
      // on the next scans.
      const worker = await readWorker(store, "w1");
      expect([worker.status, worker.current_rollout_id, worker.current_attempt_id]).toEqual([
        "busy",
        r2.rollout_id,
        r2.attempt.attempt_id,
      ]);
      clock.advance(30);
      await store.updateWorker("w1", { heartbeatStats: { cpu: 0.5 } });
      clock.advance(30);
      const still = attempted(await store.getRolloutById(r2.rollout_id));
      expect([still.status, still.attempt.status]).toEqual(["preparing", "preparing"]);
    });

    test("claim lease: a rollout's own unresponsive limit applies first (with its retry rule)", async ({
      store,
      clock,
    }) => {
      const r = await claimedRollout(store, { unresponsive_seconds: 700 });
      clock.advance(DEFAULT_CLAIM_LEASE_SECONDS + 1);
      // The lease is shorter than the rollout's limit: reclaimed, requeued.
      expect((await readRollout(store, r.rollout_id)).status).toBe("requeuing");
      const second = await dequeueOne(store);
      clock.advance(701);
      // The rollout's own limit is judged first: unresponsive, no retry allowed, failed.
      const read = attempted(await store.getRolloutById(r.rollout_id));
      expect([read.status, read.attempt.sequence_id, read.attempt.status]).toEqual([
        "failed",
        second.attempt.sequence_id,
        "unresponsive",
      ]);
    });

    test(
      "§2.15 with a debounce window, at most one scan starts per window",
      async ({ store, clock }) => {
        // The first triggering call scans and opens a 10 s window.
        const r = await claimedRollout(store, { timeout_seconds: 1 });
        clock.advance(2);
        // Inside the window: no scan, so the overdue attempt is not judged yet.
        expect((await store.getLatestAttempt(r.rollout_id))?.status).toBe("preparing");
        clock.advance(8.5);
        expect((await store.getLatestAttempt(r.rollout_id))?.status).toBe("timeout");
        expect((await readRollout(store, r.rollout_id)).status).toBe("failed");
      },
      { scanDebounceSeconds: 10 },
    );
  });
}
