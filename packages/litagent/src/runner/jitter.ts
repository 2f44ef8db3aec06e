/**
 * `seconds` moved by a uniform random amount in `[-jitter, +jitter]`, floored at 0.01 s (runtime
 * contract §7.2), in milliseconds.
 */
export function jitteredMs(seconds: number, jitter: number, random: () => number = Math.random): number {
  const value = seconds + (random() * 2 - 1) * jitter;
  return Math.max(0.01, value) * 1000;
}
