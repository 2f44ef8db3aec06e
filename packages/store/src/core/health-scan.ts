import { AglError } from "@agentlightning/types";
import { DEFAULT_CLAIM_LEASE_SECONDS } from "./lifecycle-rules.js";

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

/**
 * The claim lease of a store's settings (`claimLeaseSeconds`): default
 * {@link DEFAULT_CLAIM_LEASE_SECONDS}; null or 0 disables it (returned as null).
 */
export function claimLeaseOf(settings: { claimLeaseSeconds?: number | null }): number | null {
  const lease =
    settings.claimLeaseSeconds === undefined ? DEFAULT_CLAIM_LEASE_SECONDS : settings.claimLeaseSeconds;
  if (lease === null) return null;
  if (typeof lease !== "number" || !(lease >= 0) || !Number.isFinite(lease)) {
    throw new AglError("invalid_argument", "claimLeaseSeconds must be a number >= 0 or null");
  }
  return lease === 0 ? null : lease;
}
