/**
 * @packageDocumentation
 * `@agentlightning/store/postgres`: the LightningStore on PostgreSQL, through drizzle-orm, with
 * either driver: `postgres` (postgres.js) for a server, `@electric-sql/pglite` embedded. All three
 * are optional peer dependencies of `@agentlightning/store`: install drizzle-orm and the driver you
 * use. The drivers are loaded on first use, so only the one you open needs to be installed.
 *
 * @example
 * ```ts
 * import { PostgresLightningStore } from "@agentlightning/store/postgres";
 * const store = await PostgresLightningStore.connect({ url: process.env.DATABASE_URL! });
 * ```
 */
export type {
  PgliteDriverOptions,
  PostgresDriverOptions,
  SqlExecutor,
  StoreDriver,
} from "./driver.js";
export { createPgliteDriver, createPostgresDriver, postgresJsDriver, redactDatabaseUrl } from "./driver.js";
export type { MigrateStoreOptions } from "./migrate.js";
export { defaultMigrationsFolder, migrateStore } from "./migrate.js";
export type {
  FromDriverOptions,
  PgliteStoreOptions,
  PostgresConnectOptions,
  PostgresStoreOptions,
} from "./postgres-store.js";
export { PostgresLightningStore } from "./postgres-store.js";
