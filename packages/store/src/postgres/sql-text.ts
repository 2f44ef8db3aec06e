import { type SQL, sql } from "drizzle-orm";
import type { SqlExecutor } from "./driver.js";
import type { Row } from "./rows.js";

// The hot operations are constant statement texts with `$n` parameters that call the SQL functions
// of drizzle/functions/: a server prepares each once per connection and Node builds no SQL per
// call. Every parameter occurrence carries a cast, so the types never depend on the driver's guesses.

/** Runs a constant statement: prepared by the driver when it can, else sent through Drizzle. */
export function runText<T extends object = Row>(
  executor: SqlExecutor,
  text: string,
  params: readonly unknown[],
): Promise<T[]> {
  if (executor.query !== undefined) return executor.query<T>(text, params);
  return executor.rows<T>(textToSql(text, params));
}

const PLACEHOLDER = /\$(\d+)/g;

/** A `$n` statement as Drizzle SQL (for executors without `query`); every `$n` must be cast. */
export function textToSql(text: string, params: readonly unknown[]): SQL {
  const chunks: SQL[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    chunks.push(sql.raw(text.slice(last, match.index)));
    chunks.push(sql`${params[Number(match[1]) - 1] ?? null}`);
    last = match.index + match[0].length;
  }
  chunks.push(sql.raw(text.slice(last)));
  return sql.join(chunks);
}
