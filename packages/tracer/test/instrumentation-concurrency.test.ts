// 100 rollouts traced at once in one process, all calling the model through ONE instrumented
// client: every rollout's spans hold only its own call and reward.
import { type ScriptedOpenAI, startScriptedOpenAI, tokenIdsOf } from "@agentlightning/scripted-openai";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emitReward, InstrumentedTracer, instrumentOpenAI, TracerTraceToTriplet } from "../src/index.js";
import { claimRollout, STORE_KINDS } from "./support/instrumentation-stores.js";

let model: ScriptedOpenAI;
beforeAll(async () => {
  // Random small delays interleave the calls of different rollouts.
  model = await startScriptedOpenAI({
    reply: (req) => ({
      content: `answer ${req.lastUserMessage}`,
      delayMs: Math.floor(Math.random() * 20),
      chunkDelayMs: 1,
    }),
  });
});
afterAll(async () => {
  await model.close();
});

describe.each(STORE_KINDS)("100 concurrent rollouts into %s", (_kind, start) => {
  it("keep their spans apart", async () => {
    const fixture = await start();
    // A generous close timeout: on a loaded machine 100 rollouts writing over HTTP can take longer
    // than the default 10 s, and what is tested here is that spans stay apart, not the timeout.
    const tracer = new InstrumentedTracer({ openai: false, closeTimeoutMs: 120_000 });
    const client = instrumentOpenAI(new OpenAI({ baseURL: model.baseUrl, apiKey: "unused", maxRetries: 0 }), {
      requestTokenIds: true,
    });
    try {
      // Claimed one by one (a claim takes the oldest queued rollout); traced all at once below.
      const rollouts: Array<{ rolloutId: string; attemptId: string }> = [];
      for (let i = 0; i < 100; i++) rollouts.push(await claimRollout(fixture.store, { i }));
      await Promise.all(
        rollouts.map((ids, i) =>
          tracer.trace({ ...ids, store: fixture.store }, async () => {
            const stream = i % 2 === 0;
            const messages = [{ role: "user" as const, content: `task-${i}` }];
            if (stream) {
              for await (const _ of await client.chat.completions.create({
                model: "m1",
                messages,
                stream: true,
              })) {
                /* read it all */
              }
            } else {
              await client.chat.completions.create({ model: "m1", messages });
            }
            emitReward(i);
          }),
        ),
      );
      const adapter = new TracerTraceToTriplet();
      for (const [i, ids] of rollouts.entries()) {
        const spans = (await fixture.store.querySpans({ rolloutId: ids.rolloutId })).items;
        expect(spans.map((s) => s.name).sort()).toEqual(
          ["agentlightning.annotation", "openai.chat.completion", ids.rolloutId].sort(),
        );
        expect(spans.every((s) => s.attempt_id === ids.attemptId)).toBe(true);
        const triplets = adapter.adapt(spans);
        expect(triplets).toHaveLength(1);
        expect(triplets[0]).toMatchObject({
          prompt: { raw_content: [{ role: "user", content: `task-${i}` }] },
          response: { token_ids: tokenIdsOf(`answer task-${i}`) },
          reward: i,
        });
      }
    } finally {
      await tracer.teardown();
      await fixture.close();
    }
  });
});
