import { ID_PATTERNS, type NamedResourcesInput } from "@agentlightning/types";
import { describe, expect } from "vitest";
import { counts, expectAglError, expectTime, type StoreTest } from "../harness.js";

const LLM_INPUT: NamedResourcesInput = {
  main_llm: { resource_type: "llm", endpoint: "http://h:8080/v1", model: "m" },
};

/** §6 "Resources" (items 97–103) and §2.11. */
export function resourcesTests(test: StoreTest): void {
  describe("Resources", () => {
    test("#97 add_resources creates version 1 with an rs- id and makes it latest", async ({
      store,
      clock,
    }) => {
      const added = await store.addResources({});
      expect(added.resources_id).toMatch(ID_PATTERNS.resources);
      expect(added.version).toBe(1);
      expect(added.create_time).toBe(added.update_time);
      expectTime(added.create_time, clock.now());
      expect(added.resources).toEqual({});
      expect((await store.getLatestResources())?.resources_id).toBe(added.resources_id);
      expect(await store.getResourcesById(added.resources_id)).toEqual(added);
      const next = await store.addResources({});
      expect(next.resources_id).not.toBe(added.resources_id);
      expect((await store.getLatestResources())?.resources_id).toBe(next.resources_id);
    });

    test("#98 update_resources on a new id creates version 1 and makes it latest", async ({ store }) => {
      await store.addResources({});
      const created = await store.updateResources("custom-1", LLM_INPUT);
      expect(created.resources_id).toBe("custom-1");
      expect(created.version).toBe(1);
      expect(created.create_time).toBe(created.update_time);
      expect((await store.getLatestResources())?.resources_id).toBe("custom-1");
    });

    test("#99 updating bumps version and update_time, keeps create_time, and makes an older id latest", async ({
      store,
      clock,
    }) => {
      const old = await store.addResources(LLM_INPUT);
      clock.advance(5);
      const newer = await store.addResources({});
      expect((await store.getLatestResources())?.resources_id).toBe(newer.resources_id);
      clock.advance(5);
      const updated = await store.updateResources(old.resources_id, {
        prompt: { resource_type: "prompt_template", template: "Hi {name}", engine: "f-string" },
      });
      expect(updated.version).toBe(2);
      expect(updated.create_time).toBe(old.create_time);
      expect(updated.update_time).toBeGreaterThan(old.update_time);
      expectTime(updated.update_time, clock.now());
      expect(Object.keys(updated.resources)).toEqual(["prompt"]);
      expect((await store.getLatestResources())?.resources_id).toBe(old.resources_id);
      expect(await store.getResourcesById(old.resources_id)).toEqual(updated);
      const third = await store.updateResources(old.resources_id, {});
      expect(third.version).toBe(3);
    });

    test("#100 no latest snapshot on a fresh store; unknown ids read as null", async ({ store }) => {
      expect(await store.getLatestResources()).toBeNull();
      expect(await store.getResourcesById("unknown")).toBeNull();
    });

    test("#101 an incomplete or unknown resource is invalid_argument; nothing stored", async ({ store }) => {
      await expectAglError(
        store.addResources({ x: { resource_type: "llm", endpoint: "e" } } as unknown as NamedResourcesInput),
        "invalid_argument",
        "model",
      );
      await expectAglError(
        store.addResources({ x: { resource_type: "gpu" } } as unknown as NamedResourcesInput),
        "invalid_argument",
        "resource_type",
      );
      await expectAglError(
        store.updateResources("custom", { x: { resource_type: "prompt_template", template: "t" } } as never),
        "invalid_argument",
        "engine",
      );
      expect((await counts(store)).total_resources).toBe(0);
      expect(await store.getLatestResources()).toBeNull();
      expect(await store.getResourcesById("custom")).toBeNull();
    });

    test("#102 optional LLM fields come back filled in; unknown keys are dropped", async ({ store }) => {
      const added = await store.addResources({
        main_llm: { resource_type: "llm", endpoint: "http://h:8080/v1", model: "m", extra: 1 } as never,
        proxy: {
          resource_type: "proxy_llm",
          endpoint: "http://p",
          model: "p",
          api_key: "k",
          sampling_parameters: { temperature: 0.7 },
        },
        prompt: { resource_type: "prompt_template", template: "Hi {name}", engine: "jinja" },
      });
      const expected = {
        main_llm: {
          resource_type: "llm",
          endpoint: "http://h:8080/v1",
          model: "m",
          api_key: null,
          sampling_parameters: {},
        },
        proxy: {
          resource_type: "proxy_llm",
          endpoint: "http://p",
          model: "p",
          api_key: "k",
          sampling_parameters: { temperature: 0.7 },
        },
        prompt: { resource_type: "prompt_template", template: "Hi {name}", engine: "jinja" },
      };
      expect(added.resources).toEqual(expected);
      expect((await store.getResourcesById(added.resources_id))?.resources).toEqual(expected);
    });

    test("#103 query_resources filters by id substring, sorts and pages with the filtered total", async ({
      store,
    }) => {
      for (const id of ["test-a", "other-1", "test-c", "test-b", "test-d"])
        await store.updateResources(id, {});
      const generated = await store.addResources({});
      const filtered = await store.queryResources({ resourcesIdContains: "test-" });
      expect(filtered.items.map((r) => r.resources_id)).toEqual(["test-a", "test-c", "test-b", "test-d"]);
      expect(filtered.total).toBe(4);
      const page = await store.queryResources({
        resourcesIdContains: "test-",
        sortBy: "resources_id",
        limit: 2,
        offset: 2,
      });
      expect(page.items.map((r) => r.resources_id)).toEqual(["test-c", "test-d"]);
      expect(page).toMatchObject({ total: 4, limit: 2, offset: 2 });
      const all = await store.queryResources();
      expect(all.items.map((r) => r.resources_id)).toEqual([
        "test-a",
        "other-1",
        "test-c",
        "test-b",
        "test-d",
        generated.resources_id,
      ]);
      expect(all).toMatchObject({ total: 6, limit: -1, offset: 0 });
      const exact = await store.queryResources({ resourcesId: "test-b" });
      expect(exact.items.map((r) => r.resources_id)).toEqual(["test-b"]);
      const both = await store.queryResources({ resourcesId: "test-b", resourcesIdContains: "other" });
      expect(both.total).toBe(0);
    });

    test("§2.11 query_resources keeps creation order after updates; sorts by version", async ({
      store,
      clock,
    }) => {
      await store.updateResources("a", {});
      await store.updateResources("b", {});
      clock.advance(1);
      await store.updateResources("a", {});
      const all = await store.queryResources();
      expect(all.items.map((r) => r.resources_id)).toEqual(["a", "b"]);
      const byVersion = await store.queryResources({ sortBy: "version", sortOrder: "desc" });
      expect(byVersion.items.map((r) => [r.resources_id, r.version])).toEqual([
        ["a", 2],
        ["b", 1],
      ]);
      const byUpdate = await store.queryResources({ sortBy: "update_time", sortOrder: "desc" });
      expect(byUpdate.items.map((r) => r.resources_id)).toEqual(["a", "b"]);
    });
  });
}
