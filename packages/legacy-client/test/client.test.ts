// AgentLightningClient against a scripted loopback server: the failure modes (dead endpoint, slow
// or broken replies, malformed bodies) the real legacy server never produces. The round trip with
// the real server lives in packages/legacy-server/test/round-trip.test.ts.
import type { ServerResponse } from "node:http";
import { AglError, type Logger } from "@agentlightning/types";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AgentLightningClient } from "../src/index.js";
import { deadPort, json, type ScriptedServer, sleep, startScriptedServer } from "./scripted-server.js";

const TASK = {
  rollout_id: "rollout-1",
  input: { q: 1 },
  mode: "train",
  resources_id: "res-1",
  create_time: 1,
  last_claim_time: 2,
  num_claims: 1,
  metadata: {},
};
const BUNDLE_V022 = {
  resources_id: "res-1",
  resources: { p: { resource_type: "prompt_template", template: "t", engine: "jinja" } },
};

let server: ScriptedServer | undefined;

beforeAll(() => {
  vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
});

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("AgentLightningClient construction", () => {
  it("has the upstream defaults and emits one DeprecationWarning per construction", () => {
    const spy = vi.mocked(process.emitWarning);
    spy.mockClear();
    const client = new AgentLightningClient({ endpoint: "http://127.0.0.1:1" });
    expect(client.pollInterval).toBe(5);
    expect(client.timeout).toBe(10);
    expect(client.taskCount).toBe(0);
    expect(client.endpoint).toBe("http://127.0.0.1:1");
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy).toHaveBeenCalledWith(
      expect.stringContaining("AgentLightningClient is deprecated"),
      "DeprecationWarning",
    );
  });

  it("rejects an endpoint that is not an absolute URL and nonsensical intervals", () => {
    expect(() => new AgentLightningClient({ endpoint: "localhost:8000/api" })).toThrow(AglError);
    expect(() => new AgentLightningClient({ endpoint: "http://h", timeout: 0 })).toThrow(/timeout/);
    expect(() => new AgentLightningClient({ endpoint: "http://h", pollInterval: -1 })).toThrow(
      /pollInterval/,
    );
  });
});

describe("failures become null", () => {
  it("returns null from every request method when nothing listens (timeout 0.5)", async () => {
    const client = new AgentLightningClient({
      endpoint: `http://127.0.0.1:${await deadPort()}`,
      timeout: 0.5,
    });
    expect(await client.getLatestResources()).toBeNull();
    expect(await client.getResourcesById("res-1")).toBeNull();
    expect(await client.postRollout({ rollout_id: "r" })).toBeNull();
  });

  it("returns null when the server does not answer within the timeout", async () => {
    server = await startScriptedServer(() => {
      // Never answers.
    });
    const client = new AgentLightningClient({ endpoint: server.url, timeout: 0.2 });
    expect(await client.getLatestResources()).toBeNull();
  });

  it("returns null on a non-2xx status or a body that is not JSON, logging at debug level", async () => {
    const replies = [
      (res: ServerResponse) => json(res, 500, { detail: "boom" }),
      (res: ServerResponse) => res.writeHead(200).end("<html>"),
    ];
    let index = 0;
    server = await startScriptedServer((_req, res) => replies[index++ % replies.length]!(res));
    const debug: string[] = [];
    const logger: Logger = {
      debug: (m) => debug.push(m),
      info: () => {},
      warn: () => {},
      error: () => {},
    };
    const client = new AgentLightningClient({ endpoint: server.url, logger });
    expect(await client.getLatestResources()).toBeNull();
    expect(await client.postRollout({ rollout_id: "r" })).toBeNull();
    expect(debug).toHaveLength(2);
    expect(debug[0]).toContain("HTTP 500");
  });

  it("does not cache a failed lookup", async () => {
    let fail = true;
    server = await startScriptedServer((_req, res) =>
      fail ? json(res, 404, { detail: "x" }) : json(res, 200, BUNDLE_V022),
    );
    const client = new AgentLightningClient({ endpoint: server.url });
    expect(await client.getResourcesById("res-1")).toBeNull();
    fail = false;
    expect((await client.getResourcesById("res-1"))?.resources_id).toBe("res-1");
    expect(await client.getResourcesById("res-1")).not.toBeNull();
    expect(server.requests).toHaveLength(2);
  });
});

describe("pollNextTask", () => {
  it("retries empty replies, HTTP errors and dropped connections every pollInterval, counting only the task", async () => {
    const script = [
      (res: ServerResponse) => json(res, 200, { is_available: false }),
      (res: ServerResponse) => json(res, 200, {}),
      (res: ServerResponse) => json(res, 503, { detail: "down" }),
      (res: ServerResponse) => res.socket?.destroy(),
      (res: ServerResponse) => json(res, 200, { is_available: true, task: TASK }),
    ];
    server = await startScriptedServer((_req, res) => script.shift()?.(res));
    const client = new AgentLightningClient({ endpoint: server.url, pollInterval: 0.02 });
    const task = await client.pollNextTask();
    expect(task).toEqual(TASK);
    expect(client.taskCount).toBe(1);
    expect(server.requests.filter((r) => r.path === "/task").length).toBeGreaterThanOrEqual(5);
  });

  it("keeps retrying while nothing listens, until the server comes up", async () => {
    const port = await deadPort();
    const client = new AgentLightningClient({
      endpoint: `http://127.0.0.1:${port}`,
      pollInterval: 0.05,
      timeout: 0.5,
    });
    const polled = client.pollNextTask();
    await sleep(200);
    const { createServer } = await import("node:http");
    const late = createServer((_req, res) => json(res, 200, { is_available: true, task: TASK }));
    await new Promise<void>((resolve) => late.listen(port, "127.0.0.1", () => resolve()));
    try {
      expect((await polled)?.rollout_id).toBe("rollout-1");
    } finally {
      late.closeAllConnections();
      await new Promise<void>((resolve) => late.close(() => resolve()));
    }
  });

  it("rejects a reply that is not a TaskIfAny", async () => {
    server = await startScriptedServer((_req, res) => json(res, 200, { is_available: "maybe" }));
    const client = new AgentLightningClient({ endpoint: server.url, pollInterval: 0.02 });
    const error = await client.pollNextTask().catch((e: unknown) => e);
    expect(AglError.isInstance(error)).toBe(true);
    expect((error as AglError).message).toContain("is_available");
    expect(client.taskCount).toBe(0);
  });

  it("reads a task whose text the TS store would refuse (U+0000, a lone surrogate): a Python server keeps it", async () => {
    const task = { ...TASK, input: { q: "a\u0000b", s: "\ud800" }, metadata: { note: "\u0000" } };
    server = await startScriptedServer((_req, res) => json(res, 200, { is_available: true, task }));
    const client = new AgentLightningClient({ endpoint: server.url, pollInterval: 0.02 });
    const polled = await client.pollNextTask();
    expect(polled?.input).toEqual({ q: "a\u0000b", s: "\ud800" });
    expect(polled?.metadata).toEqual({ note: "\u0000" });
  });

  it("resolves null when its signal aborts, also mid-request", async () => {
    server = await startScriptedServer(() => {
      // Never answers: the abort must cancel the pending request.
    });
    const client = new AgentLightningClient({ endpoint: server.url, pollInterval: 0.02 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    expect(await client.pollNextTask({ signal: controller.signal })).toBeNull();
    expect(await client.pollNextTask({ signal: AbortSignal.abort() })).toBeNull();
  });
});

describe("resources", () => {
  it("parses v0.2.2 and v0.3.0 bundles and caches the latest under its id", async () => {
    const v030 = { ...BUNDLE_V022, resources_id: "res-2", create_time: 1.5, update_time: 1.5, version: 1 };
    server = await startScriptedServer((req, res) =>
      json(res, 200, req.path.endsWith("latest") ? v030 : BUNDLE_V022),
    );
    const client = new AgentLightningClient({ endpoint: server.url });
    expect(await client.getResourcesById("res-1")).toEqual(BUNDLE_V022);
    expect(await client.getLatestResources()).toEqual(v030);
    expect(await client.getResourcesById("res-2")).toEqual(v030);
    expect(server.requests.map((r) => r.path)).toEqual(["/resources/res-1", "/resources/latest"]);
  });

  it("rejects a bundle with an unknown resource type instead of returning null", async () => {
    server = await startScriptedServer((_req, res) =>
      json(res, 200, { resources_id: "r", resources: { x: { resource_type: "tool" } } }),
    );
    const client = new AgentLightningClient({ endpoint: server.url });
    await expect(client.getLatestResources()).rejects.toMatchObject({ code: "invalid_argument" });
    await expect(client.getResourcesById("r")).rejects.toThrow(/resource_type/);
  });
});

describe("postRollout", () => {
  it("sends JSON with every field, nulls and defaults included, and returns the reply", async () => {
    server = await startScriptedServer((_req, res) =>
      json(res, 200, { status: "ok", message: "Rollout r-1 received and stored.", data: null }),
    );
    const client = new AgentLightningClient({ endpoint: server.url });
    const reply = await client.postRollout({ rollout_id: "r-1", triplets: [{ prompt: "q", response: "a" }] });
    expect(reply).toEqual({ status: "ok", message: "Rollout r-1 received and stored.", data: null });
    const [sent] = server.requests;
    expect(sent?.method).toBe("POST");
    expect(sent?.headers["content-type"]).toBe("application/json");
    expect(sent?.headers["x-agentlightning-client"]).toBe("true");
    expect(JSON.parse(sent?.body ?? "")).toEqual({
      rollout_id: "r-1",
      task: null,
      final_reward: null,
      triplets: [{ prompt: "q", response: "a", reward: null, metadata: {} }],
      trace: null,
      logs: null,
      metadata: {},
    });
  });

  it("throws on an invalid rollout without sending it", async () => {
    server = await startScriptedServer((_req, res) => json(res, 200, {}));
    const client = new AgentLightningClient({ endpoint: server.url });
    // @ts-expect-error: final_reward must be a number
    await expect(client.postRollout({ rollout_id: "r", final_reward: "high" })).rejects.toThrow(
      /final_reward/,
    );
    expect(server.requests).toHaveLength(0);
  });
});
