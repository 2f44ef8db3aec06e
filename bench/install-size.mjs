// Install size of each entry point of @agentlightning/store, as a user gets it: packs the store
// and @agentlightning/types, installs them with npm in scratch projects (root entry only; root +
// the /postgres peers; root + the /server peers; root + every peer, which is what the package
// installed before the subpath split) and measures node_modules on disk.
// Target (issue 9): the root entry with its dependencies ≤ 15 MB installed.
//
//   pnpm build && node bench/install-size.mjs
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installedPackages, installScratchProject, packPackage } from "../tooling/vitest/pack-check.js";
import { repoDir, writeResults } from "./lib.mjs";

const TARGET_MB = 15;
const storeDir = join(repoDir, "packages", "store");
const typesDir = join(repoDir, "packages", "types");
const storeManifest = JSON.parse(readFileSync(join(storeDir, "package.json"), "utf8"));
const version = (name) => storeManifest.devDependencies[name];

const POSTGRES_PEERS = ["drizzle-orm", "@electric-sql/pglite", "postgres"];
const SERVER_PEERS = ["hono", "@hono/node-server", "protobufjs"];

const scenarios = [
  { name: "root", entry: "@agentlightning/store", peers: [] },
  { name: "postgres", entry: "@agentlightning/store/postgres", peers: POSTGRES_PEERS },
  { name: "server", entry: "@agentlightning/store/server", peers: SERVER_PEERS },
  { name: "all", entry: "every entry (the pre-split install)", peers: [...POSTGRES_PEERS, ...SERVER_PEERS] },
];

/** Bytes on disk (allocated blocks, as `du -s` reports). */
function diskBytes(path) {
  return Number(execFileSync("du", ["-sk", path], { encoding: "utf8" }).split("\t")[0]) * 1024;
}

/** Sum of file sizes (what the tarballs unpack to), without block rounding. */
function apparentBytes(path) {
  return Number(execFileSync("du", ["-sb", path], { encoding: "utf8" }).split("\t")[0]);
}

function topLevelPackages(modules) {
  const out = [];
  for (const entry of readdirSync(modules)) {
    if (entry.startsWith(".")) continue;
    if (!entry.startsWith("@")) out.push(entry);
    else for (const name of readdirSync(join(modules, entry))) out.push(`${entry}/${name}`);
  }
  return out;
}

const mb = (bytes) => Math.round((bytes / 1e6) * 10) / 10;

const work = mkdtempSync(join(tmpdir(), "agl-install-size-"));
const results = [];
try {
  const tarballs = {
    "@agentlightning/types": `file:${packPackage(typesDir, work)}`,
    "@agentlightning/store": `file:${packPackage(storeDir, work)}`,
  };
  for (const scenario of scenarios) {
    const dir = join(work, scenario.name);
    const dependencies = { ...tarballs };
    for (const peer of scenario.peers) dependencies[peer] = version(peer);
    await installScratchProject(dir, { dependencies });
    const modules = join(dir, "node_modules");
    const packages = topLevelPackages(modules)
      .map((name) => ({ name, mb: mb(diskBytes(join(modules, ...name.split("/")))) }))
      .sort((a, b) => b.mb - a.mb);
    const result = {
      scenario: scenario.name,
      entry: scenario.entry,
      peers: scenario.peers,
      disk_mb: mb(diskBytes(modules)),
      apparent_mb: mb(apparentBytes(modules)),
      package_count: installedPackages(dir).length,
      largest: packages.slice(0, 6),
    };
    results.push(result);
    console.log(
      `${scenario.entry.padEnd(36)} ${String(result.disk_mb).padStart(6)} MB on disk, ` +
        `${String(result.apparent_mb).padStart(6)} MB of files, ${result.package_count} packages`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const root = results.find((r) => r.scenario === "root");
const verdict = root.disk_mb <= TARGET_MB ? "meets" : "misses";
console.log(`root entry: ${root.disk_mb} MB, ${verdict} the ${TARGET_MB} MB target`);

const rows = results.map(
  (r) =>
    `| \`${r.entry}\` | ${r.peers.length > 0 ? r.peers.join(", ") : "—"} | ${r.disk_mb} | ${r.apparent_mb} | ${r.package_count} | ${r.largest
      .slice(0, 4)
      .map((p) => `${p.name} ${p.mb}`)
      .join(", ")} |`,
);
writeResults(
  "install-size",
  { target_mb: TARGET_MB, root_meets_target: verdict === "meets", scenarios: results },
  [
    "# Install size of @agentlightning/store per entry point",
    "",
    "`node bench/install-size.mjs`: the packed store and types tarballs installed with npm in a scratch",
    "project, with the peers each entry needs at the versions the repository tests with. `disk` is",
    "`du -sk node_modules`; `files` is the sum of file sizes.",
    "",
    "| entry | peers installed | disk MB | files MB | packages | largest (MB on disk) |",
    "| --- | --- | ---: | ---: | ---: | --- |",
    ...rows,
    "",
    `Target: the root entry with its dependencies ≤ ${TARGET_MB} MB: ${verdict} it (${root.disk_mb} MB).`,
    "Before the subpath split every install was the last row (issue 9 measured 64 MB).",
    "",
  ].join("\n"),
);
