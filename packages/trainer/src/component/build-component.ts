import { ValueError } from "../errors.js";
import { camelCase, camelCaseKeys } from "./keys.js";
import { acceptedOptionsOf, type ComponentClass, lookupComponentClass } from "./registry.js";

/** A dict spec: `type` (a registry name or class) or `name` (a registry key), plus constructor options. */
export interface SpecDict {
  type?: string | ComponentClass<unknown>;
  name?: string;
  [option: string]: unknown;
}

/**
 * A component specification (orchestration §1.4): an instance, a class, a zero-argument factory,
 * a registry name (`"shm"`, `"agentlightning.adapter.TraceToMessages"`), an options dict with
 * `type`, or null/undefined for the default.
 */
export type ComponentSpec<T> = T | ComponentClass<T> | (() => T) | string | SpecDict | null | undefined;

/** What a component must be: a name for messages, an instance check, and the base class if any. */
export interface ComponentKind<T> {
  name: string;
  is(value: unknown): value is T;
  /** Classes extending it are constructed; without it, any ES class is constructed and checked. */
  base?: abstract new (
    ...args: never[]
  ) => unknown;
}

/** A value, or a factory called only when the value is injected. */
export type OptionalDefault = unknown | (() => unknown);

/** How {@link buildComponent} resolves one spec (the parameters of upstream `build_component`). */
export interface BuildComponentOptions<T> {
  specName: string;
  kind: ComponentKind<T>;
  defaultFactory?: () => T;
  allowNone?: boolean;
  /** Injected only into constructors that list the option (`static acceptedOptions`) and lack it. */
  optionalDefaults?: Record<string, OptionalDefault>;
  dictRequiresType?: boolean;
  dictDefaultCls?: ComponentClass<T>;
  /** Placeholders `{type_name}`, `{expected_type}`. */
  typeErrorFmt?: string;
  /** Placeholders `{actual_type}`, `{expected_type}`. */
  invalidSpecErrorFmt?: string;
  /** Short names → registry names (the strategy registry: `shm`, `cs`, `ipc`). */
  registry?: ReadonlyMap<string, string>;
}

function isEsClass(fn: unknown): boolean {
  return typeof fn === "function" && /^class[\s{]/.test(Function.prototype.toString.call(fn));
}

/** The Python-style rendering of a value's type (`<class 'int'>`), which upstream messages carry. */
export function pythonTypeName(value: unknown): string {
  if (value === null || value === undefined) return "<class 'NoneType'>";
  if (typeof value === "number") return Number.isInteger(value) ? "<class 'int'>" : "<class 'float'>";
  if (typeof value === "boolean") return "<class 'bool'>";
  if (typeof value === "string") return "<class 'str'>";
  if (Array.isArray(value)) return "<class 'list'>";
  if (typeof value === "function") return isEsClass(value) ? "<class 'type'>" : "<class 'function'>";
  const ctor = (value as { constructor?: { name?: string } }).constructor;
  if (ctor === Object || ctor === undefined) return "<class 'dict'>";
  return `<class '${ctor.name ?? "object"}'>`;
}

function format(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

function isSubclass(fn: unknown, base: ComponentKind<unknown>["base"]): boolean {
  if (typeof fn !== "function" || base === undefined) return false;
  return fn === base || (fn as { prototype?: unknown }).prototype instanceof base;
}

function ensureType<T>(value: unknown, options: BuildComponentOptions<T>): T {
  if (options.kind.is(value)) return value;
  const values = { type_name: pythonTypeName(value), expected_type: options.kind.name };
  throw new TypeError(
    options.typeErrorFmt !== undefined
      ? format(options.typeErrorFmt, values)
      : `${options.specName} factory returned ${values.type_name}, which is not a ${options.kind.name} subclass.`,
  );
}

/**
 * Constructs `cls` with `provided` options plus the optional defaults it accepts and lacks
 * (upstream `instantiate_component`): a default is injected only when its name is in the class's
 * accepted options; a factory default is called only then. Classes that list no accepted options
 * receive none (like a `**kwargs`-only Python constructor).
 */
export function instantiateComponent<T>(
  cls: ComponentClass<T>,
  provided: Record<string, unknown> = {},
  optionalDefaults: Record<string, OptionalDefault> = {},
): T {
  const options = camelCaseKeys(provided);
  const accepted = new Set((acceptedOptionsOf(cls) ?? []).map(camelCase));
  for (const [rawName, value] of Object.entries(optionalDefaults)) {
    const name = camelCase(rawName);
    if (!accepted.has(name) || name in options) continue;
    options[name] = typeof value === "function" && !isEsClass(value) ? (value as () => unknown)() : value;
  }
  return new cls(options);
}

/**
 * Builds a component from a string (a registry name, after the short-name `registry`) or a dict
 * spec (upstream `instantiate_from_spec`). Remaining dict entries are constructor options.
 */
export function instantiateFromSpec<T>(spec: unknown, options: BuildComponentOptions<T>): T {
  const { specName, registry } = options;
  const optionalDefaults = options.optionalDefaults ?? {};
  if (typeof spec === "string") {
    const cls = lookupComponentClass(registry?.get(spec) ?? spec, specName);
    return instantiateComponent(cls as ComponentClass<T>, {}, optionalDefaults);
  }
  if (spec !== null && typeof spec === "object" && !Array.isArray(spec)) {
    const dict: Record<string, unknown> = { ...(spec as SpecDict) };
    let type = dict.type as string | ComponentClass<unknown> | undefined;
    delete dict.type;
    if (type === undefined && registry !== undefined && typeof dict.name === "string") {
      type = dict.name;
      delete dict.name;
    }
    if (typeof type === "string" && registry !== undefined) type = registry.get(type) ?? type;
    let cls: ComponentClass<unknown>;
    if (type === undefined) {
      if (options.dictRequiresType ?? true) {
        throw new ValueError(`${specName} dict must have a 'type' key with the class full name`);
      }
      if (options.dictDefaultCls === undefined) {
        throw new ValueError(`${specName} dict missing 'type' and no default class provided`);
      }
      cls = options.dictDefaultCls;
    } else {
      cls = typeof type === "string" ? lookupComponentClass(type, specName) : type;
    }
    return instantiateComponent(cls as ComponentClass<T>, dict, optionalDefaults);
  }
  throw new TypeError(`${specName} spec must be a string or dict (got ${pythonTypeName(spec)}).`);
}

/**
 * Resolves a component spec into an instance (orchestration §1.4), first match wins: an instance
 * of the kind is returned as is; null/undefined → the default factory, null when allowed, else a
 * ValueError; a subclass → constructed with the optional defaults; another function → called as a
 * zero-argument factory; a string or dict → {@link instantiateFromSpec}. Anything else (an ES
 * class of another type included) → ValueError. A product of the wrong kind → TypeError.
 */
export function buildComponent<T>(spec: ComponentSpec<T>, options: BuildComponentOptions<T>): T | null {
  const { kind, specName } = options;
  // An instance is used as is; that includes a callable one, such as what `algo(fn)` returns (a
  // function that is an Algorithm), which must not be mistaken for a factory and called.
  if (!isEsClass(spec) && options.kind.is(spec)) return spec;
  if (spec === null || spec === undefined) {
    if (options.defaultFactory !== undefined) return ensureType(options.defaultFactory(), options);
    if (options.allowNone) return null;
    throw new ValueError(
      options.invalidSpecErrorFmt !== undefined
        ? format(options.invalidSpecErrorFmt, { actual_type: pythonTypeName(spec), expected_type: kind.name })
        : `${specName} cannot be None.`,
    );
  }
  if (typeof spec === "function") {
    if (isSubclass(spec, kind.base) || (kind.base === undefined && isEsClass(spec))) {
      return ensureType(
        instantiateComponent(spec as ComponentClass<T>, {}, options.optionalDefaults),
        options,
      );
    }
    if (!isEsClass(spec)) return ensureType((spec as () => unknown)(), options);
  } else if (typeof spec === "string" || (typeof spec === "object" && !Array.isArray(spec))) {
    return ensureType(instantiateFromSpec(spec, options), options);
  }
  const actual = pythonTypeName(spec);
  throw new ValueError(
    options.invalidSpecErrorFmt !== undefined
      ? format(options.invalidSpecErrorFmt, { actual_type: actual, expected_type: kind.name })
      : `Invalid ${specName} type: ${actual}. Expected ${kind.name}, str, dict, or None.`,
  );
}
