import { parseArgs } from "node:util";
import { AglError } from "@agentlightning/types";

/** Which store backs the server. */
export type Backend = "postgres" | "memory";

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
  apiKey: string | null;
  scanDebounceSeconds: number;
  corsOrigins: string[];
  /** Also serve the legacy v0.1 task API (`/task`, `/resources/...`, `/rollout`). */
  legacy: boolean;
  legacyTaskTimeoutSeconds: number;
  logLevel: LogLevel;
  bodyLimitBytes: number;
}

/** Log levels, most verbose first. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
/** A log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Defaults of `agl store` (`spec/store.md` Appendix C). */
export const STORE_DEFAULTS: StoreServerConfig = {
  host: "127.0.0.1",
  port: 4747,
  backend: "postgres",
  databaseUrl: null,
  databaseSchema: null,
  dataDir: ".agl-data",
  apiKey: null,
  scanDebounceSeconds: 10,
  corsOrigins: [],
  legacy: false,
  legacyTaskTimeoutSeconds: 300,
  logLevel: "info",
  bodyLimitBytes: 32 * 1024 * 1024,
};

function bad(message: string): AglError {
  return new AglError("invalid_argument", message);
}

function number(name: string, text: string, { min, integer }: { min: number; integer?: boolean }): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw bad(`${name} must be ${integer ? "an integer" : "a number"} >= ${min}, got '${text}'`);
  }
  return value;
}

/**
 * Merges `agl store` flags over environment variables over defaults. Flags: `--host`, `--port`,
 * `--backend memory|postgres`, `--database-url`, `--database-schema`, `--data-dir`, `--api-key`,
 * `--scan-debounce-seconds`, `--cors-origin` (repeatable), `--legacy`,
 * `--legacy-task-timeout-seconds`, `--log-level`, `--body-limit-mb`. Environment: `HOST`, `PORT`,
 * `AGL_BACKEND`, `DATABASE_URL`, `AGL_DATABASE_SCHEMA`, `AGL_DATA_DIR`, `AGL_API_KEY`, `AGL_STORE_SCAN_DEBOUNCE_SECONDS`,
 * `AGL_CORS_ORIGINS` (comma-separated), `AGL_LEGACY`, `AGL_LEGACY_TASK_TIMEOUT_SECONDS`,
 * `AGL_LOG_LEVEL`, `AGL_BODY_LIMIT_MB`. Throws `AglError` `invalid_argument` naming a bad setting.
 */
export function parseStoreConfig(argv: string[], env: Record<string, string | undefined>): StoreServerConfig {
  let parsed: ReturnType<typeof parseStoreArgs>;
  try {
    parsed = parseStoreArgs(argv);
  } catch (error) {
    throw bad(error instanceof Error ? error.message : String(error));
  }
  const v = parsed.values;
  const pick = (flag: string | undefined, envName: string): string | undefined =>
    flag ?? (env[envName] !== undefined && env[envName] !== "" ? env[envName] : undefined);

  const config: StoreServerConfig = { ...STORE_DEFAULTS, corsOrigins: [] };
  config.host = pick(v.host, "HOST") ?? config.host;
  const port = pick(v.port, "PORT");
  if (port !== undefined) config.port = number("port", port, { min: 0, integer: true });
  if (config.port > 65535) throw bad(`port must be <= 65535, got '${config.port}'`);
  const backend = pick(v.backend, "AGL_BACKEND");
  if (backend !== undefined) {
    if (backend !== "memory" && backend !== "postgres")
      throw bad(`backend must be 'memory' or 'postgres', got '${backend}'`);
    config.backend = backend;
  }
  config.databaseUrl = pick(v["database-url"], "DATABASE_URL") ?? null;
  if (config.databaseUrl !== null && !/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
    throw bad("database-url must start with postgres:// or postgresql://");
  }
  config.databaseSchema = pick(v["database-schema"], "AGL_DATABASE_SCHEMA") ?? null;
  if (config.databaseSchema !== null && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(config.databaseSchema)) {
    throw bad("database-schema must be a plain identifier (letters, digits, _)");
  }
  config.dataDir = pick(v["data-dir"], "AGL_DATA_DIR") ?? config.dataDir;
  config.apiKey = pick(v["api-key"], "AGL_API_KEY") ?? null;
  const debounce = pick(v["scan-debounce-seconds"], "AGL_STORE_SCAN_DEBOUNCE_SECONDS");
  if (debounce !== undefined)
    config.scanDebounceSeconds = number("scan-debounce-seconds", debounce, { min: 0 });
  const cors = v["cors-origin"]?.length ? v["cors-origin"] : env.AGL_CORS_ORIGINS?.split(",");
  config.corsOrigins = (cors ?? []).map((o) => o.trim()).filter(Boolean);
  config.legacy = v.legacy ?? ["1", "true", "yes"].includes((env.AGL_LEGACY ?? "").toLowerCase());
  const legacyTimeout = pick(v["legacy-task-timeout-seconds"], "AGL_LEGACY_TASK_TIMEOUT_SECONDS");
  if (legacyTimeout !== undefined) {
    config.legacyTaskTimeoutSeconds = number("legacy-task-timeout-seconds", legacyTimeout, { min: 0 });
  }
  const level = pick(v["log-level"], "AGL_LOG_LEVEL");
  if (level !== undefined) {
    if (!(LOG_LEVELS as readonly string[]).includes(level))
      throw bad(`log-level must be one of ${LOG_LEVELS.join(", ")}`);
    config.logLevel = level as LogLevel;
  }
  const bodyLimit = pick(v["body-limit-mb"], "AGL_BODY_LIMIT_MB");
  if (bodyLimit !== undefined)
    config.bodyLimitBytes = Math.round(number("body-limit-mb", bodyLimit, { min: 0.001 }) * 1024 * 1024);
  if (config.backend === "memory" && config.databaseUrl !== null && v["database-url"] !== undefined) {
    throw bad("--database-url cannot be combined with --backend memory");
  }
  return config;
}

function parseStoreArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      host: { type: "string" },
      port: { type: "string", short: "p" },
      backend: { type: "string" },
      "database-url": { type: "string" },
      "database-schema": { type: "string" },
      "data-dir": { type: "string" },
      "api-key": { type: "string" },
      "scan-debounce-seconds": { type: "string" },
      "cors-origin": { type: "string", multiple: true },
      legacy: { type: "boolean" },
      "legacy-task-timeout-seconds": { type: "string" },
      "log-level": { type: "string" },
      "body-limit-mb": { type: "string" },
    },
  });
}
