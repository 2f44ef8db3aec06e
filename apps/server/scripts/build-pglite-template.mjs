// Builds dist/pglite-template: an initialised, migrated PGlite data folder that `agl store` copies
// into a fresh --data-dir, so a first start skips initdb (most of its time; see bench/startup.mjs).
// Skipped when the stamp (PGlite version + the store's migrations and SQL files) is unchanged.
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const appDir = fileURLToPath(new URL("..", import.meta.url));
const target = join(appDir, "dist", "pglite-template");
const stampFile = `${target}.stamp`;
const require = createRequire(join(appDir, "package.json"));
const storeDir = dirname(require.resolve("@agentlightning/store/package.json"));
// The installed PGlite's version, from the package.json above its entry (its exports hide it).
function packageVersion(entry) {
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, "utf8")).version;
  }
  return "unknown";
}
const pgliteVersion = packageVersion(require.resolve("@electric-sql/pglite"));

function sqlFiles(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...sqlFiles(path));
    else if (name.endsWith(".sql") || (name.endsWith(".json") && path.includes(`${join("drizzle", "meta")}`)))
      found.push(path);
  }
  return found.sort();
}

// Every migration and SQL file of the store package (the numbered migrations, their journal, and
// any SQL applied after them): a change makes a new template. A stale one would still be correct
// (the migrations run after opening), only slower.
const hash = createHash("sha256").update(`pglite ${pgliteVersion}\n`);
for (const file of sqlFiles(storeDir)) {
  hash.update(relative(storeDir, file)).update(readFileSync(file));
}
const stamp = hash.digest("hex");
if (existsSync(target) && existsSync(stampFile) && readFileSync(stampFile, "utf8").trim() === stamp) {
  process.exit(0);
}

const { PostgresLightningStore } = await import("@agentlightning/store/postgres");
// Built beside the target, so the final step is a rename on one file system.
const work = mkdtempSync(join(appDir, "dist", ".pglite-template-"));
try {
  const dataDir = join(work, "data");
  const store = await PostgresLightningStore.pglite({ dataDir });
  await store.close();
  rmSync(target, { recursive: true, force: true });
  renameSync(dataDir, target);
  writeFileSync(stampFile, `${stamp}\n`);
} catch (error) {
  // The template only makes a first start faster: a build without it still works.
  console.warn(
    `agl: could not build the PGlite template (${error instanceof Error ? error.message : error})`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
