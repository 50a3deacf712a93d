import { useCallback, useEffect, useRef, useState } from "react";
import { api, ApiError, errorMessage, problemsOf, type SaveReply } from "./api";
import { CanvasView } from "./canvas/CanvasView";
import { ChatPanel, type ChatMessage } from "./chat/ChatPanel";
import { MapView } from "./map/MapView";
import { useWorkbench } from "./useWorkbench";

type Tab = "canvas" | "map";

type SaveState =
  | { kind: "idle" }
  | { kind: "busy" }
  | { kind: "saved"; path: string; note: string | null }
  | { kind: "failed"; error: string; problems: string[] };

function saveNote(r: SaveReply): string | null {
  const parts: string[] = [];
  if (r.unchanged === true) parts.push("unchanged");
  if (typeof r.backup === "string" && r.backup) parts.push(`backup: ${r.backup}`);
  if (Array.isArray(r.notes)) for (const n of r.notes) if (typeof n === "string") parts.push(n);
  return parts.length > 0 ? parts.join("; ") : null;
}

let messageIds = 0;
function newId(): number {
  messageIds += 1;
  return messageIds;
}

export function App() {
  const wb = useWorkbench();
  const [tab, setTab] = useState<Tab>("canvas");
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [input, setInput] = useState("");
  const [chatBusy, setChatBusy] = useState(false);
  const [historyError, setHistoryError] = useState<string | null>(null);
  const [save, setSave] = useState<SaveState>({ kind: "idle" });
  const chatBusyRef = useRef(false);
  const lastOwnTurn = useRef(-Infinity);
  const { chat, refetch } = wb;

  // The conversation as the server keeps it: loaded on start and again whenever another view
  // (a second tab) added to it; messages only this page has (errors it showed) stay after it.
  const { chatVersion } = wb;
  useEffect(() => {
    let cancelled = false;
    // Our own turn's echo (the server saw chat.jsonl grow because of us): nothing new to load.
    if (chatVersion > 0 && (chatBusyRef.current || performance.now() - lastOwnTurn.current < 1000)) return;
    api
      .chatHistory()
      .then((h) => {
        if (cancelled || !Array.isArray(h.messages)) return;
        const prior: ChatMessage[] = h.messages.map((m) => ({
          id: newId(),
          role: m.role === "user" ? "user" : "agent",
          text: typeof m.text === "string" ? m.text : "",
          report: m.report ?? null,
          ...(typeof m.at === "string" ? { at: m.at } : {}),
        }));
        // Messages sent before the history arrived stay after it; on a reload only this page's
        // own notes (errors) are kept, the rest comes from the server.
        setMessages((cur) =>
          chatVersion === 0 ? [...prior, ...cur] : [...prior, ...cur.filter((m) => m.error)],
        );
      })
      .catch((e: unknown) => {
        if (!cancelled && !(e instanceof ApiError && e.status === 401)) setHistoryError(errorMessage(e));
      });
    return () => {
      cancelled = true;
    };
  }, [chatVersion]);

  const onSend = useCallback(
    (text: string) => {
      if (chatBusyRef.current) return;
      chatBusyRef.current = true;
      setChatBusy(true);
      setInput("");
      setMessages((m) => [...m, { id: newId(), role: "user", text, report: null }]);
      chat(text)
        .then((reply) => {
          setMessages((m) => [...m, { id: newId(), role: "agent", text: reply.reply ?? "", report: reply.report ?? null }]);
        })
        .catch((e: unknown) => {
          setMessages((m) => [...m, { id: newId(), role: "agent", text: errorMessage(e), report: null, error: true }]);
        })
        .finally(() => {
          lastOwnTurn.current = performance.now();
          chatBusyRef.current = false;
          setChatBusy(false);
        });
    },
    [chat],
  );

  const onSave = useCallback(() => {
    setSave({ kind: "busy" });
    api
      .save()
      .then((r) => {
        setSave({ kind: "saved", path: r.saved, note: saveNote(r) });
        refetch(); // `dirty` changed without a new revision
      })
      .catch((e: unknown) => {
        setSave({ kind: "failed", error: errorMessage(e), problems: e instanceof ApiError ? problemsOf(e.body) : [] });
      });
  }, [refetch]);

  if (wb.unauthorized) {
    return (
      <main className="fatal" role="alert">
        <h1>gen workbench: not authorized</h1>
        <p>
          This page has no valid session token. Open the URL printed by <code>gen workbench</code> (the one with{" "}
          <code>?token=…</code>) in this browser.
        </p>
      </main>
    );
  }

  const shown = wb.shown;
  const view = shown?.view ?? null;
  const allProblems = view?.problems ?? [];
  const draftProblems = view ? allProblems.filter((p) => !p.nodeId || !view.draft.nodes.some((n) => n.id === p.nodeId)) : [];

  return (
    <div className="app">
      <header className="app-header">
        <div className="title-block">
          <span className={`kind-badge kind-${view?.kind ?? "draft"}`} data-testid="kind" title="What this session edits">
            {view?.kind ?? "…"}
          </span>
          <h1 className="draft-title" title={view?.draft.title ?? ""}>
            <bdi>{view ? view.draft.title || view.name : "Loading…"}</bdi>
          </h1>
          {view ? (
            <span className="rev" title="Draft revision">
              rev <span data-testid="revision">{view.revision}</span>
            </span>
          ) : null}
          {view?.dirty ? (
            <span className="dirty" title="Changed since the last save">
              unsaved
            </span>
          ) : null}
          {allProblems.length > 0 ? (
            <span className="problem-count" data-testid="problems" title={allProblems.map((p) => (p.nodeId ? `${p.nodeId}: ${p.message}` : p.message)).join("\n")}>
              ⚠ {allProblems.length} problem{allProblems.length === 1 ? "" : "s"}
            </span>
          ) : null}
          <span className={`live ${wb.live ? "on" : "off"}`} title={wb.live ? "Live updates connected" : "Live updates disconnected; reconnecting"}>
            {wb.live ? "● live" : "○ offline"}
          </span>
        </div>
        <nav className="tabs" role="tablist" aria-label="Views">
          <button
            type="button"
            role="tab"
            aria-selected={tab === "canvas"}
            aria-label="Canvas"
            data-testid="view-canvas"
            className={tab === "canvas" ? "active" : ""}
            onClick={() => setTab("canvas")}
          >
            Canvas
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={tab === "map"}
            aria-label="Project map"
            data-testid="view-map"
            className={tab === "map" ? "active" : ""}
            onClick={() => setTab("map")}
          >
            Project map
          </button>
        </nav>
        <div className="save-block">
          <button type="button" data-testid="save" aria-label="Save the draft" disabled={!view || save.kind === "busy"} onClick={onSave}>
            {save.kind === "busy" ? "Saving…" : "Save"}
          </button>
          {save.kind === "saved" ? (
            <span className="save-result ok" data-testid="save-result" role="status" title={save.note ? `${save.path} (${save.note})` : save.path}>
              Saved to <bdi>{save.path}</bdi>
              {save.note ? (
                <>
                  {" "}
                  (<bdi>{save.note}</bdi>)
                </>
              ) : null}
              <button type="button" className="link" aria-label="Dismiss" onClick={() => setSave({ kind: "idle" })}>
                ×
              </button>
            </span>
          ) : null}
        </div>
      </header>

      {save.kind === "failed" ? (
        <div className="save-result failed" data-testid="save-result" role="alert">
          <div>
            <bdi>{save.error}</bdi>
            <button type="button" className="link" aria-label="Dismiss" onClick={() => setSave({ kind: "idle" })}>
              ×
            </button>
          </div>
          {save.problems.length > 0 ? (
            <ul>
              {save.problems.map((p, i) => (
                <li key={i}>
                  <bdi>{p}</bdi>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}

      {draftProblems.length > 0 && tab === "canvas" ? (
        <div className="draft-problems" role="status">
          {draftProblems.map((p, i) => (
            <div key={i}>
              ⚠ <bdi>{p.message}</bdi>
            </div>
          ))}
        </div>
      ) : null}

      {tab === "canvas" ? (
        <main className="workspace">
          <ChatPanel messages={messages} input={input} setInput={setInput} busy={chatBusy} historyError={historyError} onSend={onSend} />
          {shown ? (
            <CanvasView wb={wb} shown={shown} />
          ) : (
            <div className="canvas loading" data-testid="canvas">
              {wb.loadError ? (
                <div role="alert">
                  Could not load the draft: {wb.loadError}{" "}
                  <button type="button" aria-label="Retry loading the draft" onClick={refetch}>
                    Retry
                  </button>
                </div>
              ) : (
                "Loading the draft…"
              )}
            </div>
          )}
        </main>
      ) : (
        <main className="workspace map-workspace">
          <MapView version={wb.mapVersion} />
        </main>
      )}

      {wb.toast ? (
        <div className={`toast ${wb.toast.kind}`} data-testid="toast" role={wb.toast.kind === "error" ? "alert" : "status"} key={wb.toast.id}>
          <div>
            <bdi>{wb.toast.text}</bdi>
          </div>
          {wb.toast.details.length > 0 ? (
            <ul>
              {wb.toast.details.map((d, i) => (
                <li key={i}>
                  <bdi>{d}</bdi>
                </li>
              ))}
            </ul>
          ) : null}
          <button type="button" className="link" aria-label="Dismiss the message" onClick={wb.dismissToast}>
            ×
          </button>
        </div>
      ) : null}
    </div>
  );
}
