// Postgres backends of the store benchmark (real server through postgres.js, embedded PGlite) and
// the raw limit: the same claim → 4 spans → complete cycle as plain SQL through the same driver,
// on a minimal schema with the same keys and indexes, one statement per step and nothing else.
import { createRequire } from "node:module";
import { createPgliteDriver, PostgresLightningStore } from "../packages/store/dist/postgres/index.js";
import { makeSpan, runWorkers, timed } from "./lib.mjs";

const storeRequire = createRequire(new URL("../packages/store/package.json", import.meta.url));
const { default: postgres } = await import(storeRequire.resolve("postgres"));
const { PGlite } = await import(storeRequire.resolve("@electric-sql/pglite"));

let counter = 0;
const freshSchema = (prefix) => `${prefix}_${process.pid}_${Date.now().toString(36)}_${++counter}`;

const RAW_SCHEMA = `
  CREATE TABLE q_rollouts (rollout_id text PRIMARY KEY, status text NOT NULL, enqueue_seq bigint,
    attempt_count int NOT NULL DEFAULT 0, start_time double precision NOT NULL, end_time double precision);
  CREATE INDEX ON q_rollouts (enqueue_seq) WHERE enqueue_seq IS NOT NULL;
  CREATE SEQUENCE q_seq;
  CREATE TABLE q_attempts (rollout_id text NOT NULL, attempt_id text NOT NULL, sequence_id int NOT NULL,
    status text NOT NULL, start_time double precision NOT NULL, end_time double precision,
    last_heartbeat_time double precision, worker_id text, PRIMARY KEY (rollout_id, attempt_id));
  CREATE TABLE q_spans (rollout_id text NOT NULL, attempt_id text NOT NULL, span_id text NOT NULL,
    sequence_id int NOT NULL, span json NOT NULL, PRIMARY KEY (rollout_id, attempt_id, span_id));
  CREATE INDEX ON q_spans (rollout_id, sequence_id);`;

const CLAIM = `WITH c AS (SELECT rollout_id FROM q_rollouts WHERE enqueue_seq IS NOT NULL ORDER BY enqueue_seq LIMIT 1 FOR UPDATE SKIP LOCKED),
  u AS (UPDATE q_rollouts r SET status = 'preparing', enqueue_seq = NULL, attempt_count = r.attempt_count + 1
        FROM c WHERE r.rollout_id = c.rollout_id RETURNING r.rollout_id, r.attempt_count)
  INSERT INTO q_attempts (rollout_id, attempt_id, sequence_id, status, start_time, worker_id)
  SELECT u.rollout_id, $1, u.attempt_count, 'preparing', $2, $3 FROM u RETURNING rollout_id, attempt_id`;
const SPAN = `WITH s AS (INSERT INTO q_spans VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING 1)
  UPDATE q_attempts SET last_heartbeat_time = $6, status = 'running' WHERE rollout_id = $1 AND attempt_id = $2 AND EXISTS (SELECT 1 FROM s)`;
const COMPLETE = `WITH a AS (UPDATE q_attempts SET status = 'succeeded', end_time = $3 WHERE rollout_id = $1 AND attempt_id = $2 RETURNING rollout_id)
  UPDATE q_rollouts SET status = 'succeeded', end_time = $3 WHERE rollout_id IN (SELECT rollout_id FROM a)`;

async function rawCycles(run, n, workers) {
  await run("TRUNCATE q_rollouts, q_attempts, q_spans", []);
  for (let i = 0; i < n; i += 1000) {
    const m = Math.min(1000, n - i);
    await run(
      `INSERT INTO q_rollouts (rollout_id, status, enqueue_seq, start_time)
       SELECT 'ro-' || lpad(to_hex(g), 12, '0'), 'queuing', nextval('q_seq'), 1.0 FROM generate_series($1::int, $2::int) g`,
      [i, i + m - 1],
    );
  }
  let done = 0;
  const { seconds } = await timed(() =>
    runWorkers(workers, async (w) => {
      const attemptId = `at-${(done + w * 1e6).toString(16).padStart(8, "0").slice(-8)}${w}`;
      const rows = await run(CLAIM, [attemptId, Date.now() / 1000, `w${w}`]);
      if (rows.length === 0) return false;
      const { rollout_id } = rows[0];
      for (let s = 1; s <= 4; s++) {
        const span = makeSpan(rollout_id, attemptId, s);
        await run(SPAN, [rollout_id, attemptId, span.span_id, s, JSON.stringify(span), Date.now() / 1000]);
      }
      await run(COMPLETE, [rollout_id, attemptId, Date.now() / 1000]);
      done++;
      return true;
    }),
  );
  if (done !== n) throw new Error(`raw: expected ${n} cycles, got ${done}`);
  return n / seconds;
}

/** `postgres` (needs a URL) or `pglite`: fresh stores in fresh schemas, plus the raw cycle. */
export async function openPostgresBackend(name, databaseUrl) {
  const schemas = [];
  if (name === "postgres") {
    const rawSchema = freshSchema("bench_raw");
    const sql = postgres(databaseUrl, {
      max: 10,
      onnotice: () => {},
      connection: { search_path: rawSchema },
    });
    await sql.unsafe(`CREATE SCHEMA ${rawSchema}`);
    await sql.unsafe(RAW_SCHEMA);
    return {
      fresh: async () => {
        const schema = freshSchema("bench");
        schemas.push(schema);
        return PostgresLightningStore.connect({ url: databaseUrl, schema, max: 10 });
      },
      rawCycles: (n, workers) =>
        rawCycles((text, params) => sql.unsafe(text, params, { prepare: true }), n, workers),
      dispose: async () => {
        for (const schema of [...schemas, rawSchema])
          await sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await sql.end();
      },
    };
  }
  const pglite = await PGlite.create();
  await pglite.exec(
    `CREATE SCHEMA bench_raw; SET search_path TO bench_raw; ${RAW_SCHEMA}; SET search_path TO public`,
  );
  return {
    fresh: async () => {
      const driver = await createPgliteDriver({ pglite, schema: freshSchema("bench") });
      return PostgresLightningStore.fromDriver(driver, { ownsDriver: false });
    },
    rawCycles: (n, workers) =>
      rawCycles(
        async (text, params) => {
          const result = await pglite.query(
            text.replaceAll("q_", "bench_raw.q_").replace("nextval('q_seq')", "nextval('bench_raw.q_seq')"),
            params,
          );
          return result.rows;
        },
        n,
        workers,
      ),
    dispose: () => pglite.close(),
  };
}
