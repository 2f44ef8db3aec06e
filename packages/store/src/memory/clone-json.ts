// Deep copies of the JSON values the memory store keeps. Iterative, with an explicit stack, so a
// copy never overflows the call stack whatever the nesting (the store's argument checks cap it at
// MAX_JSON_DEPTH; a recursive copy of a deeper value once broke every later listing).

type Container = unknown[] | Record<string, unknown>;

interface Pending {
  source: Container;
  target: Container;
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** An own "__proto__" key (JSON.parse makes them) must stay data, not become the prototype. */
function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/**
 * Deep copy of a JSON-like value: arrays and plain objects are copied, primitives are returned as
 * they are, anything else (Date, Map, typed arrays…) goes through `structuredClone`. Several times
 * faster than `structuredClone` for the small objects a store copies on every call, and safe at any
 * depth.
 *
 * @example
 * ```ts
 * const copy = cloneJson({ a: [1, { b: 2 }] }); // no object shared with the original
 * ```
 */
export function cloneJson<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  const root = shallowCopy(value);
  if (root === undefined) return structuredClone(value);
  const stack: Pending[] = [{ source: value as Container, target: root }];
  while (stack.length > 0) {
    const { source, target } = stack.pop() as Pending;
    if (Array.isArray(source)) {
      const out = target as unknown[];
      for (let i = 0; i < source.length; i++) out[i] = copyChild(source[i], stack);
    } else {
      const out = target as Record<string, unknown>;
      for (const key of Object.keys(source)) setKey(out, key, copyChild(source[key], stack));
    }
  }
  return root as T;
}

/** An empty array/object to fill, or undefined for a value `structuredClone` must copy. */
function shallowCopy(value: object): Container | undefined {
  if (Array.isArray(value)) return new Array(value.length);
  return isPlainObject(value) ? {} : undefined;
}

function copyChild(child: unknown, stack: Pending[]): unknown {
  if (child === null || typeof child !== "object") return child;
  const target = shallowCopy(child);
  if (target === undefined) return structuredClone(child);
  stack.push({ source: child as Container, target });
  return target;
}
