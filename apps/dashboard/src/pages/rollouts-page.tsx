import type { RolloutOrAttempted } from "@agentlightning/types";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { type ColumnDef, flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import { useEffect, useMemo, useState } from "react";
import { Pager } from "../components/pager.js";
import { Empty, ErrorBox, Loading, StatusBadge } from "../components/states.js";
import type { RolloutSummary } from "../lib/api.js";
import { useApi, useLiveInterval } from "../lib/api-context.js";
import {
  durationBetween,
  formatDuration,
  formatEndTime,
  formatNumber,
  formatTime,
  previewJson,
} from "../lib/format.js";
import { formatHash, intParam, listParam, useParams } from "../lib/router.js";

/** Rollout statuses, in lifecycle order. */
export const ROLLOUT_STATUSES = [
  "queuing",
  "preparing",
  "running",
  "requeuing",
  "succeeded",
  "failed",
  "cancelled",
];
const MODES = ["train", "val", "test"];
const SORTABLE = new Set(["rollout_id", "status", "mode", "start_time", "end_time"]);
const PAGE_SIZES = [25, 50, 100, 200];

type Row = RolloutOrAttempted & { summary?: RolloutSummary };

function useRolloutPage() {
  const api = useApi();
  const live = useLiveInterval();
  const [params] = useParams();
  const status = listParam(params, "status");
  const mode = params.get("mode") ?? "";
  const q = params.get("q") ?? "";
  const sort = params.get("sort") ?? "start_time";
  const order = params.get("order") === "asc" ? "asc" : "desc";
  const size = intParam(params, "size", 50) || 50;
  const page = intParam(params, "page", 0);
  const query = useQuery({
    queryKey: ["rollouts", { status, mode, q, sort, order, size, page }],
    placeholderData: keepPreviousData,
    refetchInterval: live,
    queryFn: async ({ signal }) => {
      const base = {
        statusIn: status.length > 0 ? status : undefined,
        rolloutIdContains: q || undefined,
        sortBy: SORTABLE.has(sort) ? sort : "start_time",
        sortOrder: order,
      } as const;
      if (mode === "") {
        const result = await api.queryRollouts({ ...base, limit: size, offset: page * size }, signal);
        return { ...result, modeInBrowser: false };
      }
      // The store API has no mode filter (docs/store-contract.md §4.5 #5): fetch the matches of
      // the other filters and filter by mode here.
      const all = await api.queryRollouts({ ...base, limit: -1, offset: 0 }, signal);
      const matching = all.items.filter((r) => (mode === "none" ? r.mode === null : r.mode === mode));
      return {
        items: matching.slice(page * size, page * size + size),
        total: matching.length,
        limit: size,
        offset: page * size,
        modeInBrowser: true,
      };
    },
  });
  const ids = (query.data?.items ?? []).map((r) => r.rollout_id);
  const summaries = useQuery({
    queryKey: ["summaries", ids],
    enabled: ids.length > 0,
    placeholderData: keepPreviousData,
    refetchInterval: live,
    retry: false,
    queryFn: ({ signal }) => api.extRolloutSummaries(ids, signal),
  });
  return { query, summaries, status, mode, q, sort, order, size, page };
}

/** The Rollouts page: filters, sorting and paging in the URL, live refresh, summaries when the server has them. */
export function RolloutsPage() {
  const [, setParams] = useParams();
  const { query, summaries, status, mode, q, sort, order, size, page } = useRolloutPage();
  const [search, setSearch] = useState(q);
  useEffect(() => setSearch(q), [q]);
  // Summaries are an extension: null means this server (e.g. Python v0.3.0) does not have it.
  const hasSummaries = summaries.data !== null && !summaries.isError;
  const rows: Row[] = useMemo(
    () => (query.data?.items ?? []).map((r) => ({ ...r, summary: summaries.data?.get(r.rollout_id) })),
    [query.data, summaries.data],
  );
  const columns = useMemo<ColumnDef<Row>[]>(() => {
    const cols: ColumnDef<Row>[] = [
      {
        id: "rollout_id",
        header: "Rollout",
        cell: ({ row }) => (
          <a className="mono" href={formatHash(["rollouts", row.original.rollout_id])}>
            {row.original.rollout_id}
          </a>
        ),
      },
      { id: "status", header: "Status", cell: ({ row }) => <StatusBadge status={row.original.status} /> },
      {
        id: "mode",
        header: "Mode",
        cell: ({ row }) => row.original.mode ?? <span className="muted">—</span>,
      },
      {
        id: "input",
        header: "Input",
        cell: ({ row }) => (
          <span title={previewJson(row.original.input, 2000)}>{previewJson(row.original.input, 60)}</span>
        ),
      },
      {
        id: "attempts",
        header: "Attempts",
        cell: ({ row }) =>
          row.original.summary?.attempt_count ??
          ("attempt" in row.original ? row.original.attempt?.sequence_id : 0),
      },
    ];
    if (hasSummaries) {
      cols.push(
        {
          id: "final_reward",
          header: "Final reward",
          cell: ({ row }) => formatNumber(row.original.summary?.final_reward),
        },
        {
          id: "tokens",
          header: "Tokens",
          cell: ({ row }) => {
            const u = row.original.summary?.token_usage;
            if (!u) return "—";
            return (
              <span title={`prompt ${u.prompt_tokens} · completion ${u.completion_tokens}`}>
                {formatNumber(u.total_tokens)}
              </span>
            );
          },
        },
        {
          id: "spans",
          header: "Spans",
          cell: ({ row }) => {
            const s = row.original.summary;
            if (!s) return "—";
            return (
              <span>
                {s.span_count}
                {s.error_span_count > 0 ? (
                  <span className="badge failed"> {s.error_span_count} err</span>
                ) : null}
              </span>
            );
          },
        },
      );
    }
    cols.push(
      { id: "start_time", header: "Start", cell: ({ row }) => formatTime(row.original.start_time) },
      {
        id: "end_time",
        header: "End",
        cell: ({ row }) => formatEndTime(row.original.start_time, row.original.end_time),
      },
      {
        id: "duration",
        header: "Duration",
        cell: ({ row }) => {
          const r = row.original;
          if (r.end_time !== null) return formatDuration(durationBetween(r.start_time, r.end_time));
          return <span className="muted">{formatDuration(Date.now() / 1000 - r.start_time)} so far</span>;
        },
      },
    );
    return cols;
  }, [hasSummaries]);
  const table = useReactTable({
    data: rows,
    columns,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    manualPagination: true,
  });

  const toggleStatus = (s: string) => {
    const next = status.includes(s) ? status.filter((x) => x !== s) : [...status, s];
    setParams({ status: next, page: null });
  };
  const sortBy = (id: string) => {
    if (!SORTABLE.has(id)) return;
    setParams({ sort: id, order: sort === id && order === "desc" ? "asc" : "desc", page: null });
  };

  return (
    <section>
      <h1>Rollouts</h1>
      <div className="toolbar">
        <fieldset className="chips" aria-label="Status filter">
          {ROLLOUT_STATUSES.map((s) => (
            <button
              key={s}
              type="button"
              className={`chip ${status.includes(s) ? "on" : ""}`}
              aria-pressed={status.includes(s)}
              onClick={() => toggleStatus(s)}
            >
              {s}
            </button>
          ))}
        </fieldset>
        <select
          aria-label="Mode"
          value={mode}
          onChange={(e) => setParams({ mode: e.target.value, page: null })}
        >
          <option value="">any mode</option>
          {MODES.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
          <option value="none">no mode</option>
        </select>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setParams({ q: search.trim(), page: null });
          }}
        >
          <input
            type="search"
            aria-label="Search rollout id"
            placeholder="Search rollout id…"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </form>
        <span className="grow" />
        <select
          aria-label="Page size"
          value={size}
          onChange={(e) => setParams({ size: Number(e.target.value), page: null })}
        >
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n} / page
            </option>
          ))}
        </select>
        <button type="button" onClick={() => void query.refetch()}>
          Refresh
        </button>
        <span className="muted small" data-testid="fetch-state">
          {query.isFetching
            ? "updating…"
            : query.dataUpdatedAt
              ? `updated ${formatTime(query.dataUpdatedAt / 1000).slice(11)}`
              : ""}
        </span>
      </div>
      {query.data?.modeInBrowser ? (
        <div className="notice">
          The store API has no mode filter: the mode is filtered in the browser over every rollout matching
          the other filters.
        </div>
      ) : null}
      {summaries.data === null ? (
        <div className="notice small">
          This store server has no summary extension: rewards, tokens and span counts are hidden.
        </div>
      ) : null}
      {query.isError ? (
        <ErrorBox error={query.error} />
      ) : query.isPending ? (
        <Loading what="Loading rollouts" />
      ) : rows.length === 0 ? (
        <Empty
          title={status.length > 0 || mode || q ? "No rollout matches these filters." : "No rollouts yet."}
          hint={
            status.length > 0 || mode || q
              ? "Clear a filter to see more."
              : "Enqueue one with the store API or run a trainer."
          }
        />
      ) : (
        <>
          <div style={{ overflowX: "auto" }}>
            <table className="grid" data-testid="rollouts-table">
              <thead>
                {table.getHeaderGroups().map((group) => (
                  <tr key={group.id}>
                    {group.headers.map((header) => {
                      const id = header.column.id;
                      const sortable = SORTABLE.has(id);
                      const arrow = sort === id ? (order === "asc" ? " ▲" : " ▼") : "";
                      return (
                        <th
                          key={header.id}
                          className={sortable ? "sortable" : ""}
                          onClick={() => sortBy(id)}
                          aria-sort={sort === id ? (order === "asc" ? "ascending" : "descending") : undefined}
                        >
                          {flexRender(header.column.columnDef.header, header.getContext())}
                          {arrow}
                        </th>
                      );
                    })}
                  </tr>
                ))}
              </thead>
              <tbody>
                {table.getRowModel().rows.map((row) => (
                  <tr key={row.id} data-rollout={row.original.rollout_id}>
                    {row.getVisibleCells().map((cell) => (
                      <td key={cell.id} className={cell.column.id === "input" ? "wrap" : ""}>
                        {flexRender(cell.column.columnDef.cell, cell.getContext())}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager
            offset={page * size}
            limit={size}
            total={query.data?.total ?? 0}
            onPage={(p) => setParams({ page: p === 0 ? null : p })}
          />
        </>
      )}
    </section>
  );
}
