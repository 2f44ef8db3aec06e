// Packs a workspace package the way it would be published and proves that every `exports` target
// is in the tarball and that the package imports from a clean folder, with its dependencies linked
// from the workspace. Used by each published package's pack test.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

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

/**
 * @param {string} packageDir absolute path of the package (its dist must be built)
 * @returns {{ files: string[], exported: Record<string, string[]> , manifest: Record<string, unknown> }}
 */
export function checkPackedPackage(packageDir) {
  const work = mkdtempSync(join(tmpdir(), "agl-pack-"));
  try {
    const [cmd, prefix] = pnpmCommand();
    execFileSync(cmd, [...prefix, "pack", "--pack-destination", work], { cwd: packageDir, stdio: "pipe" });
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
    if (!tarball) throw new Error(`pnpm pack produced no tarball in ${work}`);
    const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
    const installDir = join(work, "node_modules", ...manifest.name.split("/"));
    mkdirSync(installDir, { recursive: true });
    execFileSync("tar", ["-xzf", join(work, tarball), "-C", installDir, "--strip-components=1"]);
    const files = execFileSync("tar", ["-tzf", join(work, tarball)], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, ""));
    const packed = JSON.parse(readFileSync(join(installDir, "package.json"), "utf8"));
    for (const target of collectTargets(packed.exports)) {
      if (!existsSync(join(installDir, target)))
        throw new Error(`exports target ${target} is missing from the tarball`);
    }
    // Dependencies resolve from the workspace install of the package, as npm would install them.
    for (const dep of Object.keys(packed.dependencies ?? {})) {
      const link = join(work, "node_modules", ...dep.split("/"));
      mkdirSync(dirname(link), { recursive: true });
      if (!existsSync(link)) symlinkSync(join(packageDir, "node_modules", ...dep.split("/")), link, "dir");
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
