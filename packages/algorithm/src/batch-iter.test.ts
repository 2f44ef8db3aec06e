import { describe, expect, it } from "vitest";
import { batchIterOverDataset } from "./batch-iter.js";
import { datasetLength, datasetToArray } from "./dataset.js";
import { seededRandom, shuffled } from "./random.js";

describe("batchIterOverDataset (checklist #85)", () => {
  it("yields the whole dataset, reshuffled, when the batch covers it", () => {
    const it = batchIterOverDataset([1, 2, 3], 5, seededRandom(1));
    const batches = [it.next().value, it.next().value, it.next().value, it.next().value];
    for (const batch of batches) expect([...batch].sort()).toEqual([1, 2, 3]);
    expect(new Set(batches.map((b) => b.join(","))).size).toBeGreaterThan(1);
  });

  it("cuts batches of exactly batchSize distinct items and cycles over every item", () => {
    const data = ["a", "b", "c", "d", "e"];
    const it = batchIterOverDataset(data, 2, seededRandom(7));
    const seen = new Map<string, number>();
    for (let i = 0; i < 50; i++) {
      const batch = it.next().value;
      expect(batch).toHaveLength(2);
      expect(new Set(batch).size).toBe(2);
      for (const item of batch) seen.set(item, (seen.get(item) ?? 0) + 1);
    }
    // 100 draws over 5 items: each pass uses every item once, so counts stay within one pass.
    for (const item of data) expect(seen.get(item)).toBeGreaterThanOrEqual(19);
  });

  it("reads datasets that are not arrays through length and at()", () => {
    const lazy = { length: 3, at: (i: number) => ({ q: i }) };
    expect(datasetLength(lazy)).toBe(3);
    expect(datasetToArray(lazy)).toEqual([{ q: 0 }, { q: 1 }, { q: 2 }]);
    expect(batchIterOverDataset(lazy, 3, seededRandom(3)).next().value).toHaveLength(3);
  });

  it("refuses an empty dataset and a bad batch size", () => {
    expect(() => batchIterOverDataset([], 2).next()).toThrow(/empty/);
    expect(() => batchIterOverDataset([1], 0).next()).toThrow(/batchSize/);
    expect(() => datasetLength({ length: "x" } as never, "trainDataset")).toThrow(/trainDataset/);
  });

  it("is reproducible from a seed", () => {
    expect(shuffled(seededRandom(42), [1, 2, 3, 4, 5, 6])).toEqual(
      shuffled(seededRandom(42), [1, 2, 3, 4, 5, 6]),
    );
    const a = batchIterOverDataset([1, 2, 3, 4], 3, seededRandom(5));
    const b = batchIterOverDataset([1, 2, 3, 4], 3, seededRandom(5));
    for (let i = 0; i < 5; i++) expect(a.next().value).toEqual(b.next().value);
  });
});
