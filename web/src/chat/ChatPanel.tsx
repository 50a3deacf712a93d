import { useEffect, useRef, type KeyboardEvent } from "react";
import type { Report } from "../api";

export interface ChatMessage {
  id: number;
  role: "user" | "agent";
  text: string;
  report: Report | null;
  /** An HTTP or network failure, shown as an agent message. */
  error?: boolean;
  at?: string;
}

const EXAMPLES = [
  "add step Deploy after Build",
  "connect build to deploy",
  "rename deploy to Release",
  "remove lint",
  "undo",
];

interface Props {
  messages: ChatMessage[];
  input: string;
  setInput: (text: string) => void;
  busy: boolean;
  historyError: string | null;
  onSend: (text: string) => void;
}

function ReportLines({ report, reply }: { report: Report; reply: string }) {
  const message = typeof report.message === "string" ? report.message.trim() : "";
  const shown = new Set([reply.trim()]);
  const showMessage = message.length > 0 && !shown.has(message);
  shown.add(message);
  // Failed items not already said by the reply or the report line (one failure usually is).
  const failed = (Array.isArray(report.failed) ? report.failed : []).filter(
    (f) => typeof f.message === "string" && !shown.has(f.message.trim()),
  );
  if (!showMessage && failed.length === 0) return null;
  return (
    <div className={`chat-report${failed.length > 0 || (report.failed?.length ?? 0) > 0 ? " has-failures" : ""}`}>
      {showMessage ? (
        <div className="chat-report-message">
          <bdi>{message}</bdi>
        </div>
      ) : null}
      {failed.length > 0 ? (
        <ul className="chat-report-failed">
          {failed.map((f, i) => (
            <li key={i}>
              <bdi>{f.message}</bdi>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** The chat: text only, oldest first, Enter sends and Shift+Enter adds a line. */
export function ChatPanel({ messages, input, setInput, busy, historyError, onSend }: Props) {
  const logRef = useRef<HTMLOListElement>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [messages, busy]);

  const send = () => {
    const text = input.trim();
    if (text.length === 0 || busy) return;
    onSend(text);
  };

  const onKeyDown = (ev: KeyboardEvent<HTMLTextAreaElement>) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.nativeEvent.isComposing) {
      ev.preventDefault();
      send();
    }
  };

  return (
    <section className="chat" aria-label="Chat with the workbench agent">
      <ol className="chat-log" data-testid="chat-log" ref={logRef} aria-live="polite">
        {messages.map((m) => (
          <li key={m.id} className={`chat-message role-${m.role}${m.error ? " error" : ""}`} data-testid="chat-message" data-role={m.role} title={m.at}>
            <span className="chat-who">{m.role === "user" ? "You" : "Agent"}</span>
            {m.error ? (
              <div className="chat-text" data-testid="chat-error" role="alert">
                <bdi>{m.text}</bdi>
              </div>
            ) : (
              <div className="chat-text">
                <bdi>{m.text}</bdi>
              </div>
            )}
            {m.report ? <ReportLines report={m.report} reply={m.text} /> : null}
          </li>
        ))}
        {busy ? (
          <li className="chat-pending" aria-label="The agent is working">
            …
          </li>
        ) : null}
      </ol>
      {messages.length === 0 ? (
        <div className="chat-examples">
          <div>Try:</div>
          {EXAMPLES.map((e) => (
            <button
              key={e}
              type="button"
              className="example"
              aria-label={`Use the example: ${e}`}
              onClick={() => {
                setInput(e);
                inputRef.current?.focus();
              }}
            >
              {e}
            </button>
          ))}
        </div>
      ) : null}
      {historyError ? <div className="chat-note">Could not load earlier messages: {historyError}</div> : null}
      <div className="chat-compose">
        <textarea
          ref={inputRef}
          className="nokey"
          data-testid="chat-input"
          aria-label="Message to the agent"
          placeholder="Describe a change… (Enter sends, Shift+Enter new line)"
          rows={3}
          value={input}
          onChange={(e) => setInput(e.target.value)}
          onKeyDown={onKeyDown}
        />
        <button type="button" data-testid="chat-send" aria-label="Send the message" disabled={busy || input.trim().length === 0} onClick={send}>
          {busy ? "Sending…" : "Send"}
        </button>
      </div>
    </section>
  );
}
