#!/usr/bin/env node
// Deletes build outputs in dist/ whose source in src/ is gone. `tsc -b` never deletes the output
// of a removed or renamed source file, so without this a stale module would stay importable in
// the workspace, be cached by turbo with the build's outputs, and ship in the tarball.
// Run by each package's `build` script after `tsc -b`, in the package folder.
import { existsSync, readdirSync, rmdirSync, rmSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const EMITTED = /^(.+?)(\.d\.ts\.map|\.d\.ts|\.js\.map|\.js)$/;
const SOURCE_EXTENSIONS = [".ts", ".tsx", ".mts", ".cts"];

/**
 * Deletes stale outputs under `packageDir/dist` and the folders they leave empty.
 * @param {string} packageDir package folder holding src/ and dist/
 * @returns {string[]} deleted files, relative to the package folder
 */
export function pruneStaleOutputs(packageDir) {
  const dist = join(packageDir, "dist");
  const src = join(packageDir, "src");
  const deleted = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        const before = deleted.length;
        walk(path);
        // Only folders this run emptied: dist/ may hold empty folders on purpose (apps/server's
        // PGlite data-folder template needs its empty pg_* folders).
        if (deleted.length > before && readdirSync(path).length === 0) rmdirSync(path);
        continue;
      }
      const emitted = EMITTED.exec(relative(dist, path));
      if (!emitted) continue;
      const stem = join(src, emitted[1]);
      if (!SOURCE_EXTENSIONS.some((ext) => existsSync(stem + ext))) {
        rmSync(path);
        deleted.push(relative(packageDir, path).split(sep).join("/"));
      }
    }
  };
  if (existsSync(dist) && existsSync(src)) walk(dist);
  return deleted;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const deleted = pruneStaleOutputs(process.cwd());
  if (deleted.length > 0)
    console.log(`removed ${deleted.length} stale build output(s): ${deleted.join(", ")}`);
}
