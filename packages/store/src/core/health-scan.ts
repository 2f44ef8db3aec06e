import type { Attempt, RolloutConfig } from "@agentlightning/types";

/** What the health scan decides for the latest attempt of a running-like rollout. */
export type HealthVerdict = "timeout" | "unresponsive" | null;

/**
 * The watchdog rule (`spec/store.md` §2.15): timeout counts from the attempt's start; liveness
 * from its last heartbeat, or from its start when it never had one. Comparisons are strict.
 */
export function healthVerdict(config: RolloutConfig, latest: Attempt, now: number): HealthVerdict {
  if (config.timeout_seconds !== null && now - latest.start_time > config.timeout_seconds) return "timeout";
  if (config.unresponsive_seconds !== null) {
    const since = latest.last_heartbeat_time ? latest.last_heartbeat_time : latest.start_time;
    if (now - since > config.unresponsive_seconds) return "unresponsive";
  }
  return null;
}

/**
 * Debounce of the lazy health scan: at most one scan starts per window; the first call always scans.
 */
export class ScanDebouncer {
  private lastStart = Number.NEGATIVE_INFINITY;

  constructor(private readonly debounceSeconds: number) {}

  /** True (and the window restarts) if a scan should run at `now`. */
  shouldScan(now: number): boolean {
    if (this.debounceSeconds > 0 && now - this.lastStart < this.debounceSeconds) return false;
    this.lastStart = now;
    return true;
  }
}
