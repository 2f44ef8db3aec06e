import type { AttemptedRollout, NamedResources, Rollout } from "@agentlightning/types";
import { describe, expect, it } from "vitest";
import { RecordingLogger } from "../test/support/recording-logger.js";
import { createAgentContext } from "./agent-context.js";
import { FunctionalLitAgent, llmRollout, promptRollout, rollout } from "./functional-agent.js";
import { LitAgent } from "./lit-agent.js";

const plainRollout: Rollout = {
  rollout_id: "ro-123",
  input: { q: "x" },
  start_time: 1,
  end_time: null,
  mode: "train",
  resources_id: null,
  status: "running",
  config: { timeout_seconds: null, unresponsive_seconds: null, max_attempts: 1, retry_condition: [] },
  metadata: {},
};
const attempted: AttemptedRollout = {
  ...plainRollout,
  attempt: {
    rollout_id: "ro-123",
    attempt_id: "at-456",
    sequence_id: 1,
    start_time: 1,
    end_time: null,
    status: "running",
    worker_id: "Worker-0",
    last_heartbeat_time: null,
    metadata: null,
  },
};
const proxy = {
  resource_type: "proxy_llm" as const,
  endpoint: "http://localhost:11434/v1",
  model: "m",
  api_key: "k",
  sampling_parameters: { temperature: 0.5 },
};
const llm = {
  resource_type: "llm" as const,
  endpoint: "http://a/v1",
  model: "a",
  api_key: null,
  sampling_parameters: {},
};
const template = {
  resource_type: "prompt_template" as const,
  template: "Hello {name}!",
  engine: "f-string" as const,
};

describe("functional agents (runtime checklist #98-#106)", () => {
  it("#98/#99 stay callable with the original arguments and result, and expose the rollout methods", async () => {
    const fn = async (task: number, _ctx: unknown) => task * 2;
    for (const agent of [llmRollout(fn), rollout(fn), promptRollout(fn)]) {
      const ctx = createAgentContext({}, plainRollout);
      await expect(agent(21, ctx)).resolves.toBe(42);
      expect(agent).toBeInstanceOf(LitAgent);
      expect(agent).toBeInstanceOf(FunctionalLitAgent);
      expect(typeof agent.rollout).toBe("function");
      expect(typeof agent.trainingRollout).toBe("function");
      expect(typeof agent.validationRollout).toBe("function");
      expect(agent.isAsync()).toBe(true);
      expect(agent.name).toBe("fn");
    }
  });

  it("#100 llmRollout gives a proxy_llm as a plain llm on the rollout's attempt route", async () => {
    const agent = llmRollout((_task: unknown, ctx) => {
      seen.push(ctx.llm);
      return 1;
    });
    const seen: unknown[] = [];
    await agent.rollout(null, { main: proxy }, attempted);
    expect(seen[0]).toEqual({
      resource_type: "llm",
      endpoint: "http://localhost:11434/rollout/ro-123/attempt/at-456/v1",
      model: "m",
      api_key: "k",
      sampling_parameters: { temperature: 0.5 },
    });
  });

  it("#101 llmRollout({ stripProxy: false }) gives the proxy_llm itself", async () => {
    const seen: unknown[] = [];
    const agent = llmRollout(
      (_task: unknown, ctx) => {
        seen.push(ctx.llm);
      },
      { stripProxy: false },
    );
    await agent.rollout(null, { main: proxy }, attempted);
    expect(seen[0]).toEqual(proxy);
  });

  it("#102 the context carries the rollout and the resources", async () => {
    const seen: Array<[string, NamedResources]> = [];
    const agent = rollout((_task: unknown, ctx) => {
      seen.push([ctx.rollout.rollout_id, ctx.resources]);
    });
    await agent.rollout(null, { t: template }, attempted);
    expect(seen).toEqual([["ro-123", { t: template }]]);
  });

  it("#103 promptRollout gets the first prompt template, whatever its key, and can format it", async () => {
    const out: string[] = [];
    const agent = promptRollout(
      (task: { name: string }, ctx) => void out.push(ctx.promptTemplate.format(task)),
    );
    await agent.validationRollout({ name: "Ada" }, { model: llm, whatever: template }, attempted);
    expect(out).toEqual(["Hello Ada!"]);
  });

  it("#104 a missing LLM or template is an error naming the resources there are; two LLMs: the first and a warning", async () => {
    await expect(async () => llmRollout(() => 1).rollout(null, { t: template }, attempted)).rejects.toThrow(
      /No LLM resource found.*t \(prompt_template\)/,
    );
    await expect(async () => promptRollout(() => 1).rollout(null, { m: llm }, attempted)).rejects.toThrow(
      /No prompt template resource found.*m \(llm\)/,
    );
    // An agent without a kind fails only when it reads the missing resource.
    await expect(Promise.resolve(rollout(() => 1).rollout(null, {}, attempted))).resolves.toBe(1);
    await expect(async () => rollout((_t, ctx) => void ctx.llm).rollout(null, {}, attempted)).rejects.toThrow(
      /No LLM resource found.*has: none/,
    );

    const logger = new RecordingLogger();
    const ctx = createAgentContext({ first: llm, second: { ...llm, model: "b" } }, attempted, { logger });
    expect(ctx.llm.model).toBe("a");
    expect(logger.has("warn", "ignoring 'second'")).toBe(true);
  });

  it("#105 stripping a proxy for a rollout without an attempt fails", () => {
    const ctx = createAgentContext({ p: proxy }, plainRollout);
    expect(() => ctx.llm).toThrow(/Rollout is not an AttemptedRollout/);
    // Without stripping, the proxy is given as it is.
    expect(createAgentContext({ p: proxy }, plainRollout, { stripProxy: false }).llm).toEqual(proxy);
  });

  it("#106 (TS) a kind other than llm/prompt does not match any known agent pattern; a non-function is refused", () => {
    expect(() => rollout(() => 1, { kind: "tool" as never })).toThrow(
      /does not match any known agent patterns/,
    );
    expect(() => llmRollout(42 as never)).toThrow(TypeError);
  });

  it("calls go to the agent itself: setRunner through the callable is seen by getRunner", () => {
    const agent = llmRollout(() => 1);
    const runner = { tracer: {} as never };
    agent.setRunner(runner);
    expect(agent.getRunner()).toBe(runner);
    expect(agent.runner).toBe(runner);
  });
});
