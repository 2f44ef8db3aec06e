import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Pager } from "../components/pager.js";
import { Empty, ErrorBox, Loading, StatusBadge } from "../components/states.js";
import { useApi, useLiveInterval } from "../lib/api-context.js";
import { durationBetween, formatDuration, formatTime, previewJson } from "../lib/format.js";
import { formatHash, intParam, useParams } from "../lib/router.js";
import { spanKey } from "../lib/span-tree.js";

const WINDOWS: Record<string, number> = { "15m": 900, "1h": 3600, "24h": 86400, "7d": 7 * 86400 };
const FIELDS = ["name", "contains", "key", "value", "rollout"] as const;
type Field = (typeof FIELDS)[number];
const PAGE = 50;

/** Spans across rollouts (extension `GET /v1/agl/ext/spans`): search by name, attribute, status and time. */
export function SpansPage() {
  const api = useApi();
  const live = useLiveInterval();
  const [params, setParams] = useParams();
  const status = params.get("status") ?? "";
  const windowKey = params.get("window") ?? "";
  const page = intParam(params, "page", 0);
  const values = Object.fromEntries(FIELDS.map((f) => [f, params.get(f) ?? ""])) as Record<Field, string>;
  const [draft, setDraft] = useState(values);
  const draftKey = FIELDS.map((f) => values[f]).join("\u0000");
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset the form when the URL changes
  useEffect(() => setDraft(values), [draftKey]);
  const search = useQuery({
    queryKey: ["span-search", values, status, windowKey, page],
    refetchInterval: live,
    placeholderData: keepPreviousData,
    retry: false,
    queryFn: ({ signal }) =>
      api.extSearchSpans(
        {
          name: values.name || undefined,
          nameContains: values.contains || undefined,
          attributeKey: values.key || undefined,
          attributeValue: values.key && values.value ? values.value : undefined,
          statusCode: status || undefined,
          rolloutId: values.rollout || undefined,
          since: WINDOWS[windowKey] ? Date.now() / 1000 - WINDOWS[windowKey]! : undefined,
          limit: PAGE,
          offset: page * PAGE,
        },
        signal,
      ),
  });
  const data = search.data;
  return (
    <section>
      <h1>Spans across rollouts</h1>
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          setParams({ ...draft, page: null });
        }}
      >
        <input
          aria-label="Span name"
          placeholder="name (exact)"
          value={draft.name}
          onChange={(e) => setDraft({ ...draft, name: e.target.value })}
        />
        <input
          aria-label="Name contains"
          placeholder="name contains"
          value={draft.contains}
          onChange={(e) => setDraft({ ...draft, contains: e.target.value })}
        />
        <input
          aria-label="Attribute key"
          placeholder="attribute key"
          value={draft.key}
          onChange={(e) => setDraft({ ...draft, key: e.target.value })}
        />
        <input
          aria-label="Attribute value"
          placeholder="= value"
          value={draft.value}
          disabled={!draft.key}
          onChange={(e) => setDraft({ ...draft, value: e.target.value })}
        />
        <input
          aria-label="Rollout id"
          placeholder="rollout id"
          value={draft.rollout}
          onChange={(e) => setDraft({ ...draft, rollout: e.target.value })}
        />
        <select
          aria-label="Status code"
          value={status}
          onChange={(e) => setParams({ status: e.target.value, page: null })}
        >
          <option value="">any status</option>
          <option value="ERROR">ERROR</option>
          <option value="OK">OK</option>
          <option value="UNSET">UNSET</option>
        </select>
        <select
          aria-label="Time window"
          value={windowKey}
          onChange={(e) => setParams({ window: e.target.value, page: null })}
        >
          <option value="">any time</option>
          {Object.keys(WINDOWS).map((w) => (
            <option key={w} value={w}>
              last {w}
            </option>
          ))}
        </select>
        <button type="submit" className="primary">
          Search
        </button>
        <button
          type="button"
          onClick={() =>
            setParams({
              name: null,
              contains: "openai.chat.completion",
              key: null,
              value: null,
              rollout: null,
              status: "ERROR",
              window: "1h",
              page: null,
            })
          }
        >
          Failed LLM calls, last hour
        </button>
      </form>
      {search.isError ? (
        <ErrorBox error={search.error} />
      ) : search.isPending ? (
        <Loading what="Searching spans" />
      ) : data === null || data === undefined ? (
        <Empty
          title="This store server has no span search extension (GET /v1/agl/ext/spans)."
          hint="A Python store does not have it; open a rollout to see its spans, or serve the store with agl store."
        />
      ) : data.items.length === 0 ? (
        <Empty title="No span matches." hint="Loosen a condition or widen the time window." />
      ) : (
        <>
          <div style={{ overflowX: "auto" }}>
            <table className="grid" data-testid="spans-table">
              <thead>
                <tr>
                  <th>Start</th>
                  <th>Name</th>
                  <th>Status</th>
                  <th>Duration</th>
                  <th>Rollout</th>
                  <th>Attempt</th>
                  <th>Attributes</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((s) => (
                  <tr key={`${s.rollout_id}/${s.attempt_id}/${s.span_id}/${s.sequence_id}`}>
                    <td>{formatTime(s.start_time)}</td>
                    <td>{s.name}</td>
                    <td>
                      <StatusBadge status={s.status.status_code} />
                    </td>
                    <td>{formatDuration(durationBetween(s.start_time, s.end_time))}</td>
                    <td className="mono">
                      <a
                        href={formatHash(["rollouts", s.rollout_id], {
                          attempt: s.attempt_id,
                          span: spanKey(s),
                        })}
                      >
                        {s.rollout_id}
                      </a>
                    </td>
                    <td className="mono">{s.attempt_id}</td>
                    <td className="wrap" title={previewJson(s.attributes, 2000)}>
                      {previewJson(s.attributes, 80)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager
            offset={data.offset}
            limit={PAGE}
            total={data.total}
            onPage={(p) => setParams({ page: p || null })}
          />
        </>
      )}
    </section>
  );
}
