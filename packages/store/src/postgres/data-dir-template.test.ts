import { existsSync, mkdtempSync, readdirSync, rmdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { createPgliteDriver } from "./driver.js";

// A fresh data folder initialised from a template (no initdb): it opens as the template's copy;
// a folder that already holds a database is never overwritten.
describe("PGlite data-folder template", () => {
  const root = mkdtempSync(join(tmpdir(), "agl-template-test-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("copies the template into a fresh folder only", async () => {
    const template = join(root, "template");
    const made = await createPgliteDriver({ dataDir: template });
    await made.rows(sql`CREATE TABLE from_template (v text)`);
    await made.rows(sql`INSERT INTO from_template VALUES ('seed')`);
    await made.close();

    const dataDir = join(root, "data");
    let copies = 0;
    const first = await createPgliteDriver({ dataDir, template, onTemplateCopied: () => copies++ });
    expect(copies).toBe(1);
    expect(await first.rows(sql`SELECT v FROM from_template`)).toEqual([{ v: "seed" }]);
    await first.rows(sql`INSERT INTO from_template VALUES ('mine')`);
    await first.close();
    expect(existsSync(join(dataDir, "PG_VERSION"))).toBe(true);

    const again = await createPgliteDriver({ dataDir, template, onTemplateCopied: () => copies++ });
    expect(copies).toBe(1);
    expect(await again.rows(sql`SELECT v FROM from_template ORDER BY v`)).toEqual([
      { v: "mine" },
      { v: "seed" },
    ]);
    await again.close();
  }, 180_000);

  it("works from a template that lost its empty folders (as npm pack and pnpm deploy drop them)", async () => {
    const template = join(root, "packed-template");
    const made = await createPgliteDriver({ dataDir: template });
    await made.rows(sql`CREATE TABLE packed (v text)`);
    await made.close();
    const removed = removeEmptyDirs(template);
    expect(removed).toContain("pg_notify");

    const dataDir = join(root, "from-packed");
    const db = await createPgliteDriver({ dataDir, template });
    await db.rows(sql`INSERT INTO packed VALUES ('ok')`);
    expect(await db.rows(sql`SELECT v FROM packed`)).toEqual([{ v: "ok" }]);
    await db.close();
    // And it reopens.
    const reopened = await createPgliteDriver({ dataDir, template });
    expect(await reopened.rows(sql`SELECT count(*)::int AS n FROM packed`)).toEqual([{ n: 1 }]);
    await reopened.close();
  }, 180_000);
});

/** Removes every empty folder under `dir` (deepest first); returns their paths relative to `dir`. */
function removeEmptyDirs(dir: string, prefix = ""): string[] {
  const removed: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = join(dir, entry.name);
    const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    removed.push(...removeEmptyDirs(path, rel));
    if (readdirSync(path).length === 0) {
      rmdirSync(path);
      removed.push(rel);
    }
  }
  return removed;
}
