import { AglError, isFinishedStatus, type Rollout } from "@agentlightning/types";
import { detectMemoryCapacityBytes } from "./memory-capacity.js";
import type { RolloutSpans } from "./rollout-spans.js";

/** Share of the memory capacity the default budget gives stored spans. */
export const DEFAULT_SPAN_BUDGET_RATIO = 0.5;
/** Eviction stops at this share of the budget unless told otherwise (upstream's 80 %). */
export const DEFAULT_SAFE_RATIO = 0.8;

/** How the in-memory store bounds the memory of its spans (docs/store-contract.md §2.16). */
export interface SpanBudgetSettings {
  /**
   * Estimated bytes of stored spans above which the spans of the oldest finished rollouts are
   * evicted; `null` never evicts. Default: half of {@link detectMemoryCapacityBytes}.
   */
  spanMemoryBudgetBytes?: number | null;
  /** Eviction stops once the span bytes are at or below this. Default 80 % of the budget; must be below it. */
  spanMemorySafeBytes?: number;
  /** The capacity the default budget is a share of (default: detected). Reported in the statistics. */
  memoryCapacityBytes?: number;
}

/** What the budget needs to know about a rollout holding spans. */
export interface SpanHolder {
  readonly rollout: Rollout;
  readonly spans: RolloutSpans;
}

function positiveBytes(value: unknown, name: string, minimum: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < minimum) {
    throw new AglError("invalid_argument", `${name} must be an integer number of bytes >= ${minimum}`);
  }
  return value;
}

/**
 * The byte total of the stored spans and the eviction rule: once the total exceeds the budget,
 * whole span sets of **finished** rollouts are dropped, oldest `start_time` first (creation order on
 * ties), until the total is at or below the safe level. Unlike upstream, rollouts still queued or
 * running keep their spans: they are being written now and will be read when the rollout ends; if
 * they alone exceed the budget the total stays above it until they finish.
 */
export class SpanBudget {
  /** Eviction threshold in bytes, or null when eviction is off. */
  readonly budgetBytes: number | null;
  /** Level eviction brings the total down to, or null when eviction is off. */
  readonly safeBytes: number | null;
  readonly capacityBytes: number;
  /** Estimated bytes of every stored span. */
  totalBytes = 0;
  /** Rollouts currently holding spans, in order of their first stored span. */
  private readonly holders = new Set<SpanHolder>();

  constructor(settings: SpanBudgetSettings = {}) {
    this.capacityBytes =
      settings.memoryCapacityBytes === undefined
        ? detectMemoryCapacityBytes()
        : positiveBytes(settings.memoryCapacityBytes, "memoryCapacityBytes", 1);
    const budget = settings.spanMemoryBudgetBytes;
    if (budget === null) {
      if (settings.spanMemorySafeBytes !== undefined) {
        throw new AglError("invalid_argument", "spanMemorySafeBytes needs a spanMemoryBudgetBytes");
      }
      this.budgetBytes = null;
      this.safeBytes = null;
      return;
    }
    this.budgetBytes =
      budget === undefined
        ? Math.max(1, Math.floor(this.capacityBytes * DEFAULT_SPAN_BUDGET_RATIO))
        : positiveBytes(budget, "spanMemoryBudgetBytes", 1);
    this.safeBytes =
      settings.spanMemorySafeBytes === undefined
        ? Math.floor(this.budgetBytes * DEFAULT_SAFE_RATIO)
        : positiveBytes(settings.spanMemorySafeBytes, "spanMemorySafeBytes", 0);
    if (this.safeBytes >= this.budgetBytes) {
      throw new AglError(
        "invalid_argument",
        "spanMemorySafeBytes must be smaller than spanMemoryBudgetBytes",
      );
    }
  }

  /** Records `bytes` newly stored for `holder` (0: nothing was kept). */
  added(holder: SpanHolder, bytes: number): void {
    if (bytes <= 0) return;
    this.totalBytes += bytes;
    this.holders.add(holder);
  }

  /**
   * Evicts as the rule says if the total exceeds the budget; returns the number of spans dropped.
   * Cheap when under budget; when over, it sorts the finished holders once and frees down to the
   * safe level, so the next eviction is at least `budget - safe` bytes of new spans away.
   */
  enforce(): number {
    if (this.budgetBytes === null || this.safeBytes === null || this.totalBytes <= this.budgetBytes) return 0;
    const candidates: SpanHolder[] = [];
    for (const holder of this.holders) if (isFinishedStatus(holder.rollout.status)) candidates.push(holder);
    // Array.prototype.sort is stable: ties keep the holders' order.
    candidates.sort((a, b) => a.rollout.start_time - b.rollout.start_time);
    let evicted = 0;
    for (const holder of candidates) {
      if (this.totalBytes <= this.safeBytes) break;
      this.totalBytes -= holder.spans.bytes;
      evicted += holder.spans.evict();
      this.holders.delete(holder);
    }
    return evicted;
  }
}
