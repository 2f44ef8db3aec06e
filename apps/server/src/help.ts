import { STORE_DEFAULTS } from "./config.js";

/** `agl --help`. */
export function mainHelp(version: string): string {
  return `agl ${version}: the Agent Lightning server

Usage:
  agl store [options]     Serve the LightningStore over HTTP (see 'agl store --help')
  agl --version           Print the version
  agl --help              Print this help
`;
}

/** `agl store --help`: every option, with its environment variable and default. */
export function storeHelp(): string {
  const d = STORE_DEFAULTS;
  return `Usage: agl store [options]

Serves the LightningStore HTTP API (/v1/agl/..., alias /agl/v1/...), OTLP traces (/v1/traces),
health (/v1/agl/health), Prometheus metrics (/v1/prometheus/) and the API reference
(/v1/agl/docs). With no database URL the store runs on embedded PGlite in --data-dir and keeps
its data across restarts; with one it uses that PostgreSQL server. Migrations run at start.
Several servers may share one PostgreSQL database (scale-out).

Options (flag, environment variable, default):
  --host HOST                      HOST                             ${d.host}
                                   (use 0.0.0.0 in containers)
  -p, --port PORT                  PORT                             ${d.port} (0 = any free port)
  --backend postgres|memory        AGL_BACKEND                      ${d.backend}
                                   (memory: fast, nothing is kept)
  --database-url URL               DATABASE_URL                     none (embedded PGlite)
  --database-schema NAME           AGL_DATABASE_SCHEMA              public
                                   (several stores can share one database in different schemas)
  --data-dir DIR                   AGL_DATA_DIR                     ${d.dataDir}
  --api-key KEY                    AGL_API_KEY                      none (no auth)
                                   (every route but health then needs 'Authorization: Bearer KEY')
  --scan-debounce-seconds S        AGL_STORE_SCAN_DEBOUNCE_SECONDS  ${d.scanDebounceSeconds}
                                   (minimum time between two timeout/unresponsive scans; 0 = scan
                                   before every request that triggers one)
  --cors-origin ORIGIN             AGL_CORS_ORIGINS (comma list)    none (repeatable; * = any)
  --legacy                         AGL_LEGACY=1                     off
                                   (also serve the legacy task API: /task, /resources, /rollout,
                                   from the same store; with --api-key its clients give the key in
                                   the endpoint URL: http://agl:KEY@host:port)
  --legacy-task-timeout-seconds S  AGL_LEGACY_TASK_TIMEOUT_SECONDS  ${d.legacyTaskTimeoutSeconds}
                                   (a task claimed over /task and not posted back by then is marked
                                   timeout; the rollout's retry settings requeue or fail it)
  --log-level LEVEL                AGL_LOG_LEVEL                    ${d.logLevel} (debug, info, warn, error)
  --body-limit-mb MB               AGL_BODY_LIMIT_MB                ${d.bodyLimitBytes / 1024 / 1024}

Flags win over environment variables. SIGINT/SIGTERM stop the server gracefully: in-flight
requests finish, then the store closes.
`;
}
