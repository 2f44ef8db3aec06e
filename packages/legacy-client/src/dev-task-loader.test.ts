import { AglError } from "@agentlightning/types";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { AgentLightningClient } from "./client.js";
import { DevTaskLoader } from "./dev-task-loader.js";

const RESOURCES = {
  main_llm: {
    resource_type: "llm",
    endpoint: "http://localhost:8080/v1",
    model: "gpt-4o",
    api_key: null,
    sampling_parameters: { temperature: 0.5 },
  },
  system_prompt: { resource_type: "prompt_template", template: "Be {style}.", engine: "f-string" },
} as const;

beforeAll(() => {
  vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
});

describe("DevTaskLoader", () => {
  it("stores raw inputs and wraps plain resources as bundle 'local' (v0.3.0 shape)", async () => {
    const loader = new DevTaskLoader(["input1", { prompt: "input2" }], RESOURCES);
    expect(loader).toBeInstanceOf(AgentLightningClient);
    expect(loader.endpoint).toBe("local://");
    expect(loader.toString()).toContain("num_tasks=2");
    expect(loader.taskCount).toBe(0);
    const bundle = await loader.getLatestResources();
    expect(bundle).toEqual({
      resources_id: "local",
      resources: RESOURCES,
      create_time: expect.any(Number),
      update_time: expect.any(Number),
      version: 1,
    });
    expect(await loader.getResourcesById("local")).toEqual(bundle);
  });

  it("turns raw inputs into local_task_NNN tasks with mode null and the bundle's id, counting each poll", async () => {
    const loader = new DevTaskLoader(["input1", { prompt: "input2" }], RESOURCES);
    const first = await loader.pollNextTask();
    expect(first).toMatchObject({
      rollout_id: "local_task_001",
      input: "input1",
      resources_id: "local",
      mode: null,
    });
    expect(typeof first?.create_time).toBe("number");
    expect(loader.taskCount).toBe(1);
    const second = await loader.pollNextTask();
    expect(second).toMatchObject({ rollout_id: "local_task_002", input: { prompt: "input2" }, mode: null });
    expect(loader.taskCount).toBe(2);
  });

  it("cycles back to the first task after the last, repeating ids", async () => {
    const loader = new DevTaskLoader(["only"], RESOURCES);
    const first = await loader.pollNextTask();
    const second = await loader.pollNextTask();
    expect(second?.input).toBe("only");
    expect(second?.rollout_id).toBe(first?.rollout_id);
    expect(loader.taskCount).toBe(2);
  });

  it("serves given Task objects unchanged and a given bundle by its own id", async () => {
    const task = {
      rollout_id: "existing_task",
      input: "existing_input",
      mode: "train",
      resources_id: "version123",
      create_time: 1,
      last_claim_time: null,
      num_claims: null,
      metadata: { a: 1 },
    } as const;
    const loader = new DevTaskLoader([task], { resources_id: "version123", resources: RESOURCES });
    expect(await loader.pollNextTask()).toEqual(task);
    const byId = await loader.getResourcesById("version123");
    expect(byId.resources).toEqual(RESOURCES);
    expect((await loader.getLatestResources()).resources_id).toBe("version123");
  });

  it("fills a partial Task's defaults", async () => {
    const loader = new DevTaskLoader([{ rollout_id: "t", input: null }], RESOURCES);
    expect(await loader.pollNextTask()).toEqual({
      rollout_id: "t",
      input: null,
      mode: null,
      resources_id: null,
      create_time: null,
      last_claim_time: null,
      num_claims: null,
      metadata: {},
    });
  });

  it("rejects an unknown resource id, naming the available one", async () => {
    const loader = new DevTaskLoader(["x"], RESOURCES);
    await expect(loader.getResourcesById("wrong_id")).rejects.toThrow(
      "Resource ID 'wrong_id' not found. Only 'local' is available.",
    );
    await expect(loader.getResourcesById("wrong_id")).rejects.toMatchObject({ code: "not_found" });
  });

  it("records posted rollouts and answers {status: received, rollout_id}", async () => {
    const loader = new DevTaskLoader(["x"], RESOURCES);
    const reply = await loader.postRollout({ rollout_id: "test_rollout", final_reward: 0.8 });
    expect(reply).toEqual({ status: "received", rollout_id: "test_rollout" });
    expect(loader.rollouts).toHaveLength(1);
    expect(loader.rollouts[0]).toMatchObject({
      rollout_id: "test_rollout",
      final_reward: 0.8,
      triplets: null,
    });
    // The exposed list is a copy: callers cannot drop recorded rollouts.
    (loader.rollouts as unknown[]).length = 0;
    expect(loader.rollouts).toHaveLength(1);
  });

  it("prints as DevTaskLoader(num_tasks=n, resources=<Python repr>)", () => {
    const loader = new DevTaskLoader(["x"], { p: RESOURCES.system_prompt });
    expect(String(loader)).toBe(
      "DevTaskLoader(num_tasks=1, resources={'p': PromptTemplate(resource_type='prompt_template', template='Be {style}.', engine='f-string')})",
    );
  });

  it("rejects an empty task list", () => {
    expect(() => new DevTaskLoader([], RESOURCES)).toThrow(
      "DevTaskLoader requires at least one task to be provided.",
    );
  });

  it("rejects a mix of Task objects and raw inputs", () => {
    const error = (() => {
      try {
        new DevTaskLoader([{ rollout_id: "t", input: "i" }, "raw"], RESOURCES);
      } catch (e) {
        return e;
      }
    })();
    expect(AglError.isInstance(error)).toBe(true);
    expect((error as AglError).message).toBe("All tasks must be either Task or TaskInput objects.");
    expect((error as AglError).code).toBe("invalid_argument");
  });

  it("ends a poll at once when the signal is already aborted", async () => {
    const loader = new DevTaskLoader(["x"], RESOURCES);
    expect(await loader.pollNextTask({ signal: AbortSignal.abort() })).toBeNull();
    expect(loader.taskCount).toBe(0);
  });

  it("emits only its own DeprecationWarning", () => {
    const spy = vi.mocked(process.emitWarning);
    spy.mockClear();
    new DevTaskLoader(["x"], RESOURCES);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy).toHaveBeenCalledWith(
      expect.stringContaining("DevTaskLoader is deprecated"),
      "DeprecationWarning",
    );
  });
});
