import { describe, expect, it } from "vitest";
import type { RewardPoint } from "./api.js";
import { rewardSeries, statsByResources } from "./reward-stats.js";

const p = (end: number, reward: number, mode: string | null, res: string | null): RewardPoint => ({
  rollout_id: `ro-${end}`,
  mode,
  resources_id: res,
  end_time: end,
  final_reward: reward,
});

describe("reward statistics", () => {
  it("group by resources version in order of first appearance", () => {
    const stats = statsByResources([
      p(1, 0, "train", "rs-a"),
      p(2, 1, "train", "rs-b"),
      p(3, 0.5, "val", "rs-a"),
    ]);
    expect(stats).toEqual([
      { resourcesId: "rs-a", count: 2, mean: 0.25, min: 0, max: 0.5, firstEnd: 1 },
      { resourcesId: "rs-b", count: 1, mean: 1, min: 1, max: 1, firstEnd: 2 },
    ]);
  });
  it("align points and moving averages per mode on one time axis", () => {
    const { modes, xs, columns } = rewardSeries(
      [p(3, 1, "val", null), p(1, 0, "train", null), p(2, 1, "train", null)],
      2,
    );
    expect(modes).toEqual(["train", "val"]);
    expect(xs).toEqual([1, 2, 3]);
    expect(columns).toEqual([
      [0, 1, null],
      [0, 0.5, null],
      [null, null, 1],
      [null, null, 1],
    ]);
  });
});
