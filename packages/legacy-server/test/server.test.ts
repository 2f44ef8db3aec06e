import { AglError, ID_PATTERNS } from "@agentlightning/types";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  AgentLightningServer,
  type AgentLightningServerOptions,
  createLegacyApp,
  LEGACY_VALIDATION_ERROR_STATUS,
  LegacyTaskStore,
} from "../src/index.js";
import { postJson, request, serveApp, sleep } from "./helpers.js";

const STORE_NOT_INITIALIZED = "Store not initialized. The server may not be running.";
const TASK_KEYS = [
  "create_time",
  "input",
  "last_claim_time",
  "metadata",
  "mode",
  "num_claims",
  "resources_id",
  "rollout_id",
].sort();
const PROMPT = {
  resource_type: "prompt_template",
  template: "You are a master of {domain}.",
  engine: "f-string",
} as const;

const running: AgentLightningServer[] = [];

async function startServer(options: AgentLightningServerOptions = {}): Promise<AgentLightningServer> {
  const server = new AgentLightningServer({ port: 0, ...options });
  running.push(server);
  await server.start();
  return server;
}

beforeAll(() => {
  // Every construction warns; keep the test output readable. Assertions read the spy's calls.
  vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop()));
});

describe("AgentLightningServer lifecycle", () => {
  it("has the upstream defaults and an http://<host>:<port> endpoint", () => {
    const server = new AgentLightningServer();
    expect(server.host).toBe("127.0.0.1");
    expect(server.port).toBe(8000);
    expect(server.taskTimeoutSeconds).toBe(300);
    expect(server.endpoint).toBe("http://127.0.0.1:8000");
    expect(server.isRunning).toBe(false);
    expect(new AgentLightningServer({ host: "::1", port: 9 }).endpoint).toBe("http://[::1]:9");
  });

  it("emits a DeprecationWarning on every construction", () => {
    const spy = vi.mocked(process.emitWarning);
    spy.mockClear();
    new AgentLightningServer();
    new AgentLightningServer();
    expect(spy).toHaveBeenCalledTimes(2);
    expect(spy).toHaveBeenCalledWith(
      expect.stringContaining("AgentLightningServer is deprecated"),
      "DeprecationWarning",
    );
  });

  it("rejects every state method before start-up with the upstream message", async () => {
    const server = new AgentLightningServer({ port: 0 });
    const calls = [
      () => server.queueTask("x"),
      () => server.updateResources({ p: PROMPT }),
      () => server.getCompletedRollout("r"),
      () => server.pollCompletedRollout("r", { timeout: 0.1 }),
      () => server.retrieveCompletedRollouts(),
    ];
    for (const call of calls) {
      const error = await call().catch((e: unknown) => e);
      expect(AglError.isInstance(error)).toBe(true);
      expect((error as AglError).message).toBe(STORE_NOT_INITIALIZED);
    }
  });

  it("binds port 0 to a free port, reflected in port and endpoint once start() resolves", async () => {
    const server = await startServer();
    expect(server.port).toBeGreaterThan(0);
    expect(server.endpoint).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.isRunning).toBe(true);
    const { status, body } = await request(`${server.endpoint}/task`);
    expect(status).toBe(200);
    expect(body).toEqual({ is_available: false, task: null });
  });

  it("rejects start() when the port is taken and stays stopped", async () => {
    const first = await startServer();
    const second = new AgentLightningServer({ port: first.port });
    const error = await second.start().catch((e: unknown) => e);
    expect(AglError.isInstance(error)).toBe(true);
    expect((error as AglError).code).toBe("unavailable");
    expect((error as AglError).message).toContain("EADDRINUSE");
    expect(((error as AglError).cause as NodeJS.ErrnoException).code).toBe("EADDRINUSE");
    expect(second.isRunning).toBe(false);
    await expect(second.queueTask("x")).rejects.toThrow(STORE_NOT_INITIALIZED);
    await second.stop();
  });

  it("refuses a second start() while running", async () => {
    const server = await startServer();
    await expect(server.start()).rejects.toMatchObject({ code: "conflict" });
  });

  it("drops all tasks, rollouts and resources on stop(), and starts empty again", async () => {
    const server = await startServer();
    await server.updateResources({ p: PROMPT });
    await server.queueTask("queued");
    const claimedId = await server.queueTask("claimed");
    await server.queueTask("other");
    await request(`${server.endpoint}/task`);
    await postJson(`${server.endpoint}/rollout`, { rollout_id: claimedId, final_reward: 1 });
    await server.stop();
    expect(server.isRunning).toBe(false);
    await expect(server.getCompletedRollout(claimedId)).rejects.toThrow(STORE_NOT_INITIALIZED);
    await server.stop();

    // The restart reuses the port; give fetch's pooled keep-alive sockets a moment to see the close.
    await sleep(50);
    await server.start();
    expect(await server.getCompletedRollout(claimedId)).toBeNull();
    expect(await server.retrieveCompletedRollouts()).toEqual([]);
    expect((await request(`${server.endpoint}/task`)).body).toEqual({ is_available: false, task: null });
    expect((await request(`${server.endpoint}/resources/latest`)).status).toBe(404);
  });

  it("runForever() serves until stop() or until its signal aborts", async () => {
    const server = new AgentLightningServer({ port: 0 });
    running.push(server);
    let finished = false;
    const forever = server.runForever().then(() => (finished = true));
    while (!server.isRunning) await sleep(10);
    expect((await request(`${server.endpoint}/task`)).status).toBe(200);
    expect(finished).toBe(false);
    await server.stop();
    await forever;
    expect(finished).toBe(true);

    const controller = new AbortController();
    const again = server.runForever({ signal: controller.signal });
    while (!server.isRunning) await sleep(10);
    controller.abort();
    await again;
    expect(server.isRunning).toBe(false);
  });
});

describe("GET /task", () => {
  it("serves a queued task once with every field, then reports nothing available", async () => {
    const server = await startServer();
    const id = await server.queueTask({ prompt: "Tell me about the Roman Empire." }, { mode: "train" });
    const first = await request(`${server.endpoint}/task`);
    expect(first.status).toBe(200);
    const body = first.body as { is_available: boolean; task: Record<string, unknown> };
    expect(body.is_available).toBe(true);
    expect(Object.keys(body.task).sort()).toEqual(TASK_KEYS);
    expect(body.task).toMatchObject({
      rollout_id: id,
      num_claims: 1,
      mode: "train",
      resources_id: null,
      metadata: {},
    });
    expect(typeof body.task.create_time).toBe("number");
    expect(typeof body.task.last_claim_time).toBe("number");

    const second = await request(`${server.endpoint}/task`);
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ is_available: false, task: null });
  });

  it("re-serves a task whose claim timed out, with num_claims 2 and a later claim time", async () => {
    const server = await startServer({ taskTimeoutSeconds: 0.5 });
    const id = await server.queueTask({ q: "timeout" });
    const first = (await request(`${server.endpoint}/task`)).body as {
      task: { num_claims: number; last_claim_time: number };
    };
    expect((await request(`${server.endpoint}/task`)).body).toMatchObject({ is_available: false });
    await sleep(700);
    const again = await request(`${server.endpoint}/task`);
    expect(again.status).toBe(200);
    const task = (
      again.body as {
        is_available: boolean;
        task: { rollout_id: string; num_claims: number; last_claim_time: number };
      }
    ).task;
    expect(task.rollout_id).toBe(id);
    expect(task.num_claims).toBe(2);
    expect(task.last_claim_time).toBeGreaterThan(first.task.last_claim_time);
  });

  it("requeues a timed-out task behind the tasks already waiting", async () => {
    const server = await startServer({ taskTimeoutSeconds: 0.3 });
    const a = await server.queueTask("a");
    const b = await server.queueTask("b");
    await request(`${server.endpoint}/task`);
    await sleep(500);
    const next = (await request(`${server.endpoint}/task`)).body as { task: { rollout_id: string } };
    const after = (await request(`${server.endpoint}/task`)).body as { task: { rollout_id: string } };
    expect([next.task.rollout_id, after.task.rollout_id]).toEqual([b, a]);
  });

  it("requeues stale claims only when /task is polled (no background timer)", async () => {
    const store = new LegacyTaskStore();
    const served = await serveApp(createLegacyApp({ store, taskTimeoutSeconds: 0.2 }));
    try {
      const id = store.addTask("slow").rollout_id;
      await request(`${served.url}/task`);
      await sleep(400);
      expect([...store.getProcessingTasks().keys()]).toEqual([id]);
      expect(store.getQueuedTasks()).toEqual([]);
      const again = (await request(`${served.url}/task`)).body as {
        task: { rollout_id: string; num_claims: number };
      };
      expect(again.task).toMatchObject({ rollout_id: id, num_claims: 2 });
    } finally {
      await served.close();
    }
  });
});

describe("GET /resources", () => {
  it("answers 404 with the upstream messages for no bundle yet and for an unknown id", async () => {
    const server = await startServer();
    const latest = await request(`${server.endpoint}/resources/latest`);
    expect(latest.status).toBe(404);
    expect(latest.body).toEqual({ detail: "No resources have been set on the server." });
    const unknown = await request(`${server.endpoint}/resources/non-existent-id`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ detail: "Resource ID 'non-existent-id' not found." });
  });

  it("serves bundles in the v0.3.0 shape by id and as latest, latest being the last published", async () => {
    const server = await startServer();
    const first = await server.updateResources({ p: PROMPT });
    const second = await server.updateResources({
      main_llm: { resource_type: "llm", endpoint: "http://localhost:8080/v1", model: "gpt-4o" },
    });
    expect(first).toMatch(ID_PATTERNS.legacyResources);
    expect(second).toMatch(ID_PATTERNS.legacyResources);
    const latest = await request(`${server.endpoint}/resources/latest`);
    expect(latest.status).toBe(200);
    expect(latest.body).toEqual({
      resources_id: second,
      resources: {
        main_llm: {
          resource_type: "llm",
          endpoint: "http://localhost:8080/v1",
          model: "gpt-4o",
          api_key: null,
          sampling_parameters: {},
        },
      },
      create_time: expect.any(Number),
      update_time: expect.any(Number),
      version: 1,
    });
    const byId = await request(`${server.endpoint}/resources/${first}`);
    expect(byId.body).toMatchObject({ resources_id: first, resources: { p: PROMPT }, version: 1 });
  });

  it("treats an empty bundle as missing", async () => {
    const server = await startServer();
    const id = await server.updateResources({});
    expect((await request(`${server.endpoint}/resources/latest`)).status).toBe(404);
    const byId = await request(`${server.endpoint}/resources/${id}`);
    expect(byId.status).toBe(404);
    expect(byId.body).toEqual({ detail: `Resource ID '${id}' not found.` });
  });
});

describe("POST /rollout", () => {
  it("acknowledges with status ok and stores the rollout with every field, ignoring unknown keys", async () => {
    const server = await startServer();
    const reply = await postJson(`${server.endpoint}/rollout`, {
      rollout_id: "r-1",
      final_reward: 0.5,
      extra: true,
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ status: "ok", message: "Rollout r-1 received and stored.", data: null });
    expect(await server.getCompletedRollout("r-1")).toEqual({
      rollout_id: "r-1",
      task: null,
      final_reward: 0.5,
      triplets: null,
      trace: null,
      logs: null,
      metadata: {},
    });
  });

  it("accepts unknown ids, overwrites by id and releases the claim", async () => {
    const server = await startServer({ taskTimeoutSeconds: 0.3 });
    const id = await server.queueTask("x");
    await request(`${server.endpoint}/task`);
    await postJson(`${server.endpoint}/rollout`, { rollout_id: "never-queued", final_reward: 1 });
    await postJson(`${server.endpoint}/rollout`, { rollout_id: id, final_reward: 0.1 });
    await postJson(`${server.endpoint}/rollout`, { rollout_id: id, final_reward: 0.2 });
    await sleep(500);
    // A claim still in "processing" would be requeued by this poll.
    expect((await request(`${server.endpoint}/task`)).body).toEqual({ is_available: false, task: null });
    const all = await server.retrieveCompletedRollouts();
    expect(all.map((r) => [r.rollout_id, r.final_reward])).toEqual([
      ["never-queued", 1],
      [id, 0.2],
    ]);
  });

  it.each([
    ["a missing rollout_id", { final_reward: 1 }, ["body", "rollout_id"]],
    ["a non-numeric final_reward", { rollout_id: "r", final_reward: "high" }, ["body", "final_reward"]],
    [
      "a triplet without prompt",
      { rollout_id: "r", triplets: [{ response: "a" }] },
      ["body", "triplets", 0, "prompt"],
    ],
    ["a list body", [{ rollout_id: "r" }], ["body"]],
  ])("rejects %s naming the field, storing nothing", async (_name, payload, loc) => {
    const server = await startServer();
    const reply = await postJson(`${server.endpoint}/rollout`, payload);
    expect(reply.status).toBe(LEGACY_VALIDATION_ERROR_STATUS);
    expect(reply.status).toBe(400);
    const detail = (reply.body as { detail: { loc: unknown[]; msg: string }[] }).detail;
    expect(detail.map((item) => item.loc)).toContainEqual(loc);
    expect(await server.retrieveCompletedRollouts()).toEqual([]);
  });

  it("refuses text the store cannot keep (U+0000, a lone surrogate) with 400 naming the field, storing nothing", async () => {
    const server = await startServer();
    for (const [payload, where] of [
      [{ rollout_id: "r", triplets: [{ prompt: "p", response: "a\u0000" }] }, "triplets.0.response"],
      [{ rollout_id: "r", metadata: { "\ud800": 1 } }, "metadata"],
    ] as const) {
      const reply = await postJson(`${server.endpoint}/rollout`, payload);
      expect(reply.status).toBe(400);
      expect((reply.body as { detail: string }).detail).toContain(`Invalid rollout: ${where}`);
    }
    expect(await server.retrieveCompletedRollouts()).toEqual([]);
  });

  it("rejects an undecodable or empty body", async () => {
    const server = await startServer();
    const broken = await request(`${server.endpoint}/rollout`, { method: "POST", body: "{not json" });
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({ detail: [{ type: "json_invalid", loc: ["body"] }] });
    const empty = await request(`${server.endpoint}/rollout`, { method: "POST" });
    expect(empty.status).toBe(400);
    expect(empty.body).toMatchObject({ detail: [{ type: "missing", loc: ["body"] }] });
    expect(await server.retrieveCompletedRollouts()).toEqual([]);
  });
});

describe("routing", () => {
  it("answers 404 for unknown paths and 405 with Allow for a wrong method", async () => {
    const server = await startServer();
    const missing = await request(`${server.endpoint}/tasks`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ detail: "Not Found" });
    for (const [method, path, allow] of [
      ["POST", "/task", "GET, HEAD"],
      ["DELETE", "/resources/latest", "GET, HEAD"],
      ["PUT", "/resources/some-id", "GET, HEAD"],
      ["GET", "/rollout", "POST"],
    ] as const) {
      const reply = await request(`${server.endpoint}${path}`, { method });
      expect(reply.status, `${method} ${path}`).toBe(405);
      expect(reply.body).toEqual({ detail: "Method Not Allowed" });
      expect(reply.headers.get("allow")).toBe(allow);
    }
  });

  it("without state answers 503 on resources and rollouts and 'no task' on /task", async () => {
    const served = await serveApp(createLegacyApp({ store: () => null }));
    try {
      expect(await request(`${served.url}/task`)).toMatchObject({
        status: 200,
        body: { is_available: false, task: null },
      });
      for (const path of ["/resources/latest", "/resources/res-1"]) {
        expect(await request(`${served.url}${path}`)).toMatchObject({
          status: 503,
          body: { detail: "Server not fully initialized." },
        });
      }
      const post = await postJson(`${served.url}/rollout`, { rollout_id: "r" });
      expect(post).toMatchObject({ status: 503, body: { detail: "Server not fully initialized." } });
    } finally {
      await served.close();
    }
  });
});

describe("algorithm-side API", () => {
  it("queueTask returns rollout-<uuid4> ids and keeps a null resources id", async () => {
    const server = await startServer();
    await server.updateResources({ p: PROMPT });
    const id = await server.queueTask({ a: 1 }, { mode: "val", metadata: { source: "test" } });
    expect(id).toMatch(ID_PATTERNS.legacyRollout);
    const task = ((await request(`${server.endpoint}/task`)).body as { task: Record<string, unknown> }).task;
    expect(task).toMatchObject({
      rollout_id: id,
      input: { a: 1 },
      mode: "val",
      resources_id: null,
      metadata: { source: "test" },
    });
  });

  it("getCompletedRollout is destructive and retrieveCompletedRollouts drains the buffer", async () => {
    const server = await startServer();
    for (const id of ["r1", "r2", "r3"]) await postJson(`${server.endpoint}/rollout`, { rollout_id: id });
    expect((await server.getCompletedRollout("r2"))?.rollout_id).toBe("r2");
    expect(await server.getCompletedRollout("r2")).toBeNull();
    expect((await server.retrieveCompletedRollouts()).map((r) => r.rollout_id)).toEqual(["r1", "r3"]);
    expect(await server.retrieveCompletedRollouts()).toEqual([]);
  });

  it("pollCompletedRollout gives up with null after its timeout", async () => {
    const server = await startServer();
    expect(await server.pollCompletedRollout("absent", { timeout: 0.2, intervalSeconds: 0.05 })).toBeNull();
  });

  it("pollCompletedRollout with timeout 0 or null keeps waiting until the rollout arrives", async () => {
    const server = await startServer();
    for (const timeout of [0, null]) {
      const id = `late-${timeout}`;
      const poll = server.pollCompletedRollout(id, { timeout, intervalSeconds: 0.05 });
      await sleep(300);
      await postJson(`${server.endpoint}/rollout`, { rollout_id: id, final_reward: 0.7 });
      expect((await poll)?.final_reward).toBe(0.7);
      expect(await server.getCompletedRollout(id)).toBeNull();
    }
  });

  it("pollCompletedRollout ends with null when its signal aborts, and rejects if the server stops", async () => {
    const server = await startServer();
    const controller = new AbortController();
    const aborted = server.pollCompletedRollout("x", { intervalSeconds: 0.05, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    expect(await aborted).toBeNull();

    const stopped = server.pollCompletedRollout("x", { intervalSeconds: 0.05 });
    await server.stop();
    await expect(stopped).rejects.toThrow(STORE_NOT_INITIALIZED);
  });

  it("rejects invalid arguments without changing state", async () => {
    const server = await startServer();
    await expect(server.queueTask(undefined)).rejects.toMatchObject({ code: "invalid_argument" });
    // @ts-expect-error: an invalid mode on purpose
    await expect(server.queueTask("x", { mode: "dev" })).rejects.toMatchObject({ code: "invalid_argument" });
    // @ts-expect-error: an invalid resource on purpose
    await expect(server.updateResources({ llm: { resource_type: "llm" } })).rejects.toThrow(/endpoint/);
    expect((await request(`${server.endpoint}/task`)).body).toEqual({ is_available: false, task: null });
    expect((await request(`${server.endpoint}/resources/latest`)).status).toBe(404);
  });
});
