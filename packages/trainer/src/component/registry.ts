import { ValueError } from "../errors.js";

/** A constructible component: one options object in, the component out. */
// biome-ignore lint/suspicious/noExplicitAny: constructors of every component take their own options type.
export type ComponentClass<T> = new (options?: any) => T;

const classes = new Map<string, ComponentClass<unknown>>();
const acceptedOptions = new WeakMap<object, readonly string[]>();

/**
 * Makes a class resolvable by name in component specs (`strategy: "my.Strategy"`, dicts with
 * `type`), the TypeScript stand-in for Python's dotted import paths (orchestration §7).
 * `acceptedOptions` lists the constructor options the Trainer may inject defaults into (e.g.
 * `tracer`, `maxRollouts`), for classes that do not declare `static acceptedOptions` themselves.
 *
 * @example
 * ```ts
 * registerComponent("my_project.MyStrategy", MyStrategy, { acceptedOptions: ["nRunners"] });
 * new Trainer({ strategy: { type: "my_project.MyStrategy", n_runners: 2 } });
 * ```
 */
export function registerComponent<T>(
  name: string,
  cls: ComponentClass<T>,
  options: { acceptedOptions?: readonly string[] } = {},
): void {
  classes.set(name, cls as ComponentClass<unknown>);
  if (options.acceptedOptions !== undefined) acceptedOptions.set(cls, options.acceptedOptions);
}

/** The constructor options defaults may be injected into: `static acceptedOptions`, else registered ones. */
export function acceptedOptionsOf(cls: object): readonly string[] | undefined {
  const own = (cls as { acceptedOptions?: unknown }).acceptedOptions;
  if (Array.isArray(own)) return own as string[];
  return acceptedOptions.get(cls);
}

/** The class registered under `name`; a ValueError naming the spec when there is none. */
export function lookupComponentClass(name: string, specName: string): ComponentClass<unknown> {
  const cls = classes.get(name);
  if (cls === undefined) {
    throw new ValueError(
      `Unknown ${specName} '${name}': not a registered component name. Known names: ${[...classes.keys()].sort().join(", ")}. Register a class with registerComponent(name, cls).`,
    );
  }
  return cls;
}
