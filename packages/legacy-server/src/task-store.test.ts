import { AglError, ID_PATTERNS, type RolloutLegacy } from "@agentlightning/types";
import { describe, expect, it } from "vitest";
import { LegacyTaskStore } from "./task-store.js";

function rollout(id: string, finalReward: number | null = null): RolloutLegacy {
  return {
    rollout_id: id,
    task: null,
    final_reward: finalReward,
    triplets: null,
    trace: null,
    logs: null,
    metadata: {},
  };
}

function clockAt(start: number): { now: () => number; set(value: number): void } {
  let time = start;
  return { now: () => time, set: (value) => (time = value) };
}

describe("LegacyTaskStore", () => {
  it("queues tasks with a rollout-<uuid4> id, num_claims 0 and the given fields; resources id is not defaulted", () => {
    const clock = clockAt(100);
    const store = new LegacyTaskStore({ now: clock.now });
    store.updateResources("res-a", {
      p: { resource_type: "prompt_template", template: "t", engine: "f-string" },
    });
    const task = store.addTask({ q: 1 }, { mode: "train", metadata: { k: "v" } });
    expect(task.rollout_id).toMatch(ID_PATTERNS.legacyRollout);
    expect(task).toEqual({
      rollout_id: task.rollout_id,
      input: { q: 1 },
      mode: "train",
      resources_id: null,
      create_time: 100,
      last_claim_time: null,
      num_claims: 0,
      metadata: { k: "v" },
    });
  });

  it("rejects a missing input, an unknown mode and non-object metadata", () => {
    const store = new LegacyTaskStore();
    expect(() => store.addTask(undefined)).toThrow(/input is required/);
    // @ts-expect-error: an invalid mode on purpose
    expect(() => store.addTask(1, { mode: "eval" })).toThrow(AglError);
    // @ts-expect-error: invalid metadata on purpose
    expect(() => store.addTask(1, { metadata: [1] })).toThrow(/metadata/);
    expect(store.getQueuedTasks()).toEqual([]);
  });

  it("claims FIFO, stamping last_claim_time and incrementing num_claims on a copy kept as processing", () => {
    const clock = clockAt(10);
    const store = new LegacyTaskStore({ now: clock.now });
    const a = store.addTask("a");
    const b = store.addTask("b");
    clock.set(12);
    const claimed = store.getNextTask();
    expect(claimed?.rollout_id).toBe(a.rollout_id);
    expect(claimed?.num_claims).toBe(1);
    expect(claimed?.last_claim_time).toBe(12);
    expect(a.num_claims).toBe(0);
    expect([...store.getProcessingTasks().keys()]).toEqual([a.rollout_id]);
    expect(store.getNextTask()?.rollout_id).toBe(b.rollout_id);
    expect(store.getNextTask()).toBeNull();
  });

  it("requeues only claims strictly older than the timeout (elapsed > timeout)", () => {
    const clock = clockAt(1000);
    const store = new LegacyTaskStore({ now: clock.now });
    const task = store.addTask("x");
    store.getNextTask();
    clock.set(1002);
    expect(store.requeueStaleTasks(2)).toEqual([]);
    expect(store.getQueuedTasks()).toEqual([]);
    clock.set(1002.001);
    const requeued = store.requeueStaleTasks(2);
    expect(requeued.map((t) => t.rollout_id)).toEqual([task.rollout_id]);
    expect(store.getProcessingTasks().size).toBe(0);
  });

  it("appends a requeued task to the tail, keeping its claim count, and the next claim increments it", () => {
    const clock = clockAt(0);
    const store = new LegacyTaskStore({ now: clock.now });
    const a = store.addTask("a");
    const b = store.addTask("b");
    store.getNextTask();
    const c = store.addTask("c");
    clock.set(10);
    store.requeueStaleTasks(5);
    const queue = store.getQueuedTasks();
    expect(queue.map((t) => t.rollout_id)).toEqual([b.rollout_id, c.rollout_id, a.rollout_id]);
    expect(queue[2]?.num_claims).toBe(1);
    expect(queue[2]?.last_claim_time).toBe(0);
    store.getNextTask();
    store.getNextTask();
    clock.set(11);
    const again = store.getNextTask();
    expect(again?.rollout_id).toBe(a.rollout_id);
    expect(again?.num_claims).toBe(2);
    expect(again?.last_claim_time).toBe(11);
  });

  it("serves resources by id and latest in the v0.3.0 shape; empty or unknown bundles read as missing", () => {
    const clock = clockAt(50);
    const store = new LegacyTaskStore({ now: clock.now });
    expect(store.getLatestResources()).toBeNull();
    store.updateResources("res-1", { llm: { resource_type: "llm", endpoint: "http://x", model: "m" } });
    expect(store.getLatestResources()).toEqual({
      resources_id: "res-1",
      resources: {
        llm: {
          resource_type: "llm",
          endpoint: "http://x",
          model: "m",
          api_key: null,
          sampling_parameters: {},
        },
      },
      create_time: 50,
      update_time: 50,
      version: 1,
    });
    store.updateResources("res-empty", {});
    expect(store.latestResourcesId).toBe("res-empty");
    expect(store.getLatestResources()).toBeNull();
    expect(store.getResourcesById("res-empty")).toBeNull();
    expect(store.getResourcesById("nope")).toBeNull();
    expect(store.getResourcesById("res-1")?.resources_id).toBe("res-1");
  });

  it("rejects invalid resources without storing them", () => {
    const store = new LegacyTaskStore();
    // @ts-expect-error: unknown resource type on purpose
    expect(() => store.updateResources("res-x", { a: { resource_type: "tool" } })).toThrow(/resource_type/);
    expect(store.latestResourcesId).toBeNull();
  });

  it("stores rollouts for any id, overwrites by id, drops the id from processing, and reads destructively", () => {
    const store = new LegacyTaskStore();
    const task = store.addTask("x");
    store.getNextTask();
    store.storeRollout(rollout("unknown-id", 0.1));
    store.storeRollout(rollout(task.rollout_id, 0.2));
    store.storeRollout(rollout("unknown-id", 0.3));
    expect(store.getProcessingTasks().size).toBe(0);
    expect(store.retrieveRollout(task.rollout_id)?.final_reward).toBe(0.2);
    expect(store.retrieveRollout(task.rollout_id)).toBeNull();
    expect(store.retrieveCompletedRollouts()).toEqual([rollout("unknown-id", 0.3)]);
    expect(store.retrieveCompletedRollouts()).toEqual([]);
  });

  it("drains completed rollouts in arrival order", () => {
    const store = new LegacyTaskStore();
    for (const id of ["r1", "r2", "r3"]) store.storeRollout(rollout(id));
    expect(store.retrieveCompletedRollouts().map((r) => r.rollout_id)).toEqual(["r1", "r2", "r3"]);
  });
});
