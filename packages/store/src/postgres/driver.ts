import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { AglError } from "@agentlightning/types";
import type { PGlite } from "@electric-sql/pglite";
import { type SQL, sql } from "drizzle-orm";
import { type PgDatabase, PgDialect, type PgQueryResultHKT } from "drizzle-orm/pg-core";
import type {
  ParameterOrJSON,
  Options as PostgresOptions,
  PostgresType,
  Sql,
  TransactionSql,
} from "postgres";
import { type DataDirLock, lockDataDir } from "./data-dir-lock.js";
import { copyDataDirTemplate, isFreshDataDir } from "./data-dir-template.js";

// One small adapter over the two drivers the store runs on: postgres.js (a real server, a pool of
// connections) and PGlite (embedded Postgres, one connection). It hides the differences the store
// cares about: result shape (`{rows}` vs an array), LISTEN, and closing. Drivers are loaded lazily
// so that importing the store package does not load PGlite's WebAssembly or open sockets.

/** Runs SQL and returns rows as plain objects, whatever the driver. */
export interface SqlExecutor {
  /** Runs one statement; its rows (empty for statements without a result). */
  rows<T extends object = Record<string, unknown>>(query: SQL): Promise<T[]>;
  /**
   * Runs one statement given as text with `$1…$n` parameters (each cast in the text); its rows.
   * On a server the text is prepared once per connection. Optional: without it the store sends
   * such statements through {@link SqlExecutor.rows}.
   */
  query?<T extends object = Record<string, unknown>>(text: string, params: readonly unknown[]): Promise<T[]>;
}

/** The database connection a {@link PostgresLightningStore} runs on. */
export interface StoreDriver extends SqlExecutor {
  /** Which driver is underneath. `pglite` is a single connection: no real concurrency. */
  readonly kind: "postgres" | "pglite";
  /** The Postgres schema chosen for the store's tables; undefined = the connection's `current_schema()`. */
  readonly schema: string | undefined;
  /** The Drizzle database, for callers that want the query builder. */
  readonly db: PgDatabase<PgQueryResultHKT>;
  /** Runs `fn` in one transaction (READ COMMITTED); rolls back if it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Subscribes to NOTIFY on `channel` (a lowercase identifier); resolves to an unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /** Closes the connection(s) if this driver owns them. */
  close(): Promise<void>;
}

/** Options of {@link createPostgresDriver}. */
export interface PostgresDriverOptions {
  /** `postgres://user:pass@host:port/db`. */
  url: string;
  /**
   * Postgres schema holding the store's tables (created by the migrations if missing); default
   * `public`. Several stores can share one database in different schemas.
   */
  schema?: string;
  /** Pool size; default 10. Must be at least 2 for concurrent dequeues to skip each other's rows. */
  max?: number;
  /**
   * Seconds to wait for the server to accept a connection and answer its start-up (default 10,
   * postgres.js's own default is 30). Opening the driver checks the connection once, so a server
   * that accepts connections but never answers fails here with a `timeout` error naming the host.
   */
  connectTimeoutSeconds?: number;
  /** Further postgres.js options (merged over the store's defaults). */
  postgres?: PostgresOptions<Record<string, PostgresType>>;
}

/** Options of {@link createPgliteDriver}. */
export interface PgliteDriverOptions {
  /**
   * Folder of a persistent database; absent = in memory. One process at a time may open a folder
   * (an OS-level lock guards it, released when the process ends however it ends), and once.
   */
  dataDir?: string;
  /**
   * An initialised (and usually migrated) PGlite data folder, copied into `dataDir` when that holds
   * no database yet: a first start then skips initdb, most of its time. Made with the same PGlite
   * version; the migrations still run after opening, so an older template is brought up to date.
   */
  template?: string;
  /** Called once a fresh `dataDir` was initialised from {@link PgliteDriverOptions.template}. */
  onTemplateCopied?: () => void;
  /** An existing PGlite instance to use instead (not closed by the store). */
  pglite?: PGlite;
  /** Postgres schema holding the store's tables; default `public`. */
  schema?: string;
}

function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  const rows = (result as { rows?: unknown } | null)?.rows;
  return Array.isArray(rows) ? (rows as T[]) : [];
}

const dialect = new PgDialect();

/** A PGlite instance or one of its transactions, as far as the store uses it. */
interface PgliteQueryable {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

// Statements go to PGlite directly (Drizzle renders the SQL objects): what Drizzle's own PGlite
// session does, minus its per-call wrapping.
function pgliteExecutor(target: PgliteQueryable): SqlExecutor {
  const query = async <T extends object>(text: string, params: readonly unknown[]): Promise<T[]> =>
    rowsOf<T>(await target.query(text, params as unknown[]));
  return {
    query,
    rows: <T extends object>(statement: SQL) => {
      const { sql: text, params } = dialect.sqlToQuery(statement);
      return query<T>(text, params);
    },
  };
}

/** A valid schema name, or an `invalid_argument` error. */
export function checkSchemaName(schema: string): string {
  if (typeof schema !== "string" || !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new AglError("invalid_argument", `Invalid Postgres schema name: ${String(schema)}`);
  }
  return schema;
}

/** `name` as a quoted SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * A driver on a real PostgreSQL server through postgres.js, with a pool of `max` connections
 * (LISTEN uses one more, dedicated connection). The schema is selected per connection with
 * `search_path`, so every statement of the store resolves its tables there.
 *
 * @example
 * ```ts
 * const driver = await createPostgresDriver({ url: process.env.DATABASE_URL!, schema: "agl" });
 * const store = await PostgresLightningStore.fromDriver(driver);
 * ```
 */
export async function createPostgresDriver(options: PostgresDriverOptions): Promise<StoreDriver> {
  const schema = options.schema === undefined ? undefined : checkSchemaName(options.schema);
  const { default: postgres } = await import("postgres");
  const extra = options.postgres ?? {};
  const connectTimeoutSeconds = options.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS;
  const client = postgres(options.url, {
    max: options.max ?? 10,
    onnotice: () => {},
    connect_timeout: connectTimeoutSeconds,
    ...extra,
    connection: {
      application_name: "agentlightning-store",
      ...(extra.connection ?? {}),
      ...(schema === undefined ? {} : { search_path: quoteIdent(schema) }),
    },
  });
  try {
    await client`SELECT 1`;
  } catch (error) {
    await client.end({ timeout: 0 }).catch(() => {});
    throw connectionError(error, options.url, connectTimeoutSeconds);
  }
  return postgresJsDriver(client, { owned: true, schema });
}

/** Default of {@link PostgresDriverOptions.connectTimeoutSeconds}. */
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;

/** `url` without its password (`***` instead), for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable URL)";
  }
}

// A failed first connection as an AglError that says where and what: the driver's own errors name
// neither the server nor what to do.
function connectionError(error: unknown, url: string, timeoutSeconds: number): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  const where = redactDatabaseUrl(url);
  if (code === "CONNECT_TIMEOUT") {
    return new AglError(
      "timeout",
      `PostgreSQL at ${where} did not answer within ${timeoutSeconds} s (is it a PostgreSQL server, and is it up?)`,
      { cause: error },
    );
  }
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) {
    return new AglError("unavailable", `Cannot connect to PostgreSQL at ${where}: ${code}`, { cause: error });
  }
  return error;
}

/**
 * Wraps an existing postgres.js client. Its connections' `search_path` decides the schema (set
 * `connection: { search_path }` when creating it). With `owned`, `close()` ends the client.
 */
export async function postgresJsDriver(
  client: Sql,
  { owned = false, schema }: { owned?: boolean; schema?: string } = {},
): Promise<StoreDriver> {
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const db = drizzle(client);
  // Statements are rendered by Drizzle and run as named prepared statements (postgres.js caches
  // them per connection by text): the store's statements have fixed texts, and skipping the parse
  // and plan of every call triples the speed of the short statements that dominate its work.
  const executor = (target: Sql | TransactionSql): SqlExecutor => {
    const query = async <T extends object>(text: string, params: readonly unknown[]): Promise<T[]> =>
      (await target.unsafe(text, params as ParameterOrJSON<never>[], { prepare: true })) as unknown as T[];
    return {
      query,
      rows: <T extends object>(statement: SQL) => {
        const { sql: text, params } = dialect.sqlToQuery(statement);
        return query<T>(text, params);
      },
    };
  };
  return {
    kind: "postgres",
    schema,
    db: db as unknown as PgDatabase<PgQueryResultHKT>,
    ...executor(client),
    transaction: async (fn) =>
      (await client.begin((tx) => fn(executor(tx)))) as Awaited<ReturnType<typeof fn>>,
    async listen(channel, onPayload) {
      const meta = await client.listen(channel, onPayload);
      return () => meta.unlisten();
    },
    async close() {
      if (owned) await client.end({ timeout: 5 });
    },
  };
}

// Opening one PGlite data folder twice in a process silently corrupts it: remember open folders.
const openDataDirs = new Set<string>();

/**
 * A driver on PGlite (Postgres compiled to WebAssembly, in-process): in memory, or persistent in
 * `dataDir`. One connection: statements and transactions run one at a time.
 *
 * @example
 * ```ts
 * const driver = await createPgliteDriver({ dataDir: ".agl-data" });
 * const store = await PostgresLightningStore.fromDriver(driver);
 * ```
 */
export async function createPgliteDriver(options: PgliteDriverOptions = {}): Promise<StoreDriver> {
  const schema = options.schema === undefined ? undefined : checkSchemaName(options.schema);
  let pglite = options.pglite;
  let dataDir: string | undefined;
  let lock: DataDirLock | undefined;
  if (pglite === undefined) {
    if (options.dataDir !== undefined && !options.dataDir.startsWith("memory://")) {
      dataDir = resolve(options.dataDir);
      if (openDataDirs.has(dataDir)) {
        throw new AglError("conflict", `PGlite data folder ${dataDir} is already open in this process`);
      }
      openDataDirs.add(dataDir);
    }
    try {
      // PGlite creates the folder itself but not its parents.
      if (dataDir !== undefined) {
        await mkdir(dataDir, { recursive: true });
        // Across processes: an OS-level lock that dies with its holder.
        lock = await lockDataDir(dataDir);
        if (options.template !== undefined && (await isFreshDataDir(dataDir))) {
          await copyDataDirTemplate(options.template, dataDir);
          options.onTemplateCopied?.();
        }
      }
      const { PGlite } = await import("@electric-sql/pglite");
      pglite = await PGlite.create(dataDir === undefined ? {} : { dataDir });
    } catch (error) {
      if (dataDir !== undefined) openDataDirs.delete(dataDir);
      await lock?.release();
      throw error;
    }
  }
  const owned = options.pglite === undefined;
  const instance = pglite;
  if (schema !== undefined) {
    // Session setting: PGlite has one connection, so it holds for every later statement.
    await instance.exec(`SET search_path TO ${quoteIdent(schema)}`);
  }
  const { drizzle } = await import("drizzle-orm/pglite");
  const db = drizzle(instance);
  let closed = false;
  return {
    kind: "pglite",
    schema,
    db: db as unknown as PgDatabase<PgQueryResultHKT>,
    ...pgliteExecutor(instance),
    transaction: (fn) => instance.transaction((tx) => fn(pgliteExecutor(tx))),
    listen: (channel, onPayload) => instance.listen(channel, onPayload),
    async close() {
      if (closed) return;
      closed = true;
      try {
        if (owned) await instance.close();
      } finally {
        if (dataDir !== undefined) openDataDirs.delete(dataDir);
        await lock?.release();
      }
    },
  };
}

/** `SELECT current_schema()`: where the store's tables live for this driver. */
export async function currentSchema(driver: SqlExecutor): Promise<string> {
  const [row] = await driver.rows<{ schema: string | null }>(sql`SELECT current_schema() AS schema`);
  return row?.schema ?? "public";
}
