import type { Span } from "@agentlightning/types";

/** A span placed in the waterfall: its depth under its ancestors and whether it has children. */
export interface SpanRow {
  span: Span;
  depth: number;
  childCount: number;
  /** Key of the span in the tree (span ids may repeat across traces; the sequence id keeps it unique). */
  key: string;
}

/** The spans of one attempt as a forest, with the time bounds of the whole attempt. */
export interface SpanForest {
  roots: string[];
  children: Map<string, string[]>;
  byKey: Map<string, Span>;
  start: number | null;
  end: number | null;
}

/** Key of a span in the forest. */
export function spanKey(span: Span): string {
  return `${span.span_id}#${span.sequence_id}`;
}

function byStart(a: Span, b: Span) {
  const as = a.start_time ?? Number.POSITIVE_INFINITY;
  const bs = b.start_time ?? Number.POSITIVE_INFINITY;
  return as - bs || a.sequence_id - b.sequence_id;
}

/**
 * Nests spans by `parent_id`. A span whose parent is not among them (its parent was never
 * stored, or belongs to another process) becomes a root, and so does a span caught in a parent
 * cycle, so every span is shown exactly once. Siblings are ordered by start time, then sequence id.
 */
export function buildSpanForest(spans: readonly Span[]): SpanForest {
  const byKey = new Map<string, Span>();
  const keyById = new Map<string, string>();
  let start: number | null = null;
  let end: number | null = null;
  for (const span of spans) {
    const key = spanKey(span);
    byKey.set(key, span);
    // The first span with an id is the parent its children point to.
    if (!keyById.has(span.span_id)) keyById.set(span.span_id, key);
    if (span.start_time !== null && (start === null || span.start_time < start)) start = span.start_time;
    const last = span.end_time ?? span.start_time;
    if (last !== null && (end === null || last > end)) end = last;
  }
  const parentOf = new Map<string, string>();
  for (const [key, span] of byKey) {
    const parentKey = span.parent_id === null ? undefined : keyById.get(span.parent_id);
    if (parentKey !== undefined && parentKey !== key) parentOf.set(key, parentKey);
  }
  // Break cycles: walk up from each span; a span that meets itself is made a root.
  const state = new Map<string, 1 | 2>();
  for (const key of byKey.keys()) {
    const path: string[] = [];
    let k: string | undefined = key;
    while (k !== undefined && state.get(k) === undefined) {
      state.set(k, 1);
      path.push(k);
      k = parentOf.get(k);
    }
    if (k !== undefined && state.get(k) === 1) parentOf.delete(k);
    for (const p of path) state.set(p, 2);
  }
  const children = new Map<string, string[]>();
  const roots: string[] = [];
  for (const key of byKey.keys()) {
    const parent = parentOf.get(key);
    if (parent === undefined) roots.push(key);
    else {
      const list = children.get(parent);
      if (list) list.push(key);
      else children.set(parent, [key]);
    }
  }
  const order = (a: string, b: string) => byStart(byKey.get(a)!, byKey.get(b)!);
  roots.sort(order);
  for (const list of children.values()) list.sort(order);
  return { roots, children, byKey, start, end };
}

/**
 * The rows the waterfall shows: depth-first, skipping the descendants of collapsed spans.
 * Iterative, so a 10,000-deep chain does not overflow the stack.
 */
export function visibleRows(forest: SpanForest, collapsed: ReadonlySet<string>): SpanRow[] {
  const rows: SpanRow[] = [];
  const stack: Array<[string, number]> = [];
  for (let i = forest.roots.length - 1; i >= 0; i--) stack.push([forest.roots[i]!, 0]);
  while (stack.length > 0) {
    const [key, depth] = stack.pop()!;
    const kids = forest.children.get(key) ?? [];
    rows.push({ span: forest.byKey.get(key)!, depth, childCount: kids.length, key });
    if (collapsed.has(key)) continue;
    for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i]!, depth + 1]);
  }
  return rows;
}

/** Whether a span failed: status `ERROR`, or an exception recorded on it. */
export function isErrorSpan(span: Span): boolean {
  if (span.status.status_code === "ERROR") return true;
  if (span.name === "agentlightning.exception") return true;
  return span.events.some((e) => e.name === "exception");
}
