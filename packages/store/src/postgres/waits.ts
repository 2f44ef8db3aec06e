import { isFinishedStatus, parseStorable, type Rollout } from "@agentlightning/types";
import { sql } from "drizzle-orm";
import * as z from "zod";
import { toAglError } from "./pg-errors.js";
import { ROLLOUT_COLUMNS, rolloutFromRow } from "./rows.js";
import { jsonCopy, textArray } from "./sql-query.js";
import type { StoreRuntime } from "./store-runtime.js";
import { R, R_TABLE } from "./tables.js";

// wait_for_rollouts (docs/store-contract.md §2.10): woken by this process's commits and by NOTIFY from other
// processes. The store LISTENs only while waits are pending (and LISTEN_IDLE_MS after the last
// one), so a process that never waits is not woken by every completion of every other process.

const SAFETY_POLL_MS = 1000;
/** How long the store keeps listening for completions after its last pending wait ended. */
const LISTEN_IDLE_MS = 10_000;
const POLL_START_MS = 10;
const POLL_MAX_MS = 50;

/** The pending waits of one store process and its LISTEN subscription. */
export class CompletionWaits {
  private readonly pending = new Set<Promise<unknown>>();
  private unlisten: (() => Promise<void>) | null = null;
  private listenStart: Promise<boolean> | null = null;
  private idleUnlisten: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly rt: StoreRuntime) {}

  /**
   * Waits until every existing requested rollout is finished or `timeout` seconds pass (null = no
   * limit, <= 0 = no wait); returns the finished ones in request order. A slow safety poll covers
   * a dropped LISTEN connection (polling with backoff when the driver has no LISTEN). Resolves on
   * close and when `signal` aborts, with what is finished by then.
   */
  async waitForRollouts(
    rolloutIds: string[],
    options: { timeout?: number | null; signal?: AbortSignal },
  ): Promise<Rollout[]> {
    const ids = parseStorable(z.array(z.string()), rolloutIds, "rollout_ids");
    const timeout = parseStorable(z.number().nullable().optional(), options?.timeout, "timeout") ?? null;
    await this.rt.scan();
    if (ids.length === 0) return [];
    const wait = this.waitLoop(ids, timeout, options?.signal);
    this.pending.add(wait);
    try {
      return await wait;
    } finally {
      this.pending.delete(wait);
      this.releaseListening();
    }
  }

  /** Releases every pending wait and the LISTEN subscription (the store is closing). */
  async close(): Promise<void> {
    this.rt.waiters.wakeAll();
    await Promise.allSettled([...this.pending]);
    if (this.idleUnlisten !== null) clearTimeout(this.idleUnlisten);
    this.idleUnlisten = null;
    // A LISTEN still starting sees `closed` and undoes itself.
    await this.listenStart;
    const unlisten = this.unlisten;
    this.unlisten = null;
    if (unlisten !== null) await unlisten().catch(() => {});
  }

  /** LISTENs on the completion channel; resolves to false when the driver cannot LISTEN. */
  private ensureListening(): Promise<boolean> {
    if (this.idleUnlisten !== null) {
      clearTimeout(this.idleUnlisten);
      this.idleUnlisten = null;
    }
    if (this.unlisten !== null) return Promise.resolve(true);
    if (this.listenStart === null) {
      const start = this.rt.driver
        .listen(this.rt.channel, (payload) => this.rt.waiters.wake([payload]))
        .then(
          async (unlisten) => {
            if (this.rt.closed) {
              await unlisten().catch(() => {});
              return false;
            }
            this.unlisten = unlisten;
            this.releaseListening();
            return true;
          },
          () => false,
        );
      this.listenStart = start;
      void start.finally(() => {
        if (this.listenStart === start) this.listenStart = null;
      });
    }
    return this.listenStart;
  }

  /** Stops listening once no wait has been pending for {@link LISTEN_IDLE_MS}. */
  private releaseListening(): void {
    if (this.pending.size > 0 || this.unlisten === null || this.idleUnlisten !== null) return;
    const timer = setTimeout(() => {
      this.idleUnlisten = null;
      const unlisten = this.unlisten;
      if (this.pending.size > 0 || unlisten === null) return;
      this.unlisten = null;
      void unlisten().catch(() => {});
    }, LISTEN_IDLE_MS);
    timer.unref?.();
    this.idleUnlisten = timer;
  }

  private async waitLoop(ids: string[], timeout: number | null, signal?: AbortSignal): Promise<Rollout[]> {
    const deadline = timeout === null ? Number.POSITIVE_INFINITY : performance.now() + timeout * 1000;
    const waiter = this.rt.waiters.register(ids);
    const onAbort = () => waiter.wake();
    signal?.addEventListener("abort", onAbort, { once: true });
    let pollMs = POLL_START_MS;
    let listening: boolean | null = null;
    try {
      for (;;) {
        const rows = await this.rt.driver.rows(
          sql`SELECT ${ROLLOUT_COLUMNS} FROM ${R_TABLE} WHERE ${R.rollout_id} = ANY(${textArray(ids)})`,
        );
        const byId = new Map(rows.map((row) => [row.rollout_id as string, rolloutFromRow(row)]));
        const finished = ids.flatMap((id) => {
          const rollout = byId.get(id);
          return rollout !== undefined && isFinishedStatus(rollout.status)
            ? [jsonCopy(rollout, "rollout")]
            : [];
        });
        const allDone = [...byId.values()].every((r) => isFinishedStatus(r.status));
        const remaining = deadline - performance.now();
        if (allDone || remaining <= 0 || this.rt.closed || signal?.aborted) return finished;
        if (listening === null) {
          // About to wait: LISTEN first, then read again, so that a completion in another process
          // is either seen by that read or NOTIFYed to this one.
          listening = await this.ensureListening();
          continue;
        }
        const interval = listening ? SAFETY_POLL_MS : pollMs;
        pollMs = Math.min(POLL_MAX_MS, Math.ceil(pollMs * 1.5));
        await waiter.next(Math.min(remaining, interval));
      }
    } catch (error) {
      throw toAglError(error);
    } finally {
      signal?.removeEventListener("abort", onAbort);
      waiter.dispose();
    }
  }
}
