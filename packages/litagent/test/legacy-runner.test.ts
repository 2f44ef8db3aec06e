// LegacyAgentRunner (docs/legacy-contract.md §7, checklist #54-#57) against the real legacy task
// server on a loopback port, through the real AgentLightningClient.
import { AgentLightningClient } from "@agentlightning/legacy-client";
import { AgentLightningServer } from "@agentlightning/legacy-server";
import { OtelTracer } from "@agentlightning/tracer";
import type { NamedResources, Rollout, RolloutLegacy, Task, Triplet } from "@agentlightning/types";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { rollout } from "../src/functional-agent.js";
import { LegacyAgentRunner } from "../src/legacy/legacy-agent-runner.js";
import { toRolloutLegacy } from "../src/legacy/legacy-result.js";
import { LitAgent } from "../src/lit-agent.js";
import { RecordingLogger } from "./support/recording-logger.js";

let server: AgentLightningServer;
let client: AgentLightningClient;
let logger: RecordingLogger;
const tracer = new OtelTracer();

beforeEach(async () => {
  vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
  server = new AgentLightningServer({ port: 0 });
  await server.start();
  client = new AgentLightningClient({ endpoint: `http://127.0.0.1:${server.port}`, pollInterval: 0.05 });
  logger = new RecordingLogger();
});
afterEach(async () => {
  await server.stop();
  vi.restoreAllMocks();
});

function runnerOf<T>(
  agent: LitAgent<T>,
  extra: Partial<ConstructorParameters<typeof LegacyAgentRunner<T>>[0]> = {},
) {
  return new LegacyAgentRunner<T>({ agent, client, tracer, logger, workerId: 0, ...extra });
}

describe("LegacyAgentRunner", () => {
  it("posts a report per task: the reward of a number, and the default report after a failure (#55)", async () => {
    await server.updateResources({ llm: { resource_type: "llm", endpoint: "http://m/v1", model: "m" } });
    const good = await server.queueTask({ n: 2 }, { mode: "train" });
    const bad = await server.queueTask({ n: -1 });
    const agent = rollout((task: { n: number }, ctx) => {
      if (task.n < 0) throw new Error("negative");
      return ctx.llm.model === "m" ? task.n / 4 : 0;
    });
    await expect(runnerOf(agent, { maxTasks: 2 }).iter()).resolves.toBe(2);
    const goodReport = (await server.getCompletedRollout(good)) as RolloutLegacy;
    expect(goodReport.final_reward).toBe(0.5);
    const badReport = (await server.getCompletedRollout(bad)) as RolloutLegacy;
    expect(badReport.rollout_id).toBe(bad);
    expect(badReport.final_reward).toBeNull();
    expect(badReport.task?.input).toEqual({ n: -1 });
    expect(logger.has("error", "Exception during rollout")).toBe(true);
  });

  it("posts nothing when the task's resources are missing (#55)", async () => {
    const id = await server.queueTask({ n: 1 }, { resourcesId: "res-missing" });
    const runner = runnerOf(rollout(() => 1));
    await expect(runner.step()).resolves.toBe(false);
    expect(await server.getCompletedRollout(id)).toBeNull();
    expect(logger.has("error", "Failed to fetch resources")).toBe(true);
  });

  it("trace-derived triplets replace returned ones; the last triplet's reward fills the final reward (#56)", async () => {
    await server.updateResources({ llm: { resource_type: "llm", endpoint: "http://m/v1", model: "m" } });
    const id = await server.queueTask("q");
    const derived: Triplet[] = [
      { prompt: "p1", response: "r1", reward: null, metadata: {} },
      { prompt: "p2", response: "r2", reward: 0.7, metadata: {} },
    ];
    const agent = rollout(async () => {
      tracer.createSpan("llm-ish", { step: 1 });
      return [{ prompt: "mine", response: "mine", reward: 0.1, metadata: {} }] as never;
    });
    const seen: number[] = [];
    const runner = runnerOf(agent, {
      tripletExporter: (spans) => {
        seen.push(spans.length);
        return derived;
      },
    });
    await expect(runner.step()).resolves.toBe(true);
    const report = (await server.getCompletedRollout(id)) as RolloutLegacy;
    expect(seen).toEqual([1]);
    expect(report.triplets).toEqual(derived);
    expect(report.final_reward).toBe(0.7);
    expect(report.trace?.[0]).toMatchObject({ name: "llm-ish" });
  });

  it("calls a v0.1 agent (static legacyRolloutApi) with { input, rolloutId, resources } (#57); mode null → validation (#54)", async () => {
    await server.updateResources({
      t: { resource_type: "prompt_template", template: "{x}", engine: "f-string" },
    });
    const id = await server.queueTask({ x: 1 });
    const calls: unknown[] = [];
    class V01 extends LitAgent {
      static legacyRolloutApi = true;
      override validationRollout(args: unknown): number {
        calls.push(args);
        return 1;
      }
      override trainingRollout(): number {
        throw new Error("not for mode null");
      }
    }
    await runnerOf(new V01()).step();
    expect(calls).toEqual([
      { input: { x: 1 }, rolloutId: id, resources: expect.objectContaining({ t: expect.anything() }) },
    ]);
    expect((await server.getCompletedRollout(id))?.final_reward).toBe(1);
  });

  it("passes the default report as the rollout argument and calls the deprecated agent hooks", async () => {
    await server.updateResources({ llm: { resource_type: "llm", endpoint: "http://m/v1", model: "m" } });
    const id = await server.queueTask("x");
    const events: string[] = [];
    class Hooked extends LitAgent<string> {
      override rollout(_task: string, _resources: NamedResources, rollout: Rollout): number {
        events.push(`rollout:${rollout.rollout_id}`);
        return 1;
      }
      override onRolloutStart(task: Task): void {
        events.push(`start:${task.rollout_id}`);
      }
      override onRolloutEnd(_task: Task, report: RolloutLegacy): void {
        events.push(`end:${report.final_reward}`);
      }
    }
    await runnerOf(new Hooked()).step();
    expect(events).toEqual([`start:${id}`, `rollout:${id}`, "end:1"]);
  });

  it("iter stops on an AbortSignal while polling an empty queue", async () => {
    const controller = new AbortController();
    const runner = runnerOf(rollout(() => 1));
    const iterating = runner.iter({ signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(iterating).resolves.toBe(0);
  });
});

describe("toRolloutLegacy (docs/legacy-contract.md §7 normalisation)", () => {
  const context = { rolloutId: "r1", lastTrace: () => [], tripletExporter: null };

  it("a number is the final reward (integers too); plain objects are the trace; an empty list is both", async () => {
    expect((await toRolloutLegacy(2, context)).final_reward).toBe(2);
    expect((await toRolloutLegacy([{ a: 1 }], context)).trace).toEqual([{ a: 1 }]);
    const empty = await toRolloutLegacy([], context);
    expect(empty.triplets).toEqual([]);
    expect(empty.trace).toEqual([]);
  });

  it("a returned report keeps its fields, task included, with the computed ones filled in", async () => {
    const task = { rollout_id: "r1", input: 1 } as unknown as Task;
    const out = await toRolloutLegacy(
      {
        rollout_id: "r1",
        task,
        final_reward: null,
        triplets: [{ prompt: "p", response: "r", reward: 0.3 }],
        logs: ["l"],
      },
      context,
    );
    expect(out).toMatchObject({ rollout_id: "r1", task, final_reward: 0.3, logs: ["l"] });
  });
});
