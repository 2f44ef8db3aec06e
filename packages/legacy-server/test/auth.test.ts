// The API key on the legacy routes, in the form the Python client can send: HTTP Basic credentials
// taken from the endpoint URL's user info (http://agl:<key>@host:port).
import { AgentLightningClient } from "@agentlightning/legacy-client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AgentLightningServer } from "../src/index.js";
import { request } from "./helpers.js";

const KEY = "s3cret/odd@chars%";
let server: AgentLightningServer;

beforeAll(async () => {
  vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
  server = new AgentLightningServer({ port: 0, apiKey: KEY });
  await server.start();
});
afterAll(() => server.stop());

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

describe("legacy API key", () => {
  it("refuses every route without the key or with a wrong one (401), and takes nothing", async () => {
    await server.queueTask({ q: 1 });
    for (const path of ["/task", "/resources/latest", "/resources/x"]) {
      const res = await request(`${server.endpoint}${path}`);
      expect(res.status, path).toBe(401);
      expect(res.body).toEqual({ detail: "Not authenticated" });
      expect(res.headers.get("www-authenticate")).toMatch(/^Basic /);
    }
    const post = await request(`${server.endpoint}/rollout`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: basic("agl", "wrong") },
      body: JSON.stringify({ rollout_id: "x" }),
    });
    expect(post).toMatchObject({ status: 401, body: { detail: "Invalid API key" } });
    const bearerWrong = await request(`${server.endpoint}/task`, {
      headers: { Authorization: "Bearer nope" },
    });
    expect(bearerWrong.status).toBe(401);
    // The task is still there for an authenticated caller.
    const ok = await request(`${server.endpoint}/task`, { headers: { Authorization: `Bearer ${KEY}` } });
    expect(ok).toMatchObject({ status: 200, body: { is_available: true, task: { input: { q: 1 } } } });
  });

  it("accepts the key as user info of the endpoint URL, through the legacy client", async () => {
    const rolloutId = await server.queueTask({ q: 2 });
    const url = new URL(server.endpoint);
    url.username = "agl";
    url.password = encodeURIComponent(KEY);
    const client = new AgentLightningClient({ endpoint: url.href, pollInterval: 0.05 });
    const task = await client.pollNextTask({ signal: AbortSignal.timeout(5000) });
    expect(task?.rollout_id).toBe(rolloutId);
    expect(await client.postRollout({ rollout_id: rolloutId, final_reward: 1 })).toMatchObject({
      status: "ok",
    });
    expect((await server.getCompletedRollout(rolloutId))?.final_reward).toBe(1);
    // The key as the user name alone (http://<key>@host) works too.
    const res = await request(`${server.endpoint}/task`, { headers: { Authorization: basic(KEY, "") } });
    expect(res.status).toBe(200);
  });
});
