import type { Resource, ResourcesUpdate } from "@agentlightning/types";
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { JsonView } from "../components/key-values.js";
import { Empty, ErrorBox, Loading } from "../components/states.js";
import { useApi, useLiveInterval } from "../lib/api-context.js";
import { formatTime } from "../lib/format.js";
import { useParams } from "../lib/router.js";
import { diffLines } from "../lib/text-diff.js";

function ResourceView({ name, resource }: { name: string; resource: Resource }) {
  return (
    <div className="card" data-testid={`resource-${name}`}>
      <div className="label">
        {name} · {resource.resource_type}
      </div>
      {resource.resource_type === "prompt_template" ? (
        <>
          <div className="small muted">engine: {resource.engine}</div>
          <pre className="json">{resource.template}</pre>
        </>
      ) : resource.resource_type === "llm" || resource.resource_type === "proxy_llm" ? (
        <table className="kv">
          <tbody>
            <tr>
              <td>endpoint</td>
              <td className="mono">{resource.endpoint}</td>
            </tr>
            <tr>
              <td>model</td>
              <td className="mono">{resource.model}</td>
            </tr>
            <tr>
              <td>api key</td>
              <td>{resource.api_key ? "set (hidden)" : "none"}</td>
            </tr>
            <tr>
              <td>sampling</td>
              <td className="mono">{JSON.stringify(resource.sampling_parameters)}</td>
            </tr>
          </tbody>
        </table>
      ) : (
        <JsonView value={resource} />
      )}
    </div>
  );
}

function templates(update: ResourcesUpdate | undefined) {
  const out: Record<string, string> = {};
  for (const [name, r] of Object.entries(update?.resources ?? {}))
    if (r.resource_type === "prompt_template") out[name] = r.template;
  return out;
}

/** Every resources snapshot, the latest marked, each resource rendered, and a diff of two prompt templates. */
export function ResourcesPage() {
  const api = useApi();
  const live = useLiveInterval();
  const [params, setParams] = useParams();
  const list = useQuery({
    queryKey: ["resources"],
    refetchInterval: live,
    queryFn: ({ signal }) => api.queryResources(signal),
  });
  const latest = useQuery({
    queryKey: ["resources-latest"],
    refetchInterval: live,
    queryFn: ({ signal }) => api.latestResources(signal),
  });
  const items = useMemo(() => [...(list.data?.items ?? [])].reverse(), [list.data]);
  const latestId = latest.data?.resources_id ?? null;
  const selectedId = params.get("id") ?? latestId ?? items[0]?.resources_id ?? null;
  const selected = items.find((r) => r.resources_id === selectedId);
  const a = items.find((r) => r.resources_id === params.get("a")) ?? items[1];
  const b = items.find((r) => r.resources_id === params.get("b")) ?? items[0];
  const names = [...new Set([...Object.keys(templates(a)), ...Object.keys(templates(b))])];
  const templateName =
    params.get("template") && names.includes(params.get("template")!) ? params.get("template")! : names[0];
  const diff = useMemo(
    () =>
      templateName === undefined
        ? []
        : diffLines(templates(a)[templateName] ?? "", templates(b)[templateName] ?? ""),
    [a, b, templateName],
  );

  if (list.isError) return <ErrorBox error={list.error} />;
  if (list.isPending) return <Loading what="Loading resources" />;
  if (items.length === 0)
    return (
      <Empty
        title="No resources yet."
        hint="An algorithm publishes resources (an LLM endpoint, a prompt template) with POST /v1/agl/resources."
      />
    );
  return (
    <section>
      <h1>Resources</h1>
      <div style={{ display: "grid", gridTemplateColumns: "minmax(0, 2fr) minmax(0, 3fr)", gap: 14 }}>
        <div style={{ overflowX: "auto" }}>
          <table className="grid" data-testid="resources-table">
            <thead>
              <tr>
                <th>Resources</th>
                <th className="num">Version</th>
                <th>Updated</th>
                <th>Names</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr
                  key={r.resources_id}
                  onClick={() => setParams({ id: r.resources_id })}
                  style={{ cursor: "pointer" }}
                  aria-selected={r.resources_id === selectedId}
                  className={r.resources_id === selectedId ? "selected" : ""}
                >
                  <td className="mono">
                    {r.resources_id === selectedId ? "▶ " : ""}
                    {r.resources_id}{" "}
                    {r.resources_id === latestId ? <span className="badge succeeded">latest</span> : null}
                  </td>
                  <td className="num">{r.version}</td>
                  <td>{formatTime(r.update_time)}</td>
                  <td className="wrap">{Object.keys(r.resources).join(", ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div style={{ display: "grid", gap: 10, alignContent: "start" }}>
          {selected ? (
            <>
              <div className="small muted">
                {selected.resources_id} · version {selected.version} · created{" "}
                {formatTime(selected.create_time)}
              </div>
              {Object.entries(selected.resources).map(([name, r]) => (
                <ResourceView key={name} name={name} resource={r} />
              ))}
            </>
          ) : (
            <Empty title={`No resources ${selectedId}.`} />
          )}
        </div>
      </div>
      <h2>Compare prompt templates</h2>
      {items.length < 2 || names.length === 0 ? (
        <div className="muted">Two snapshots with a prompt template are needed for a diff.</div>
      ) : (
        <>
          <div className="toolbar">
            <select
              aria-label="Old snapshot"
              value={a?.resources_id}
              onChange={(e) => setParams({ a: e.target.value })}
            >
              {items.map((r) => (
                <option key={r.resources_id} value={r.resources_id}>
                  {r.resources_id} v{r.version}
                </option>
              ))}
            </select>
            →
            <select
              aria-label="New snapshot"
              value={b?.resources_id}
              onChange={(e) => setParams({ b: e.target.value })}
            >
              {items.map((r) => (
                <option key={r.resources_id} value={r.resources_id}>
                  {r.resources_id} v{r.version}
                </option>
              ))}
            </select>
            <select
              aria-label="Template"
              value={templateName}
              onChange={(e) => setParams({ template: e.target.value })}
            >
              {names.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
            <span className="small muted">
              {diff.filter((l) => l.kind === "removed").length} removed,{" "}
              {diff.filter((l) => l.kind === "added").length} added
            </span>
          </div>
          <div className="diff" data-testid="template-diff">
            {diff.map((line, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: diff lines are positional
              <div key={i} className={line.kind}>
                {line.kind === "added" ? "+ " : line.kind === "removed" ? "- " : "  "}
                {line.text}
              </div>
            ))}
          </div>
        </>
      )}
    </section>
  );
}
