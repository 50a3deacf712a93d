// The client side of the one canonical draft: the server owns it, this hook only shows the latest
// DraftView it was given (by a mutation's answer or a refetch after an SSE `draft` event).
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  api,
  errorMessage,
  layoutIsOwnEcho,
  setUnauthorizedHandler,
  type Action,
  type ActionsReply,
  type ChatReply,
  type DraftView,
  type UndoReply,
} from "./api";

let seqCounter = 0;
/** A global, increasing number stamped on every request when it starts. */
export function nextSeq(): number {
  seqCounter += 1;
  return seqCounter;
}

export interface ShownView {
  view: DraftView;
  /** The seq of the request that brought it: a later-started request's answer wins. */
  seq: number;
}

export type ToastKind = "error" | "info";
export interface ToastState {
  id: number;
  kind: ToastKind;
  text: string;
  details: string[];
}

export interface Workbench {
  shown: ShownView | null;
  loadError: string | null;
  unauthorized: boolean;
  live: boolean;
  mapVersion: number;
  /** Bumped when another view grew the conversation (the chat history should be reloaded). */
  chatVersion: number;
  toast: ToastState | null;
  showToast: (text: string, kind?: ToastKind, details?: string[]) => void;
  dismissToast: () => void;
  /** POST /api/actions; shows the report's failure as a toast. Null on HTTP/network error. */
  apply: (actions: Action | Action[]) => Promise<ActionsReply | null>;
  undo: () => Promise<void>;
  redo: () => Promise<void>;
  /** POST /api/chat; throws on error (the chat panel shows it). */
  chat: (message: string) => Promise<ChatReply>;
  refetch: () => void;
  highlight: ReadonlySet<string>;
}

const HIGHLIGHT_MS = 2000;
const TOAST_MS = 5000;

export function useWorkbench(): Workbench {
  const [shown, setShown] = useState<ShownView | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [unauthorized, setUnauthorized] = useState(false);
  const [live, setLive] = useState(false);
  const [mapVersion, setMapVersion] = useState(0);
  const [chatVersion, setChatVersion] = useState(0);
  const [toast, setToast] = useState<ToastState | null>(null);
  const [highlight, setHighlight] = useState<ReadonlySet<string>>(new Set());

  const shownRef = useRef<ShownView | null>(null);
  const inflight = useRef(0);
  const eventRevision = useRef<number | null>(null);
  const refetching = useRef(false);
  const refetchAgain = useRef(false);
  const historyBusy = useRef(false);
  const toastTimer = useRef<number | undefined>(undefined);
  const highlightTimer = useRef<number | undefined>(undefined);
  const unauthorizedRef = useRef(false);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      unauthorizedRef.current = true;
      setUnauthorized(true);
    });
  }, []);

  const applyView = useCallback((view: DraftView, seq: number) => {
    const cur = shownRef.current;
    if (cur && seq < cur.seq) return;
    const next = { view, seq };
    shownRef.current = next;
    setShown(next);
    setLoadError(null);
  }, []);

  const showToast = useCallback((text: string, kind: ToastKind = "error", details: string[] = []) => {
    window.clearTimeout(toastTimer.current);
    setToast({ id: Date.now(), kind, text, details });
    toastTimer.current = window.setTimeout(() => setToast(null), TOAST_MS);
  }, []);
  const dismissToast = useCallback(() => {
    window.clearTimeout(toastTimer.current);
    setToast(null);
  }, []);

  const refetch = useCallback(() => {
    if (unauthorizedRef.current) return;
    if (refetching.current) {
      refetchAgain.current = true;
      return;
    }
    refetching.current = true;
    const seq = nextSeq();
    api
      .draft()
      .then((v) => applyView(v, seq))
      .catch((e: unknown) => {
        if (!shownRef.current) setLoadError(errorMessage(e));
      })
      .finally(() => {
        refetching.current = false;
        if (refetchAgain.current) {
          refetchAgain.current = false;
          refetch();
        }
      });
  }, [applyView]);

  // After the last mutation in flight, catch up with an SSE revision its answer may not include.
  const settle = useCallback(() => {
    if (inflight.current > 0) return;
    const rev = eventRevision.current;
    const cur = shownRef.current;
    if (rev !== null && cur && rev !== cur.view.revision) refetch();
  }, [refetch]);

  const mutate = useCallback(
    async <T extends DraftView>(call: () => Promise<T>): Promise<T> => {
      const seq = nextSeq();
      inflight.current += 1;
      try {
        const reply = await call();
        applyView(reply, seq);
        return reply;
      } finally {
        inflight.current -= 1;
        settle();
      }
    },
    [applyView, settle],
  );

  const apply = useCallback(
    async (actions: Action | Action[]) => {
      try {
        const reply = await mutate(() => api.actions(actions));
        const report = reply.report;
        if (report && Array.isArray(report.failed) && report.failed.length > 0) {
          showToast(
            report.message,
            "error",
            report.failed.length > 1 ? report.failed.map((f) => f.message) : [],
          );
        }
        return reply;
      } catch (e) {
        showToast(errorMessage(e));
        return null;
      }
    },
    [mutate, showToast],
  );

  const history = useCallback(
    async (call: () => Promise<UndoReply>) => {
      // One undo/redo at a time: a held key or a double click never floods the server.
      if (historyBusy.current) return;
      historyBusy.current = true;
      try {
        const reply = await mutate(call);
        if (reply.message) showToast(reply.message, "info");
      } catch (e) {
        showToast(errorMessage(e));
      } finally {
        historyBusy.current = false;
      }
    },
    [mutate, showToast],
  );
  const undo = useCallback(() => history(api.undo), [history]);
  const redo = useCallback(() => history(api.redo), [history]);

  const chat = useCallback(
    async (message: string) => {
      const reply = await mutate(() => api.chat(message));
      const changed = Array.isArray(reply.changed) ? reply.changed : [];
      window.clearTimeout(highlightTimer.current);
      setHighlight(new Set(changed));
      if (changed.length > 0) {
        highlightTimer.current = window.setTimeout(() => setHighlight(new Set()), HIGHLIGHT_MS);
      }
      return reply;
    },
    [mutate],
  );

  // First load.
  useEffect(() => {
    refetch();
  }, [refetch]);

  // Live updates: a second tab or `gen draft apply` in a terminal changes the draft; the event log
  // changes the map. EventSource reconnects by itself after a network error; when it gives up
  // (CLOSED, e.g. the server restarted) we open a new one after a pause.
  useEffect(() => {
    let es: EventSource | null = null;
    let retry: number | undefined;
    let stopped = false;
    let wasDown = false;
    const connect = () => {
      if (stopped || unauthorizedRef.current) return;
      es = new EventSource("/api/events");
      es.addEventListener("open", () => {
        setLive(true);
        if (wasDown) {
          wasDown = false;
          refetch();
          setMapVersion((v) => v + 1);
        }
      });
      es.addEventListener("draft", (ev) => {
        let revision: number | null = null;
        try {
          const data = JSON.parse((ev as MessageEvent<string>).data) as { revision?: unknown };
          if (typeof data.revision === "number") revision = data.revision;
        } catch {
          revision = null;
        }
        eventRevision.current = revision;
        const cur = shownRef.current;
        // No revision (the server's stream lagged): refetch everything, the map included.
        if (revision === null) setMapVersion((v) => v + 1);
        if (inflight.current > 0) return; // settle() refetches when the mutation is done
        if (revision === null || !cur || revision !== cur.view.revision) refetch();
      });
      es.addEventListener("map", () => setMapVersion((v) => v + 1));
      // Positions moved in another view (a drag, auto layout): same revision, new layout.
      es.addEventListener("layout", () => {
        if (inflight.current === 0 && !layoutIsOwnEcho()) refetch();
      });
      es.addEventListener("chat", () => setChatVersion((v) => v + 1));
      es.addEventListener("error", () => {
        setLive(false);
        wasDown = true;
        if (es && es.readyState === EventSource.CLOSED) {
          es.close();
          es = null;
          // A 401 closes the stream for good: probing the API shows the token message.
          refetch();
          retry = window.setTimeout(connect, 3000);
        }
      });
    };
    connect();
    return () => {
      stopped = true;
      window.clearTimeout(retry);
      es?.close();
    };
  }, [refetch]);

  useEffect(
    () => () => {
      window.clearTimeout(toastTimer.current);
      window.clearTimeout(highlightTimer.current);
    },
    [],
  );

  // One object per state change, not per render: the canvas (memoised) re-renders only when
  // something it shows changed, not on every keystroke in the chat box.
  return useMemo(
    () => ({
      shown,
      loadError,
      unauthorized,
      live,
      mapVersion,
      chatVersion,
      toast,
      showToast,
      dismissToast,
      apply,
      undo,
      redo,
      chat,
      refetch,
      highlight,
    }),
    [shown, loadError, unauthorized, live, mapVersion, chatVersion, toast, showToast, dismissToast, apply, undo, redo, chat, refetch, highlight],
  );
}
