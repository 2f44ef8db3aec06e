import { describe, expect, it } from "vitest";
import { finalReward, rewardOfSpan, rewardsOfSpan } from "./rewards.js";
import { span } from "./test-spans.js";

describe("rewards", () => {
  it("reads v0.3 multi-dimensional rewards, primary first", () => {
    const s = span(1, "a", null, 0, 1, {
      name: "agentlightning.annotation",
      attributes: {
        "agentlightning.reward.1.name": "len",
        "agentlightning.reward.1.value": 3,
        "agentlightning.reward.0.name": "primary",
        "agentlightning.reward.0.value": 0.5,
      },
    });
    expect(rewardsOfSpan(s)).toEqual([
      { name: "primary", value: 0.5 },
      { name: "len", value: 3 },
    ]);
    expect(rewardOfSpan(s)).toBe(0.5);
  });
  it("reads AgentOps and v0.2 rewards, and takes the last one as final", () => {
    const agentops = span(1, "a", null, 0, 1, {
      attributes: { "agentops.task.output": '{"type":"reward","value":0.25}' },
    });
    const legacy = span(2, "b", null, 0, 1, { name: "agentlightning.reward", attributes: { reward: 1 } });
    const plain = span(3, "c", null, 0, 1);
    expect(rewardOfSpan(agentops)).toBe(0.25);
    expect(rewardOfSpan(legacy)).toBe(1);
    expect(finalReward([agentops, legacy, plain])).toBe(1);
    expect(finalReward([plain])).toBeNull();
  });
});
