// Runtime contract checklist §9 "Emitters", the reader items #55–#58 (§4.3), plus Quirk A2 (v0.2 reward spans).
import { describe, expect, it } from "vitest";
import { recordingLogger } from "../../test/support/recording-logger.js";
import {
  findFinalReward,
  findRewardSpans,
  getRewardsFromSpan,
  getRewardValue,
  isRewardSpan,
} from "./reward-readers.js";

const plain = { name: "openai.chat.completion", attributes: { "gen_ai.response.id": "r" } };
const annotation = (value: number) => ({
  name: "agentlightning.annotation",
  attributes: { "agentlightning.reward.0.name": "primary", "agentlightning.reward.0.value": value },
});

describe("getRewardValue: AgentOps format (#55)", () => {
  it("reads agentops.task.output as an object and agentops.entity.output as JSON text", () => {
    const logger = recordingLogger();
    expect(
      getRewardValue(
        { name: "x", attributes: { "agentops.task.output": { type: "reward", value: 3.5 } } },
        { logger },
      ),
    ).toBe(3.5);
    expect(
      getRewardValue(
        { name: "x", attributes: { "agentops.entity.output": '{"type": "reward", "value": 1.25}' } },
        { logger },
      ),
    ).toBe(1.25);
    expect(logger.messages("warn").join("\n")).toMatch(/deprecated/);
  });

  it("returns null for outputs that are not rewards", () => {
    expect(getRewardValue({ name: "x", attributes: { "agentops.task.output": { foo: "bar" } } })).toBeNull();
    expect(getRewardValue({ name: "x", attributes: { "agentops.task.output": '{"value": 1}' } })).toBeNull();
    expect(getRewardValue({ name: "x", attributes: { "agentops.task.output": "not json" } })).toBeNull();
  });

  it("a null reward value is null; a non-number logs an error", () => {
    const logger = recordingLogger();
    expect(
      getRewardValue({ attributes: { "agentops.task.output": { type: "reward", value: null } } }),
    ).toBeNull();
    expect(
      getRewardValue(
        { attributes: { "agentops.task.output": { type: "reward", value: "high" } } },
        { logger },
      ),
    ).toBeNull();
    expect(logger.messages("error")).toHaveLength(1);
  });
});

describe("getRewardValue: v0.2 format (#56, Quirk A2)", () => {
  it("reads `reward` on a span named agentlightning.annotation", () => {
    const logger = recordingLogger();
    expect(
      getRewardValue({ name: "agentlightning.annotation", attributes: { reward: 0.75 } }, { logger }),
    ).toBe(0.75);
    expect(logger.messages("warn")).toHaveLength(1);
  });

  it("also reads the name v0.2 actually wrote, agentlightning.reward", () => {
    expect(getRewardValue({ name: "agentlightning.reward", attributes: { reward: 0.5 } })).toBe(0.5);
  });

  it("ignores a `reward` attribute on other spans", () => {
    expect(getRewardValue({ name: "my.span", attributes: { reward: 0.5 } })).toBeNull();
  });
});

describe("getRewardsFromSpan (#57)", () => {
  it("reads every dimension, primary first", () => {
    const span = {
      name: "agentlightning.annotation",
      attributes: {
        "agentlightning.reward.0.name": "primary",
        "agentlightning.reward.0.value": 1.0,
        "agentlightning.reward.1.name": "aux",
        "agentlightning.reward.1.value": 0.25,
      },
    };
    expect(getRewardsFromSpan(span)).toEqual([
      { name: "primary", value: 1.0 },
      { name: "aux", value: 0.25 },
    ]);
    expect(getRewardValue(span)).toBe(1.0);
  });

  it("no reward keys → []", () => {
    expect(getRewardsFromSpan(plain)).toEqual([]);
    expect(getRewardsFromSpan({ name: "x" })).toEqual([]);
  });

  it("a reward of 0 is a reward", () => {
    expect(getRewardValue(annotation(0))).toBe(0);
    expect(isRewardSpan(annotation(0))).toBe(true);
  });

  it("malformed reward attributes throw, naming the key", () => {
    expect(() =>
      getRewardsFromSpan({
        name: "a",
        attributes: { "agentlightning.reward.0.name": "p", "agentlightning.reward.0.value": "x" },
      }),
    ).toThrow(/agentlightning\.reward\.0\.value/);
    expect(() =>
      getRewardsFromSpan({ name: "a", attributes: { "agentlightning.reward.x.value": 1 } }),
    ).toThrow(/list/);
    expect(() => getRewardsFromSpan({ name: "a", attributes: { "agentlightning.reward": 1 } })).toThrow(
      /prefix/,
    );
  });
});

describe("findRewardSpans / findFinalReward (#58)", () => {
  it("filters reward spans", () => {
    const reward = annotation(1);
    expect(findRewardSpans([plain, reward, plain])).toEqual([reward]);
  });

  it("returns the last reward in list order", () => {
    const agentops = { name: "x", attributes: { "agentops.task.output": { type: "reward", value: 5.5 } } };
    expect(findFinalReward([plain, annotation(1.0), agentops])).toBe(5.5);
    expect(findFinalReward([agentops, annotation(1.0), plain])).toBe(1.0);
    expect(findFinalReward([plain])).toBeNull();
    expect(findFinalReward([])).toBeNull();
  });
});
