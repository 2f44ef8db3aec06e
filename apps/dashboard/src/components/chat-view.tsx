import { formatNumber } from "../lib/format.js";
import type { ChatMessage, LlmCall } from "../lib/llm-call.js";

function Message({ message }: { message: ChatMessage }) {
  return (
    <div className={`msg ${message.role}`} data-role={message.role}>
      <div className="role">
        {message.role}
        {message.toolCallId ? ` · ${message.toolCallId}` : ""}
        {message.finishReason ? ` · ${message.finishReason}` : ""}
      </div>
      {message.content ?? <span className="muted">(no content)</span>}
      {message.toolCalls.map((t, i) => (
        <div key={`${t.id ?? i}`} className="mono small">
          → {t.name ?? "tool"}({t.arguments ?? ""})
        </div>
      ))}
    </div>
  );
}

/** An LLM call as a chat: prompt messages, then the completion, with model and token counts. */
export function ChatView({ call }: { call: LlmCall }) {
  const u = call.usage;
  return (
    <div className="chat" data-testid="chat">
      <div className="small muted">
        {call.model ?? "unknown model"} · tokens: prompt {formatNumber(u.prompt)}, completion{" "}
        {formatNumber(u.completion)}, total {formatNumber(u.total)}
        {call.promptTokenIds !== null ? ` · ${call.promptTokenIds} prompt token ids` : ""}
        {call.responseTokenIds !== null ? ` · ${call.responseTokenIds} response token ids` : ""}
      </div>
      {call.prompt.map((m, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: messages have no id; the order is fixed
        <Message key={`p${i}`} message={m} />
      ))}
      {call.completion.length > 0 ? <div className="small muted">completion</div> : null}
      {call.completion.map((m, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: as above
        <Message key={`c${i}`} message={m} />
      ))}
      {call.prompt.length === 0 && call.completion.length === 0 ? (
        <div className="muted">This span records no prompt or completion messages.</div>
      ) : null}
    </div>
  );
}
