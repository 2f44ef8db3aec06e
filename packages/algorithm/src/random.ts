/**
 * A source of randomness for the algorithms, injectable so that a run is reproducible (a seed) or
 * so that a test can pin a choice. `random()` returns a float in [0, 1) like `Math.random`.
 */
export interface RandomSource {
  random(): number;
}

/** A seeded pseudo-random generator (mulberry32): same seed, same sequence. */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return {
    random(): number {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** `Math.random` as a {@link RandomSource}. */
export const mathRandom: RandomSource = { random: () => Math.random() };

/** A uniform integer in [0, n). */
export function randomInt(rng: RandomSource, n: number): number {
  return Math.min(n - 1, Math.floor(rng.random() * n));
}

/** One element chosen uniformly (the list must not be empty). */
export function choice<T>(rng: RandomSource, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError("choice() of an empty list");
  return items[randomInt(rng, items.length)] as T;
}

/** A shuffled copy (Fisher–Yates). */
export function shuffled<T>(rng: RandomSource, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/** `k` distinct elements chosen uniformly, in random order (`k` is capped at the list length). */
export function sample<T>(rng: RandomSource, items: readonly T[], k: number): T[] {
  return shuffled(rng, items).slice(0, Math.max(0, Math.min(k, items.length)));
}

/**
 * An independent generator derived from `rng`: work that runs concurrently gets one each, drawn in
 * a fixed order, so a seeded run stays reproducible whatever order the work finishes in.
 */
export function forkRandom(rng: RandomSource): RandomSource {
  return seededRandom(Math.floor(rng.random() * 4294967296));
}
