import { randomBytes } from "node:crypto";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AglError, type AttemptedRollout } from "@agentlightning/types";
import type { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { makeSpan, TestClock } from "../testing/index.js";
import { createPgliteDriver, createPostgresDriver, type StoreDriver } from "./driver.js";
import { defaultMigrationsFolder, migrateStore } from "./migrate.js";
import { PostgresLightningStore, type PostgresStoreOptions, SCAN_LOCK_CLASS } from "./postgres-store.js";

// Postgres-specific behaviour of PostgresLightningStore: migrations, values Postgres cannot store,
// waits ended by a signal or by close, the multi-process guarantees (SKIP LOCKED dequeues across
// stores, atomic sequence ids, the advisory-locked scan, LISTEN wake-ups) and PGlite persistence.
// The contract itself (every rule, on every backend) is the conformance suite in src/testing, run
// on this store by test/conformance-postgres.test.ts.
// Tests always run on PGlite; when DATABASE_URL (or TEST_DATABASE_URL) is set they also run on that
// server, each store in a fresh schema so tests never see each other's rows.

/** URL of the real server to test against, if any. */
const TEST_DATABASE_URL: string | undefined =
  process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;

const createdSchemas: string[] = [];

/** A fresh schema name (remembered, so {@link dropTestSchemas} can remove it from the server). */
function freshSchema(prefix = "t"): string {
  const schema = `${prefix}_${randomBytes(6).toString("hex")}`;
  createdSchemas.push(schema);
  return schema;
}

/** Drops the schemas this test file created on the real server (call in `afterAll`). */
async function dropTestSchemas(): Promise<void> {
  if (TEST_DATABASE_URL === undefined || createdSchemas.length === 0) return;
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    for (const schema of createdSchemas.splice(0))
      await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await admin.end();
  }
}

let sharedPglite: Promise<PGlite> | null = null;

/**
 * One in-memory PGlite per test file (starting one costs seconds); each store gets its own schema
 * on it. Stores on it must be used one at a time: the driver sets the instance's search_path.
 */
function pgliteInstance(): Promise<PGlite> {
  if (sharedPglite === null) {
    sharedPglite = import("@electric-sql/pglite").then(({ PGlite }) => PGlite.create());
  }
  return sharedPglite;
}

/** A way to open stores in fresh schemas of one database. */
interface TestBackend {
  name: "pglite" | "postgres";
  open(options?: PostgresStoreOptions & { schema?: string; max?: number }): Promise<PostgresLightningStore>;
}

/** The shared in-memory PGlite. */
const pgliteBackend: TestBackend = {
  name: "pglite",
  async open(options = {}) {
    const driver = await createPgliteDriver({
      pglite: await pgliteInstance(),
      schema: options.schema ?? freshSchema(),
    });
    return PostgresLightningStore.fromDriver(driver, { ...options, ownsDriver: true });
  },
};

/** The real server of TEST_DATABASE_URL / DATABASE_URL (only when set). */
function postgresBackend(url: string): TestBackend {
  return {
    name: "postgres",
    open: (options = {}) =>
      PostgresLightningStore.connect({ ...options, url, schema: options.schema ?? freshSchema() }),
  };
}

/** Every backend available to this run: PGlite, plus the real server when configured. */
function testBackends(): TestBackend[] {
  return TEST_DATABASE_URL === undefined
    ? [pgliteBackend]
    : [pgliteBackend, postgresBackend(TEST_DATABASE_URL)];
}

async function expectAgl(promise: Promise<unknown>, code: string): Promise<AglError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(AglError.isInstance(error), `expected AglError ${code}, got ${String(error)}`).toBe(true);
  expect((error as AglError).code).toBe(code);
  return error as AglError;
}

async function withStore<T>(
  backend: TestBackend,
  options: Parameters<TestBackend["open"]>[0],
  body: (store: PostgresLightningStore) => Promise<T>,
): Promise<T> {
  const store = await backend.open(options);
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}

afterAll(async () => {
  await dropTestSchemas();
  await (await sharedPglite)?.close();
});

describe.each(testBackends())("PostgresLightningStore on $name", (backend) => {
  it("applies its migrations idempotently", async () => {
    const schema = freshSchema();
    await withStore(backend, { schema }, async (store) => {
      expect(store.schema).toBe(schema);
      expect(await migrateStore(store.driver, { schema })).toBe(0);
      expect(await migrateStore(store.driver, { schema })).toBe(0);
      const tables = await store.driver.rows<{ table_name: string }>(
        sql`SELECT table_name FROM information_schema.tables WHERE table_schema = ${schema} ORDER BY table_name`,
      );
      expect(tables.map((t) => t.table_name)).toEqual([
        "__drizzle_migrations",
        "agl_schema_state",
        "attempts",
        "resources",
        "rollouts",
        "span_counters",
        "spans",
        "workers",
      ]);
      await store.enqueueRollout({ input: "kept" });
    });
    // Reopening the same schema migrates nothing and keeps the rows.
    await withStore(backend, { schema }, async (store) => {
      expect((await store.statistics()).total_rollouts).toBe(1);
    });
  });

  it("re-applies its SQL functions when their text changes, and opens a current schema with one query", async () => {
    const schema = freshSchema();
    const folders: string[] = [];
    try {
      // Two copies of the shipped migrations; the second has one more function file.
      for (const extra of [false, true]) {
        const folder = await mkdtemp(join(tmpdir(), "agl-migrations-"));
        await cp(defaultMigrationsFolder(), folder, { recursive: true });
        if (extra) {
          await writeFile(
            join(folder, "functions", "99-probe.sql"),
            "CREATE OR REPLACE FUNCTION agl_probe() RETURNS text LANGUAGE sql AS $$ SELECT 'probe' $$;",
          );
        }
        folders.push(folder);
      }
      await withStore(backend, { schema, migrationsFolder: folders[0] }, async () => {});
      const probe = sql`SELECT count(*)::int AS n FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ${schema} AND p.proname = 'agl_probe'`;
      await withStore(backend, { schema, migrationsFolder: folders[0] }, async (store) => {
        expect((await store.driver.rows<{ n: number }>(probe))[0]?.n).toBe(0);
        // Current: the check is one statement and no transaction.
        let statements = 0;
        let transactions = 0;
        const counting: StoreDriver = {
          ...store.driver,
          rows: (query) => {
            statements += 1;
            return store.driver.rows(query);
          },
          transaction: (fn) => {
            transactions += 1;
            return store.driver.transaction(fn);
          },
        };
        expect(await migrateStore(counting, { schema, migrationsFolder: folders[0] as string })).toBe(0);
        expect({ statements, transactions }).toEqual({ statements: 1, transactions: 0 });
      });
      // Changed function text: applied when the store opens, without a new migration.
      await withStore(backend, { schema, migrationsFolder: folders[1] }, async (store) => {
        expect((await store.driver.rows<{ n: number }>(probe))[0]?.n).toBe(1);
        const [row] = await store.driver.rows<{ probe: string }>(sql`SELECT agl_probe() AS probe`);
        expect(row?.probe).toBe("probe");
      });
    } finally {
      for (const folder of folders) await rm(folder, { recursive: true, force: true });
    }
  });

  it("ends a wait early on its signal, and releases pending waits on close", async () => {
    await withStore(backend, {}, async (store) => {
      const r = await store.enqueueRollout({ input: null });
      await store.updateRollout(r.rollout_id, { status: "cancelled" });
      const aborter = new AbortController();
      const aborted = store.waitForRollouts(
        [r.rollout_id, (await store.enqueueRollout({ input: 1 })).rollout_id],
        // A timeout no test reaches: only the abort can end this wait.
        { timeout: 3_600, signal: aborter.signal },
      );
      aborter.abort();
      expect((await aborted).map((x) => x.rollout_id)).toEqual([r.rollout_id]);
      const other = await store.enqueueRollout({ input: null });
      const forever = store.waitForRollouts([other.rollout_id], { timeout: null });
      await new Promise((resolve) => setTimeout(resolve, 50));
      await store.close();
      expect(await forever).toEqual([]);
      await expectAgl(store.enqueueRollout({ input: null }), "unavailable");
    });
  });

  it("rejects values Postgres cannot store, changing nothing", async () => {
    await withStore(backend, {}, async (store) => {
      await expectAgl(store.enqueueRollout({ input: { text: "a\u0000b" } }), "invalid_argument");
      await expectAgl(store.enqueueRollout({ input: { big: 10n } }), "invalid_argument");
      expect((await store.statistics()).total_rollouts).toBe(0);
      expect((await store.statistics()).name).toBe("PostgresLightningStore");
    });
  });
});

describe("PostgresLightningStore on PGlite in a data folder", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("keeps its data across close and reopen, and refuses a second open of the folder", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "agl-pglite-"));
    dirs.push(dataDir);
    const first = await PostgresLightningStore.pglite({ dataDir });
    const rollout = await first.startRollout({ input: { q: "persist" }, workerId: "w1" });
    await first.addSpan(makeSpan(rollout.rollout_id, rollout.attempt.attempt_id, 1, { extra: [1, 2] }));
    const resources = await first.addResources({});
    await expectAgl(PostgresLightningStore.pglite({ dataDir }), "conflict");
    await first.close();

    const second = await PostgresLightningStore.pglite({ dataDir });
    try {
      expect(await second.getRolloutById(rollout.rollout_id)).toMatchObject({
        input: { q: "persist" },
        status: "running",
        attempt: { attempt_id: rollout.attempt.attempt_id, status: "running" },
      });
      expect((await second.querySpans({ rolloutId: rollout.rollout_id })).items[0]).toMatchObject({
        extra: [1, 2],
      });
      expect((await second.getLatestResources())?.resources_id).toBe(resources.resources_id);
      expect(await second.getNextSpanSequenceId(rollout.rollout_id, "x")).toBe(2);
    } finally {
      await second.close();
    }
  }, 120_000);
});

describe.runIf(TEST_DATABASE_URL !== undefined)(
  "PostgresLightningStore: several processes on one server",
  () => {
    const url = TEST_DATABASE_URL as string;
    const backend = postgresBackend(url);

    it("migrates once when several stores start at the same time", async () => {
      const schema = freshSchema();
      const drivers = await Promise.all(
        Array.from({ length: 4 }, () => createPostgresDriver({ url, schema, max: 2 })),
      );
      try {
        const applied = await Promise.all(drivers.map((d) => migrateStore(d, { schema })));
        expect(applied.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
        expect(applied.filter((n) => n > 0)).toHaveLength(1);
      } finally {
        await Promise.all(drivers.map((d) => d.close()));
      }
    });

    it("two stores with 16 dequeuers each hand every one of 500 rollouts out exactly once", async () => {
      const schema = freshSchema();
      const [a, b] = await Promise.all([backend.open({ schema }), backend.open({ schema })]);
      try {
        await a.enqueueManyRollouts(Array.from({ length: 250 }, (_, i) => ({ input: i })));
        await b.enqueueManyRollouts(Array.from({ length: 250 }, (_, i) => ({ input: 250 + i })));
        const drain = async (store: PostgresLightningStore, worker: string) => {
          const mine: AttemptedRollout[] = [];
          for (;;) {
            const got = await store.dequeueRollout({ workerId: worker });
            if (got === null) return mine;
            mine.push(got);
          }
        };
        const results = await Promise.all([
          ...Array.from({ length: 16 }, (_, i) => drain(a, `a${i}`)),
          ...Array.from({ length: 16 }, (_, i) => drain(b, `b${i}`)),
        ]);
        const claimed = results.flat();
        expect(claimed).toHaveLength(500);
        expect(new Set(claimed.map((r) => r.rollout_id)).size).toBe(500);
        expect(new Set(claimed.map((r) => (r.input as number) ?? -1))).toEqual(
          new Set(Array.from({ length: 500 }, (_, i) => i)),
        );
        expect((await a.statistics()).total_attempts).toBe(500);
        expect(await b.dequeueRollout()).toBeNull();
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    }, 120_000);

    it("allocates sequence ids 1..20 across two stores", async () => {
      const schema = freshSchema();
      const [a, b] = await Promise.all([backend.open({ schema }), backend.open({ schema })]);
      try {
        const got = await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).getNextSpanSequenceId("ro-shared", "at-1")),
        );
        expect([...got].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it("skips the scan while another process holds the scan lock, and applies each verdict once", async () => {
      const schema = freshSchema();
      const clock = new TestClock();
      const settings = { schema, now: () => clock.now(), scanDebounceSeconds: 0 };
      const [a, b] = await Promise.all([backend.open(settings), backend.open(settings)]);
      const admin = postgres(url, { max: 1, onnotice: () => {} });
      try {
        const config = { timeout_seconds: 1, max_attempts: 3, retry_condition: ["timeout" as const] };
        const rollouts = await a.enqueueManyRollouts(
          Array.from({ length: 20 }, (_, i) => ({ input: i, config })),
        );
        expect(await a.dequeueManyRollouts({ limit: 20, workerId: "w" })).toHaveLength(20);
        clock.advance(2);

        const holder = await admin.reserve();
        await holder`SELECT pg_advisory_lock(${SCAN_LOCK_CLASS}::int, hashtext(${schema}::text))`;
        expect((await a.getLatestAttempt(rollouts[0]!.rollout_id))?.status).toBe("preparing");
        await holder`SELECT pg_advisory_unlock(${SCAN_LOCK_CLASS}::int, hashtext(${schema}::text))`;
        holder.release();

        // Both stores scan at once: every rollout is requeued exactly once.
        await Promise.all([
          a.getRolloutById("ro-x"),
          b.getRolloutById("ro-x"),
          a.queryWorkers(),
          b.queryWorkers(),
        ]);
        const page = await b.queryRollouts({ statusIn: ["requeuing"] });
        expect(page.total).toBe(20);
        const again = await Promise.all([
          a.dequeueManyRollouts({ limit: 30 }),
          b.dequeueManyRollouts({ limit: 30 }),
        ]);
        expect(again.flat()).toHaveLength(20);
        expect(again.flat().every((r) => r.attempt.sequence_id === 2)).toBe(true);
      } finally {
        await admin.end();
        await Promise.all([a.close(), b.close()]);
      }
    });

    it("wakes a wait in one store when another store finishes the rollout (LISTEN/NOTIFY)", async () => {
      const schema = freshSchema();
      const [a, b] = await Promise.all([backend.open({ schema }), backend.open({ schema })]);
      try {
        const r = await a.enqueueRollout({ input: null });
        const claimed = await b.dequeueRollout({ workerId: "w" });
        // A timeout no test reaches: only the other store's update can end this wait. (How fast the
        // NOTIFY wakes it, against the 1 s safety poll, is measured in bench/, not asserted here.)
        const waiting = a.waitForRollouts([r.rollout_id], { timeout: 3_600 });
        setTimeout(
          () => void b.updateAttempt(r.rollout_id, claimed!.attempt.attempt_id, { status: "succeeded" }),
          200,
        );
        expect((await waiting).map((x) => x.status)).toEqual(["succeeded"]);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });
  },
);
