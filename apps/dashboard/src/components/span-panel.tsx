import type { Span } from "@agentlightning/types";
import { useState } from "react";
import { durationBetween, formatDuration, formatTime } from "../lib/format.js";
import { isLlmCallSpan, readLlmCall } from "../lib/llm-call.js";
import { rewardOfSpan, rewardsOfSpan } from "../lib/rewards.js";
import { ChatView } from "./chat-view.js";
import { JsonView, KeyValues } from "./key-values.js";
import { StatusBadge } from "./states.js";

type Tab = "chat" | "attributes" | "events" | "rewards" | "json";

/** The side panel of a span: chat for LLM calls, attributes, events, rewards and the raw JSON. */
export function SpanPanel({ span }: { span: Span }) {
  const llm = isLlmCallSpan(span);
  const [tab, setTab] = useState<Tab>(llm ? "chat" : "attributes");
  const current: Tab = tab === "chat" && !llm ? "attributes" : tab;
  const rewards = rewardsOfSpan(span);
  const reward = rewardOfSpan(span);
  const tabs: Tab[] = llm
    ? ["chat", "attributes", "events", "rewards", "json"]
    : ["attributes", "events", "rewards", "json"];
  return (
    <div data-testid="span-panel">
      <h2 style={{ marginTop: 0, wordBreak: "break-all" }}>{span.name}</h2>
      <table className="kv">
        <tbody>
          <tr>
            <td>status</td>
            <td>
              <StatusBadge status={span.status.status_code} /> {span.status.description ?? ""}
            </td>
          </tr>
          <tr>
            <td>start / end</td>
            <td>
              {formatTime(span.start_time)} → {formatTime(span.end_time)}
            </td>
          </tr>
          <tr>
            <td>duration</td>
            <td>{formatDuration(durationBetween(span.start_time, span.end_time))}</td>
          </tr>
          <tr>
            <td>sequence / span id</td>
            <td className="mono">
              {span.sequence_id} · {span.span_id}
              {span.parent_id ? ` ← ${span.parent_id}` : ""}
            </td>
          </tr>
        </tbody>
      </table>
      <div className="tabs" role="tablist" style={{ marginTop: 10 }}>
        {tabs.map((t) => (
          <button
            key={t}
            type="button"
            role="tab"
            aria-selected={current === t}
            className={current === t ? "on" : ""}
            onClick={() => setTab(t)}
          >
            {t === "rewards" && reward !== null
              ? `rewards (${reward})`
              : t === "events"
                ? `events (${span.events.length})`
                : t}
          </button>
        ))}
      </div>
      {current === "chat" ? <ChatView call={readLlmCall(span)} /> : null}
      {current === "attributes" ? <KeyValues values={span.attributes} empty="No attributes." /> : null}
      {current === "events" ? (
        span.events.length === 0 ? (
          <div className="muted small">No events.</div>
        ) : (
          span.events.map((e, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: events have no id
            <div key={i} style={{ marginBottom: 8 }}>
              <div>
                <strong>{e.name}</strong>{" "}
                <span className="muted small">{formatTime(e.timestamp ?? null)}</span>
              </div>
              <KeyValues values={e.attributes} />
            </div>
          ))
        )
      ) : null}
      {current === "rewards" ? (
        reward === null ? (
          <div className="muted small">This span carries no reward.</div>
        ) : rewards.length > 0 ? (
          <KeyValues values={Object.fromEntries(rewards.map((d) => [d.name, d.value]))} />
        ) : (
          <KeyValues values={{ reward }} />
        )
      ) : null}
      {current === "json" ? <JsonView value={span} /> : null}
    </div>
  );
}
