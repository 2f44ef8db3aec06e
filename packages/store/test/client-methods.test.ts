import type { Logger } from "@agentlightning/types";
import { describe, expect, it } from "vitest";
import { LightningStoreClient } from "../src/client/store-client.js";
import { expectRejection } from "../src/testing/harness.js";
import { useScriptedClients } from "./support/scripted-client.js";
import {
  deadUrl,
  HEALTH_PATH,
  healthy,
  type RecordedRequest,
  type Reply,
  type ScriptedServer,
} from "./support/scripted-server.js";
import {
  ATTEMPT,
  ATTEMPTED_ROLLOUT,
  page,
  RESOURCES,
  ROLLOUT,
  STATISTICS,
  span,
  WORKER,
} from "./support/wire-fixtures.js";

// What each LightningStoreClient method puts on the wire (docs/store-contract.md §5.1 table, with the §5.2
// improvements) and how it reads the answer, against a recording loopback server.

const P = "/v1/agl";

/** Answers every store route with a well-formed body, the way the store server shapes it. */
function storeRoutes(req: RecordedRequest): Reply {
  const path = req.path.slice(P.length);
  const body = (req.body ?? {}) as Record<string, unknown>;
  const key = `${req.method} ${path}`;
  if (key === "POST /rollouts") return { status: 201, json: ATTEMPTED_ROLLOUT };
  if (key === "POST /queues/rollouts/enqueue") {
    const items = body.rollouts as unknown[];
    return { status: 201, json: items.map((_, i) => ({ ...ROLLOUT, rollout_id: `ro-00000000000${i}` })) };
  }
  if (key === "POST /queues/rollouts/dequeue") {
    return { json: Array.from({ length: Number(body.limit ?? 1) }, () => ATTEMPTED_ROLLOUT) };
  }
  if (key === "POST /rollouts/search") return { json: page([ROLLOUT, ATTEMPTED_ROLLOUT]) };
  if (key === "POST /spans") return { status: 201, json: body };
  if (key === "POST /spans/search") return { json: page([span(1)]) };
  if (key === "POST /waits/rollouts") return { json: [{ ...ROLLOUT, status: "succeeded", end_time: 2e9 }] };
  if (key === "POST /resources") return { status: 201, json: RESOURCES };
  if (key === "GET /resources") return { json: page([RESOURCES]) };
  if (key === "POST /workers/search") return { json: page([WORKER]) };
  if (key === "GET /statistics") return { json: { ...STATISTICS, total_span_bytes: 12 } };
  if (/^POST \/rollouts\/[^/]+\/attempts$/.test(key)) return { status: 201, json: ATTEMPTED_ROLLOUT };
  if (/^POST \/rollouts\/[^/]+\/attempts\/search$/.test(key)) return { json: page([ATTEMPT]) };
  if (/^GET \/rollouts\/[^/]+\/attempts\/latest$/.test(key)) return { json: ATTEMPT };
  if (/^POST \/rollouts\/[^/]+\/attempts\/[^/]+$/.test(key)) return { json: { ...ATTEMPT, ...body } };
  if (/^GET \/rollouts\/[^/]+$/.test(key)) return { json: ATTEMPTED_ROLLOUT };
  // The update answer carries an attempt; the client must return a plain Rollout.
  if (/^POST \/rollouts\/[^/]+$/.test(key)) {
    if (body.status === null)
      return { status: 400, json: { detail: "status is invalid; it cannot be a null value." } };
    return { json: { ...ROLLOUT, ...body, attempt: ATTEMPT } };
  }
  if (/^(GET|POST) \/resources\/[^/]+$/.test(key)) return { json: RESOURCES };
  if (/^(GET|POST) \/workers\/[^/]+$/.test(key)) return { json: WORKER };
  return { status: 404, json: { detail: "Not Found" } };
}

const { setup, track } = useScriptedClients(healthy(storeRoutes));

const rejection = expectRejection;

function last(server: ScriptedServer): RecordedRequest {
  const calls = server.calls();
  const req = calls[calls.length - 1];
  if (!req) throw new Error("no request recorded");
  return req;
}

function recordingLogger(): Logger & { lines: [string, string][] } {
  const lines: [string, string][] = [];
  return {
    lines,
    debug: (m) => lines.push(["debug", m]),
    info: (m) => lines.push(["info", m]),
    warn: (m) => lines.push(["warn", m]),
    error: (m) => lines.push(["error", m]),
  };
}

describe("LightningStoreClient wire format: rollouts and the queue", () => {
  it("startRollout sends all six keys in snake_case, nulls included", async () => {
    const { server, client } = await setup();
    const started = await client.startRollout({
      input: { x: 1 },
      resourcesId: "rs-1",
      workerId: "w",
      config: { max_attempts: 2 },
    });
    expect(last(server)).toMatchObject({ method: "POST", path: `${P}/rollouts` });
    expect(last(server).body).toEqual({
      input: { x: 1 },
      mode: null,
      resources_id: "rs-1",
      config: { max_attempts: 2 },
      metadata: null,
      worker_id: "w",
    });
    expect(started.attempt.attempt_id).toBe("at-00000001");
  });

  it("enqueueRollout sends a one-element batch; input null is sent, a missing input is left out", async () => {
    const { server, client } = await setup();
    const rollout = await client.enqueueRollout({ input: null, mode: "train", metadata: { k: 1 } });
    expect(last(server)).toMatchObject({ method: "POST", path: `${P}/queues/rollouts/enqueue` });
    expect(last(server).body).toEqual({
      rollouts: [{ input: null, mode: "train", resources_id: null, config: null, metadata: { k: 1 } }],
    });
    expect(rollout).not.toHaveProperty("attempt");
    await client.enqueueRollout({} as never);
    expect((last(server).body as { rollouts: object[] }).rollouts[0]).not.toHaveProperty("input");
  });

  it("enqueueManyRollouts sends one request in order, and none for an empty list", async () => {
    const { server, client } = await setup();
    expect(await client.enqueueManyRollouts([])).toEqual([]);
    expect(server.calls()).toHaveLength(0);
    const rollouts = await client.enqueueManyRollouts([{ input: 1 }, { input: 2 }, { input: 3 }]);
    expect(server.calls()).toHaveLength(1);
    expect((last(server).body as { rollouts: { input: number }[] }).rollouts.map((r) => r.input)).toEqual([
      1, 2, 3,
    ]);
    expect(rollouts.map((r) => r.rollout_id)).toEqual([
      "ro-000000000000",
      "ro-000000000001",
      "ro-000000000002",
    ]);
  });

  it("an enqueue answer with the wrong number of rollouts is an internal error", async () => {
    const { client } = await setup(healthy(() => ({ status: 201, json: [] })));
    const error = await rejection(client.enqueueRollout({ input: 1 }));
    expect(error.code).toBe("internal");
    expect(error.message).toContain("0 rollouts for 1 requests");
  });

  it("dequeue sends limit, and worker_id only when set; limit <= 0 sends nothing", async () => {
    const { server, client } = await setup();
    const one = await client.dequeueRollout();
    expect(last(server)).toMatchObject({
      method: "POST",
      path: `${P}/queues/rollouts/dequeue`,
      body: { limit: 1 },
    });
    expect(one?.attempt.sequence_id).toBe(1);
    await client.dequeueRollout({ workerId: "w1" });
    expect(last(server).body).toEqual({ limit: 1, worker_id: "w1" });
    const many = await client.dequeueManyRollouts({ limit: 3, workerId: null });
    expect(last(server).body).toEqual({ limit: 3 });
    expect(many).toHaveLength(3);
    const before = server.calls().length;
    expect(await client.dequeueManyRollouts({ limit: 0 })).toEqual([]);
    expect(await client.dequeueManyRollouts({ limit: -2 })).toEqual([]);
    expect(server.calls()).toHaveLength(before);
  });

  it("an empty queue is null / []", async () => {
    const { client } = await setup(healthy(() => ({ json: [] })));
    expect(await client.dequeueRollout()).toBeNull();
    expect(await client.dequeueManyRollouts({ limit: 5 })).toEqual([]);
  });

  it("startAttempt sends worker_id when given and no body otherwise", async () => {
    const { server, client } = await setup();
    await client.startAttempt("ro-1");
    expect(last(server)).toMatchObject({ method: "POST", path: `${P}/rollouts/ro-1/attempts`, rawBody: "" });
    await client.startAttempt("ro-1", { workerId: "w2" });
    expect(last(server).body).toEqual({ worker_id: "w2" });
  });

  it("queryRollouts posts the search body; [] is a condition, null is none; attempt only where present", async () => {
    const { server, client } = await setup();
    const result = await client.queryRollouts();
    expect(last(server)).toMatchObject({ method: "POST", path: `${P}/rollouts/search` });
    expect(last(server).body).toEqual({ limit: -1, offset: 0, filter_logic: "and" });
    expect(result.items[0]).not.toHaveProperty("attempt");
    expect(result.items[1]).toHaveProperty("attempt.attempt_id", "at-00000001");
    await client.queryRollouts({
      statusIn: [],
      rolloutIdIn: null,
      rolloutIdContains: "ro-",
      filterLogic: "or",
      sortBy: "start_time",
      sortOrder: "desc",
      limit: 2,
      offset: 4,
    });
    expect(last(server).body).toEqual({
      status_in: [],
      rollout_id_contains: "ro-",
      filter_logic: "or",
      sort_by: "start_time",
      sort_order: "desc",
      limit: 2,
      offset: 4,
    });
  });

  it("limit 0 asks for one item and returns an empty page that still reports the total", async () => {
    const { server, client } = await setup();
    const result = await client.queryRollouts({ limit: 0, offset: 1 });
    expect(last(server).body).toMatchObject({ limit: 1, offset: 1 });
    expect(result).toEqual({ items: [], limit: 0, offset: 0, total: 2 });
  });

  it("getRolloutById and getLatestAttempt use their GET routes, ids percent-encoded", async () => {
    const { server, client } = await setup();
    await client.getRolloutById("ro/1 x");
    expect(last(server)).toMatchObject({ method: "GET", path: `${P}/rollouts/ro%2F1%20x` });
    expect(await client.getLatestAttempt("ro-1")).toEqual(ATTEMPT);
    expect(last(server)).toMatchObject({ method: "GET", path: `${P}/rollouts/ro-1/attempts/latest` });
  });

  it("queryAttempts posts paging keys; sortBy null leaves the server's default order", async () => {
    const { server, client } = await setup();
    const result = await client.queryAttempts("ro-1", { sortBy: null, sortOrder: "desc" });
    expect(last(server)).toMatchObject({ method: "POST", path: `${P}/rollouts/ro-1/attempts/search` });
    expect(last(server).body).toEqual({ limit: -1, offset: 0, sort_order: "desc" });
    expect(result.items).toEqual([ATTEMPT]);
  });

  it("updateRollout sends only the keys present, explicit nulls kept, and returns no attempt", async () => {
    const { server, client } = await setup();
    const updated = await client.updateRollout("ro-1", { mode: null, metadata: { k: 1 }, status: undefined });
    expect(last(server)).toMatchObject({ method: "POST", path: `${P}/rollouts/ro-1` });
    expect(last(server).body).toEqual({ mode: null, metadata: { k: 1 } });
    expect(updated).not.toHaveProperty("attempt");
    expect(updated.metadata).toEqual({ k: 1 });
    await client.updateRollout("ro-1", { input: undefined });
    expect(last(server).body).toEqual({ input: null });
    await client.updateRollout("ro-1", {});
    expect(last(server).body).toEqual({});
    const refused = await rejection(client.updateRollout("ro-1", { status: null } as never));
    expect(last(server).body).toEqual({ status: null });
    expect(refused.code).toBe("invalid_argument");
  });

  it("updateAttempt targets the attempt (or latest) and sends only the keys present", async () => {
    const { server, client } = await setup();
    const attempt = await client.updateAttempt("ro-1", "latest", {
      status: "running",
      last_heartbeat_time: 12.5,
    });
    expect(last(server)).toMatchObject({ method: "POST", path: `${P}/rollouts/ro-1/attempts/latest` });
    expect(last(server).body).toEqual({ status: "running", last_heartbeat_time: 12.5 });
    expect(attempt.status).toBe("running");
    await client.updateAttempt("ro-1", "at-1", { worker_id: "" });
    expect(last(server).body).toEqual({ worker_id: "" });
  });
});

describe("LightningStoreClient wire format: spans, waits, resources, workers", () => {
  it("addSpan posts the span with its extra keys; a duplicate (null) is null", async () => {
    const { server, client } = await setup();
    const body = { ...span(1), custom: { x: 1 } };
    const stored = await client.addSpan(body as never);
    expect(last(server)).toMatchObject({ method: "POST", path: `${P}/spans` });
    expect(last(server).body).toEqual(body);
    expect(stored).toHaveProperty("custom", { x: 1 });
    const dup = await setup(healthy(() => ({ status: 201, json: null })));
    expect(await dup.client.addSpan(span(1) as never)).toBeNull();
  });

  it("getNextSpanSequenceId posts the pair; getManySpanSequenceIds asks one pair at a time, in order", async () => {
    let next = 0;
    const { server, client } = await setup(healthy(() => ({ json: { sequence_id: ++next }, delayMs: 5 })));
    expect(await client.getNextSpanSequenceId("ro-1", "at-1")).toBe(1);
    expect(last(server)).toMatchObject({
      method: "POST",
      path: `${P}/spans/next`,
      body: { rollout_id: "ro-1", attempt_id: "at-1" },
    });
    const pairs = [
      ["A", "a1"],
      ["B", "b1"],
      ["A", "a2"],
      ["A", "a1"],
    ] as const;
    expect(await client.getManySpanSequenceIds(pairs)).toEqual([2, 3, 4, 5]);
    expect(
      server
        .calls()
        .slice(1)
        .map((r) => r.body),
    ).toEqual(pairs.map(([rollout_id, attempt_id]) => ({ rollout_id, attempt_id })));
    expect(server.maxConcurrent()).toBe(1);
  });

  it("querySpans posts rollout_id, paging and only the filters given", async () => {
    const { server, client } = await setup();
    const result = await client.querySpans({
      rolloutId: "ro-1",
      attemptId: "latest",
      nameContains: "llm",
      traceId: null,
      filterLogic: "or",
    });
    expect(last(server)).toMatchObject({ method: "POST", path: `${P}/spans/search` });
    expect(last(server).body).toEqual({
      rollout_id: "ro-1",
      attempt_id: "latest",
      name_contains: "llm",
      filter_logic: "or",
      limit: -1,
      offset: 0,
    });
    expect(result.items[0]?.span_id).toBe("0000000000000001");
  });

  it("waitForRollouts posts ids and timeout (absent = null) and returns plain rollouts", async () => {
    const { server, client } = await setup();
    const done = await client.waitForRollouts(["ro-1", "ro-2"], { timeout: 5 });
    expect(last(server)).toMatchObject({ method: "POST", path: `${P}/waits/rollouts` });
    expect(last(server).body).toEqual({ rollout_ids: ["ro-1", "ro-2"], timeout: 5 });
    expect(done[0]?.status).toBe("succeeded");
    await client.waitForRollouts(["ro-1"]);
    expect(last(server).body).toEqual({ rollout_ids: ["ro-1"], timeout: null });
  });

  it("resources: add, update, get by id, latest and the GET query", async () => {
    const { server, client } = await setup();
    const resources = { llm: { resource_type: "llm" as const, endpoint: "http://h/v1", model: "m" } };
    expect(await client.addResources(resources)).toEqual(RESOURCES);
    expect(last(server)).toMatchObject({ method: "POST", path: `${P}/resources`, body: resources });
    await client.updateResources("custom-1", resources);
    expect(last(server)).toMatchObject({ method: "POST", path: `${P}/resources/custom-1`, body: resources });
    await client.getResourcesById("custom-1");
    expect(last(server)).toMatchObject({ method: "GET", path: `${P}/resources/custom-1` });
    await client.getLatestResources();
    expect(last(server)).toMatchObject({ method: "GET", path: `${P}/resources/latest` });
    const result = await client.queryResources({
      resourcesIdContains: "test-",
      sortBy: "resources_id",
      limit: 2,
      offset: 2,
    });
    expect(last(server)).toMatchObject({ method: "GET", path: `${P}/resources` });
    expect(Object.fromEntries(last(server).query)).toEqual({
      limit: "2",
      offset: "2",
      sort_by: "resources_id",
      resources_id_contains: "test-",
    });
    expect(result.total).toBe(1);
  });

  it("workers: heartbeat with or without stats, get, and a search that sends limit/offset", async () => {
    const { server, client } = await setup();
    await client.updateWorker("w 1");
    expect(last(server)).toMatchObject({ method: "POST", path: `${P}/workers/w%201`, rawBody: "" });
    await client.updateWorker("w1", { heartbeatStats: { cpu: 0.4 } });
    expect(last(server).body).toEqual({ heartbeat_stats: { cpu: 0.4 } });
    expect(await client.getWorkerById("w1")).toEqual(WORKER);
    expect(last(server)).toMatchObject({ method: "GET", path: `${P}/workers/w1` });
    await client.queryWorkers({
      statusIn: ["busy"],
      workerIdContains: "worker",
      sortBy: "worker_id",
      sortOrder: "desc",
      limit: 5,
      offset: 1,
    });
    expect(last(server)).toMatchObject({ method: "POST", path: `${P}/workers/search` });
    expect(last(server).body).toEqual({
      status_in: ["busy"],
      worker_id_contains: "worker",
      filter_logic: "and",
      sort_by: "worker_id",
      sort_order: "desc",
      limit: 5,
      offset: 1,
    });
  });

  it("statistics keeps the keys a store adds", async () => {
    const { client } = await setup();
    expect(await client.statistics()).toEqual({ ...STATISTICS, total_span_bytes: 12 });
  });
});

describe("LightningStoreClient getters: null for nothing, errors for faults", () => {
  const getters: [string, (c: LightningStoreClient) => Promise<unknown>][] = [
    ["getRolloutById", (c) => c.getRolloutById("ro-x")],
    ["getLatestAttempt", (c) => c.getLatestAttempt("ro-x")],
    ["getResourcesById", (c) => c.getResourcesById("rs-x")],
    ["getLatestResources", (c) => c.getLatestResources()],
    ["getWorkerById", (c) => c.getWorkerById("w-x")],
  ];
  for (const [name, get] of getters) {
    it(`${name}: 200 null and a store not-found 404 are null; a route 404 and a 500 are errors`, async () => {
      const { client } = await setup(healthy(() => ({ json: null })));
      expect(await get(client)).toBeNull();
      const notFound = await setup(
        healthy(() => ({
          status: 404,
          json: { detail: "Rollout ro-x not found", error_type: "ValueError" },
        })),
      );
      expect(await get(notFound.client)).toBeNull();
      expect(notFound.server.calls()).toHaveLength(1);
      const noRoute = await setup(healthy(() => ({ status: 404, json: { detail: "Not Found" } })));
      expect((await rejection(get(noRoute.client))).code).toBe("not_found");
      const broken = await setup(
        healthy(() => ({
          status: 500,
          json: { detail: "Internal server error", error_type: "OperationalError" },
        })),
      );
      expect((await rejection(get(broken.client))).code).toBe("internal");
      expect(broken.server.calls()).toHaveLength(4);
    });
  }

  it("getRolloutById maps the Python v0.3.0 server's ResponseValidationError 500 to null without retrying", async () => {
    const { server, client } = await setup(
      healthy(() => ({
        status: 500,
        json: { detail: "Internal server error", error_type: "ResponseValidationError" },
      })),
    );
    expect(await client.getRolloutById("ro-000000000000")).toBeNull();
    expect(server.requests).toHaveLength(1);
  });

  it("reads replies whose text the TS store would refuse (U+0000, a lone surrogate): a Python server keeps it", async () => {
    const input = { q: "a\u0000b", s: "\ud800" };
    const stored = { ...ATTEMPTED_ROLLOUT, input, metadata: { note: "\u0000" } };
    const { client } = await setup(
      healthy((req) => ({ json: req.path.endsWith("/rollouts/search") ? page([stored]) : stored })),
    );
    expect((await client.getRolloutById("ro-000000000001"))?.input).toEqual(input);
    const listed = await client.queryRollouts();
    expect(listed.items[0]?.input).toEqual(input);
    expect(listed.items[0]?.metadata).toEqual({ note: "\u0000" });
  });

  it("empty ids cannot go in a path: answered locally as a store would, nothing sent", async () => {
    const { server, client } = await setup();
    expect(await client.getRolloutById("")).toBeNull();
    expect(await client.getLatestAttempt("")).toBeNull();
    expect(await client.getResourcesById("")).toBeNull();
    expect(await client.getWorkerById("")).toBeNull();
    expect(await client.queryAttempts("", { limit: 5 })).toEqual({
      items: [],
      limit: 5,
      offset: 0,
      total: 0,
    });
    expect((await rejection(client.updateRollout("", {}))).code).toBe("not_found");
    expect((await rejection(client.startAttempt(""))).code).toBe("not_found");
    // `/rollouts/ro-1/attempts/` would be the start-attempt route.
    const attempt = await rejection(client.updateAttempt("ro-1", "", { status: "failed" }));
    expect(attempt.code).toBe("not_found");
    expect((await rejection(client.updateWorker(""))).code).toBe("invalid_argument");
    expect((await rejection(client.updateResources("", {}))).code).toBe("invalid_argument");
    expect(server.requests).toHaveLength(0);
  });
});

describe("LightningStoreClient dequeue: network failures read as an empty queue, HTTP errors do not", () => {
  it("a refused connection gives null / [] at once, without retries, logged once per streak", async () => {
    const logger = recordingLogger();
    const client = new LightningStoreClient({
      url: await deadUrl(),
      logger,
      // A retry or a probe would sleep far beyond the test's limit: answering at all proves none ran.
      retryDelays: [3_600],
      healthRetryDelays: [3_600],
    });
    track(client);
    expect(await client.dequeueRollout({ workerId: "w" })).toBeNull();
    expect(await client.dequeueManyRollouts({ limit: 3 })).toEqual([]);
    expect(logger.lines.filter(([level]) => level === "warn")).toHaveLength(1);
    expect(logger.lines[0]?.[1]).toContain("ECONNREFUSED");
    expect(logger.lines[1]?.[0]).toBe("debug");
  });

  it("a dequeue that times out gives null", async () => {
    const { server, client } = await setup(
      healthy(() => ({ hang: true })),
      { requestTimeout: 0.1 },
    );
    expect(await client.dequeueRollout()).toBeNull();
    expect(server.calls()).toHaveLength(1);
  });

  it("a 401 is reported as unauthorized, not swallowed", async () => {
    const { client } = await setup(
      healthy(() => ({ status: 401, json: { detail: "Missing or invalid API key" } })),
    );
    const error = await rejection(client.dequeueRollout({ workerId: "w" }));
    expect(error.code).toBe("unauthorized");
    expect(error.status).toBe(401);
    expect((await rejection(client.dequeueManyRollouts({ limit: 2 }))).code).toBe("unauthorized");
  });

  it("a 500 is reported after a single try (no retries, no probe)", async () => {
    const { server, client } = await setup(
      healthy(() => ({ status: 500, json: { detail: "Internal server error", error_type: "KeyError" } })),
    );
    const error = await rejection(client.dequeueRollout());
    expect(error.code).toBe("internal");
    expect(server.requests.map((r) => r.path)).toEqual([`${P}/queues/rollouts/dequeue`]);
  });

  it("logs the recovery after a failure streak", async () => {
    const logger = recordingLogger();
    let n = 0;
    const { client } = await setup(
      healthy(() => (++n === 1 ? { destroy: true } : { json: [] })),
      { logger },
    );
    expect(await client.dequeueRollout()).toBeNull();
    expect(await client.dequeueRollout()).toBeNull();
    expect(logger.lines.map(([level]) => level)).toEqual(["warn", "info"]);
  });
});

describe("LightningStoreClient waitForRollouts: the request stays open as long as the wait", () => {
  it("a timeout extends the request limit to timeout + requestTimeout", async () => {
    const { client } = await setup(
      healthy(() => ({ json: [], delayMs: 400 })),
      { requestTimeout: 0.2, retryDelays: [] },
    );
    await expect(client.waitForRollouts(["ro-1"], { timeout: 0.3 })).resolves.toEqual([]);
    // An ordinary call on the same client still has the 0.2 s limit.
    expect((await rejection(client.statistics())).code).toBe("timeout");
  });

  it("a null timeout has no request limit", async () => {
    const { client } = await setup(
      healthy(() => ({ json: [], delayMs: 500 })),
      { requestTimeout: 0.2, retryDelays: [] },
    );
    await expect(client.waitForRollouts(["ro-1"], { timeout: null })).resolves.toEqual([]);
  });

  it("timeout 0 gets only the ordinary request limit", async () => {
    const { client } = await setup(
      healthy(() => ({ hang: true })),
      { requestTimeout: 0.2, retryDelays: [] },
    );
    const error = await rejection(client.waitForRollouts(["ro-1"], { timeout: 0 }));
    expect(error.code).toBe("timeout");
  });
});

/** A server without `POST /spans/batch` (as the Python v0.3.0 server): 404 there, `responder` elsewhere. */
function withoutBatchRoute(responder: (req: RecordedRequest) => Reply): (req: RecordedRequest) => Reply {
  return (req) =>
    req.path === `${P}/spans/batch` ? { status: 404, json: { detail: "Not Found" } } : responder(req);
}

/** The single-span posts a server received. */
function spanPosts(server: ScriptedServer): RecordedRequest[] {
  return server.calls().filter((r) => r.path === `${P}/spans`);
}

describe("LightningStoreClient addManySpans without the batch route: one POST per span", () => {
  it("drops in-batch duplicates (first wins), keeps per-rollout order and returns what was stored", async () => {
    const { server, client } = await setup(
      healthy(
        withoutBatchRoute((req) => {
          const body = req.body as Record<string, unknown>;
          return { status: 201, json: body.name === "dup-of-stored" ? null : body, delayMs: 5 };
        }),
      ),
      { spanConcurrency: 4 },
    );
    const a = (n: number, extra: Record<string, unknown> = {}) => span(n, { rollout_id: "ro-a", ...extra });
    const b = (n: number, extra: Record<string, unknown> = {}) => span(n, { rollout_id: "ro-b", ...extra });
    const batch = [
      a(1),
      b(1),
      a(2, { name: "dup-of-stored" }),
      a(1, { name: "second copy" }),
      b(2),
      a(3),
      b(3),
    ];
    const stored = await client.addManySpans(batch as never);
    expect(spanPosts(server)).toHaveLength(6);
    expect(spanPosts(server).filter((r) => (r.body as { name: string }).name === "second copy")).toHaveLength(
      0,
    );
    const order = (rollout: string) =>
      spanPosts(server)
        .filter((r) => (r.body as { rollout_id: string }).rollout_id === rollout)
        .map((r) => (r.body as { sequence_id: number }).sequence_id);
    expect(order("ro-a")).toEqual([1, 2, 3]);
    expect(order("ro-b")).toEqual([1, 2, 3]);
    // Grouped by (rollout, attempt) in order of first appearance, as a store returns them.
    expect(stored.map((s) => `${s.rollout_id}:${s.sequence_id}`)).toEqual([
      "ro-a:1",
      "ro-a:3",
      "ro-b:1",
      "ro-b:2",
      "ro-b:3",
    ]);
    // Two rollouts: two requests in flight at once, never more.
    expect(server.maxConcurrent()).toBe(2);
  });

  it("sends at most spanConcurrency requests at once", async () => {
    const { server, client } = await setup(
      healthy(withoutBatchRoute((req) => ({ status: 201, json: req.body, delayMs: 10 }))),
      { spanConcurrency: 3 },
    );
    const batch = Array.from({ length: 12 }, (_, i) => span(1, { rollout_id: `ro-${i}` }));
    expect(await client.addManySpans(batch as never)).toHaveLength(12);
    expect(server.maxConcurrent()).toBe(3);
  });

  it("stops at the first failure and throws it", async () => {
    const { server, client } = await setup(
      healthy(
        withoutBatchRoute((req) => {
          const body = req.body as { rollout_id: string };
          return body.rollout_id === "ro-missing"
            ? { status: 404, json: { detail: "Rollout ro-missing not found", error_type: "ValueError" } }
            : { status: 201, json: body };
        }),
      ),
      { spanConcurrency: 1 },
    );
    const batch = [
      span(1, { rollout_id: "ro-a" }),
      span(1, { rollout_id: "ro-missing" }),
      span(2, { rollout_id: "ro-missing" }),
      span(1, { rollout_id: "ro-c" }),
    ];
    const error = await rejection(client.addManySpans(batch as never));
    expect(error.code).toBe("not_found");
    expect(error.message).toBe("Rollout ro-missing not found");
    expect(spanPosts(server).map((r) => (r.body as { rollout_id: string }).rollout_id)).toEqual([
      "ro-a",
      "ro-missing",
    ]);
  });

  it("validates every span before sending any: a malformed one stores nothing", async () => {
    const { server, client } = await setup();
    const { context: _context, ...noContext } = span(2);
    const error = await rejection(client.addManySpans([span(1), noContext] as never));
    expect(error.code).toBe("invalid_argument");
    expect(error.message).toContain("spans.1");
    expect(error.message).toContain("context");
    expect(server.requests).toHaveLength(0);
  });

  it("an empty batch sends nothing", async () => {
    const { server, client } = await setup();
    expect(await client.addManySpans([])).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });
});

describe("LightningStoreClient health", () => {
  it("isHealthy probes /health", async () => {
    const { server, client } = await setup();
    expect(await client.isHealthy()).toBe(true);
    expect(server.requests.map((r) => r.path)).toEqual([HEALTH_PATH]);
    const down = new LightningStoreClient({ url: await deadUrl(), healthRetryDelays: [0.01] });
    track(down);
    expect(await down.isHealthy()).toBe(false);
  });
});
