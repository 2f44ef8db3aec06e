import { describe, expect, it } from "vitest";
import { LightningStoreClient } from "../src/client/store-client.js";
import { isLightningStoreInsights } from "../src/insights.js";
import { InMemoryLightningStore } from "../src/memory/memory-store.js";
import type { LightningStore } from "../src/store.js";
import { makeSpan } from "../src/testing/make-span.js";
import { json, P, startServer } from "./http-fixture.js";

// The extension endpoints over the wire (docs/store-contract.md Appendix E14–E16): validation,
// a store without them, authentication, the OpenAPI document. Their answers on every backend are
// in insights.test.ts.

const EXT_PATHS = ["/ext/rollouts/summaries", "/ext/spans", "/ext/rewards"];

/**
 * The in-memory store seen through its LightningStore methods only, as a store of another package
 * that does not implement LightningStoreInsights would be.
 */
function withoutInsights(store: InMemoryLightningStore): LightningStore {
  const hidden = new Set(["summarizeRollouts", "searchSpans", "queryRewards"]);
  return new Proxy(store, {
    get(target, key) {
      if (typeof key === "string" && hidden.has(key)) return undefined;
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("extension endpoints over HTTP", () => {
  it("answer the pinned shapes", async () => {
    const fx = await startServer();
    const started = await fx.store.startRollout({ input: 1, mode: "train" });
    await fx.store.addSpan(
      makeSpan(started.rollout_id, started.attempt.attempt_id, 1, {
        name: "agentlightning.annotation",
        attributes: { "agentlightning.reward.0.value": 1 },
        start_time: 10,
        end_time: 11,
      }),
    );
    await fx.store.updateAttempt(started.rollout_id, "latest", { status: "succeeded" });

    const summaries = await fx.postJson(`${P}/ext/rollouts/summaries`, { rollout_ids: [started.rollout_id] });
    expect(summaries.status).toBe(200);
    expect(summaries.body.items[0]).toEqual({
      rollout_id: started.rollout_id,
      attempt_count: 1,
      span_count: 1,
      llm_call_count: 0,
      error_span_count: 0,
      final_reward: 1,
      token_usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
      first_span_time: 10,
      last_span_time: 11,
    });
    const spans = await fx.getJson(`${P}/ext/spans?since=9.5&until=10.5&limit=5`);
    expect(spans.status).toBe(200);
    expect(spans.body).toMatchObject({ total: 1, limit: 5, offset: 0 });
    expect(spans.body.items[0].name).toBe("agentlightning.annotation");
    const rewards = await fx.getJson(`${P}/ext/rewards?mode=train`);
    expect(rewards.body.items).toEqual([
      expect.objectContaining({ rollout_id: started.rollout_id, mode: "train", final_reward: 1 }),
    ]);
    // The alias prefix serves them too.
    expect((await fx.getJson(`/agl/v1/ext/rewards`)).body.items).toHaveLength(1);
  });

  it("refuse bad query values with 422 naming the parameter, and semantic errors with 400", async () => {
    const fx = await startServer();
    const cases: [string, string][] = [
      [`${P}/ext/spans?limit=abc`, "limit"],
      [`${P}/ext/spans?limit=-1`, "limit"],
      [`${P}/ext/spans?offset=-2`, "offset"],
      [`${P}/ext/spans?since=yesterday`, "since"],
      [`${P}/ext/spans?until=1e`, "until"],
      [`${P}/ext/spans?status_code=FAILED`, "status_code"],
      [`${P}/ext/rewards?mode=training`, "mode"],
      [`${P}/ext/rewards?limit=1.5`, "limit"],
    ];
    for (const [path, field] of cases) {
      const res = await fx.getJson(path);
      expect(res.status, path).toBe(422);
      expect(res.body.detail[0].loc, path).toEqual(["query", field]);
    }
    const orphan = await fx.getJson(`${P}/ext/spans?attribute_value=x`);
    expect(orphan.status).toBe(400);
    expect(orphan.body.detail).toMatch(/attribute_value needs attribute_key/);

    const missing = await fx.postJson(`${P}/ext/rollouts/summaries`, {});
    expect(missing.status).toBe(422);
    expect(missing.body.detail[0].loc).toEqual(["body", "rollout_ids"]);
    const tooMany = await fx.postJson(`${P}/ext/rollouts/summaries`, {
      rollout_ids: Array.from({ length: 501 }, (_, i) => `ro-${i}`),
    });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.detail[0].loc).toEqual(["body", "rollout_ids"]);
    const notStrings = await fx.postJson(`${P}/ext/rollouts/summaries`, { rollout_ids: [1] });
    expect(notStrings.status).toBe(422);
    expect(notStrings.body.detail[0].loc).toEqual(["body", "rollout_ids", 0]);
    // GET on the POST route is a 405, as on every route.
    expect((await fx.get(`${P}/ext/rollouts/summaries`)).status).toBe(405);
  });

  it("answer 404 with a clear message when the store does not implement them", async () => {
    const bare = withoutInsights(new InMemoryLightningStore());
    expect(isLightningStoreInsights(bare)).toBe(false);
    const fx = await startServer({ store: bare });
    for (const path of ["/ext/spans", "/ext/rewards"]) {
      const res = await fx.getJson(`${P}${path}`);
      expect(res.status).toBe(404);
      expect(res.body.detail).toMatch(/does not serve the extension endpoints.*LightningStoreInsights/);
    }
    const res = await fx.postJson(`${P}/ext/rollouts/summaries`, { rollout_ids: ["ro-1"] });
    expect(res.status).toBe(404);
    const client = new LightningStoreClient({ url: fx.url, retryDelays: [], healthRetryDelays: [] });
    await expect(client.queryRewards()).rejects.toMatchObject({ code: "not_found" });
    await client.close();
    // The Python-compatible routes are untouched.
    expect((await fx.getJson(`${P}/rollouts`)).status).toBe(200);
  });

  it("need the API key like every data route", async () => {
    const fx = await startServer({ apiKey: "k" });
    expect((await fx.get(`${P}/ext/rewards`)).status).toBe(401);
    expect((await fx.get(`${P}/ext/rewards`, { authorization: "Bearer k" })).status).toBe(200);
  });

  it("are listed in the OpenAPI document under the extensions tag", async () => {
    const fx = await startServer();
    const doc = await json(await fx.get(`${P}/openapi.json`));
    for (const path of EXT_PATHS) {
      const operations = doc.paths[`${P}${path}`];
      expect(operations, path).toBeDefined();
      const operation = (operations.get ?? operations.post) as { tags: string[]; description: string };
      expect(operation.tags).toEqual(["extensions"]);
      expect(operation.description).toMatch(/Not served by the Python store/);
    }
    const params = (doc.paths[`${P}/ext/spans`].get.parameters as { name: string }[]).map((p) => p.name);
    expect(params).toEqual(
      expect.arrayContaining([
        "name",
        "attribute_key",
        "attribute_value",
        "status_code",
        "since",
        "until",
        "limit",
      ]),
    );
  });
});
