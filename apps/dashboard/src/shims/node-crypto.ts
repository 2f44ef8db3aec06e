/**
 * The one `node:crypto` function the workspace packages bundled into the dashboard use
 * (`randomBytes(n).toString("hex")`, for ids of synthetic spans in the triplet adapter), on the
 * browser's Web Crypto. vite.config.ts aliases `node:crypto` to this file for the browser build.
 */
class RandomBytes extends Uint8Array {
  override toString(encoding?: string): string {
    if (encoding !== undefined && encoding !== "hex")
      throw new Error(`randomBytes shim: no ${encoding} encoding`);
    return Array.from(this, (b) => b.toString(16).padStart(2, "0")).join("");
  }
}

/** `n` random bytes whose `toString("hex")` gives lowercase hex, like Node's Buffer. */
export function randomBytes(n: number): RandomBytes {
  const bytes = new RandomBytes(n);
  crypto.getRandomValues(bytes);
  return bytes;
}
