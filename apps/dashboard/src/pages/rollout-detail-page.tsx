import type { Attempt } from "@agentlightning/types";
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { AnnotateForm } from "../components/annotate-form.js";
import { JsonView } from "../components/key-values.js";
import { SpanPanel } from "../components/span-panel.js";
import { Empty, ErrorBox, Loading, StatusBadge } from "../components/states.js";
import { TripletsView } from "../components/triplets-view.js";
import { Waterfall } from "../components/waterfall.js";
import { useApi, useLiveInterval } from "../lib/api-context.js";
import {
  durationBetween,
  formatAgo,
  formatDuration,
  formatEndTime,
  formatNumber,
  formatTime,
  previewJson,
} from "../lib/format.js";
import { finalReward } from "../lib/rewards.js";
import { useParams } from "../lib/router.js";
import { spanKey } from "../lib/span-tree.js";

const TABS = ["trace", "triplets", "annotate", "rollout"] as const;
/** Spans drawn before the rest of a big attempt has arrived. */
const FIRST_SPANS = 2000;
type Tab = (typeof TABS)[number];

function AttemptsTable({
  attempts,
  selected,
  onSelect,
}: {
  attempts: Attempt[];
  selected: string | null;
  onSelect(id: string): void;
}) {
  return (
    <table className="grid" data-testid="attempts-table">
      <thead>
        <tr>
          <th>#</th>
          <th>Attempt</th>
          <th>Status</th>
          <th>Worker</th>
          <th>Start</th>
          <th>End</th>
          <th>Duration</th>
          <th>Last heartbeat</th>
        </tr>
      </thead>
      <tbody>
        {attempts.map((a) => (
          <tr
            key={a.attempt_id}
            onClick={() => onSelect(a.attempt_id)}
            style={{ cursor: "pointer" }}
            className={selected === a.attempt_id ? "selected" : ""}
            aria-selected={selected === a.attempt_id}
          >
            <td>{a.sequence_id}</td>
            <td className="mono">
              {selected === a.attempt_id ? "▶ " : ""}
              {a.attempt_id}
            </td>
            <td>
              <StatusBadge status={a.status} />
            </td>
            <td className="mono">
              {a.worker_id ? (
                <a href={`#/workers?q=${encodeURIComponent(a.worker_id)}`}>{a.worker_id}</a>
              ) : (
                "—"
              )}
            </td>
            <td>{formatTime(a.start_time)}</td>
            <td>{formatEndTime(a.start_time, a.end_time)}</td>
            <td>{formatDuration(durationBetween(a.start_time, a.end_time))}</td>
            <td title={formatTime(a.last_heartbeat_time)}>
              {a.last_heartbeat_time === null ? "never" : formatAgo(a.last_heartbeat_time)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One rollout: its attempts, the span waterfall of the chosen attempt, triplets and annotation. */
export function RolloutDetailPage({ rolloutId }: { rolloutId: string }) {
  const api = useApi();
  const live = useLiveInterval();
  const [params, setParams] = useParams();
  const tab: Tab = (TABS as readonly string[]).includes(params.get("tab") ?? "")
    ? (params.get("tab") as Tab)
    : "trace";
  const rollout = useQuery({
    queryKey: ["rollout", rolloutId],
    refetchInterval: live,
    queryFn: ({ signal }) => api.getRollout(rolloutId, signal),
  });
  const attempts = useQuery({
    queryKey: ["attempts", rolloutId],
    refetchInterval: live,
    queryFn: ({ signal }) => api.queryAttempts(rolloutId, signal),
  });
  const attemptList = attempts.data?.items ?? [];
  const latest = attemptList.at(-1) ?? null;
  const attemptId = params.get("attempt") ?? latest?.attempt_id ?? null;
  const finished = rollout.data ? ["succeeded", "failed", "cancelled"].includes(rollout.data.status) : false;
  // A big attempt loads in two steps: the first spans (by sequence id, so parents mostly come
  // before their children) are drawn at once, the rest follows in a second request.
  const spans = useQuery({
    queryKey: ["spans", rolloutId, attemptId, "first"],
    enabled: attemptId !== null,
    // A finished rollout's spans rarely change: no live refresh for them.
    refetchInterval: finished ? false : live,
    queryFn: ({ signal }) => api.querySpans(rolloutId, attemptId, signal, { limit: FIRST_SPANS, offset: 0 }),
  });
  const total = spans.data?.total ?? 0;
  const restSpans = useQuery({
    queryKey: ["spans", rolloutId, attemptId, "rest", total],
    enabled: attemptId !== null && total > FIRST_SPANS,
    refetchInterval: finished ? false : live,
    queryFn: ({ signal }) => api.querySpans(rolloutId, attemptId, signal, { limit: -1, offset: FIRST_SPANS }),
  });
  const spanList = useMemo(
    () =>
      restSpans.data ? [...(spans.data?.items ?? []), ...restSpans.data.items] : (spans.data?.items ?? []),
    [spans.data, restSpans.data],
  );
  const loadingRest = total > FIRST_SPANS && !restSpans.data;
  const selectedKey = params.get("span");
  const selectedSpan = useMemo(
    () => (selectedKey === null ? undefined : spanList.find((s) => spanKey(s) === selectedKey)),
    [spanList, selectedKey],
  );
  const reward = useMemo(() => finalReward(spanList), [spanList]);

  if (rollout.isError) return <ErrorBox error={rollout.error} />;
  if (rollout.isPending) return <Loading what="Loading rollout" />;
  const r = rollout.data;
  if (r === null)
    return (
      <Empty
        title={`No rollout ${rolloutId} in this store.`}
        hint="It may belong to another store: check the store URL in Settings."
      />
    );

  return (
    <section>
      <div className="small">
        <a href="#/rollouts">← Rollouts</a>
      </div>
      <h1>
        <span className="mono">{r.rollout_id}</span> <StatusBadge status={r.status} />
      </h1>
      <div className="cards">
        <div className="card">
          <div className="label">Mode</div>
          <div className="value">{r.mode ?? "—"}</div>
        </div>
        <div className="card">
          <div className="label">Duration</div>
          <div className="value">{formatDuration(durationBetween(r.start_time, r.end_time))}</div>
          <div className="small muted">
            {formatTime(r.start_time)} → {formatTime(r.end_time)}
          </div>
        </div>
        <div className="card">
          <div className="label">Attempts</div>
          <div className="value">{attemptList.length}</div>
        </div>
        <div className="card">
          <div className="label">Final reward (this attempt)</div>
          <div className="value" data-testid="final-reward">
            {formatNumber(reward)}
          </div>
        </div>
        <div className="card">
          <div className="label">Resources</div>
          <div className="value mono small">
            {r.resources_id ? (
              <a href={`#/resources?id=${encodeURIComponent(r.resources_id)}`}>{r.resources_id}</a>
            ) : (
              "—"
            )}
          </div>
        </div>
        <div className="card" title={previewJson(r.input, 2000)}>
          <div className="label">Input</div>
          <div className="mono small">{previewJson(r.input, 120)}</div>
        </div>
      </div>
      <h2>Attempts</h2>
      {attempts.isError ? (
        <ErrorBox error={attempts.error} />
      ) : attempts.isPending ? (
        <Loading what="Loading attempts" />
      ) : attemptList.length === 0 ? (
        <Empty title="No attempt yet." hint="The rollout is waiting in the queue for a runner." />
      ) : (
        <AttemptsTable
          attempts={attemptList}
          selected={attemptId}
          onSelect={(id) => setParams({ attempt: id, span: null })}
        />
      )}
      <div className="tabs" role="tablist" style={{ marginTop: 16 }}>
        {TABS.map((t) => (
          <button
            key={t}
            type="button"
            role="tab"
            aria-selected={tab === t}
            className={tab === t ? "on" : ""}
            onClick={() => setParams({ tab: t === "trace" ? null : t }, true)}
          >
            {t}
          </button>
        ))}
      </div>
      {tab === "rollout" ? (
        <div style={{ display: "grid", gap: 10 }}>
          <h2>Input</h2>
          <JsonView value={r.input} />
          <h2>Config</h2>
          <JsonView value={r.config} />
          <h2>Metadata</h2>
          <JsonView value={r.metadata} />
        </div>
      ) : tab === "annotate" ? (
        <AnnotateForm
          rolloutId={r.rollout_id}
          attemptId={latest?.attempt_id ?? null}
          attemptStatus={latest?.status ?? null}
        />
      ) : attemptId === null ? (
        <Empty title="No spans: the rollout has no attempt yet." />
      ) : spans.isError ? (
        <ErrorBox error={spans.error} />
      ) : spans.isPending ? (
        <Loading what="Loading spans" />
      ) : spanList.length === 0 ? (
        <Empty title="This attempt has no spans yet." hint="Spans appear here as the runner writes them." />
      ) : loadingRest && tab === "triplets" ? (
        <Loading what={`Loading ${total} spans`} />
      ) : tab === "triplets" ? (
        <TripletsView spans={spanList} onSelect={(s) => setParams({ tab: null, span: spanKey(s) })} />
      ) : (
        <>
          {loadingRest ? (
            <div className="notice small" role="status">
              Showing the first {spanList.length} of {total} spans; loading the rest…
            </div>
          ) : null}
          {restSpans.isError ? <ErrorBox error={restSpans.error} /> : null}
          <div className="detail">
            {loadingRest ? (
              <div className="notice small" role="status" style={{ gridColumn: "1 / -1", margin: 0 }}>
                Showing the first {spanList.length} of {total} spans; loading the rest…
              </div>
            ) : null}
            <Waterfall
              spans={spanList}
              selectedKey={selectedKey}
              onSelect={(key) => setParams({ span: key }, true)}
            />
            <div className="panel">
              {selectedSpan ? (
                <SpanPanel key={selectedKey} span={selectedSpan} />
              ) : (
                <div className="muted">
                  Select a span to see its attributes, events, rewards and, for LLM calls, the chat.
                </div>
              )}
            </div>
          </div>
        </>
      )}
    </section>
  );
}
