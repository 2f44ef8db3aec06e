import type { Span } from "@agentlightning/types";
import { useMemo } from "react";
import { adapterTriplets } from "../lib/adapter-triplets.js";
import { formatNumber, previewJson } from "../lib/format.js";
import { Empty } from "./states.js";

/** The text of the last user message of a prompt as the adapter keeps it (a message list). */
function lastUserText(raw: unknown): string {
  const messages = Array.isArray(raw) ? raw : raw && typeof raw === "object" ? Object.values(raw) : [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as { role?: unknown; content?: unknown } | undefined;
    if (m?.role === "user") return typeof m.content === "string" ? m.content : previewJson(m.content, 500);
  }
  return previewJson(raw, 500);
}

/** The text of a response as the adapter keeps it (a list of choices or messages). */
function responseText(raw: unknown): string {
  const items = Array.isArray(raw) ? raw : raw && typeof raw === "object" ? Object.values(raw) : [];
  const texts = items.map((c) => {
    const item = c as { content?: unknown; message?: { content?: unknown } } | undefined;
    const content = item?.content ?? item?.message?.content;
    return typeof content === "string" ? content : previewJson(content ?? "", 200);
  });
  return texts.length > 0 ? texts.join("\n") : previewJson(raw, 500);
}

/**
 * The triplets `TracerTraceToTriplet` (of @agentlightning/tracer, with its defaults) makes from the
 * attempt's spans, as an algorithm would receive them, and the LLM-call spans it dropped, with why.
 */
export function TripletsView({ spans, onSelect }: { spans: readonly Span[]; onSelect(span: Span): void }) {
  const result = useMemo(() => {
    try {
      return { ok: true as const, ...adapterTriplets(spans) };
    } catch (error) {
      return { ok: false as const, error: error as Error };
    }
  }, [spans]);
  const byResponseId = useMemo(() => {
    const map = new Map<string, Span>();
    for (const s of spans) {
      const id = s.attributes["gen_ai.response.id"];
      if (typeof id === "string" && !map.has(id)) map.set(id, s);
    }
    return map;
  }, [spans]);
  if (!result.ok)
    return <Empty title="The triplet adapter could not read these spans." hint={result.error.message} />;
  const { triplets, dropped } = result;
  return (
    <div style={{ display: "grid", gap: 12 }}>
      <div className="small muted">
        What <code>TracerTraceToTriplet</code> (default options) produces from this attempt: one triplet per
        LLM call, rewards matched from reward spans ({result.llmCallSpans} LLM-call spans, {dropped.length}{" "}
        dropped).
      </div>
      {triplets.length === 0 ? (
        <Empty
          title="No triplets from this attempt."
          hint="Triplets come from openai.chat.completion spans (gen_ai.* attributes)."
        />
      ) : (
        <table className="grid" data-testid="triplets">
          <thead>
            <tr>
              <th>#</th>
              <th>Prompt (last user message)</th>
              <th>Response</th>
              <th className="num">Reward</th>
              <th className="num">Token ids (prompt / response)</th>
              <th>Agent</th>
            </tr>
          </thead>
          <tbody>
            {triplets.map((t, i) => {
              const responseId = typeof t.metadata.response_id === "string" ? t.metadata.response_id : null;
              const span = responseId === null ? undefined : byResponseId.get(responseId);
              return (
                <tr
                  // biome-ignore lint/suspicious/noArrayIndexKey: triplets are positional; response ids may be missing
                  key={`${responseId ?? ""}-${i}`}
                  onClick={span ? () => onSelect(span) : undefined}
                  style={{ cursor: span ? "pointer" : undefined }}
                  title={span ? "Show the span" : undefined}
                >
                  <td>{i + 1}</td>
                  <td className="wrap">{previewJson(lastUserText(t.prompt.raw_content), 90)}</td>
                  <td className="wrap">{previewJson(responseText(t.response.raw_content), 90)}</td>
                  <td className="num">{formatNumber(t.reward)}</td>
                  <td className="num">
                    {t.prompt.token_ids.length} / {t.response.token_ids.length}
                  </td>
                  <td>{String(t.metadata.agent_name ?? "")}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {dropped.length > 0 ? (
        <>
          <h2>LLM-call spans the adapter dropped</h2>
          <table className="grid" data-testid="triplets-dropped">
            <thead>
              <tr>
                <th>Span</th>
                <th>Why</th>
              </tr>
            </thead>
            <tbody>
              {dropped.map((d) => (
                <tr key={`${d.spanId}-${d.sequenceId}`}>
                  <td className="mono">
                    #{d.sequenceId} {d.name}
                  </td>
                  <td className="wrap">{d.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </div>
  );
}
