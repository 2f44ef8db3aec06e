#!/usr/bin/env node
// Rewrites citations of the external contract (`spec/store.md §2.3`, `spec §4.5`, `spec Appendix
// B14`, `legacy.md §9`) so that they point into the repository: `docs/store-contract.md` and
// `docs/legacy-contract.md`, which keep the same section numbers, quirk ids and checklist numbers.
// In code the citation becomes a path (`docs/store-contract.md §2.3`); in Markdown a link relative
// to the file (`[store contract §2.3](../../docs/store-contract.md#s2.3)`). Bare `§2.3`,
// `Quirk B5`, `E2` and `#17` stay as they are: they read as the same ids in the new documents.
//
// Idempotent: nothing it writes matches its own patterns, so running it again changes nothing.
// Numbered migrations (`drizzle/NNNN_*.sql`) are never edited: a released migration is immutable.
//
//   node tooling/rewrite-citations.mjs           rewrite in place, list the files changed
//   node tooling/rewrite-citations.mjs --check   change nothing; exit 1 if a file would change
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, extname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const check = process.argv.includes("--check");

const STORE_DOC = "docs/store-contract.md";
const LEGACY_DOC = "docs/legacy-contract.md";
const CODE_EXTENSIONS = new Set([".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs", ".sql"]);

/** Tracked and new (not ignored) files, as repository-relative paths. */
function listFiles() {
  const out = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: root,
    encoding: "utf8",
  });
  return [...new Set(out.split("\0").filter(Boolean))];
}

function eligible(path) {
  if (path.startsWith("docs/") || path.includes("node_modules/") || path.includes("/dist/")) return false;
  if (path === "tooling/rewrite-citations.mjs") return false;
  if (/(^|\/)drizzle\/\d{4}_[^/]*\.sql$/.test(path)) return false;
  const ext = extname(path);
  return ext === ".md" || CODE_EXTENSIONS.has(ext);
}

// A citation target: "§2.3", "§ 2.3", "Appendix B14", "Appendix C", or a bare appendix id "E2".
const TARGET = String.raw`(§\s?\d+(?:\.\d+)*|Appendix\s+[A-E]\d*|[A-E]\d+\b)`;
// Who is cited: `spec/store.md` (with or without backticks), store.md, spec, Spec.
const STORE_SOURCE = String.raw`(?<![\w/.-])(?:\x60?(?:spec\/)?store\.md\x60?|[Ss]pec)`;
const LEGACY_SOURCE = String.raw`(?<![\w/.-])\x60?(?:spec\/)?legacy\.md\x60?`;

/** The anchor of a target inside the contract documents. */
function anchor(target) {
  const t = target.replace(/\s+/g, " ").trim();
  const section = /^§ ?(\d+(?:\.\d+)*)$/.exec(t);
  if (section) return `#s${section[1]}`;
  const appendix = /^Appendix ([A-E])(\d*)$/.exec(t);
  if (appendix)
    return appendix[2]
      ? `#${appendix[1].toLowerCase()}${appendix[2]}`
      : `#appendix-${appendix[1].toLowerCase()}`;
  const id = /^([A-E])(\d+)$/.exec(t);
  if (id) return `#${id[1].toLowerCase()}${id[2]}`;
  return "";
}

function label(target) {
  return target.replace(/\s+/g, " ").replace(/^§ (\d)/, "§$1");
}

/** Rewrites one file's text; `path` is repository-relative. */
export function rewrite(text, path) {
  const ext = extname(path);
  if (ext === ".md") {
    const toDocs = relative(dirname(join(root, path)), join(root, "docs")).replaceAll("\\", "/") || ".";
    const link = (doc, name) => (_match, target) =>
      `[${name} ${label(target)}](${toDocs}/${doc}${anchor(target)})`;
    return text
      .replace(
        new RegExp(`${STORE_SOURCE}(?:'s)?\\s+${TARGET}`, "g"),
        link("store-contract.md", "store contract"),
      )
      .replace(
        new RegExp(`${LEGACY_SOURCE}\\s+${TARGET}`, "g"),
        link("legacy-contract.md", "legacy contract"),
      );
  }
  if (!CODE_EXTENSIONS.has(ext)) return text;
  let out = text
    .replace(new RegExp(`${STORE_SOURCE}(?=\\s+${TARGET})`, "g"), (m) =>
      m.startsWith("`") ? `\`${STORE_DOC}\`` : STORE_DOC,
    )
    .replace(new RegExp(`${LEGACY_SOURCE}(?=\\s+${TARGET})`, "g"), (m) =>
      m.startsWith("`") ? `\`${LEGACY_DOC}\`` : LEGACY_DOC,
    );
  // A bare `spec/store.md` (no section) still names the external file.
  out = out
    .replace(/(?<![\w/.-])spec\/store\.md/g, STORE_DOC)
    .replace(/(?<![\w/.-])spec\/legacy\.md/g, LEGACY_DOC);
  // SQL files are ASCII (no §): "spec 2.3" cites a section there.
  if (ext === ".sql") out = out.replace(/(?<![\w/.-])spec(?= \d+\.\d+)/g, STORE_DOC);
  return out;
}

/** Rewrites (or, with `check`, only lists) every eligible file; returns the paths that change. */
export function rewriteRepository(check) {
  const changed = [];
  for (const path of listFiles().filter(eligible)) {
    let text;
    try {
      text = readFileSync(join(root, path), "utf8");
    } catch {
      continue; // deleted in the working tree
    }
    const next = rewrite(text, path);
    if (next !== text) {
      changed.push(path);
      if (!check) writeFileSync(join(root, path), next);
    }
  }
  return changed;
}

// Run only as a script, so that `rewrite` can be imported without touching any file.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const changed = rewriteRepository(check);
  for (const path of changed) console.log(`${check ? "would rewrite" : "rewrote"} ${path}`);
  console.log(`${changed.length} file(s) ${check ? "cite the external contract" : "rewritten"}`);
  if (check && changed.length > 0) process.exit(1);
}
