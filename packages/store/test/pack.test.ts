import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  checkPackedPackage,
  installedPackages,
  installScratchProject,
  packPackage,
  runCommand,
  runNode,
} from "@agentlightning/vitest-config/pack-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LightningStoreServer } from "../src/http/server.js";
import { InMemoryLightningStore } from "../src/memory/memory-store.js";

// The published package as a user gets it: packed tarballs of the store and of
// @agentlightning/types, installed with npm into scratch projects, one per entry point. Each
// scenario installs once; npm's cache keeps reinstalls fast.

const storeDir = fileURLToPath(new URL("..", import.meta.url));
const typesDir = fileURLToPath(new URL("../../types", import.meta.url));
const repoDir = fileURLToPath(new URL("../../..", import.meta.url));
const manifest = JSON.parse(readFileSync(join(storeDir, "package.json"), "utf8")) as {
  devDependencies: Record<string, string>;
};
/** The versions we build and test with, so installs hit npm's cache. */
const tested = (name: string): string => {
  const version = manifest.devDependencies[name];
  if (version === undefined) throw new Error(`${name} is not a devDependency of the store`);
  return version;
};

const HEAVY = ["@electric-sql/pglite", "postgres", "drizzle-orm", "hono", "@hono/node-server", "protobufjs"];
const INSTALL_TIMEOUT = 300_000;

let work: string;
let tarballs: Record<string, string>;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "agl-store-pack-"));
  tarballs = {
    "@agentlightning/types": `file:${packPackage(typesDir, work)}`,
    "@agentlightning/store": `file:${packPackage(storeDir, work)}`,
  };
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function scratch(name: string): string {
  return join(work, name);
}

describe("published tarball of @agentlightning/store", () => {
  it("ships dist, src and drizzle/ without build caches, tests or stale outputs; every entry imports", () => {
    const { files, exported } = checkPackedPackage(storeDir);
    expect(files).toEqual(expect.arrayContaining(["LICENSE", "README.md", "drizzle/meta/_journal.json"]));
    expect(files.some((f) => /^drizzle\/\d{4}_.*\.sql$/.test(f))).toBe(true);
    expect(exported["."]).toEqual(
      expect.arrayContaining(["AglError", "InMemoryLightningStore", "LightningStoreClient"]),
    );
    expect(exported["."]).not.toContain("PostgresLightningStore");
    expect(exported["."]).not.toContain("LightningStoreServer");
    expect(exported["./postgres"]).toEqual(
      expect.arrayContaining(["PostgresLightningStore", "migrateStore"]),
    );
    expect(exported["./server"]).toEqual(expect.arrayContaining(["LightningStoreServer", "createStoreApp"]));
    expect(exported["./testing"]).toEqual(expect.arrayContaining(["describeLightningStore"]));
  }, 120_000);

  it(
    "root entry: installs without a database or HTTP server, talks to a live server, type-checks with skipLibCheck: false",
    async () => {
      const dir = scratch("root");
      await installScratchProject(dir, {
        dependencies: tarballs,
        devDependencies: { "@types/node": tested("@types/node") },
      });
      const installed = installedPackages(dir);
      expect(installed.filter((name) => HEAVY.includes(name))).toEqual([]);
      expect(installed).toEqual(
        expect.arrayContaining(["@agentlightning/store", "@agentlightning/types", "zod"]),
      );

      writeFileSync(
        join(dir, "runner.mjs"),
        `import { AglError, LightningStoreClient } from "@agentlightning/store";
const client = new LightningStoreClient({ url: process.env.AGL_URL });
const queued = await client.enqueueRollout({ input: { question: "2+2?" } });
const claimed = await client.dequeueRollout({ workerId: "packed-runner" });
await client.updateAttempt(claimed.rollout_id, claimed.attempt.attempt_id, { status: "succeeded" });
const [done] = await client.waitForRollouts([queued.rollout_id], { timeout: 5 });
let missing;
try { await client.updateRollout("ro-does-not-exist", { status: "cancelled" }); }
catch (error) { missing = AglError.isInstance(error) ? error.code : String(error); }
await client.close();
console.log(JSON.stringify({ claimed: claimed.rollout_id === queued.rollout_id, status: done.status, missing }));
`,
      );
      const backing = new InMemoryLightningStore();
      const server = new LightningStoreServer({ store: backing, port: 0 });
      await server.start();
      try {
        const out = await runNode(dir, ["runner.mjs"], { AGL_URL: server.url });
        expect(JSON.parse(out)).toEqual({ claimed: true, status: "succeeded", missing: "not_found" });
        expect((await backing.statistics()).total_rollouts).toBe(1);
      } finally {
        await server.stop();
        await backing.close();
      }

      writeFileSync(
        join(dir, "consumer.ts"),
        `import { AglError, type AglErrorCode, InMemoryLightningStore, type LightningStore, LightningStoreClient } from "@agentlightning/store";
export async function firstRolloutId(url: string): Promise<string | AglErrorCode> {
  const stores: LightningStore[] = [new LightningStoreClient({ url }), new InMemoryLightningStore()];
  try {
    const rollout = await stores[0]!.enqueueRollout({ input: { question: "2+2?" } });
    return rollout.rollout_id;
  } catch (error) {
    if (AglError.isInstance(error)) return error.code;
    throw error;
  }
}
`,
      );
      writeFileSync(
        join(dir, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            target: "ES2023",
            lib: ["ES2023"],
            module: "NodeNext",
            moduleResolution: "NodeNext",
            types: ["node"],
            strict: true,
            noUncheckedIndexedAccess: true,
            skipLibCheck: false,
            noEmit: true,
          },
          files: ["consumer.ts"],
        }),
      );
      const typescript = createRequire(join(repoDir, "package.json")).resolve("typescript/package.json");
      const tsc = join(dirname(typescript), "bin", "tsc");
      await runNode(dir, [tsc, "-p", "tsconfig.json"]);
    },
    INSTALL_TIMEOUT,
  );

  it(
    "/postgres with its peers: migrations ship in the tarball and run on PGlite",
    async () => {
      const dir = scratch("postgres");
      await installScratchProject(dir, {
        dependencies: {
          ...tarballs,
          "drizzle-orm": tested("drizzle-orm"),
          "@electric-sql/pglite": tested("@electric-sql/pglite"),
        },
      });
      expect(installedPackages(dir).filter((name) => ["hono", "protobufjs"].includes(name))).toEqual([]);
      writeFileSync(
        join(dir, "migrate.mjs"),
        `import { createPgliteDriver, defaultMigrationsFolder, migrateStore, PostgresLightningStore } from "@agentlightning/store/postgres";
const driver = await createPgliteDriver({ schema: "agl" });
const applied = await migrateStore(driver, { schema: "agl" });
const again = await migrateStore(driver, { schema: "agl" });
const store = await PostgresLightningStore.fromDriver(driver);
const queued = await store.enqueueRollout({ input: 1 });
const claimed = await store.dequeueRollout({ workerId: "w" });
await store.updateAttempt(claimed.rollout_id, "latest", { status: "succeeded" });
const rollout = await store.getRolloutById(queued.rollout_id);
await store.close();
console.log(JSON.stringify({ folder: defaultMigrationsFolder(), applied, again, status: rollout.status }));
`,
      );
      const result = JSON.parse(await runNode(dir, ["migrate.mjs"]));
      expect(result.folder).toBe(join(dir, "node_modules", "@agentlightning", "store", "drizzle"));
      expect(result.applied).toBeGreaterThan(0);
      expect(result.again).toBe(0);
      expect(result.status).toBe("succeeded");
    },
    INSTALL_TIMEOUT,
  );

  it(
    "/testing: the conformance suite runs under the consumer's vitest",
    async () => {
      const dir = scratch("testing");
      await installScratchProject(dir, { dependencies: { ...tarballs, vitest: tested("vitest") } });
      writeFileSync(
        join(dir, "memory.test.js"),
        `import { InMemoryLightningStore } from "@agentlightning/store";
import { describeLightningStore } from "@agentlightning/store/testing";
describeLightningStore("packed InMemoryLightningStore", async (settings) => new InMemoryLightningStore(settings));
`,
      );
      const reportFile = join(dir, "report.json");
      const vitest = join(dir, "node_modules", "vitest", "vitest.mjs");
      await runCommand(dir, process.execPath, [
        vitest,
        "run",
        "--reporter=json",
        `--outputFile=${reportFile}`,
      ]);
      const report = JSON.parse(readFileSync(reportFile, "utf8"));
      expect(report.numFailedTests).toBe(0);
      expect(report.numPassedTests).toBeGreaterThan(100);
    },
    INSTALL_TIMEOUT,
  );
});
