import type { RolloutSummary, Span } from "@agentlightning/types";
import { afterEach, describe, expect, it } from "vitest";
import type { LightningStoreInsights } from "../src/insights.js";
import { InMemoryLightningStore } from "../src/memory/memory-store.js";
import type { LightningStore, StoreSettings } from "../src/store.js";
import { makeSpan } from "../src/testing/make-span.js";
import { TestClock } from "../src/testing/test-clock.js";
import { testDatabaseUrl, usePgliteStores, useServerStores } from "./support/postgres-fixtures.js";
import { serveOverHttp } from "./support/served-client.js";

// The dashboard aggregates (LightningStoreInsights, docs/store-contract.md Appendix E14–E16) on every
// backend, in process and through the HTTP client → live server: one seeded store, the same answers
// everywhere. The rules under test (what an LLM call, a reward and an error are) live in
// src/core/span-insights.ts; the Postgres store writes them in SQL.

type InsightStore = LightningStore & LightningStoreInsights;

interface Seeded {
  r1: string;
  r2: string;
  r3: string;
  r4: string;
  r5: string;
  r1End: number;
  r3End: number;
  r5End: number;
}

async function seed(store: InsightStore, clock: TestClock): Promise<Seeded> {
  const timed = (start: number | null, end: number | null = start) => ({ start_time: start, end_time: end });

  // r1: two attempts; the summary reads the second only.
  const r1 = await store.startRollout({ input: { q: 1 }, mode: "train", resourcesId: "rs-1" });
  const a1 = r1.attempt.attempt_id;
  await store.addSpan(
    makeSpan(r1.rollout_id, a1, 1, {
      name: "openai.chat.completion",
      attributes: { "gen_ai.usage.prompt_tokens": 500 },
      ...timed(50, 51),
    }),
  );
  const retry = await store.startAttempt(r1.rollout_id);
  const a2 = retry.attempt.attempt_id;
  const r1Spans: Span[] = [
    makeSpan(r1.rollout_id, a2, 1, {
      name: "openai.chat.completion",
      attributes: {
        "gen_ai.usage.prompt_tokens": 10,
        "gen_ai.usage.completion_tokens": 5,
        "gen_ai.usage.total_tokens": 15,
        "gen_ai.request.model": "m",
        flag: true,
      },
      ...timed(100, 101),
    }),
    // The newer GenAI keys, and no total: prompt + completion.
    makeSpan(r1.rollout_id, a2, 2, {
      name: "litellm_request",
      attributes: { "gen_ai.usage.input_tokens": 7, "gen_ai.usage.output_tokens": 3 },
      ...timed(102, 104),
    }),
    // The proxy's raw backend span describes the same call: not counted.
    makeSpan(r1.rollout_id, a2, 3, {
      name: "raw_gen_ai_request",
      status: { status_code: "ERROR", description: "boom" },
      attributes: { "gen_ai.usage.prompt_tokens": 1000 },
      ...timed(103, 103.5),
    }),
    makeSpan(r1.rollout_id, a2, 4, {
      name: "agentlightning.annotation",
      attributes: { "agentlightning.reward.0.name": "primary", "agentlightning.reward.0.value": 0.25 },
      ...timed(105, null),
    }),
    // v0.2 reward span, later in sequence: the final reward.
    makeSpan(r1.rollout_id, a2, 5, {
      name: "agentlightning.reward",
      attributes: { reward: 0.75 },
      ...timed(106),
    }),
    makeSpan(r1.rollout_id, a2, 6, {
      name: "tool_call.search",
      status: { status_code: "ERROR", description: null },
      attributes: { "tool.name": "search", "tool.calls": [1, 2] },
      ...timed(106.5, 107.25),
    }),
    // A reward key on a span that is not a reward span is not a reward.
    makeSpan(r1.rollout_id, a2, 7, {
      name: "agent.step",
      attributes: { "agentlightning.reward.0.value": 9 },
      ...timed(null),
    }),
  ];
  await store.addManySpans(r1Spans);
  clock.advance(100);
  await store.updateAttempt(r1.rollout_id, "latest", { status: "succeeded" });
  const r1End = clock.now();

  // r2: queued, never started.
  const r2 = await store.enqueueRollout({ input: 2, mode: "val" });

  // r3: the reward with the higher sequence id is final even though it was stored first.
  const r3 = await store.startRollout({ input: 3, mode: "train" });
  const a3 = r3.attempt.attempt_id;
  await store.addSpan(
    makeSpan(r3.rollout_id, a3, 2, {
      name: "agentlightning.annotation",
      attributes: { "agentlightning.reward.0.value": 0.1 },
      ...timed(200),
    }),
  );
  await store.addSpan(
    makeSpan(r3.rollout_id, a3, 1, {
      name: "agentlightning.annotation",
      attributes: { "agentlightning.reward.0.value": 0.9 },
      ...timed(199),
    }),
  );
  clock.advance(10);
  await store.updateAttempt(r3.rollout_id, "latest", { status: "succeeded" });
  const r3End = clock.now();

  // r4: failed without a reward.
  const r4 = await store.startRollout({ input: 4, mode: "val" });
  await store.addSpan(makeSpan(r4.rollout_id, r4.attempt.attempt_id, 1, { name: "work", ...timed(300) }));
  clock.advance(10);
  await store.updateAttempt(r4.rollout_id, "latest", { status: "failed" });

  // r5: a val rollout with a reward.
  const r5 = await store.startRollout({ input: 5, mode: "val", resourcesId: "rs-2" });
  await store.addSpan(
    makeSpan(r5.rollout_id, r5.attempt.attempt_id, 1, {
      name: "agentlightning.annotation",
      attributes: { "agentlightning.reward.0.value": 0.5, "agentlightning.reward.1.value": 7 },
      ...timed(400),
    }),
  );
  clock.advance(10);
  await store.updateAttempt(r5.rollout_id, "latest", { status: "succeeded" });
  const r5End = clock.now();

  return {
    r1: r1.rollout_id,
    r2: r2.rollout_id,
    r3: r3.rollout_id,
    r4: r4.rollout_id,
    r5: r5.rollout_id,
    r1End,
    r3End,
    r5End,
  };
}

function emptySummary(rolloutId: string, attemptCount: number): RolloutSummary {
  return {
    rollout_id: rolloutId,
    attempt_count: attemptCount,
    span_count: 0,
    llm_call_count: 0,
    error_span_count: 0,
    final_reward: null,
    token_usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    first_span_time: null,
    last_span_time: null,
  };
}

function describeInsights(name: string, open: (settings: StoreSettings) => Promise<InsightStore>): void {
  describe(name, () => {
    let store: InsightStore | undefined;
    afterEach(async () => {
      await store?.close();
      store = undefined;
    });

    async function seeded(): Promise<[InsightStore, Seeded]> {
      const clock = new TestClock();
      store = await open({ now: () => clock.now() });
      return [store, await seed(store, clock)];
    }

    it("summarizes each rollout's latest attempt, in request order, unknown ids left out (E14)", async () => {
      const [s, ids] = await seeded();
      const items = await s.summarizeRollouts([ids.r3, "ro-unknown", ids.r1, ids.r2, ids.r1]);
      expect(items.map((item) => item.rollout_id)).toEqual([ids.r3, ids.r1, ids.r2]);
      expect(items[1]).toEqual({
        rollout_id: ids.r1,
        attempt_count: 2,
        span_count: 7,
        llm_call_count: 2,
        error_span_count: 2,
        final_reward: 0.75,
        token_usage: { prompt_tokens: 17, completion_tokens: 8, total_tokens: 25 },
        first_span_time: 100,
        last_span_time: 107.25,
      });
      expect(items[0]).toMatchObject({ rollout_id: ids.r3, span_count: 2, final_reward: 0.1 });
      expect(items[2]).toEqual(emptySummary(ids.r2, 0));
      expect(await s.summarizeRollouts([])).toEqual([]);
    });

    it("refuses more than 500 ids and ids that are not strings", async () => {
      const [s] = await seeded();
      const many = Array.from({ length: 501 }, (_, i) => `ro-${i}`);
      await expect(s.summarizeRollouts(many)).rejects.toMatchObject({ code: "invalid_argument" });
      await expect(s.summarizeRollouts([1 as unknown as string])).rejects.toMatchObject({
        code: "invalid_argument",
      });
    });

    it("answers final rewards of finished rollouts, oldest first, filtered by mode and since (E16)", async () => {
      const [s, ids] = await seeded();
      expect(await s.queryRewards()).toEqual([
        { rollout_id: ids.r1, mode: "train", resources_id: "rs-1", end_time: ids.r1End, final_reward: 0.75 },
        { rollout_id: ids.r3, mode: "train", resources_id: null, end_time: ids.r3End, final_reward: 0.1 },
        { rollout_id: ids.r5, mode: "val", resources_id: "rs-2", end_time: ids.r5End, final_reward: 0.5 },
      ]);
      expect((await s.queryRewards({ mode: "val" })).map((p) => p.rollout_id)).toEqual([ids.r5]);
      expect((await s.queryRewards({ since: ids.r3End })).map((p) => p.rollout_id)).toEqual([ids.r3, ids.r5]);
      expect((await s.queryRewards({ limit: 1 })).map((p) => p.rollout_id)).toEqual([ids.r1]);
      expect(await s.queryRewards({ limit: 0 })).toEqual([]);
      await expect(s.queryRewards({ mode: "bogus" as "val" })).rejects.toMatchObject({
        code: "invalid_argument",
      });
    });

    it("searches spans across rollouts, newest first, with every filter (E15)", async () => {
      const [s, ids] = await seeded();
      const all = await s.searchSpans();
      expect(all.total).toBe(12);
      expect(all.limit).toBe(100);
      expect(all.offset).toBe(0);
      const starts = all.items.map((span) => span.start_time);
      // Newest first; the span without a start time last.
      expect(starts).toEqual([400, 300, 200, 199, 106.5, 106, 105, 103, 102, 100, 50, null]);

      const names = async (options: Parameters<InsightStore["searchSpans"]>[0]) =>
        (await s.searchSpans(options)).items.map(
          (span) => `${span.rollout_id === ids.r1 ? "r1" : "x"}:${span.name}`,
        );
      expect(await names({ name: "litellm_request" })).toEqual(["r1:litellm_request"]);
      expect(await names({ nameContains: "reward" })).toEqual(["r1:agentlightning.reward"]);
      expect(await names({ statusCode: "ERROR" })).toEqual(["r1:tool_call.search", "r1:raw_gen_ai_request"]);
      expect(await names({ attributeKey: "gen_ai.usage.prompt_tokens" })).toEqual([
        "r1:raw_gen_ai_request",
        "r1:openai.chat.completion",
        "r1:openai.chat.completion",
      ]);
      expect(
        (await s.searchSpans({ attributeKey: "gen_ai.usage.prompt_tokens", attributeValue: "10" })).items,
      ).toEqual([expect.objectContaining({ sequence_id: 1, start_time: 100 })]);
      expect(await names({ attributeKey: "flag", attributeValue: "true" })).toEqual([
        "r1:openai.chat.completion",
      ]);
      expect(await names({ attributeKey: "gen_ai.request.model", attributeValue: "m" })).toEqual([
        "r1:openai.chat.completion",
      ]);
      expect(await names({ attributeKey: "tool.name" })).toEqual(["r1:tool_call.search"]);
      // Arrays compare as their JSON text.
      expect(await names({ attributeKey: "tool.calls", attributeValue: "[1,2]" })).toEqual([
        "r1:tool_call.search",
      ]);
      expect(await names({ attributeKey: "tool.name", attributeValue: "other" })).toEqual([]);
      expect((await s.searchSpans({ rolloutId: ids.r3 })).items.map((span) => span.start_time)).toEqual([
        200, 199,
      ]);
      expect((await s.searchSpans({ since: 106, until: 300 })).items.map((span) => span.start_time)).toEqual([
        200, 199, 106.5, 106,
      ]);
      expect(
        (await s.searchSpans({ name: "openai.chat.completion", since: 60 })).items.map(
          (span) => span.start_time,
        ),
      ).toEqual([100]);

      const page = await s.searchSpans({ limit: 2, offset: 1 });
      expect(page.items.map((span) => span.start_time)).toEqual([300, 200]);
      expect(page.total).toBe(12);
      const capped = await s.searchSpans({ limit: 10_000, offset: 11 });
      expect(capped.limit).toBe(500);
      expect(capped.items.map((span) => span.start_time)).toEqual([null]);
      const counted = await s.searchSpans({ limit: 0, statusCode: "ERROR" });
      expect(counted).toEqual({ items: [], limit: 0, offset: 0, total: 2 });
    });

    it("refuses bad search options, naming them", async () => {
      const [s] = await seeded();
      await expect(s.searchSpans({ attributeValue: "x" })).rejects.toThrow(/attribute_key/);
      await expect(s.searchSpans({ limit: -1 })).rejects.toThrow(/limit/);
      await expect(s.searchSpans({ offset: -1 })).rejects.toThrow(/offset/);
      await expect(s.searchSpans({ since: Number.NaN })).rejects.toThrow(/since/);
      await expect(s.searchSpans({ statusCode: "BAD" as "OK" })).rejects.toThrow(/status_code/);
    });
  });
}

describeInsights(
  "insights: InMemoryLightningStore",
  async (settings) => new InMemoryLightningStore(settings),
);

const pgliteStore = usePgliteStores("insights_pglite");
describeInsights("insights: PostgresLightningStore (PGlite)", (settings) => pgliteStore(settings));

describeInsights("insights: HTTP client → server → InMemoryLightningStore", async (settings) =>
  serveOverHttp(new InMemoryLightningStore(settings)),
);

const pgliteServed = usePgliteStores("insights_http_pglite");
describeInsights("insights: HTTP client → server → PostgresLightningStore (PGlite)", async (settings) =>
  serveOverHttp(await pgliteServed(settings)),
);

if (testDatabaseUrl !== undefined) {
  const serverStore = useServerStores(testDatabaseUrl, "insights_server");
  describeInsights("insights: PostgresLightningStore (server)", (settings) => serverStore(settings));
  const servedServer = useServerStores(testDatabaseUrl, "insights_http_server");
  describeInsights("insights: HTTP client → server → PostgresLightningStore (server)", async (settings) =>
    serveOverHttp(await servedServer(settings)),
  );
}
