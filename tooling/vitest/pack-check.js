// Packs workspace packages the way they would be published and checks the tarballs: every
// `exports` target is present, no build cache, test or stale build output ships, and each entry
// imports from a clean folder. Also installs tarballs into scratch projects with npm, as a user
// would (pack tests, bench/install-size.mjs).
import { execFile, execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

function pnpmCommand() {
  const execPath = process.env.npm_execpath;
  if (execPath?.includes("pnpm")) return [process.execPath, [execPath]];
  return ["npx", ["-y", "pnpm@10.34.9"]];
}

function collectTargets(exportsField, out = []) {
  if (typeof exportsField === "string") out.push(exportsField);
  else if (exportsField && typeof exportsField === "object") {
    for (const value of Object.values(exportsField)) collectTargets(value, out);
  }
  return out;
}

const EMITTED = /^dist\/(.+?)(\.d\.ts\.map|\.d\.ts|\.js\.map|\.js)$/;

/**
 * Files of a tarball that must not be published: build caches, tests, and build outputs whose
 * source is gone (`tsc -b` never deletes outputs, so a renamed file leaves its old `.js` behind).
 * @param {string[]} files paths inside the tarball, relative to the package root
 * @returns {string[]} one message per offending file
 */
export function unpublishableFiles(files) {
  const sources = new Set(files.filter((f) => f.startsWith("src/") && f.endsWith(".ts")));
  const problems = [];
  for (const file of files) {
    if (file.endsWith(".tsbuildinfo")) problems.push(`${file}: a TypeScript build cache`);
    else if (/\.test\.[cm]?[jt]s$/.test(file)) problems.push(`${file}: a test file`);
    else {
      const emitted = EMITTED.exec(file);
      if (emitted && !sources.has(`src/${emitted[1]}.ts`))
        problems.push(`${file}: no src/${emitted[1]}.ts emits it (stale build output)`);
    }
  }
  return problems;
}

/**
 * Packs one package with pnpm (so `workspace:^` becomes a version range) into `destination`.
 * @param {string} packageDir absolute path of the package (its dist must be built)
 * @param {string} destination folder for the tarball
 * @returns {string} absolute path of the tarball
 */
export function packPackage(packageDir, destination) {
  const [cmd, prefix] = pnpmCommand();
  const before = new Set(existsSync(destination) ? readdirSync(destination) : []);
  execFileSync(cmd, [...prefix, "pack", "--pack-destination", destination], {
    cwd: packageDir,
    stdio: "pipe",
  });
  const tarball = readdirSync(destination).find((f) => f.endsWith(".tgz") && !before.has(f));
  if (!tarball) throw new Error(`pnpm pack of ${packageDir} produced no tarball in ${destination}`);
  return join(destination, tarball);
}

/** @param {string} tarball @returns {string[]} paths inside the tarball, relative to the package root */
export function tarballFiles(tarball) {
  return execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ""));
}

/**
 * @param {string} packageDir absolute path of the package (its dist must be built)
 * @returns {{ files: string[], exported: Record<string, string[]> , manifest: Record<string, unknown> }}
 */
export function checkPackedPackage(packageDir) {
  const work = mkdtempSync(join(tmpdir(), "agl-pack-"));
  try {
    const tarball = packPackage(packageDir, work);
    const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
    const installDir = join(work, "node_modules", ...manifest.name.split("/"));
    mkdirSync(installDir, { recursive: true });
    execFileSync("tar", ["-xzf", tarball, "-C", installDir, "--strip-components=1"]);
    const files = tarballFiles(tarball);
    const problems = unpublishableFiles(files);
    if (problems.length > 0) {
      throw new Error(
        `the tarball of ${manifest.name} holds files that must not be published ` +
          `(\`pnpm build\` removes stale outputs; \`pnpm clean\` the whole dist):\n  ${problems.join("\n  ")}`,
      );
    }
    const packed = JSON.parse(readFileSync(join(installDir, "package.json"), "utf8"));
    for (const target of collectTargets(packed.exports)) {
      if (!existsSync(join(installDir, target)))
        throw new Error(`exports target ${target} is missing from the tarball`);
    }
    // Dependencies (and the optional peers a subpath needs) resolve from the workspace install of
    // the package, as npm would install them.
    const linked = [...Object.keys(packed.dependencies ?? {}), ...Object.keys(packed.peerDependencies ?? {})];
    for (const dep of linked) {
      const target = join(packageDir, "node_modules", ...dep.split("/"));
      const link = join(work, "node_modules", ...dep.split("/"));
      mkdirSync(dirname(link), { recursive: true });
      if (existsSync(target) && !existsSync(link)) symlinkSync(target, link, "dir");
    }
    const exported = {};
    for (const subpath of Object.keys(packed.exports)) {
      if (subpath.endsWith(".json")) continue;
      const specifier = subpath === "." ? packed.name : `${packed.name}/${subpath.slice(2)}`;
      const script = `import(${JSON.stringify(specifier)}).then((m) => console.log(JSON.stringify(Object.keys(m).sort())))`;
      const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
        cwd: work,
        encoding: "utf8",
      });
      exported[subpath] = JSON.parse(out);
    }
    return { files, exported, manifest: packed };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// Settings pnpm exports to its scripts (npm_config_*) would change how npm installs.
function cleanEnv(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key) && !key.startsWith("VITEST") && key !== "NODE_OPTIONS") env[key] = value;
  }
  return { ...env, ...extra };
}

/**
 * Creates a scratch project in `dir` and installs `dependencies` there with npm, the way a user of
 * the published packages would (tarballs as `file:` specs, others from the registry through npm's
 * cache). Optional peer dependencies are not installed unless listed.
 * @param {string} dir folder to create the project in (created if missing)
 * @param {{ dependencies: Record<string, string>, devDependencies?: Record<string, string> }} deps
 * @returns {Promise<void>}
 */
export async function installScratchProject(dir, deps) {
  mkdirSync(dir, { recursive: true });
  const manifest = { name: "agl-scratch", private: true, type: "module", ...deps };
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  try {
    await execFileAsync(
      "npm",
      ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", "--no-package-lock"],
      { cwd: dir, env: cleanEnv(), maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    throw new Error(`npm install in ${dir} failed:\n${error.stderr || error.message}`);
  }
}

/**
 * Every package installed under `dir/node_modules`, nested ones included, by name.
 * @param {string} dir a project folder
 * @returns {string[]} sorted, unique package names
 */
export function installedPackages(dir) {
  const names = new Set();
  const walk = (modules) => {
    if (!existsSync(modules)) return;
    for (const entry of readdirSync(modules)) {
      if (entry.startsWith(".")) continue;
      const scoped = entry.startsWith("@");
      for (const name of scoped ? readdirSync(join(modules, entry)).map((n) => `${entry}/${n}`) : [entry]) {
        names.add(name);
        walk(join(modules, name, "node_modules"));
      }
    }
  };
  walk(join(dir, "node_modules"));
  return [...names].sort();
}

/**
 * Runs `node` on a script in `cwd` without blocking the event loop (the test process may be
 * serving the requests the script makes).
 * @param {string} cwd folder to run in
 * @param {string[]} args arguments of node
 * @param {Record<string, string>} [env] extra environment
 * @returns {Promise<string>} stdout
 */
export async function runNode(cwd, args, env = {}) {
  try {
    const { stdout } = await execFileAsync(process.execPath, args, { cwd, env: cleanEnv(env) });
    return stdout;
  } catch (error) {
    throw new Error(`node ${args.join(" ")} failed in ${cwd}:\n${error.stderr || error.message}`);
  }
}

/**
 * Runs a command in `cwd` without blocking the event loop; rejects with its output when it fails.
 * @param {string} cwd folder to run in
 * @param {string} command executable
 * @param {string[]} args its arguments
 * @returns {Promise<string>} stdout
 */
export async function runCommand(cwd, command, args) {
  try {
    const { stdout } = await execFileAsync(command, args, {
      cwd,
      env: cleanEnv(),
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    throw new Error(
      `${command} ${args.join(" ")} failed in ${cwd}:\n${error.stdout ?? ""}${error.stderr ?? error.message}`,
    );
  }
}
