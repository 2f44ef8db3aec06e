/**
 * Deep copy of a JSON-like value: arrays and plain objects are copied recursively, primitives are
 * returned as they are, anything else (Date, Map, typed arrays…) goes through `structuredClone`.
 * Several times faster than `structuredClone` for the small objects a store copies on every call.
 *
 * @example
 * ```ts
 * const copy = cloneJson({ a: [1, { b: 2 }] }); // no object shared with the original
 * ```
 */
export function cloneJson<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = cloneJson(value[i]);
    return out as T;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    const copied = cloneJson(source[key]);
    // An own "__proto__" key (JSON.parse makes them) must stay data, not become the prototype.
    if (key === "__proto__") {
      Object.defineProperty(out, key, {
        value: copied,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      out[key] = copied;
    }
  }
  return out as T;
}
