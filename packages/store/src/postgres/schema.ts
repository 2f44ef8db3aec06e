import { sql } from "drizzle-orm";
import {
  bigint,
  doublePrecision,
  index,
  integer,
  json,
  jsonb,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";

// The Postgres schema of PostgresLightningStore. Tables are declared without a Postgres schema: the
// store sets `search_path` so one database can hold several isolated stores. Every filter/sort field
// of the wire models has its own column; JSON-valued fields are jsonb, except the whole span, which
// is kept as `json`: it is never queried inside (the scalar columns carry every filter), `json`
// stores the text as received (unknown keys, key order) and ingesting it costs a quarter of jsonb.
// `seq` columns record insertion order, the default order of every query. Migrations in drizzle/
// are generated from this file (`pnpm db:generate`); never edit an applied migration.

/** Queue positions: a rollout's `enqueue_seq` is drawn from here whenever it (re-)enters the queue. */
export const queueSeq = pgSequence("agl_queue_seq");

/** "Latest" order of resources snapshots: bumped by every add/update. */
export const resourcesTouchSeq = pgSequence("agl_resources_touch_seq");

/** Rollouts, with their queue position and a pointer to their latest attempt. */
export const rollouts = pgTable(
  "rollouts",
  {
    seq: bigint("seq", { mode: "number" }).generatedAlwaysAsIdentity(),
    rollout_id: text("rollout_id").primaryKey(),
    input: jsonb("input"),
    start_time: doublePrecision("start_time").notNull(),
    end_time: doublePrecision("end_time"),
    mode: text("mode"),
    resources_id: text("resources_id"),
    status: text("status").notNull(),
    config: jsonb("config").notNull(),
    metadata: jsonb("metadata"),
    /** Position in the FIFO queue; null when the rollout is not queued. */
    enqueue_seq: bigint("enqueue_seq", { mode: "number" }),
    /** Number of attempts; the next attempt's `sequence_id` is this + 1. */
    attempt_count: integer("attempt_count").notNull().default(0),
    latest_attempt_id: text("latest_attempt_id"),
  },
  (t) => [
    uniqueIndex("rollouts_seq_idx").on(t.seq),
    index("rollouts_status_idx").on(t.status),
    index("rollouts_queue_idx").on(t.enqueue_seq).where(sql`${t.enqueue_seq} IS NOT NULL`),
    /** Rewards over time (LightningStoreInsights.queryRewards): finished rollouts by end time. */
    index("rollouts_end_time_idx").on(t.end_time),
  ],
);

/** Attempts; `sequence_id` is 1..n per rollout. */
export const attempts = pgTable(
  "attempts",
  {
    seq: bigint("seq", { mode: "number" }).generatedAlwaysAsIdentity(),
    rollout_id: text("rollout_id").notNull(),
    attempt_id: text("attempt_id").notNull(),
    sequence_id: integer("sequence_id").notNull(),
    start_time: doublePrecision("start_time").notNull(),
    end_time: doublePrecision("end_time"),
    status: text("status").notNull(),
    worker_id: text("worker_id"),
    last_heartbeat_time: doublePrecision("last_heartbeat_time"),
    metadata: jsonb("metadata"),
  },
  (t) => [
    primaryKey({ columns: [t.rollout_id, t.attempt_id] }),
    uniqueIndex("attempts_rollout_sequence_idx").on(t.rollout_id, t.sequence_id),
  ],
);

/** Spans, unique per (rollout, attempt, span id). */
export const spans = pgTable(
  "spans",
  {
    seq: bigint("seq", { mode: "number" }).generatedAlwaysAsIdentity(),
    rollout_id: text("rollout_id").notNull(),
    attempt_id: text("attempt_id").notNull(),
    span_id: text("span_id").notNull(),
    sequence_id: bigint("sequence_id", { mode: "number" }).notNull(),
    trace_id: text("trace_id").notNull(),
    parent_id: text("parent_id"),
    name: text("name").notNull(),
    start_time: doublePrecision("start_time"),
    end_time: doublePrecision("end_time"),
    /** The span as stored and returned, extra keys included. */
    payload: json("payload").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.rollout_id, t.attempt_id, t.span_id] }),
    index("spans_rollout_order_idx").on(t.rollout_id, t.sequence_id, t.seq),
    /** Cross-rollout span search, newest first (LightningStoreInsights.searchSpans). */
    index("spans_start_time_idx").on(t.start_time),
  ],
);

/** Span sequence counters, one per rollout id (also for unknown rollouts). */
export const spanCounters = pgTable("span_counters", {
  rollout_id: text("rollout_id").primaryKey(),
  counter: bigint("counter", { mode: "number" }).notNull(),
});

/** Resources snapshots; the latest is the one with the highest `touch_seq`. */
export const resources = pgTable(
  "resources",
  {
    seq: bigint("seq", { mode: "number" }).generatedAlwaysAsIdentity(),
    resources_id: text("resources_id").primaryKey(),
    create_time: doublePrecision("create_time").notNull(),
    update_time: doublePrecision("update_time").notNull(),
    version: integer("version").notNull(),
    resources: jsonb("resources").notNull(),
    touch_seq: bigint("touch_seq", { mode: "number" }).notNull(),
  },
  (t) => [uniqueIndex("resources_seq_idx").on(t.seq), index("resources_touch_idx").on(t.touch_seq)],
);

/** Workers, created implicitly by the first operation naming them. */
export const workers = pgTable(
  "workers",
  {
    seq: bigint("seq", { mode: "number" }).generatedAlwaysAsIdentity(),
    worker_id: text("worker_id").primaryKey(),
    status: text("status").notNull(),
    heartbeat_stats: jsonb("heartbeat_stats"),
    last_heartbeat_time: doublePrecision("last_heartbeat_time"),
    last_dequeue_time: doublePrecision("last_dequeue_time"),
    last_busy_time: doublePrecision("last_busy_time"),
    last_idle_time: doublePrecision("last_idle_time"),
    current_rollout_id: text("current_rollout_id"),
    current_attempt_id: text("current_attempt_id"),
  },
  (t) => [uniqueIndex("workers_seq_idx").on(t.seq), index("workers_status_idx").on(t.status)],
);
