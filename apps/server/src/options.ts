import {
  commaList,
  matching,
  numberAtLeast,
  oneOf,
  switchValue,
  text,
  type ValueParser,
} from "./option-values.js";

/** Which store backs the server. */
export type Backend = "postgres" | "memory";

/** Log levels, most verbose first. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
/** A log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** How log lines look: `pretty` (readable), `json` (one object a line), `auto` (pretty on a terminal). */
export type LogFormat = "pretty" | "json" | "auto";

/** Everything `agl store` can be told, after flags and environment are merged. */
export interface StoreServerConfig {
  host: string;
  port: number;
  backend: Backend;
  /** postgres:// URL of a real server; null = embedded PGlite in `dataDir`. */
  databaseUrl: string | null;
  /** Postgres schema of the store's tables; null = the connection's default (`public`). */
  databaseSchema: string | null;
  /** Folder of the embedded database. */
  dataDir: string;
  /** Seconds to wait for a PostgreSQL server to answer when connecting. */
  connectTimeoutSeconds: number;
  apiKey: string | null;
  scanDebounceSeconds: number;
  /** Seconds after which a claim that never started is reclaimed; 0 = never. */
  claimLeaseSeconds: number;
  corsOrigins: string[];
  /** The web dashboard at `/`: `auto` (the one built with the server, if built), `off`, or a folder. */
  dashboard: string;
  /** Also serve the legacy v0.1 task API (`/task`, `/resources/...`, `/rollout`). */
  legacy: boolean;
  legacyTaskTimeoutSeconds: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
  bodyLimitBytes: number;
  /** `--backend memory`: bytes of spans kept before eviction; `auto` = the store's default, `off` = never. */
  spanMemoryBudgetBytes: number | "auto" | "off";
}

/** One option of `agl store`: its flag, environment variable, type, default and help, in one place. */
export interface StoreOption<T> {
  /** Long flag without dashes (`port` for `--port`). */
  flag: string;
  /** One-letter alias (`p` for `-p`). */
  short?: string;
  /** Environment variable read when the flag is absent. */
  env?: string;
  /** Placeholder of the value in `--help` (`PORT`); absent for a switch. */
  value?: string;
  /**
   * `string`: one value; `switch`: a flag without value (`1`/`true`/... in the environment);
   * `list`: a repeatable flag, or a comma-separated list in the environment.
   */
  kind: "string" | "switch" | "list";
  default: T;
  /** The default as `--help` and the README show it. */
  defaultText: string;
  /** One or two sentences for `--help` and the README. */
  help: string;
  /** Turns one given text into the value (ignored for switches given as flags). */
  parse: ValueParser<T>;
  /**
   * An empty value in the environment is refused instead of meaning "unset" (a variable set to
   * nothing by mistake must not silently change the security posture).
   */
  refuseEmptyEnv?: boolean;
}

function option<T>(spec: StoreOption<T>): StoreOption<T> {
  return spec;
}

const MB = 1024 * 1024;

/**
 * The options of `agl store`, in `--help` order. This one table feeds the argument parser, the
 * environment reading, `--help` and the README's option table (a test keeps the README in step).
 * Adding an option: add a field to {@link StoreServerConfig} and an entry here; the compiler
 * insists on both.
 */
export const STORE_OPTIONS = {
  host: option({
    flag: "host",
    env: "AGL_HOST",
    value: "HOST",
    kind: "string",
    default: "127.0.0.1",
    defaultText: "127.0.0.1",
    help: "Address to listen on; use 0.0.0.0 in a container.",
    parse: matching(/\S/, "an address"),
  }),
  port: option({
    flag: "port",
    short: "p",
    env: "AGL_PORT",
    value: "PORT",
    kind: "string",
    default: 4747,
    defaultText: "4747",
    help: "Port to listen on; 0 picks a free one.",
    parse: numberAtLeast(0, { integer: true, max: 65535 }),
  }),
  backend: option<Backend>({
    flag: "backend",
    env: "AGL_BACKEND",
    value: "postgres|memory",
    kind: "string",
    default: "postgres",
    defaultText: "postgres",
    help: "`memory` keeps everything in the process (fast, nothing kept across restarts).",
    parse: oneOf(["postgres", "memory"]),
  }),
  databaseUrl: option<string | null>({
    flag: "database-url",
    env: "DATABASE_URL",
    value: "URL",
    kind: "string",
    default: null,
    defaultText: "none: embedded PGlite",
    help: "A PostgreSQL server (`postgres://user:pass@host:5432/db`); several servers may share it.",
    parse: matching(/^postgres(ql)?:\/\/./, "a postgres:// or postgresql:// URL"),
  }),
  databaseSchema: option<string | null>({
    flag: "database-schema",
    env: "AGL_DATABASE_SCHEMA",
    value: "NAME",
    kind: "string",
    default: null,
    defaultText: "public",
    help: "Postgres schema of the store's tables, so several stores can share one database.",
    parse: matching(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, "a plain identifier (letters, digits, _)"),
  }),
  dataDir: option({
    flag: "data-dir",
    env: "AGL_DATA_DIR",
    value: "DIR",
    kind: "string",
    default: ".agl-data",
    defaultText: ".agl-data",
    help: "Folder of the embedded database (used without a database URL); one server per folder.",
    parse: text,
  }),
  connectTimeoutSeconds: option({
    flag: "connect-timeout-seconds",
    env: "AGL_CONNECT_TIMEOUT_SECONDS",
    value: "S",
    kind: "string",
    default: 10,
    defaultText: "10",
    help: "How long to wait for the PostgreSQL server to answer before giving up.",
    parse: numberAtLeast(0.1),
  }),
  apiKey: option<string | null>({
    flag: "api-key",
    env: "AGL_API_KEY",
    value: "KEY",
    kind: "string",
    default: null,
    defaultText: "none: no auth",
    help: "Every route but health and the API reference then needs `Authorization: Bearer KEY`. Must not be empty.",
    parse: text,
    refuseEmptyEnv: true,
  }),
  scanDebounceSeconds: option({
    flag: "scan-debounce-seconds",
    env: "AGL_STORE_SCAN_DEBOUNCE_SECONDS",
    value: "S",
    kind: "string",
    default: 10,
    defaultText: "10",
    help: "Minimum time between two timeout/unresponsive scans; 0 scans before every request that triggers one.",
    parse: numberAtLeast(0),
  }),
  claimLeaseSeconds: option({
    flag: "claim-lease-seconds",
    env: "AGL_STORE_CLAIM_LEASE_SECONDS",
    value: "S",
    kind: "string",
    default: 600,
    defaultText: "600",
    help: "A claimed rollout whose attempt sends no span or heartbeat for this long (its runner died, or never got the dequeue answer) is requeued; 0 = never.",
    parse: numberAtLeast(0),
  }),
  corsOrigins: option<string[]>({
    flag: "cors-origin",
    env: "AGL_CORS_ORIGINS",
    value: "ORIGIN",
    kind: "list",
    default: [],
    defaultText: "none",
    help: "Origin allowed to call the API from a browser; repeatable (comma-separated in the environment); `*` = any.",
    parse: commaList,
  }),
  dashboard: option({
    flag: "dashboard",
    env: "AGL_DASHBOARD",
    value: "auto|off|DIR",
    kind: "string",
    default: "auto",
    defaultText: "auto",
    help: "The web dashboard at `/`: `auto` serves the one built with the server (when it is not built, `/` redirects to the API reference), `off` turns it off, a folder serves that build instead. Its files are public; its API calls still need the API key.",
    parse: matching(/\S/, "auto, off or a folder"),
  }),
  legacy: option({
    flag: "legacy",
    env: "AGL_LEGACY",
    kind: "switch",
    default: false,
    defaultText: "off",
    help: "Also serve the deprecated v0.1 task API (`/task`, `/resources`, `/rollout`) on the same port, from the same store; with `--api-key` its clients give the key in the endpoint URL: `http://agl:KEY@host:port`.",
    parse: switchValue,
  }),
  legacyTaskTimeoutSeconds: option({
    flag: "legacy-task-timeout-seconds",
    env: "AGL_LEGACY_TASK_TIMEOUT_SECONDS",
    value: "S",
    kind: "string",
    default: 300,
    defaultText: "300",
    help: "A task claimed over `/task` and not posted back by then is marked timeout; the rollout's retry settings requeue or fail it.",
    parse: numberAtLeast(0),
  }),
  logLevel: option<LogLevel>({
    flag: "log-level",
    env: "AGL_LOG_LEVEL",
    value: "LEVEL",
    kind: "string",
    default: "info",
    defaultText: "info",
    help: `One of ${LOG_LEVELS.join(", ")}.`,
    parse: oneOf(LOG_LEVELS),
  }),
  logFormat: option<LogFormat>({
    flag: "log-format",
    env: "AGL_LOG_FORMAT",
    value: "FORMAT",
    kind: "string",
    default: "auto",
    defaultText: "auto",
    help: "`pretty` (readable lines), `json` (one object a line) or `auto` (pretty on a terminal, JSON otherwise).",
    parse: oneOf(["pretty", "json", "auto"]),
  }),
  bodyLimitBytes: option({
    flag: "body-limit-mb",
    env: "AGL_BODY_LIMIT_MB",
    value: "MB",
    kind: "string",
    default: 32 * MB,
    defaultText: "32",
    help: "Largest request body accepted, in megabytes.",
    parse: (value) => Math.round(numberAtLeast(0.001)(value) * MB),
  }),
  spanMemoryBudgetBytes: option<number | "auto" | "off">({
    flag: "span-memory-budget-mb",
    env: "AGL_SPAN_MEMORY_BUDGET_MB",
    value: "MB|auto|off",
    kind: "string",
    default: "auto",
    defaultText: "auto: half the heap limit",
    help: "With `--backend memory`: megabytes of spans kept before the spans of the oldest finished rollouts are evicted (their span queries then answer 410; running rollouts keep theirs); `off` never evicts, so a long run can exhaust the heap.",
    parse: (value) =>
      value === "auto" || value === "off" ? value : Math.round(numberAtLeast(1)(value) * MB),
  }),
} satisfies { [K in keyof StoreServerConfig]: StoreOption<StoreServerConfig[K]> };

/** The key of an option in {@link STORE_OPTIONS} (and of its value in {@link StoreServerConfig}). */
export type StoreOptionKey = keyof typeof STORE_OPTIONS;

/** The table's entries in `--help` order. */
export function storeOptionEntries(): [StoreOptionKey, StoreOption<unknown>][] {
  return Object.entries(STORE_OPTIONS) as [StoreOptionKey, StoreOption<unknown>][];
}

/** Defaults of `agl store`, from the table (`docs/store-contract.md` Appendix C). */
export const STORE_DEFAULTS: StoreServerConfig = Object.fromEntries(
  storeOptionEntries().map(([key, spec]) => [key, spec.default]),
) as unknown as StoreServerConfig;
