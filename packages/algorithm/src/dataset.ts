import { AglError } from "@agentlightning/types";

/**
 * A map-style dataset: a length and integer indexing. Plain arrays qualify; so does any object
 * with `length` and `at(i)` (a lazily loaded file, a database cursor). Items are passed verbatim as
 * rollout inputs, so they must be JSON-serialisable when the store is remote.
 */
export type Dataset<T = unknown> = ReadonlyArray<T> | { readonly length: number; at(index: number): T };

/** Number of items of a dataset; 0 for null/undefined. Throws on something that is not a dataset. */
export function datasetLength(dataset: Dataset | null | undefined, name = "dataset"): number {
  if (dataset === null || dataset === undefined) return 0;
  const length = (dataset as { length?: unknown }).length;
  if (typeof length !== "number" || !Number.isInteger(length) || length < 0) {
    throw new AglError("invalid_argument", `${name} must be an array or an object with length and at(i)`);
  }
  return length;
}

/** The item at `index` (0-based) of a dataset. */
export function datasetItem<T>(dataset: Dataset<T>, index: number): T {
  if (Array.isArray(dataset)) return dataset[index] as T;
  return (dataset as { at(index: number): T }).at(index);
}

/** All items of a dataset, in order, as an array (null/undefined give `[]`). */
export function datasetToArray<T>(dataset: readonly T[] | null | undefined, name?: string): T[];
export function datasetToArray<T>(dataset: Dataset<T> | null | undefined, name?: string): T[];
export function datasetToArray<T>(dataset: Dataset<T> | null | undefined, name = "dataset"): T[] {
  const length = datasetLength(dataset, name);
  if (length === 0 || dataset === null || dataset === undefined) return [];
  if (Array.isArray(dataset)) return [...(dataset as readonly T[])];
  const items: T[] = [];
  for (let i = 0; i < length; i++) items.push(datasetItem(dataset, i));
  return items;
}
