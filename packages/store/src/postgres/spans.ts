import { AglError, type Span } from "@agentlightning/types";
import { sql } from "drizzle-orm";
import { requireString } from "../core/arguments.js";
import { normalizeSpan } from "../core/normalize.js";
import { attemptNotFound, rolloutNotFound } from "../core/store-errors.js";
import { jsonb, textArrayLiteral, toJson } from "./sql-query.js";
import { runText } from "./sql-text.js";
import type { StoreRuntime } from "./store-runtime.js";

// Spans and sequence ids (docs/store-contract.md §2.9). A single span is one call of `agl_add_span`, a batch one
// call of `agl_add_spans` (drizzle/functions/40-spans.sql); both apply the heartbeat through the
// same SQL function, `agl_span_heartbeat`.

const ADD_SPAN_SQL = "SELECT agl_add_span($1::text, $2::bigint, $3::text, $4::text::json, $5::float8) AS r";
const ADD_SPANS_SQL = "SELECT * FROM agl_add_spans($1::text[], $2::text, $3::text, $4::text, $5::float8)";

/** Stores a span (heartbeat included); null when the same span id was already stored for the attempt. */
export async function addSpan(rt: StoreRuntime, span: Span): Promise<Span | null> {
  const [stored] = await storeSpans(rt, [normalizeSpan(span)]);
  return stored ?? null;
}

/**
 * Stores spans grouped by attempt; duplicates (stored or within the batch) are skipped, first
 * wins; returns what was stored. All or nothing: every group is checked before anything is
 * written (a deliberate deviation from upstream's per-group commits, docs/store-contract.md Appendix B14).
 */
export async function addManySpans(rt: StoreRuntime, spans: Span[]): Promise<Span[]> {
  if (!Array.isArray(spans)) throw new AglError("invalid_argument", "spans must be an array");
  const normalized = spans.map((s, i) => normalizeSpan(s, `spans.${i}`));
  if (normalized.length === 0) return [];
  return storeSpans(rt, normalized);
}

/** {@link SpanAllocatingStore} of the Postgres store: one call of `agl_add_spans`. */
export async function addSpansAllocating(
  rt: StoreRuntime,
  spans: Span[],
  allocate: readonly boolean[],
): Promise<Span[]> {
  if (!Array.isArray(spans)) throw new AglError("invalid_argument", "spans must be an array");
  const normalized = spans.map((s, i) => normalizeSpan(s, `spans.${i}`));
  if (normalized.length === 0) return [];
  return storeSpans(rt, normalized, allocate);
}

/** The payload prefix `agl_add_spans` replaces with an allocated sequence id. */
const ALLOCATED_PREFIX = '{"sequence_id":0,';

/**
 * Stores validated spans: one span through the lighter single-span function, else (or when a
 * sequence id is to be allocated) a batch. `allocate[i]`: span i gets the next number of its
 * rollout's counter.
 */
export async function storeSpans(
  rt: StoreRuntime,
  spans: Span[],
  allocate: readonly boolean[] | null = null,
): Promise<Span[]> {
  const allocating = allocate?.some(Boolean) ?? false;
  if (spans.length === 1 && !allocating) return addOneSpan(rt, spans[0] as Span);
  // Groups by attempt in order of first appearance, stored (and returned) group after group as
  // upstream does; duplicates inside the batch are dropped (first one wins).
  const groups = new Map<string, { rollout_id: string; attempt_id: string; spans: Span[] }>();
  const rollouts = new Set<string>();
  const seen = new Set<string>();
  const allocated = new Set<Span>();
  for (const [index, span] of spans.entries()) {
    const groupKey = JSON.stringify([span.rollout_id, span.attempt_id]);
    let group = groups.get(groupKey);
    if (group === undefined) {
      group = { rollout_id: span.rollout_id, attempt_id: span.attempt_id, spans: [] };
      groups.set(groupKey, group);
    }
    rollouts.add(span.rollout_id);
    const key = JSON.stringify([span.rollout_id, span.attempt_id, span.span_id]);
    if (seen.has(key)) continue;
    seen.add(key);
    group.spans.push(span);
    if (allocating && allocate?.[index]) allocated.add(span);
  }
  const unique = [...groups.values()].flatMap((g) => g.spans);
  // A span to be numbered is sent with sequence_id first, as 0: the function replaces that prefix.
  const payloads = unique.map((span) => {
    if (!allocated.has(span)) return toJson(span, "spans");
    const { sequence_id: _placeholder, ...rest } = span;
    const numbered = { sequence_id: 0, ...rest };
    const text = toJson(numbered, "spans");
    if (!text.startsWith(ALLOCATED_PREFIX)) throw new AglError("internal", "unexpected span serialisation");
    return text;
  });
  const json = `[${payloads.join(",")}]`;
  // The columns travel separately: extracting nine fields from each json payload would re-parse
  // it nine times, while json_to_recordset reads this small array in one pass.
  const columns = JSON.stringify(
    unique.map((span, i) => ({
      ord: i + 1,
      rollout_id: span.rollout_id,
      attempt_id: span.attempt_id,
      span_id: span.span_id,
      sequence_id: span.sequence_id,
      trace_id: span.trace_id,
      parent_id: span.parent_id,
      name: span.name,
      start_time: span.start_time,
      end_time: span.end_time,
      ...(allocated.has(span) ? { alloc: true } : {}),
    })),
  );
  const groupList = JSON.stringify([...groups.values()].map((g) => [g.rollout_id, g.attempt_id]));
  // Sorted: rollouts are locked in id order, as everywhere in the store.
  const sorted = [...rollouts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const rows = await rt.transact(
    (ctx) => runText(ctx.tx, ADD_SPANS_SQL, [textArrayLiteral(sorted), groupList, columns, json, ctx.now]),
    { oneStatement: true },
  );
  const missing = rows.find((row) => row.stored === false);
  if (missing !== undefined) {
    const rolloutId = missing.rollout_id as string;
    throw missing.has_rollout
      ? attemptNotFound(rolloutId, missing.attempt_id as string)
      : rolloutNotFound(rolloutId);
  }
  const stored = new Map(
    rows.map((row) => [
      JSON.stringify([row.rollout_id, row.attempt_id, row.span_id]),
      Number(row.sequence_id),
    ]),
  );
  const copies = JSON.parse(json) as Span[];
  return copies.flatMap((span) => {
    const sequenceId = stored.get(JSON.stringify([span.rollout_id, span.attempt_id, span.span_id]));
    if (sequenceId === undefined) return [];
    span.sequence_id = sequenceId;
    return [span];
  });
}

/** One span, through a lighter statement than a batch needs. */
async function addOneSpan(rt: StoreRuntime, span: Span): Promise<Span[]> {
  const payload = toJson(span, "spans");
  // The ids and the other columns travel as JSON, decoded by Postgres as in the batch path.
  const ids = JSON.stringify([span.rollout_id, span.attempt_id]);
  const columns = JSON.stringify({
    span_id: span.span_id,
    trace_id: span.trace_id,
    parent_id: span.parent_id,
    name: span.name,
    start_time: span.start_time,
    end_time: span.end_time,
  });
  const [row] = await rt.transact(
    (ctx) => runText<{ r: number }>(ctx.tx, ADD_SPAN_SQL, [ids, span.sequence_id, columns, payload, ctx.now]),
    { oneStatement: true },
  );
  const outcome = Number(row?.r ?? 0);
  if (outcome === 0) throw rolloutNotFound(span.rollout_id);
  if (outcome === 1) throw attemptNotFound(span.rollout_id, span.attempt_id);
  return outcome === 3 ? [JSON.parse(payload) as Span] : [];
}

/**
 * Next number of the rollout's span counter (no existence check). One plain upsert rather than
 * {@link allocateSequenceIds}: this is the hot path of clients that number each span separately.
 */
export async function getNextSpanSequenceId(
  rt: StoreRuntime,
  rolloutId: string,
  attemptId: string,
): Promise<number> {
  requireString(rolloutId, "rolloutId");
  requireString(attemptId, "attemptId");
  const [row] = await rt.read(sql`
    INSERT INTO span_counters (rollout_id, counter) VALUES (${rolloutId}::text, 1)
    ON CONFLICT (rollout_id) DO UPDATE SET counter = span_counters.counter + 1
    RETURNING counter`);
  return Number(row?.counter);
}

/** Bulk allocation, in list order, per rollout. */
export async function getManySpanSequenceIds(
  rt: StoreRuntime,
  pairs: ReadonlyArray<readonly [rolloutId: string, attemptId: string]>,
): Promise<number[]> {
  if (!Array.isArray(pairs)) throw new AglError("invalid_argument", "pairs must be an array");
  for (const [i, pair] of pairs.entries()) {
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw new AglError("invalid_argument", `pairs.${i} must be a [rolloutId, attemptId] pair`);
    }
    requireString(pair[0], `pairs.${i}.0`);
    requireString(pair[1], `pairs.${i}.1`);
  }
  if (pairs.length === 0) return [];
  return rt.transact(
    (ctx) =>
      allocateSequenceIds(
        ctx.tx,
        pairs.map(([rolloutId]) => rolloutId),
      ),
    {
      oneStatement: true,
    },
  );
}

/** Allocates one sequence id per entry of `rolloutIds` (a rollout may repeat), in list order. */
export async function allocateSequenceIds(
  executor: { rows: StoreRuntime["driver"]["rows"] },
  rolloutIds: readonly string[],
): Promise<number[]> {
  const counts = new Map<string, number>();
  for (const id of rolloutIds) counts.set(id, (counts.get(id) ?? 0) + 1);
  // Counters are locked in id order, as everywhere in the store.
  const sorted = [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const rows = await executor.rows(sql`
    INSERT INTO span_counters (rollout_id, counter)
    SELECT c->>0, (c->>1)::bigint FROM jsonb_array_elements(${jsonb(JSON.stringify(sorted))}) WITH ORDINALITY AS t(c, ord)
    ORDER BY ord
    ON CONFLICT (rollout_id) DO UPDATE SET counter = span_counters.counter + EXCLUDED.counter
    RETURNING rollout_id, counter`);
  // Each rollout got a block of numbers ending at its new counter; hand them out in list order.
  const next = new Map<string, number>();
  for (const row of rows as Array<{ rollout_id: string; counter: unknown }>) {
    next.set(row.rollout_id, Number(row.counter) - (counts.get(row.rollout_id) ?? 0) + 1);
  }
  return rolloutIds.map((rolloutId) => {
    const value = next.get(rolloutId) as number;
    next.set(rolloutId, value + 1);
    return value;
  });
}
