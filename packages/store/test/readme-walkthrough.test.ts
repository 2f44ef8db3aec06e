// Runs the curl walk-through of the README (the block between the curl-walkthrough markers) as it
// is written, with bash, curl and jq, against a live server; then checks the store.
import { runCurlWalkthrough } from "@agentlightning/vitest-config/readme-walkthrough";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LightningStoreServer } from "../src/http/index.js";
import { InMemoryLightningStore } from "../src/index.js";

const README = new URL("../README.md", import.meta.url);

let store: InMemoryLightningStore;
let server: LightningStoreServer;

beforeAll(async () => {
  store = new InMemoryLightningStore();
  server = new LightningStoreServer({ store, port: 0 });
  await server.start();
});
afterAll(async () => {
  await server.stop();
  await store.close();
});

describe("README curl walk-through", () => {
  it("enqueues, dequeues, adds a span, completes the attempt and reads it back", async () => {
    const stdout = await runCurlWalkthrough(README, server.url);
    // The printed results are the ones the README shows.
    expect(stdout).toContain('"status": "succeeded"');
    expect(stdout).toContain('"attempt": "succeeded"');
    expect(stdout).toContain('"agentlightning.reward.0.value": 1');

    const rollouts = (await store.queryRollouts()).items;
    expect(rollouts).toHaveLength(1);
    const rollout = rollouts[0]!;
    expect(rollout).toMatchObject({
      input: { question: "2+2?" },
      status: "succeeded",
      attempt: { status: "succeeded", worker_id: "runner-1", sequence_id: 1 },
    });
    const spans = (await store.querySpans({ rolloutId: rollout.rollout_id })).items;
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({
      sequence_id: 1,
      name: "agentlightning.annotation",
      attributes: { "agentlightning.reward.0.name": "primary", "agentlightning.reward.0.value": 1 },
      status: { status_code: "UNSET" },
      start_time: expect.any(Number),
    });
  });
});
