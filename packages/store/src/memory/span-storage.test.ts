import { describe, expect, it } from "vitest";
import { makeSpan as span } from "../testing/make-span.js";
import { InMemoryLightningStore } from "./memory-store.js";

// How the in-memory store keeps spans (packed UTF-8 JSON per rollout, src/memory/rollout-spans.ts):
// exact round trips, no sharing with callers, growth past the buffer's exact range, duplicates.

describe("InMemoryLightningStore span storage", () => {
  it("keeps spans exactly (non-ASCII text, extra keys) and shares no object with callers", async () => {
    const store = new InMemoryLightningStore();
    const started = await store.startRollout({ input: "x" });
    const given = span(started.rollout_id, started.attempt.attempt_id, 1, {
      name: "résumé 🚀",
      attributes: { clé: "値 ✓ 😀", n: 1.5, ok: true, list: ["a", "ü"] },
      extra: { nested: [1, { deep: "ß" }] },
    });
    const returned = await store.addSpan(given);
    const expected = structuredClone(returned);
    (given.attributes as Record<string, unknown>).clé = "changed";
    (returned!.attributes as Record<string, unknown>).n = 2;
    const first = (await store.querySpans({ rolloutId: started.rollout_id })).items[0]!;
    expect(first).toEqual(expected);
    (first.attributes as Record<string, unknown>).ok = false;
    expect((await store.querySpans({ rolloutId: started.rollout_id })).items[0]).toEqual(expected);
    expect((await store.querySpans({ rolloutId: started.rollout_id, name: "résumé 🚀" })).total).toBe(1);
  });

  it("stores many spans of one rollout past the buffer's exact-growth range and finds duplicates", async () => {
    const store = new InMemoryLightningStore();
    const started = await store.startRollout({ input: "many" });
    const { rollout_id: r, attempt } = started;
    const make = (n: number) =>
      span(r, attempt.attempt_id, n, { name: `s${n}`, attributes: { text: `${n}:`.padEnd(3000, "é") } });
    // 40 spans of about 6 KB: more than the scan limit (32) and past 64 KB of JSON.
    for (let n = 1; n <= 40; n++) expect(await store.addSpan(make(n))).not.toBeNull();
    expect(await store.addSpan(make(3))).toBeNull();
    expect(await store.addSpan(make(40))).toBeNull();
    expect(await store.addManySpans([make(41), make(5)])).toHaveLength(1);
    const all = await store.querySpans({ rolloutId: r });
    expect(all.items.map((s) => s.sequence_id)).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
    expect(all.items[36]).toMatchObject({ name: "s37", attributes: make(37).attributes });
    const page = await store.querySpans({
      rolloutId: r,
      sortBy: "span_id",
      sortOrder: "desc",
      limit: 2,
      offset: 1,
    });
    expect(page.items.map((s) => s.sequence_id)).toEqual([40, 39]);
    expect(page.total).toBe(41);
    const named = await store.querySpans({ rolloutId: r, name: "s17", attemptId: "latest" });
    expect(named.items.map((s) => [s.sequence_id, s.attributes])).toEqual([[17, make(17).attributes]]);
    const byName = await store.querySpans({ rolloutId: r, sortBy: "name", sortOrder: "desc", limit: 1 });
    expect(byName.items[0]?.name).toBe("s9");
  });
});
