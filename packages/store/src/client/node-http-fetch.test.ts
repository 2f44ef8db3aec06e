import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createNodeHttpFetch, type NodeHttpFetch } from "./node-http-fetch.js";

let server: http.Server;
let base: string;
let client: NodeHttpFetch;
const seen: Array<{
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  port: number;
}> = [];

beforeEach(async () => {
  seen.length = 0;
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
        port: req.socket.remotePort ?? 0,
      });
      if (req.url === "/hang") return; // never answers
      if (req.url === "/empty") {
        res.writeHead(204).end();
        return;
      }
      res.writeHead(201, "Made It", { "content-type": "application/json", "x-twice": ["a", "b"] });
      res.end(JSON.stringify({ echo: Buffer.concat(chunks).toString() }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = createNodeHttpFetch();
});
afterEach(async () => {
  client.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("createNodeHttpFetch", () => {
  it("sends method, headers and body; answers status, status text, headers and the body as text or JSON", async () => {
    const response = await client.fetch(`${base}/x?q=1`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer k" },
      body: '{"a":1}',
    });
    expect(response.status).toBe(201);
    expect(response.statusText).toBe("Made It");
    expect(response.ok).toBe(true);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("x-twice")).toBe("a, b");
    expect(await response.json()).toEqual({ echo: '{"a":1}' });
    await expect(response.text()).rejects.toThrow(/already been read/);
    expect(seen[0]).toMatchObject({ method: "POST", url: "/x?q=1", body: '{"a":1}' });
    expect(seen[0]?.headers.authorization).toBe("Bearer k");
    expect(seen[0]?.headers["content-length"]).toBe("7");
    const empty = await client.fetch(`${base}/empty`);
    expect(empty.status).toBe(204);
    expect(await empty.text()).toBe("");
  });

  it("keeps the connection alive between requests", async () => {
    await (await client.fetch(`${base}/a`)).text();
    await (await client.fetch(`${base}/b`)).text();
    expect(seen).toHaveLength(2);
    expect(seen[0]?.port).toBe(seen[1]?.port);
  });

  it("an aborted signal rejects with its reason, before or during the request", async () => {
    const reason = new Error("stop now");
    await expect(client.fetch(`${base}/a`, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    const controller = new AbortController();
    const pending = client.fetch(`${base}/hang`, { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it("a refused connection rejects like fetch: TypeError 'fetch failed' with the socket error as cause", async () => {
    const port = (server.address() as AddressInfo).port;
    client.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    const error = await client.fetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe("fetch failed");
    expect(((error as TypeError).cause as { code?: string }).code).toBe("ECONNREFUSED");
    server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });
});
