import type { Span } from "@agentlightning/types";
import { observeElementRect, useVirtualizer } from "@tanstack/react-virtual";
import { useMemo, useRef, useState } from "react";
import { formatDuration } from "../lib/format.js";
import { isLlmCallSpan } from "../lib/llm-call.js";
import { rewardOfSpan } from "../lib/rewards.js";
import { buildSpanForest, isErrorSpan, visibleRows } from "../lib/span-tree.js";

const ROW_HEIGHT = 26;
const TICKS = [0, 0.25, 0.5, 0.75, 1];
const FALLBACK_RECT = { width: 800, height: 600 };

/**
 * The span waterfall of one attempt: spans nested by parent (collapsible), a bar per span on the
 * attempt's time axis, errors in red, LLM calls and rewards in their own colours. Only the rows
 * in view are in the DOM, so 10,000 spans scroll as smoothly as 10.
 */
export function Waterfall({
  spans,
  selectedKey,
  onSelect,
}: {
  spans: readonly Span[];
  selectedKey: string | null;
  onSelect(key: string): void;
}) {
  const forest = useMemo(() => buildSpanForest(spans), [spans]);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const rows = useMemo(() => visibleRows(forest, collapsed), [forest, collapsed]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    // Without layout (a first paint, a hidden tab, happy-dom) the element measures 0 high:
    // assume a viewport then, so the first rows render instead of none.
    initialRect: FALLBACK_RECT,
    observeElementRect: (instance, callback) =>
      observeElementRect(instance, (rect) => callback(rect.height > 0 ? rect : FALLBACK_RECT)),
  });
  const start = forest.start ?? 0;
  const span = Math.max((forest.end ?? start) - start, 1e-9);
  const toggle = (key: string) =>
    setCollapsed((old) => {
      const next = new Set(old);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  const errorCount = useMemo(() => spans.filter(isErrorSpan).length, [spans]);
  // Find: rows whose name contains the text (or every error row for "error"); Enter jumps on.
  const [find, setFind] = useState("");
  const [matchAt, setMatchAt] = useState(-1);
  const matches = useMemo(() => {
    const needle = find.trim().toLowerCase();
    if (needle === "") return [];
    const out: number[] = [];
    rows.forEach((row, i) => {
      if (needle === "error" ? isErrorSpan(row.span) : row.span.name.toLowerCase().includes(needle))
        out.push(i);
    });
    return out;
  }, [rows, find]);
  const matchSet = useMemo(() => new Set(matches), [matches]);
  const jump = (next: number) => {
    if (matches.length === 0) return;
    const i = ((next % matches.length) + matches.length) % matches.length;
    setMatchAt(i);
    virtualizer.scrollToIndex(matches[i]!, { align: "center" });
    onSelect(rows[matches[i]!]!.key);
  };
  return (
    <div className="waterfall" data-testid="waterfall">
      <div className="wf-tools">
        <span>{spans.length} spans</span>
        {errorCount > 0 ? (
          <span className="badge failed">
            {errorCount} {errorCount === 1 ? "error" : "errors"}
          </span>
        ) : null}
        <input
          type="search"
          aria-label="Find span"
          placeholder="find name or 'error'"
          value={find}
          style={{ width: 150, padding: "0 6px", fontSize: 12 }}
          onChange={(e) => {
            setFind(e.target.value);
            setMatchAt(-1);
          }}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              jump(e.shiftKey ? Math.max(matchAt, 0) - 1 : matchAt + 1);
            }
          }}
        />
        {find.trim() !== "" ? (
          <span data-testid="find-count">
            {matches.length === 0
              ? "no match"
              : matchAt < 0
                ? `${matches.length} ${matches.length === 1 ? "match" : "matches"}`
                : `${Math.min(matchAt + 1, matches.length)} of ${matches.length}`}
          </span>
        ) : null}
        <button type="button" onClick={() => setCollapsed(new Set())}>
          expand all
        </button>
        <button type="button" onClick={() => setCollapsed(new Set([...forest.children.keys()]))}>
          collapse all
        </button>
      </div>
      <div className="wf-head">
        <div>span</div>
        <div title="Time since the attempt's first span">
          {TICKS.map((t) => (
            <span
              key={t}
              className="wf-tick"
              style={{
                left: `${t * 94 + 1}%`,
                transform: `translateX(${t === 0 ? 0 : t === 1 ? -100 : -50}%)`,
              }}
            >
              {formatDuration(t * span)}
            </span>
          ))}
        </div>
      </div>
      <div className="wf-scroll" ref={scrollRef} role="tree" aria-label="Spans">
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index]!;
            const s = row.span;
            const error = isErrorSpan(s);
            const llm = isLlmCallSpan(s);
            const reward = rewardOfSpan(s);
            const s0 = s.start_time ?? start;
            const s1 = s.end_time ?? s0;
            const left = ((s0 - start) / span) * 94 + 1;
            const width = Math.max(((s1 - s0) / span) * 94, 0.15);
            const kind = error ? "error" : reward !== null ? "reward" : llm ? "llm" : "";
            return (
              <div
                key={row.key}
                className={`wf-row ${error ? "error" : ""} ${selectedKey === row.key ? "selected" : ""} ${matchSet.has(item.index) ? "match" : ""}`}
                style={{ transform: `translateY(${item.start}px)` }}
                data-span-name={s.name}
                data-depth={row.depth}
                onClick={() => onSelect(row.key)}
                onKeyDown={(e) => {
                  if (e.key === "Enter") onSelect(row.key);
                }}
                role="treeitem"
                aria-level={row.depth + 1}
                tabIndex={0}
                aria-selected={selectedKey === row.key}
              >
                <div className="wf-name" style={{ paddingLeft: 6 + row.depth * 14 }} title={s.name}>
                  {row.childCount > 0 ? (
                    <button
                      type="button"
                      className="wf-toggle"
                      style={{ border: "none", background: "none", padding: 0 }}
                      aria-label={collapsed.has(row.key) ? "Expand" : "Collapse"}
                      onClick={(e) => {
                        e.stopPropagation();
                        toggle(row.key);
                      }}
                    >
                      {collapsed.has(row.key) ? "▸" : "▾"}
                    </button>
                  ) : (
                    <span className="wf-toggle" />
                  )}
                  {error ? "⚠ " : ""}
                  {s.name}
                  {reward !== null ? <span className="muted"> · reward {reward}</span> : null}
                  {row.childCount > 0 && collapsed.has(row.key) ? (
                    <span className="muted"> (+{row.childCount})</span>
                  ) : null}
                </div>
                <div className="wf-track">
                  <div className={`wf-bar ${kind}`} style={{ left: `${left}%`, width: `${width}%` }} />
                  <span
                    className="wf-dur"
                    // A bar reaching the right edge gets its label inside, at its end.
                    style={
                      left + width > 88
                        ? { right: `${Math.max(100 - left - width, 0)}%`, color: "#fff", paddingRight: 4 }
                        : { left: `${left + width}%` }
                    }
                  >
                    {formatDuration(
                      s.end_time !== null && s.start_time !== null ? s.end_time - s.start_time : null,
                    )}
                  </span>
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
