import { afterEach } from "vitest";
import { LightningStoreServer, type LightningStoreServerOptions } from "../src/http/server.js";
import { InMemoryLightningStore } from "../src/memory/memory-store.js";
import type { LightningStore } from "../src/store.js";
import { TestClock } from "../src/testing/test-clock.js";

// A real server on an ephemeral loopback port over the in-memory store, spoken to with fetch.

/**
 * A JSON body as a test reads it. Response shapes are what the tests assert, so they are read
 * untyped rather than parsed.
 */
// biome-ignore lint/suspicious/noExplicitAny: arbitrary JSON, checked field by field by the assertions
export type JsonBody = any;

/** The JSON body of a response. */
export async function json(res: Response): Promise<JsonBody> {
  return res.json();
}

/** `P` of the spec. */
export const P = "/v1/agl";

/** A running server and helpers to call it. */
export interface HttpFixture {
  server: LightningStoreServer;
  store: LightningStore;
  clock: TestClock | undefined;
  url: string;
  /** fetch relative to the server URL. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** POST with a JSON body (`undefined` = no body at all). */
  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  /** POST then parse JSON, asserting nothing. */
  postJson(path: string, body?: unknown): Promise<{ status: number; body: JsonBody }>;
  getJson(path: string): Promise<{ status: number; body: JsonBody }>;
}

const open: LightningStoreServer[] = [];

afterEach(async () => {
  while (open.length > 0) await open.pop()?.stop({ graceMs: 500 });
});

/** Options of {@link startServer}. */
export interface StartOptions extends Omit<LightningStoreServerOptions, "store"> {
  /** Drive the store by a fake clock (watchdog tests). */
  fakeClock?: boolean;
  scanDebounceSeconds?: number;
  store?: LightningStore;
}

/** Starts a server on port 0 over a fresh in-memory store (scan debounce 0); stopped after the test. */
export async function startServer(options: StartOptions = {}): Promise<HttpFixture> {
  const { fakeClock, scanDebounceSeconds, store: given, ...serverOptions } = options;
  const clock = fakeClock ? new TestClock() : undefined;
  const store =
    given ??
    new InMemoryLightningStore({
      scanDebounceSeconds: scanDebounceSeconds ?? 0,
      ...(clock ? { now: () => clock.now() } : {}),
    });
  const server = new LightningStoreServer({ ...serverOptions, store, port: 0 });
  await server.start();
  open.push(server);
  const url = server.url;
  const call = (path: string, init?: RequestInit) => fetch(`${url}${path}`, init);
  const post = (path: string, body?: unknown, headers: Record<string, string> = {}) =>
    call(path, {
      method: "POST",
      headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const get = (path: string, headers: Record<string, string> = {}) => call(path, { headers });
  return {
    server,
    store,
    clock,
    url,
    fetch: call,
    post,
    get,
    async postJson(path, body) {
      const res = await post(path, body);
      return { status: res.status, body: await json(res) };
    },
    async getJson(path) {
      const res = await get(path);
      return { status: res.status, body: await json(res) };
    },
  };
}

/** Enqueues one rollout over HTTP and returns it. */
export async function enqueue(
  fx: HttpFixture,
  element: Record<string, unknown> = { input: null },
): Promise<JsonBody> {
  const res = await fx.postJson(`${P}/queues/rollouts/enqueue`, { rollouts: [element] });
  if (res.status !== 201) throw new Error(`enqueue failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body[0];
}

/** Dequeues with `body` (default `{}`), returning the array. */
export async function dequeue(fx: HttpFixture, body: unknown = {}): Promise<JsonBody[]> {
  const res = await fx.postJson(`${P}/queues/rollouts/dequeue`, body);
  if (res.status !== 200) throw new Error(`dequeue failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Starts a rollout (`POST P/rollouts`) and returns the attempted rollout. */
export async function startRollout(
  fx: HttpFixture,
  body: Record<string, unknown> = { input: null },
): Promise<JsonBody> {
  const res = await fx.postJson(`${P}/rollouts`, body);
  if (res.status !== 201) throw new Error(`start failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Store statistics over HTTP. */
export async function stats(fx: HttpFixture): Promise<Record<string, number>> {
  return (await fx.getJson(`${P}/statistics`)).body;
}
