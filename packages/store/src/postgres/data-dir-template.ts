import { cpSync, mkdirSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { DATA_DIR_LOCK_NAME } from "./data-dir-lock.js";

// A fresh PGlite folder costs an initdb (seconds; most of a first start) plus the migrations. A
// template is a folder that already went through both, made once at build time: copying it is a
// plain file copy. PG_VERSION is what makes a folder a database, so it is copied last: a copy cut
// short leaves a folder without it, which the next start copies again.

const MARKER = "PG_VERSION";

// The folders initdb creates in every data folder (PostgreSQL 15-17), most of them empty at first.
// Packing a template (npm pack / publish, pnpm deploy, git, zip) drops empty folders, and
// PostgreSQL will not start without them, so a copy recreates them whatever the template kept.
const POSTGRES_DATA_SUBDIRS = [
  "global",
  "pg_wal/archive_status",
  "pg_wal/summaries",
  "pg_commit_ts",
  "pg_dynshmem",
  "pg_notify",
  "pg_serial",
  "pg_snapshots",
  "pg_subtrans",
  "pg_twophase",
  "pg_multixact/members",
  "pg_multixact/offsets",
  "base",
  "pg_replslot",
  "pg_tblspc",
  "pg_stat",
  "pg_stat_tmp",
  "pg_xact",
  "pg_logical/snapshots",
  "pg_logical/mappings",
];

/** Whether `dataDir` holds no database yet. */
export async function isFreshDataDir(dataDir: string): Promise<boolean> {
  try {
    await stat(join(dataDir, MARKER));
    return false;
  } catch {
    return true;
  }
}

/**
 * Copies the initialised data folder `template` into the fresh folder `dataDir` (which may hold the
 * lock socket), `PG_VERSION` last, recreating the empty folders PostgreSQL needs (a packed
 * template has lost them). The caller holds the folder's lock.
 */
export async function copyDataDirTemplate(template: string, dataDir: string): Promise<void> {
  const entries = (await readdir(template)).filter(
    (name) => name !== MARKER && !name.startsWith(DATA_DIR_LOCK_NAME),
  );
  // Synchronous on purpose: about a thousand small files, copied about twice as fast as with the
  // promise API, at a moment when the process has nothing else to do.
  for (const name of entries) {
    cpSync(join(template, name), join(dataDir, name), { recursive: true, force: true });
  }
  for (const sub of POSTGRES_DATA_SUBDIRS) mkdirSync(join(dataDir, sub), { recursive: true });
  cpSync(join(template, MARKER), join(dataDir, MARKER), { force: true });
}
