import { InMemoryLightningStore, type LightningStore, LightningStoreClient } from "@agentlightning/store";
import { LightningStoreServer } from "@agentlightning/store/server";
import type { Logger, Span } from "@agentlightning/types";
import { openStore } from "./stores.js";

/** A store for the proxy to write to, and a way to close it. */
export interface StoreFixture {
  name: string;
  /** The store the proxy writes through (in process, or a client of a live server). */
  store: LightningStore;
  close(): Promise<void>;
}

/** The in-memory store, used directly. */
export async function memoryStore(): Promise<StoreFixture> {
  const store = new InMemoryLightningStore();
  return { name: "memory", store, close: () => store.close() };
}

/** An in-memory store behind a live `LightningStoreServer`, reached through `LightningStoreClient`. */
export async function httpStore(): Promise<StoreFixture> {
  const backing = new InMemoryLightningStore();
  const server = new LightningStoreServer({ store: backing, port: 0 });
  await server.start();
  const client = new LightningStoreClient({ url: server.url, retryDelays: [] });
  return {
    name: "http",
    store: client,
    close: async () => {
      await client.close();
      await server.stop();
      await backing.close();
    },
  };
}

/** A Postgres store (`DATABASE_URL`) behind a live `LightningStoreServer`, reached through `LightningStoreClient`. */
export async function postgresHttpStore(): Promise<StoreFixture> {
  const backing = await openStore("postgres");
  const server = new LightningStoreServer({ store: backing.store, port: 0 });
  await server.start();
  const client = new LightningStoreClient({ url: server.url, retryDelays: [] });
  return {
    name: "postgres-http",
    store: client,
    close: async () => {
      await client.close();
      await server.stop();
      await backing.cleanup();
    },
  };
}

/** A logger that keeps its lines, for asserting on warnings. */
export function recordingLogger(): Logger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const at = (level: string) => (message: string) => {
    lines.push({ level, message });
  };
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** Posts JSON and returns status and parsed body (or text). */
export async function postJson(
  url: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
}

/** Reads an SSE response: the JSON chunks, whether `[DONE]` came, and the assembled content. */
export async function readStream(response: Response): Promise<{
  chunks: Record<string, unknown>[];
  done: boolean;
  content: string;
}> {
  const text = await response.text();
  const chunks: Record<string, unknown>[] = [];
  let done = false;
  for (const event of text.split("\n\n")) {
    const line = event.trim();
    if (!line.startsWith("data:")) continue;
    const data = line.slice(5).trim();
    if (data === "[DONE]") done = true;
    else chunks.push(JSON.parse(data) as Record<string, unknown>);
  }
  const content = chunks
    .map((chunk) => {
      const choice = (chunk.choices as { delta?: { content?: string } }[] | undefined)?.[0];
      return choice?.delta?.content ?? "";
    })
    .join("");
  return { chunks, done, content };
}

/** Spans of a rollout by name. */
export function spansNamed(spans: Span[], name: string): Span[] {
  return spans.filter((span) => span.name === name);
}
