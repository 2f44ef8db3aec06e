import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sqlStatusLists } from "../core/lifecycle-rules.js";

// The store's SQL functions live in editable files, drizzle/functions/*.sql, applied in file-name
// order after the numbered migrations (migrate.ts) and again whenever their text changes: changing
// a rule means editing its function, not copying it into a new migration. `{{NAME}}` placeholders
// are status lists generated from the TypeScript rules (sqlStatusLists); statements are separated
// by `--> statement-breakpoint` lines, as in Drizzle's migrations.

/** The functions' statements, ready to run, and a hash of them. */
export interface StoreFunctions {
  /** Statements in application order, placeholders filled in. */
  statements: string[];
  /** SHA-256 of the statements: stored in `agl_schema_state`, compared when a store opens. */
  hash: string;
}

const PLACEHOLDER = /\{\{([A-Z_]+)\}\}/g;
const cache = new Map<string, StoreFunctions>();

/** Fills in the `{{NAME}}` placeholders of one file's text; an unknown name is an error. */
export function renderFunctionsSql(text: string, file = "functions"): string {
  const lists = sqlStatusLists();
  return text.replace(PLACEHOLDER, (_, name: string) => {
    const list = lists[name];
    if (list === undefined) throw new Error(`${file}: unknown placeholder {{${name}}}`);
    return list;
  });
}

/**
 * The functions of `<migrationsFolder>/functions/` (none if the folder is missing), read once per
 * folder and process.
 */
export function storeFunctions(migrationsFolder: string): StoreFunctions {
  const cached = cache.get(migrationsFolder);
  if (cached !== undefined) return cached;
  const folder = join(migrationsFolder, "functions");
  const files = existsSync(folder)
    ? readdirSync(folder)
        .filter((name) => name.endsWith(".sql"))
        .sort()
    : [];
  const statements: string[] = [];
  for (const file of files) {
    const text = renderFunctionsSql(readFileSync(join(folder, file), "utf8"), file);
    for (const statement of text.split("--> statement-breakpoint")) {
      if (statement.trim() !== "") statements.push(statement.trim());
    }
  }
  const hash = createHash("sha256").update(statements.join("\n;\n")).digest("hex");
  const result = { statements, hash };
  cache.set(migrationsFolder, result);
  return result;
}
