#!/usr/bin/env node
// Checks the workspace's package boundaries, run by `pnpm test` (and so by CI):
//
// 1. Layers (docs/architecture.md): a package imports only packages below it in
//    types ← store ← tracer ← litagent ← algorithm ← trainer ← apps; legacy-* import only types,
//    and only apps import legacy-* (litagent and trainer may also import legacy-client). Declared dependencies follow the same rule.
// 2. Encapsulation: another package is imported only through its `exports` subpaths
//    (`@agentlightning/store/testing`, never `@agentlightning/store/src/...` or `../../store/src`).
// 3. Release hygiene of every published package: LICENSE (the root one), repository / homepage /
//    bugs, caret (or wider) dependency ranges, a `clean` script, no build cache in `files`.
//
// Before checking the repository it checks a generated fixture with known violations and fails
// if it does not report exactly those, so a check that silently stopped detecting is caught.
// Usage: node tooling/check-packages.mjs [repo-root]
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** Layer of each package: a package may import packages of a lower layer only. */
const LAYERS = {
  "@agentlightning/types": 0,
  "@agentlightning/store": 1,
  "@agentlightning/tracer": 2,
  "@agentlightning/litagent": 3,
  "@agentlightning/algorithm": 4,
  "@agentlightning/trainer": 5,
};
/**
 * The deprecated packages stand beside the layers: they import types only; `tests` may also be
 * used by their tests (the legacy server's round trip runs the legacy client against it).
 */
const LEGACY = {
  "@agentlightning/legacy-client": { uses: ["@agentlightning/types"], tests: [] },
  "@agentlightning/legacy-server": {
    uses: ["@agentlightning/types"],
    tests: ["@agentlightning/legacy-client"],
  },
};
/**
 * Packages besides apps that may use the deprecated client: the runtime keeps the v0.1 polling
 * runner (`LegacyAgentRunner` in litagent) and the trainer's URL fallback built on it. Their tests
 * may also use the legacy server.
 */
const LEGACY_CLIENT_USERS = new Set(["@agentlightning/litagent", "@agentlightning/trainer"]);
/** Layer of everything under apps/: may import every package. */
const APP_LAYER = 100;
/** Build and test configuration packages: imported from tests and configs, never from src/. */
const TOOLING_DIR = "tooling";

const REPOSITORY_URL = "git+https://github.com/agentlightning/agentlightning-ts.git";
const SOURCE_EXTENSIONS = /\.(?:[cm]?ts|tsx|[cm]?js)$/;
const SKIPPED_DIRS = new Set(["node_modules", "dist", ".turbo", "coverage"]);

const IMPORT_PATTERNS = [
  // import/export ... from "x" (also across lines, and `import type`)
  /^[ \t]*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/gm,
  // import "x";
  /^[ \t]*import\s*["']([^"']+)["']/gm,
  // import("x"), require("x")
  /\b(?:import|require)\s*\(\s*["']([^"']+)["']\s*\)/g,
];

function readJson(file) {
  return JSON.parse(readFileSync(file, "utf8"));
}

/** Workspace packages: `packages/*`, `apps/*` and `tooling/*` folders with a package.json, and `examples/`. */
function workspacePackages(root) {
  const found = [];
  for (const group of ["packages", "apps", TOOLING_DIR]) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const entry of readdirSync(base, { withFileTypes: true })) {
      const dir = join(base, entry.name);
      if (!entry.isDirectory() || !existsSync(join(dir, "package.json"))) continue;
      found.push({
        dir,
        group,
        path: `${group}/${entry.name}`,
        manifest: readJson(join(dir, "package.json")),
      });
    }
  }
  // `examples/` is one private package at the top level; like the apps, it may import every package.
  const examples = join(root, "examples");
  if (existsSync(join(examples, "package.json"))) {
    found.push({
      dir: examples,
      group: "apps",
      path: "examples",
      manifest: readJson(join(examples, "package.json")),
    });
  }
  return found;
}

function sourceFiles(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED_DIRS.has(entry.name) || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(path, out);
    else if (SOURCE_EXTENSIONS.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/** Import specifiers of a source file; comment lines (`//`, `/*`, ` *`) are left out. */
export function importSpecifiers(source) {
  const code = source
    .split("\n")
    .map((line) => (/^\s*(?:\/\/|\/\*|\*)/.test(line) ? "" : line))
    .join("\n");
  const specifiers = [];
  for (const pattern of IMPORT_PATTERNS) {
    for (const match of code.matchAll(pattern)) specifiers.push(match[1]);
  }
  return specifiers;
}

function splitSpecifier(specifier) {
  const parts = specifier.split("/");
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
  const rest = specifier.slice(name.length);
  return { name, subpath: rest === "" ? "." : `.${rest}` };
}

function exportsSubpath(manifest, subpath) {
  const exportsField = manifest.exports;
  if (exportsField === undefined) return subpath === ".";
  if (typeof exportsField === "string" || !Object.keys(exportsField).some((k) => k.startsWith(".")))
    return subpath === ".";
  return Object.keys(exportsField).some((key) => {
    if (!key.includes("*")) return key === subpath;
    const [before, after] = key.split("*");
    return subpath.startsWith(before) && subpath.endsWith(after);
  });
}

function layerOf(pkg) {
  if (pkg.group === "apps") return APP_LAYER;
  return LAYERS[pkg.manifest.name];
}

/** Why `importer` may not depend on `target` (from its tests only when `forTests`), or null when it may. */
function layerViolation(importer, target, forTests) {
  if (importer.manifest.name === target.manifest.name) return null;
  if (target.group === TOOLING_DIR) return null;
  const from = importer.manifest.name;
  const to = target.manifest.name;
  if (LEGACY[from]) {
    const { uses, tests } = LEGACY[from];
    if (uses.includes(to) || (forTests && tests.includes(to))) return null;
    return `${from} may depend on ${uses.join(", ")} only${tests.length > 0 ? ` (its tests also on ${tests.join(", ")})` : ""}`;
  }
  if (LEGACY[to]) {
    if (importer.group === "apps") return null;
    if (to === "@agentlightning/legacy-client" && LEGACY_CLIENT_USERS.has(from)) return null;
    // Their tests run the legacy runner against the real legacy server.
    if (forTests && LEGACY_CLIENT_USERS.has(from)) return null;
    return `only apps${to === "@agentlightning/legacy-client" ? ", litagent and trainer" : ""} may depend on the deprecated ${to}`;
  }
  const fromLayer = layerOf(importer);
  const toLayer = layerOf(target);
  if (fromLayer === undefined)
    return `${from} has no layer: add it to LAYERS in tooling/check-packages.mjs and to docs/architecture.md`;
  if (toLayer === undefined)
    return `${to} has no layer: add it to LAYERS in tooling/check-packages.mjs and to docs/architecture.md`;
  if (toLayer >= fromLayer) return `${to} is not below ${from} in the layer table (docs/architecture.md)`;
  return null;
}

function isExactVersion(range) {
  return /^v?\d+\.\d+\.\d+(?:[-+][\w.-]+)?$/.test(range.trim());
}

function hygieneViolations(root, pkg) {
  const problems = [];
  const m = pkg.manifest;
  const where = `${pkg.path}/package.json`;
  const rootLicense = existsSync(join(root, "LICENSE")) ? readFileSync(join(root, "LICENSE"), "utf8") : null;
  const license = join(pkg.dir, "LICENSE");
  if (rootLicense === null) problems.push("LICENSE: missing at the repository root");
  else if (!existsSync(license)) problems.push(`${pkg.path}/LICENSE: missing (copy the root LICENSE)`);
  else if (readFileSync(license, "utf8") !== rootLicense)
    problems.push(`${pkg.path}/LICENSE: differs from the root LICENSE`);
  if (m.repository?.url !== REPOSITORY_URL || m.repository?.directory !== pkg.path)
    problems.push(`${where}: repository must be { url: "${REPOSITORY_URL}", directory: "${pkg.path}" }`);
  if (typeof m.homepage !== "string") problems.push(`${where}: homepage is missing`);
  if (typeof m.bugs?.url !== "string") problems.push(`${where}: bugs.url is missing`);
  if (typeof m.scripts?.clean !== "string") problems.push(`${where}: no clean script (run before release)`);
  if (!m.scripts?.build?.includes("prune-stale-outputs"))
    problems.push(`${where}: the build script must end with \`node ../../tooling/prune-stale-outputs.mjs\``);
  if (!(m.files ?? []).includes("!dist/.tsbuildinfo"))
    problems.push(`${where}: files must exclude the build cache ("!dist/.tsbuildinfo")`);
  for (const field of ["dependencies", "peerDependencies"]) {
    for (const [dep, range] of Object.entries(m[field] ?? {})) {
      if (isExactVersion(range))
        problems.push(`${where}: ${field}.${dep} is pinned to ${range}; use a caret range (^${range})`);
    }
  }
  return problems;
}

/**
 * All violations in the repository at `root`, as readable one-line messages.
 * @param {string} root repository root
 * @returns {string[]}
 */
export function checkRepository(root) {
  const packages = workspacePackages(root);
  const byName = new Map(packages.map((p) => [p.manifest.name, p]));
  const problems = [];
  for (const pkg of packages) {
    if (pkg.group === TOOLING_DIR) continue;
    for (const field of ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"]) {
      for (const dep of Object.keys(pkg.manifest[field] ?? {})) {
        const target = byName.get(dep);
        const why = target && layerViolation(pkg, target, field === "devDependencies");
        if (why) problems.push(`${pkg.path}/package.json: ${field} has "${dep}": ${why}`);
      }
    }
    for (const file of sourceFiles(pkg.dir)) {
      const shown = relative(root, file).split(sep).join("/");
      const inSrc = relative(pkg.dir, file).split(sep)[0] === "src";
      for (const specifier of importSpecifiers(readFileSync(file, "utf8"))) {
        if (specifier.startsWith(".")) {
          const resolved = resolve(dirname(file), specifier);
          if (relative(pkg.dir, resolved).startsWith("..")) {
            problems.push(
              `${shown}: imports "${specifier}", a file outside ${pkg.path}: import the package by name through its exports`,
            );
          }
          continue;
        }
        const { name, subpath } = splitSpecifier(specifier);
        const target = byName.get(name);
        if (target === undefined) continue;
        if (target.group === TOOLING_DIR && inSrc && pkg.manifest.private !== true) {
          problems.push(`${shown}: imports "${specifier}": published source may not use build tooling`);
          continue;
        }
        const why = layerViolation(pkg, target, !inSrc);
        if (why) problems.push(`${shown}: imports "${specifier}": ${why}`);
        else if (!exportsSubpath(target.manifest, subpath)) {
          const allowed = Object.keys(target.manifest.exports ?? { ".": "" }).filter(
            (k) => k !== "./package.json",
          );
          problems.push(
            `${shown}: imports "${specifier}": ${subpath} is not an export of ${name} (its internals); use one of ${allowed.join(", ")}`,
          );
        }
      }
    }
    if (pkg.group === "packages" && pkg.manifest.private !== true)
      problems.push(...hygieneViolations(root, pkg));
  }
  return problems;
}

// --- self-check ---------------------------------------------------------------------------------

function writeFixture(root, files) {
  for (const [path, content] of Object.entries(files)) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, typeof content === "string" ? content : `${JSON.stringify(content, null, 2)}\n`);
  }
}

function fixturePackage(name, path, extra = {}) {
  return {
    name,
    license: "MIT",
    repository: { type: "git", url: REPOSITORY_URL, directory: path },
    homepage: "https://example.invalid",
    bugs: { url: "https://example.invalid" },
    files: ["dist", "!dist/.tsbuildinfo", "src"],
    scripts: { build: "tsc -b && node ../../tooling/prune-stale-outputs.mjs", clean: "true" },
    exports: { ".": "./dist/index.js", "./testing": "./dist/testing/index.js" },
    ...extra,
  };
}

/** Checks a generated repository with known violations; throws unless exactly those are found. */
function selfCheck() {
  const root = mkdtempSync(join(tmpdir(), "agl-check-packages-"));
  try {
    const license = "MIT License\n";
    writeFixture(root, {
      LICENSE: license,
      "packages/types/LICENSE": license,
      "packages/store/LICENSE": license,
      "packages/tracer/LICENSE": license,
      "packages/legacy-client/LICENSE": license,
      "packages/types/package.json": fixturePackage("@agentlightning/types", "packages/types", {
        devDependencies: { "@agentlightning/tracer": "workspace:^" },
      }),
      "packages/store/package.json": fixturePackage("@agentlightning/store", "packages/store", {
        dependencies: { "@agentlightning/types": "workspace:^", zod: "4.6.7" },
      }),
      "packages/tracer/package.json": fixturePackage("@agentlightning/tracer", "packages/tracer"),
      "packages/legacy-client/package.json": fixturePackage(
        "@agentlightning/legacy-client",
        "packages/legacy-client",
      ),
      "apps/server/package.json": { name: "@agentlightning/server", private: true },
      "tooling/vitest/package.json": { name: "@agentlightning/vitest-config", private: true },
      "packages/types/src/index.ts": 'import { LightningStore } from "@agentlightning/store";\n',
      "packages/store/src/index.ts": [
        "import {",
        "  AglError,",
        '} from "@agentlightning/types";',
        '// import { x } from "@agentlightning/tracer"; (a comment: not an import)',
        "",
      ].join("\n"),
      "packages/store/test/a.test.ts": 'import { preset } from "@agentlightning/vitest-config";\n',
      "packages/tracer/src/index.ts": [
        'import { InMemoryLightningStore } from "@agentlightning/store/src/memory/memory-store.js";',
        'export { helper } from "../../store/src/index.js";',
        'const lazy = await import("@agentlightning/store");',
        "",
      ].join("\n"),
      "packages/tracer/test/a.test.ts":
        'import { describeLightningStore } from "@agentlightning/store/testing";\n',
      "packages/legacy-client/src/index.ts": 'import type { LightningStore } from "@agentlightning/store";\n',
      "apps/server/src/main.ts": 'import { PostgresLightningStore } from "@agentlightning/store";\n',
    });
    const expected = [
      'packages/types/package.json: devDependencies has "@agentlightning/tracer": @agentlightning/tracer is not below @agentlightning/types in the layer table (docs/architecture.md)',
      'packages/types/src/index.ts: imports "@agentlightning/store": @agentlightning/store is not below @agentlightning/types in the layer table (docs/architecture.md)',
      "packages/store/package.json: dependencies.zod is pinned to 4.6.7; use a caret range (^4.6.7)",
      'packages/tracer/src/index.ts: imports "@agentlightning/store/src/memory/memory-store.js": ./src/memory/memory-store.js is not an export of @agentlightning/store (its internals); use one of ., ./testing',
      'packages/tracer/src/index.ts: imports "../../store/src/index.js", a file outside packages/tracer: import the package by name through its exports',
      'packages/legacy-client/src/index.ts: imports "@agentlightning/store": @agentlightning/legacy-client may depend on @agentlightning/types only',
    ];
    const found = checkRepository(root);
    const missed = expected.filter((e) => !found.includes(e));
    const extra = found.filter((f) => !expected.includes(f));
    if (missed.length > 0 || extra.length > 0) {
      throw new Error(
        `check-packages self-check failed: the checker no longer reports what it should.\n` +
          `missed:\n  ${missed.join("\n  ") || "(none)"}\nunexpected:\n  ${extra.join("\n  ") || "(none)"}`,
      );
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), ".."));
  try {
    selfCheck();
  } catch (error) {
    console.error(error.message);
    process.exit(2);
  }
  const problems = checkRepository(root);
  if (problems.length > 0) {
    console.error(`check-packages: ${problems.length} problem(s):\n  ${problems.join("\n  ")}`);
    process.exit(1);
  }
  const count = workspacePackages(root).filter((p) => p.group !== TOOLING_DIR).length;
  console.log(
    `check-packages: ${count} packages respect the layers, each other's exports and release hygiene`,
  );
}
