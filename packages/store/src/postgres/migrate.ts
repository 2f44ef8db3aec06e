import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { quoteIdent, type StoreDriver } from "./driver.js";
import { type StoreFunctions, storeFunctions } from "./functions.js";

// Applies the committed Drizzle migrations (packages/store/drizzle/) at startup. Everything runs in
// one transaction under a transaction-level advisory lock keyed by the schema, so several store
// processes starting at once apply each migration exactly once and the losers simply find them
// applied. The bookkeeping table has Drizzle's layout (`__drizzle_migrations`) but lives in the
// store's own schema, so isolated stores in one database do not see each other's history.
// After the numbered migrations come the SQL functions of drizzle/functions/ (functions.ts): they
// are re-applied whenever their text changes, tracked by a content hash in `agl_schema_state`.
// When both are current, opening a store costs one cheap query (the fast path below) and no DDL.

/** Advisory-lock class of the store's migrations (first key of `pg_advisory_xact_lock(int, int)`). */
export const MIGRATION_LOCK_CLASS = 0x41474c01;

/**
 * The `drizzle/` folder shipped with the package, resolved next to the compiled module
 * (`dist/postgres/` → `../../drizzle`; the same from `src/postgres/` in tests).
 */
export function defaultMigrationsFolder(): string {
  return fileURLToPath(new URL("../../drizzle", import.meta.url));
}

/** Options of {@link migrateStore}. */
export interface MigrateStoreOptions {
  /** Schema to migrate; created if missing. */
  schema: string;
  /** Folder with `meta/_journal.json` and the `.sql` files; default {@link defaultMigrationsFolder}. */
  migrationsFolder?: string;
}

// drizzle-kit writes sequences as "public"."name"; the store resolves every name through
// search_path instead, so the same migration serves any schema.
function retarget(statement: string): string {
  return statement.replaceAll('"public".', "");
}

/** Key of the functions' content hash in `agl_schema_state`. */
const FUNCTIONS_KEY = "functions";

/** Whether the migrations and the functions in `schema` are current: one query, no lock, no DDL. */
async function isCurrent(
  driver: StoreDriver,
  schema: string,
  lastMillis: number,
  functions: StoreFunctions,
): Promise<boolean> {
  try {
    const [row] = await driver.rows<{ migrated: string | number | null; functions: string | null }>(
      sql.raw(
        `SELECT (SELECT max(created_at) FROM ${schema}."__drizzle_migrations") AS migrated, (SELECT hash FROM ${schema}."agl_schema_state" WHERE key = '${FUNCTIONS_KEY}') AS functions`,
      ),
    );
    return row !== undefined && Number(row.migrated ?? -1) >= lastMillis && row.functions === functions.hash;
  } catch {
    // A fresh database (no schema or tables yet): the full path creates them.
    return false;
  }
}

/**
 * Brings the store's tables and SQL functions in `schema` up to date. Idempotent, and safe when
 * several processes call it at once. Returns the number of migrations applied.
 */
export async function migrateStore(driver: StoreDriver, options: MigrateStoreOptions): Promise<number> {
  const migrationsFolder = options.migrationsFolder ?? defaultMigrationsFolder();
  const migrations = readMigrationFiles({ migrationsFolder });
  const functions = storeFunctions(migrationsFolder);
  const schema = quoteIdent(options.schema);
  const lastMillis = Math.max(-1, ...migrations.map((m) => m.folderMillis));
  if (await isCurrent(driver, schema, lastMillis, functions)) return 0;
  return driver.transaction(async (tx) => {
    await tx.rows(
      sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_CLASS}::int, hashtext(${options.schema}::text))`,
    );
    // Checked first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even when it exists.
    const exists = await tx.rows(sql`SELECT 1 FROM pg_namespace WHERE nspname = ${options.schema}::text`);
    if (exists.length === 0) await tx.rows(sql.raw(`CREATE SCHEMA ${schema}`));
    await tx.rows(sql.raw(`SET LOCAL search_path TO ${schema}`));
    await tx.rows(
      sql.raw(
        `CREATE TABLE IF NOT EXISTS ${schema}."__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`,
      ),
    );
    const [last] = await tx.rows<{ created_at: string | number | null }>(
      sql.raw(`SELECT created_at FROM ${schema}."__drizzle_migrations" ORDER BY created_at DESC LIMIT 1`),
    );
    const lastMillis =
      last?.created_at === undefined || last.created_at === null ? -1 : Number(last.created_at);
    let applied = 0;
    for (const migration of migrations) {
      if (migration.folderMillis <= lastMillis) continue;
      for (const statement of migration.sql) {
        if (statement.trim() !== "") await tx.rows(sql.raw(retarget(statement)));
      }
      await tx.rows(
        sql`INSERT INTO ${sql.raw(schema)}."__drizzle_migrations" (hash, created_at) VALUES (${migration.hash}::text, ${migration.folderMillis}::bigint)`,
      );
      applied += 1;
    }
    await tx.rows(
      sql.raw(
        `CREATE TABLE IF NOT EXISTS ${schema}."agl_schema_state" (key text PRIMARY KEY, hash text NOT NULL)`,
      ),
    );
    const [state] = await tx.rows<{ hash: string }>(
      sql.raw(`SELECT hash FROM ${schema}."agl_schema_state" WHERE key = '${FUNCTIONS_KEY}'`),
    );
    if (state?.hash !== functions.hash) {
      for (const statement of functions.statements) await tx.rows(sql.raw(statement));
      await tx.rows(
        sql`INSERT INTO ${sql.raw(schema)}."agl_schema_state" (key, hash) VALUES (${FUNCTIONS_KEY}::text, ${functions.hash}::text) ON CONFLICT (key) DO UPDATE SET hash = EXCLUDED.hash`,
      );
    }
    return applied;
  });
}
