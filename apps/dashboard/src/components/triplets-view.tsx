import type { Span } from "@agentlightning/types";
import { useMemo } from "react";
import { formatNumber, previewJson } from "../lib/format.js";
import { tripletsOf } from "../lib/triplets.js";
import { Empty } from "./states.js";

function lastPrompt(messages: { role: string; content: string | null }[]) {
  for (let i = messages.length - 1; i >= 0; i--)
    if (messages[i]!.role === "user") return messages[i]!.content ?? "";
  return messages.at(-1)?.content ?? "";
}

/**
 * The prompt / response / reward triplets the default triplet adapter would form from an attempt
 * (a display-only reading, see `tripletsOf`), with token-id counts, which RL training needs.
 */
export function TripletsView({ spans, onSelect }: { spans: readonly Span[]; onSelect(span: Span): void }) {
  const triplets = useMemo(() => tripletsOf(spans), [spans]);
  if (triplets.length === 0)
    return (
      <Empty
        title="No LLM calls in this attempt."
        hint="Triplets come from openai.chat.completion spans (gen_ai.* attributes)."
      />
    );
  return (
    <table className="grid" data-testid="triplets">
      <thead>
        <tr>
          <th>#</th>
          <th>Prompt (last user message)</th>
          <th>Response</th>
          <th className="num">Reward</th>
          <th className="num">Tokens</th>
          <th className="num">Token ids (prompt / response)</th>
        </tr>
      </thead>
      <tbody>
        {triplets.map((t, i) => (
          <tr
            key={`${t.span.span_id}-${t.span.sequence_id}`}
            onClick={() => onSelect(t.span)}
            style={{ cursor: "pointer" }}
          >
            <td>{i + 1}</td>
            <td className="wrap" title={lastPrompt(t.call.prompt)}>
              {previewJson(lastPrompt(t.call.prompt), 90)}
            </td>
            <td className="wrap">
              {previewJson(t.call.completion.map((m) => m.content ?? "").join("\n"), 90)}
            </td>
            <td className="num">{formatNumber(t.reward)}</td>
            <td className="num">{formatNumber(t.call.usage.total)}</td>
            <td className="num">
              {t.call.promptTokenIds ?? "—"} / {t.call.responseTokenIds ?? "—"}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
