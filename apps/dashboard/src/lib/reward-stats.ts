import type { RewardPoint } from "./api.js";

/** Mean of the numbers, or null for none. */
export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Rewards of one resources version. */
export interface VersionStats {
  resourcesId: string;
  count: number;
  mean: number;
  min: number;
  max: number;
  firstEnd: number | null;
}

/** Reward statistics per resources id, in the order the versions first finished a rollout. */
export function statsByResources(points: readonly RewardPoint[]): VersionStats[] {
  const groups = new Map<string, RewardPoint[]>();
  for (const p of points) {
    const key = p.resources_id ?? "(none)";
    const list = groups.get(key);
    if (list) list.push(p);
    else groups.set(key, [p]);
  }
  return [...groups.entries()].map(([resourcesId, list]) => {
    const values = list.map((p) => p.final_reward);
    return {
      resourcesId,
      count: list.length,
      mean: mean(values)!,
      min: Math.min(...values),
      max: Math.max(...values),
      firstEnd: list[0]?.end_time ?? null,
    };
  });
}

/**
 * Aligned chart data of rewards over time, oldest first: for each mode a series of points and a
 * series of its moving average over `window` rollouts.
 */
export function rewardSeries(points: readonly RewardPoint[], window = 20) {
  const sorted = [...points].filter((p) => p.end_time !== null).sort((a, b) => a.end_time! - b.end_time!);
  const modes = [...new Set(sorted.map((p) => p.mode ?? "none"))].sort();
  const xs = sorted.map((p) => p.end_time!);
  const columns: Array<Array<number | null>> = [];
  for (const mode of modes) {
    const raw: Array<number | null> = [];
    const avg: Array<number | null> = [];
    const recent: number[] = [];
    for (const p of sorted) {
      if ((p.mode ?? "none") === mode) {
        recent.push(p.final_reward);
        if (recent.length > window) recent.shift();
        raw.push(p.final_reward);
        avg.push(mean(recent));
      } else {
        raw.push(null);
        avg.push(null);
      }
    }
    columns.push(raw, avg);
  }
  return { modes, xs, columns };
}
