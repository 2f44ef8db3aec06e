import type { NamedResources, Rollout } from "@agentlightning/types";
import { describe, expect, it, vi } from "vitest";
import { LitAgent } from "./lit-agent.js";

const rolloutOf = (mode: Rollout["mode"]): Rollout => ({
  rollout_id: "ro-1",
  input: null,
  start_time: 1,
  end_time: null,
  mode,
  resources_id: null,
  status: "running",
  config: { timeout_seconds: null, unresponsive_seconds: null, max_attempts: 1, retry_condition: [] },
  metadata: {},
});

describe("LitAgent (runtime checklist #107, #108)", () => {
  it("#107 overriding only rollout: training and validation both delegate to it", async () => {
    const calls: string[] = [];
    class OnlyRollout extends LitAgent<string> {
      override rollout(task: string, _resources: NamedResources, rollout: Rollout): number {
        calls.push(`${task}:${rollout.mode}`);
        return 0.5;
      }
    }
    const agent = new OnlyRollout();
    expect(await agent.trainingRollout("a", {}, rolloutOf("train"))).toBe(0.5);
    expect(await agent.validationRollout("b", {}, rolloutOf("val"))).toBe(0.5);
    expect(calls).toEqual(["a:train", "b:val"]);
  });

  it("#107 validationRollout delegates to rollout, not to trainingRollout (quirk A3)", async () => {
    class TrainOnly extends LitAgent {
      override trainingRollout(): number {
        return 1;
      }
      override rollout(): number {
        return 2;
      }
    }
    expect(await new TrainOnly().validationRollout(null, {}, rolloutOf(null))).toBe(2);
  });

  it("#107 not overriding anything: calling throws not implemented", () => {
    const agent = new LitAgent();
    expect(() => agent.rollout(null, {}, rolloutOf(null))).toThrow(/not implemented/);
    expect(() => agent.trainingRollout(null, {}, rolloutOf("train"))).toThrow(/not implemented/);
    expect(() => agent.validationRollout(null, {}, rolloutOf("val"))).toThrow(/not implemented/);
  });

  it("#108 runner and trainer before being set: errors; tracer: the runner's, else the trainer's (quirk A10)", () => {
    const agent = new LitAgent();
    expect(() => agent.getRunner()).toThrow(/Runner has not been set/);
    expect(() => agent.getTrainer()).toThrow(/Trainer has not been set/);
    expect(() => agent.tracer).toThrow(/No tracer/);
    const trainerTracer = { name: "trainer" } as never;
    const trainer = { tracer: trainerTracer };
    agent.setTrainer(trainer);
    expect(agent.trainer).toBe(trainer);
    expect(agent.tracer).toBe(trainerTracer);
    const runnerTracer = { name: "runner" } as never;
    const runner = { tracer: runnerTracer };
    agent.setRunner(runner);
    expect(agent.runner).toBe(runner);
    expect(agent.tracer).toBe(runnerTracer);
  });

  it("trainedAgents is deprecated with a DeprecationWarning", () => {
    const spy = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    try {
      const agent = new LitAgent({ trainedAgents: "writer" });
      expect(agent.trainedAgents).toBe("writer");
      expect(spy).toHaveBeenCalledWith(
        expect.stringMatching(/trainedAgents is deprecated/),
        "DeprecationWarning",
      );
      spy.mockClear();
      void new LitAgent();
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});
