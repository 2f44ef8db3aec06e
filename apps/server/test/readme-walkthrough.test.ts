// Runs the curl walk-through of this app's README (the block between the curl-walkthrough markers)
// as written, with bash, curl and jq, against a live `agl store` child process.
import { runCurlWalkthrough } from "@agentlightning/vitest-config/readme-walkthrough";
import { afterAll, describe, expect, it } from "vitest";
import { type AglProcess, startAglStore } from "./cli-process.js";

const README = new URL("../README.md", import.meta.url);
const running: AglProcess[] = [];

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop("SIGKILL")));
});

// biome-ignore lint/suspicious/noExplicitAny: the test reads the JSON replies field by field.
type Json = any;

async function get(url: string): Promise<Json> {
  return (await fetch(url)).json();
}

describe("README curl walk-through against agl store", () => {
  it("claims a rollout, adds a span, completes the attempt and reads it back", async () => {
    const p = await startAglStore(["--backend", "memory"]);
    running.push(p);
    const stdout = await runCurlWalkthrough(README, p.url);
    expect(stdout).toContain('"attempt": "succeeded"');

    const page = await get(`${p.url}/v1/agl/rollouts`);
    expect(page.total).toBe(1);
    const rollout = page.items[0];
    expect(rollout).toMatchObject({
      input: { question: "2+2?" },
      status: "succeeded",
      attempt: { status: "succeeded", worker_id: "runner-1" },
    });
    const spans = await get(`${p.url}/v1/agl/spans?rollout_id=${rollout.rollout_id}`);
    expect(spans.items).toEqual([
      expect.objectContaining({
        sequence_id: 1,
        name: "agentlightning.annotation",
        attributes: { "agentlightning.reward.0.name": "primary", "agentlightning.reward.0.value": 1 },
      }),
    ]);
    expect(await p.stop()).toBe(0);
  });
});
