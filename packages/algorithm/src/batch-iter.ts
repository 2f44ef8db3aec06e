import { type Dataset, datasetItem, datasetLength } from "./dataset.js";
import { mathRandom, type RandomSource, shuffled } from "./random.js";

/**
 * Endless batches over a dataset (orchestration §3.4 "dataset batching"). When `batchSize` covers
 * the dataset, every batch is a freshly shuffled copy of all of it; otherwise each pass over the
 * dataset is shuffled and batches of exactly `batchSize` items are cut from it, a batch never
 * holding the same item twice (a batch may straddle two passes).
 */
export function batchIterOverDataset<T>(
  dataset: readonly T[],
  batchSize: number,
  rng?: RandomSource,
): Generator<T[], never, undefined>;
export function batchIterOverDataset<T>(
  dataset: Dataset<T>,
  batchSize: number,
  rng?: RandomSource,
): Generator<T[], never, undefined>;
export function* batchIterOverDataset<T>(
  dataset: Dataset<T>,
  batchSize: number,
  rng: RandomSource = mathRandom,
): Generator<T[], never, undefined> {
  const size = datasetLength(dataset);
  if (size === 0) throw new RangeError("batchIterOverDataset: the dataset is empty");
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchIterOverDataset: batchSize must be a positive integer (got ${batchSize})`);
  }
  const indices = Array.from({ length: size }, (_, i) => i);
  if (batchSize >= size) {
    for (;;) yield shuffled(rng, indices).map((i) => datasetItem(dataset, i));
  }
  let batch: number[] = [];
  for (;;) {
    for (const index of shuffled(rng, indices)) {
      if (batch.includes(index)) continue;
      batch.push(index);
      if (batch.length === batchSize) {
        yield batch.map((i) => datasetItem(dataset, i));
        batch = [];
      }
    }
  }
}
