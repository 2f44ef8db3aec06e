import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Empty, ErrorBox, Loading, StatusBadge } from "../components/states.js";
import { useApi, useLiveInterval } from "../lib/api-context.js";
import { formatAgo, formatTime } from "../lib/format.js";
import { formatHash, listParam, useParams } from "../lib/router.js";

const WORKER_STATUSES = ["busy", "idle", "unknown"];

function Stats({ stats }: { stats: Record<string, unknown> | null }) {
  if (!stats || Object.keys(stats).length === 0) return <span className="muted">—</span>;
  return (
    <span className="small mono">
      {Object.entries(stats)
        .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
        .join(" · ")}
    </span>
  );
}

/** Workers: status, current rollout, heartbeats and their stats; filter by status and id. */
export function WorkersPage() {
  const api = useApi();
  const live = useLiveInterval();
  const [params, setParams] = useParams();
  const status = listParam(params, "status");
  const q = params.get("q") ?? "";
  const [search, setSearch] = useState(q);
  useEffect(() => setSearch(q), [q]);
  const workers = useQuery({
    queryKey: ["workers", status, q],
    refetchInterval: live,
    placeholderData: keepPreviousData,
    queryFn: ({ signal }) =>
      api.queryWorkers(
        { statusIn: status.length ? status : undefined, workerIdContains: q || undefined },
        signal,
      ),
  });
  const items = workers.data?.items ?? [];
  const now = Date.now() / 1000;
  return (
    <section>
      <h1>Workers</h1>
      <div className="toolbar">
        <fieldset className="chips" aria-label="Status filter">
          {WORKER_STATUSES.map((s) => (
            <button
              key={s}
              type="button"
              className={`chip ${status.includes(s) ? "on" : ""}`}
              aria-pressed={status.includes(s)}
              onClick={() =>
                setParams({ status: status.includes(s) ? status.filter((x) => x !== s) : [...status, s] })
              }
            >
              {s}
            </button>
          ))}
        </fieldset>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setParams({ q: search.trim() });
          }}
        >
          <input
            type="search"
            aria-label="Search worker id"
            placeholder="Search worker id…"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </form>
        <span className="muted small">{workers.data ? `${workers.data.total} workers` : ""}</span>
      </div>
      {workers.isError ? (
        <ErrorBox error={workers.error} />
      ) : workers.isPending ? (
        <Loading what="Loading workers" />
      ) : items.length === 0 ? (
        <Empty
          title={status.length || q ? "No worker matches these filters." : "No workers yet."}
          hint="A worker appears when a runner first dequeues or reports a heartbeat."
        />
      ) : (
        <div style={{ overflowX: "auto" }}>
          <table className="grid" data-testid="workers-table">
            <thead>
              <tr>
                <th>Worker</th>
                <th>Status</th>
                <th>Current rollout</th>
                <th>Last heartbeat</th>
                <th>Last dequeue</th>
                <th>Last busy</th>
                <th>Last idle</th>
                <th>Heartbeat stats</th>
              </tr>
            </thead>
            <tbody>
              {items.map((w) => (
                <tr key={w.worker_id} data-worker={w.worker_id}>
                  <td className="mono">{w.worker_id}</td>
                  <td>
                    <StatusBadge status={w.status} />
                  </td>
                  <td className="mono">
                    {w.current_rollout_id ? (
                      <a
                        href={formatHash(["rollouts", w.current_rollout_id], {
                          attempt: w.current_attempt_id,
                        })}
                      >
                        {w.current_rollout_id}
                      </a>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td title={formatTime(w.last_heartbeat_time)}>{formatAgo(w.last_heartbeat_time, now)}</td>
                  <td title={formatTime(w.last_dequeue_time)}>{formatAgo(w.last_dequeue_time, now)}</td>
                  <td title={formatTime(w.last_busy_time)}>{formatAgo(w.last_busy_time, now)}</td>
                  <td title={formatTime(w.last_idle_time)}>{formatAgo(w.last_idle_time, now)}</td>
                  <td className="wrap">
                    <Stats stats={w.heartbeat_stats as Record<string, unknown> | null} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
