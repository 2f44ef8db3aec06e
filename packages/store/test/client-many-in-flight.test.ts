import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LightningStoreClient } from "../src/client/store-client.js";
import { LightningStoreServer } from "../src/http/server.js";
import { InMemoryLightningStore } from "../src/memory/memory-store.js";
import { expectRejection } from "../src/testing/harness.js";

// Issue 8 item 12: one client with many requests in flight must not make Node print
// MaxListenersExceededWarning (the client used to add one abort listener per request to a shared
// signal: its own close signal, and the caller's). Real server on a loopback port, real client.

describe("LightningStoreClient with many requests in flight", () => {
  let server: LightningStoreServer;
  let store: InMemoryLightningStore;
  let client: LightningStoreClient;
  const warnings: Error[] = [];
  const onWarning = (warning: Error): void => {
    warnings.push(warning);
  };

  beforeEach(async () => {
    warnings.length = 0;
    process.on("warning", onWarning);
    store = new InMemoryLightningStore();
    server = new LightningStoreServer({ store, port: 0 });
    await server.start();
    client = new LightningStoreClient({ url: server.url });
  });

  afterEach(async () => {
    await client.close();
    await server.stop({ graceMs: 500 });
    await store.close();
    process.off("warning", onWarning);
  });

  /** Warnings are emitted on a later tick: give them time to arrive before looking. */
  async function emittedWarnings(): Promise<string[]> {
    await new Promise((resolve) => setTimeout(resolve, 50));
    return warnings.map((w) => `${w.name}: ${w.message}`);
  }

  it("1,000 concurrent calls, half of them sharing one caller signal, emit no warning", async () => {
    const rollout = await store.enqueueRollout({ input: { q: 1 } });
    const shared = new AbortController();
    const calls = Array.from({ length: 1_000 }, (_, i) =>
      i % 2 === 0
        ? client.getRolloutById(rollout.rollout_id)
        : client.waitForRollouts([rollout.rollout_id], { timeout: 0, signal: shared.signal }),
    );
    const results = await Promise.all(calls);
    expect(results).toHaveLength(1_000);
    expect(results[0]).toMatchObject({ rollout_id: rollout.rollout_id });
    expect(await emittedWarnings()).toEqual([]);
  });

  it("closing the client still ends every one of 200 pending calls at once, without a warning", async () => {
    const rollout = await store.enqueueRollout({ input: null });
    const pending = Array.from({ length: 200 }, () =>
      client.waitForRollouts([rollout.rollout_id], { timeout: 30 }),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    await client.close();
    const errors = await Promise.all(pending.map((p) => expectRejection(p)));
    expect(new Set(errors.map((e) => e.code))).toEqual(new Set(["cancelled"]));
    expect(await emittedWarnings()).toEqual([]);
  });

  it("a caller's signal shared by 200 pending waits ends them all early with what is finished", async () => {
    const rollout = await store.enqueueRollout({ input: null });
    const shared = new AbortController();
    const pending = Array.from({ length: 200 }, () =>
      client.waitForRollouts([rollout.rollout_id], { timeout: 30, signal: shared.signal }),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    shared.abort();
    const results = await Promise.all(pending);
    expect(results.every((r) => Array.isArray(r) && r.length === 0)).toBe(true);
    expect(await emittedWarnings()).toEqual([]);
  });
});
