/**
 * `lightningCli`: typed configuration of components from command-line flags and environment
 * variables (orchestration contract §4.1). TypeScript has no runtime types, so each class states
 * its parameters in a static `cliSchema`; flags are named `--<class>.<param>` exactly like
 * Python's `lightning_cli` (`--trainer.n-runners 4`), so the same command lines work.
 */

/** The value type of one parameter. `any` values are kept as text. */
export type CliParamType = "string" | "int" | "float" | "bool" | "any";

/** One constructor parameter as the CLI sees it. */
export interface CliParam {
  type: CliParamType;
  /** Accepts null (`none`, `null`, `~`, `nil`); an optional parameter without default is null. */
  optional?: boolean;
  /** A list of `type` values: the flag takes any number of values (`--x.items a b c`). */
  list?: boolean;
  /** Default when neither flag nor environment variable is given; none means required (unless optional). */
  default?: unknown;
  /** Extra help text after the generated one. */
  help?: string;
}

/** Parameters of a class, by constructor option name (camelCase or snake_case). */
export type CliSchema = Readonly<Record<string, CliParam>>;

/** A class the CLI can build: a static schema and a constructor taking one options object. */
export interface CliConfigurable<T = unknown> {
  readonly name: string;
  readonly cliSchema: CliSchema;
  new (options: Record<string, unknown>): T;
}

/** A bad command line: unknown flag, bad value, missing required option. */
export class CliUsageError extends Error {
  override name = "CliUsageError";
}

/** Options of {@link lightningCli} and {@link parseLightningCli}. */
export interface LightningCliOptions {
  /** Arguments to parse; default `process.argv.slice(2)`. */
  argv?: readonly string[];
  /**
   * Environment read for values not given as flags: `AGL_<CLASS>_<PARAM>` in upper snake case
   * (`AGL_TRAINER_N_RUNNERS`). Default `process.env`; pass `{}` to ignore the environment.
   */
  env?: Readonly<Record<string, string | undefined>>;
}

const NULL_WORDS = new Set(["none", "null", "~", "nil"]);
const TRUE_WORDS = new Set(["yes", "true", "t", "y", "1"]);
const FALSE_WORDS = new Set(["no", "false", "f", "n", "0"]);

function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replaceAll("_", "-")
    .toLowerCase();
}

/** The flag of a parameter: `--<class lowercased>.<param in kebab case>`. */
export function cliFlag(className: string, param: string): string {
  return `--${className.toLowerCase()}.${kebab(param)}`;
}

/** The environment variable of a parameter: `AGL_<CLASS>_<PARAM>`. */
export function cliEnvVar(className: string, param: string): string {
  return `AGL_${className.toUpperCase()}_${kebab(param).replaceAll("-", "_").toUpperCase()}`;
}

/** How the type shows in help: `int`, `Optional[int]`, `List[str]`, `Optional[List[str]]`. */
function typeDisplay(spec: CliParam): string {
  const base = { string: "str", int: "int", float: "float", bool: "bool", any: "Any" }[spec.type];
  const core = spec.list ? `List[${base}]` : base;
  return spec.optional && spec.type !== "any" ? `Optional[${core}]` : core;
}

function convert(text: string, spec: CliParam, flag: string): unknown {
  if (spec.optional && NULL_WORDS.has(text.trim().toLowerCase())) return null;
  switch (spec.type) {
    case "int": {
      if (!/^[+-]?\d+$/.test(text.trim()))
        throw new CliUsageError(`argument ${flag}: invalid int value: '${text}'`);
      return Number.parseInt(text, 10);
    }
    case "float": {
      const value = Number(text);
      if (text.trim() === "" || Number.isNaN(value))
        throw new CliUsageError(`argument ${flag}: invalid float value: '${text}'`);
      return value;
    }
    case "bool": {
      const word = text.trim().toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      throw new CliUsageError(
        `argument ${flag}: invalid bool value: '${text}' (use one of yes, true, t, y, 1 or no, false, f, n, 0)`,
      );
    }
    default:
      return text;
  }
}

interface Entry {
  className: string;
  param: string;
  spec: CliParam;
  flag: string;
  envVar: string;
}

function entriesOf(classes: readonly CliConfigurable[]): Entry[] {
  const entries: Entry[] = [];
  for (const cls of classes) {
    if (cls.cliSchema === undefined) throw new TypeError(`${cls.name} has no static cliSchema`);
    for (const [param, spec] of Object.entries(cls.cliSchema)) {
      entries.push({
        className: cls.name,
        param,
        spec,
        flag: cliFlag(cls.name, param),
        envVar: cliEnvVar(cls.name, param),
      });
    }
  }
  return entries;
}

/** The `--help` text for these classes. */
export function lightningCliHelp(classes: readonly CliConfigurable[]): string {
  const lines = ["CLI configurator for application components.", "", "options:"];
  for (const e of entriesOf(classes)) {
    const value = e.spec.list ? ` [${e.param.toUpperCase()} ...]` : ` ${e.param.toUpperCase()}`;
    const required = e.spec.default === undefined && !e.spec.optional;
    const fallback = required ? "required" : `default: ${JSON.stringify(e.spec.default ?? null)}`;
    lines.push(`  ${e.flag}${value}`);
    lines.push(
      `      For ${e.className}: '${e.param}'. Inferred type: ${typeDisplay(e.spec)}. (${fallback}; env ${e.envVar})${e.spec.help ? ` ${e.spec.help}` : ""}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Parses flags and environment into each class's options, without constructing anything.
 * @returns one options object per class, in order.
 * @throws CliUsageError for an unknown flag, a bad value or a missing required option.
 */
export function parseLightningCli(
  classes: readonly CliConfigurable[],
  options: LightningCliOptions = {},
): Record<string, unknown>[] {
  const argv = options.argv ?? process.argv.slice(2);
  const env = options.env ?? process.env;
  const entries = entriesOf(classes);
  const byFlag = new Map(entries.map((e) => [e.flag, e]));
  const given = new Map<Entry, unknown>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (!token.startsWith("--")) throw new CliUsageError(`unrecognized arguments: ${token}`);
    const eq = token.indexOf("=");
    const flag = eq >= 0 ? token.slice(0, eq) : token;
    const entry = byFlag.get(flag);
    if (entry === undefined) throw new CliUsageError(`unrecognized arguments: ${flag}`);
    const values: string[] = [];
    if (eq >= 0) values.push(token.slice(eq + 1));
    else if (entry.spec.list) {
      while (i + 1 < argv.length && !(argv[i + 1] as string).startsWith("--"))
        values.push(argv[++i] as string);
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--"))
        throw new CliUsageError(`argument ${flag}: expected one argument`);
      values.push(next);
      i++;
    }
    given.set(
      entry,
      entry.spec.list
        ? values.map((v) => convert(v, { ...entry.spec, list: false }, flag))
        : convert(values[0] as string, entry.spec, flag),
    );
  }
  const missing: string[] = [];
  const result = classes.map(() => ({}) as Record<string, unknown>);
  for (const e of entries) {
    let value: unknown;
    if (given.has(e)) value = given.get(e);
    else if (env[e.envVar] !== undefined) {
      const text = env[e.envVar] as string;
      value = e.spec.list
        ? text
            .split(/[\s,]+/)
            .filter((t) => t !== "")
            .map((t) => convert(t, { ...e.spec, list: false }, e.envVar))
        : convert(text, e.spec, e.envVar);
    } else if (e.spec.default !== undefined) value = e.spec.default;
    else if (e.spec.optional) value = null;
    else {
      missing.push(e.flag);
      continue;
    }
    const index = classes.findIndex((c) => c.name === e.className);
    (result[index] as Record<string, unknown>)[e.param] = value;
  }
  if (missing.length > 0)
    throw new CliUsageError(`the following arguments are required: ${missing.join(", ")}`);
  return result;
}

/** Instances of `classes`, in order, one per class. */
export type CliInstances<C extends readonly CliConfigurable[]> = {
  [K in keyof C]: C[K] extends CliConfigurable<infer T> ? T : never;
};

/**
 * Builds each class from flags (`--<class>.<param>`) and environment (`AGL_<CLASS>_<PARAM>`);
 * flags win over the environment, which wins over the schema's defaults. Each class receives
 * exactly its own parameters. Unlike Python's `lightning_cli`, the result is always an array
 * (one instance per class), so its type is known.
 * @example
 * ```ts
 * class Settings {
 *   static cliSchema = { nRunners: { type: "int", default: 1 }, model: { type: "string", optional: true } } as const;
 *   constructor(readonly options: Record<string, unknown>) {}
 * }
 * const [settings] = lightningCli([Settings], { argv: ["--settings.n-runners", "4"] });
 * ```
 * @throws CliUsageError for a bad command line; a constructor's error is rethrown with the
 *   class and the arguments it got.
 */
export function lightningCli<const C extends readonly CliConfigurable[]>(
  classes: C,
  options: LightningCliOptions = {},
): CliInstances<C> {
  const parsed = parseLightningCli(classes, options);
  return classes.map((cls, i) => {
    const args = parsed[i] as Record<string, unknown>;
    try {
      return new cls(args);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(
        `Error instantiating ${cls.name} with resolved args ${JSON.stringify(args)}. Error: ${message}`,
        {
          cause: error,
        },
      );
    }
  }) as CliInstances<C>;
}
