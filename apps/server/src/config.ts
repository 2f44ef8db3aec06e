import { type ParseArgsConfig, parseArgs } from "node:util";
import { AglError } from "@agentlightning/types";
import {
  STORE_DEFAULTS,
  type StoreOption,
  type StoreOptionKey,
  type StoreServerConfig,
  storeOptionEntries,
} from "./options.js";

export type { Backend, LogFormat, LogLevel, StoreServerConfig } from "./options.js";
export { LOG_LEVELS, STORE_DEFAULTS } from "./options.js";

/** Where a setting came from: its flag, its environment variable, or the default. */
export type SettingSource = "flag" | "env" | "default";

/** The merged settings, where each came from, and what the merge had to decide. */
export interface ResolvedStoreConfig {
  config: StoreServerConfig;
  sources: Record<StoreOptionKey, SettingSource>;
  /** Conflicts settled by precedence, worth a log line ("using X; ignoring Y"). */
  notices: string[];
}

function bad(message: string): AglError {
  return new AglError("invalid_argument", message);
}

/** The `parseArgs` options generated from the table. */
function parseArgsOptions(): NonNullable<ParseArgsConfig["options"]> {
  const options: NonNullable<ParseArgsConfig["options"]> = {};
  for (const [, spec] of storeOptionEntries()) {
    options[spec.flag] = {
      type: spec.kind === "switch" ? "boolean" : "string",
      ...(spec.short === undefined ? {} : { short: spec.short }),
      ...(spec.kind === "list" ? { multiple: true } : {}),
    };
  }
  return options;
}

function parseValue(spec: StoreOption<unknown>, value: string, name: string): unknown {
  try {
    return spec.parse(value);
  } catch (error) {
    throw bad(`${name} ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Merges `agl store` flags over environment variables over defaults, all described by the one
 * option table (`STORE_OPTIONS`). An empty flag value is refused; an empty environment variable
 * means unset, except where the table refuses it (`AGL_API_KEY=`). Then settles the choice of
 * store (`--backend memory`, a database URL, a data folder) by the same precedence and reports
 * what it ignored in `notices`. Throws `AglError` `invalid_argument` naming a bad setting.
 */
export function resolveStoreConfig(
  argv: string[],
  env: Record<string, string | undefined>,
): ResolvedStoreConfig {
  let flags: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    flags = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: parseArgsOptions(),
    }).values;
  } catch (error) {
    throw bad(error instanceof Error ? error.message : String(error));
  }
  const config = { ...STORE_DEFAULTS, corsOrigins: [...STORE_DEFAULTS.corsOrigins] } as Record<
    StoreOptionKey,
    unknown
  >;
  const sources = {} as Record<StoreOptionKey, SettingSource>;
  for (const [key, spec] of storeOptionEntries()) {
    sources[key] = "default";
    const flag = flags[spec.flag];
    if (flag !== undefined) {
      sources[key] = "flag";
      if (spec.kind === "switch") {
        config[key] = flag === true;
        continue;
      }
      const given = (Array.isArray(flag) ? flag : [flag]).map(String);
      if (given.some((item) => item.trim() === "")) {
        throw bad(`--${spec.flag} must not be empty`);
      }
      config[key] =
        spec.kind === "list"
          ? given.flatMap((item) => parseValue(spec, item, `--${spec.flag}`) as unknown[])
          : parseValue(spec, given[given.length - 1]!, `--${spec.flag}`);
      continue;
    }
    const fromEnv = spec.env === undefined ? undefined : env[spec.env];
    if (fromEnv === undefined || spec.env === undefined) continue;
    if (fromEnv.trim() === "") {
      if (spec.refuseEmptyEnv) {
        throw bad(`${spec.env} is set but empty; unset it or give it a value`);
      }
      continue;
    }
    sources[key] = "env";
    config[key] = parseValue(spec, fromEnv, spec.env);
  }
  const resolved = config as unknown as StoreServerConfig;
  return { config: resolved, sources, notices: settleStoreChoice(resolved, sources) };
}

/** Like {@link resolveStoreConfig}, returning only the settings. */
export function parseStoreConfig(argv: string[], env: Record<string, string | undefined>): StoreServerConfig {
  return resolveStoreConfig(argv, env).config;
}

/** One way to say which store to use, and how strongly it was said. */
interface StoreChoice {
  kind: "memory" | "url" | "dir";
  source: SettingSource;
  /** `--backend memory`, `DATABASE_URL`, ... for messages. */
  name: string;
  /** Among settings of the same source: memory over a URL over a data folder. */
  rank: number;
}

const SOURCE_LEVEL: Record<SettingSource, number> = { default: 0, env: 1, flag: 2 };

const CHOICE_WHAT: Record<StoreChoice["kind"], string> = {
  memory: "the in-memory store",
  url: "the PostgreSQL server",
  dir: "embedded PGlite",
};

// `--backend memory`, a database URL and a data folder each say which store to open. A flag beats
// the environment; two flags that disagree are an error; within the environment memory beats a
// URL beats a folder. Whatever loses is reported, so an inherited DATABASE_URL never silently
// wins over `--data-dir` (or the reverse).
function settleStoreChoice(
  config: StoreServerConfig,
  sources: Record<StoreOptionKey, SettingSource>,
): string[] {
  const nameOf = (key: "backend" | "databaseUrl" | "dataDir", flag: string, envName: string) =>
    sources[key] === "flag" ? flag : envName;
  const choices: StoreChoice[] = [];
  if (config.backend === "memory" && sources.backend !== "default") {
    choices.push({
      kind: "memory",
      source: sources.backend,
      name: nameOf("backend", "--backend memory", "AGL_BACKEND=memory"),
      rank: 3,
    });
  }
  if (config.databaseUrl !== null) {
    choices.push({
      kind: "url",
      source: sources.databaseUrl,
      name: nameOf("databaseUrl", "--database-url", "DATABASE_URL"),
      rank: 2,
    });
  }
  if (sources.dataDir !== "default") {
    choices.push({
      kind: "dir",
      source: sources.dataDir,
      name: nameOf("dataDir", "--data-dir", "AGL_DATA_DIR"),
      rank: 1,
    });
  }
  const flagged = choices.filter((choice) => choice.source === "flag");
  if (flagged.length > 1) {
    throw bad(`${flagged.map((c) => c.name).join(" and ")} cannot be combined: each picks a different store`);
  }
  const winner = choices.reduce<StoreChoice | undefined>((best, choice) => {
    if (best === undefined) return choice;
    const byLevel = SOURCE_LEVEL[choice.source] - SOURCE_LEVEL[best.source];
    return byLevel > 0 || (byLevel === 0 && choice.rank > best.rank) ? choice : best;
  }, undefined);
  if (winner === undefined) return [];
  if (winner.kind === "memory") config.databaseUrl = null;
  else config.backend = "postgres";
  if (winner.kind === "dir") config.databaseUrl = null;
  return choices
    .filter((choice) => choice !== winner)
    .map(
      (loser) =>
        `using ${CHOICE_WHAT[winner.kind]} (${winner.name}, from ${winner.source === "flag" ? "a flag" : "the environment"}); ignoring ${loser.name}${loser.source === "env" ? " from the environment" : ""}`,
    );
}
