// Types of the workbench HTTP API (docs/workbench-api.md) and one fetch wrapper.
// Every string in these types is untrusted text: render it only as React text.

export interface BlueprintNode {
  id: string;
  label: string;
  type: string;
  description?: string | null;
  properties?: Record<string, unknown> | null;
}

export interface BlueprintEdge {
  source: string;
  target: string;
  label?: string | null;
}

export interface BlueprintDraft {
  title: string;
  summary: string;
  nodes: BlueprintNode[];
  edges: BlueprintEdge[];
}

export interface Position {
  x: number;
  y: number;
}

export type Positions = Record<string, Position>;

export interface Problem {
  nodeId: string | null;
  message: string;
}

export type DraftKind = "draft" | "topology" | "blueprint";

export interface DraftView {
  name: string;
  kind: DraftKind;
  revision: number;
  draft: BlueprintDraft;
  undo: number;
  redo: number;
  layout: { positions: Positions };
  problems: Problem[];
  /** In the contract; absent from servers that do not track it (then no "unsaved" marker). */
  dirty?: boolean;
  /** Not in the contract doc, sent by the server: what undo / redo would revert / redo. */
  undoMessage?: string | null;
  redoMessage?: string | null;
}

export interface ReportFailure {
  index: number | null;
  message: string;
  at?: string | null;
  problem?: string | null;
}

export interface Report {
  changed: boolean;
  message: string;
  applied: { index: number; summary: string; change?: unknown }[];
  unchanged: number[];
  failed: ReportFailure[];
}

export interface ActionsReply extends DraftView {
  report: Report;
}

export interface UndoReply extends DraftView {
  message: string | null;
}

export interface ChatReply extends DraftView {
  reply: string;
  report: Report | null;
  changed: string[];
}

export interface SaveReply {
  saved: string;
  /** Extras a topology save sends. */
  unchanged?: boolean;
  backup?: string | null;
  notes?: unknown;
}

export interface ChatHistoryMessage {
  role: "user" | "agent";
  text: string;
  report?: Report | null;
  /** RFC 3339 time the server adds (not in the contract doc). */
  at?: string;
}

export interface MapNode {
  id: string;
  label: string;
}

export type FeatureStatus = "converged" | "iterating" | "stuck" | "pending";

export interface MapEdge {
  id: string;
  source: string;
  target: string;
  converged: number;
  iterating: number;
  stuck: number;
  features: { id: string; status: FeatureStatus }[];
}

export interface TrajectoryRow {
  edge: string;
  status: string;
  iterations: number;
  delta: number | null;
  at: string | null;
}

export interface MapFeature {
  id: string;
  title: string;
  status: string;
  here: string | null;
  trajectory: TrajectoryRow[];
}

export interface ProjectMap {
  project: string;
  nodes: MapNode[];
  edges: MapEdge[];
  features: MapFeature[];
}

/** A JSON action or intent as `gen draft apply` takes it. */
export type Action = Record<string, unknown>;

/** An HTTP or network failure; `body` is the parsed JSON error body when there is one. */
export class ApiError extends Error {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, message: string, body: unknown) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.body = body;
  }
}

let onUnauthorized: () => void = () => {};

/** Called once per 401 answer, so the app can show how to get a token. */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

function errorText(status: number, body: unknown, fallback: string): string {
  if (body && typeof body === "object" && "error" in body) {
    const e = (body as { error: unknown }).error;
    if (typeof e === "string" && e.length > 0) return e;
  }
  if (status === 0) return fallback;
  return `${fallback} (HTTP ${status})`;
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? { Accept: "application/json" } : { Accept: "application/json", "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "Cannot reach the workbench server. Is `gen workbench` still running?", null);
  }
  let parsed: unknown = null;
  const text = await response.text().catch(() => "");
  if (text.length > 0) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  if (response.status === 401) {
    onUnauthorized();
    throw new ApiError(401, "Not authorized: open the URL printed by gen workbench (with ?token=…).", parsed);
  }
  if (!response.ok) {
    throw new ApiError(response.status, errorText(response.status, parsed, response.statusText || "Request failed"), parsed);
  }
  if (parsed === null) {
    throw new ApiError(response.status, "The server sent an unreadable answer.", null);
  }
  return parsed as T;
}

export const api = {
  draft: () => request<DraftView>("GET", "/api/draft"),
  actions: (actions: Action | Action[]) => request<ActionsReply>("POST", "/api/actions", actions),
  undo: () => request<UndoReply>("POST", "/api/undo"),
  redo: () => request<UndoReply>("POST", "/api/redo"),
  chat: (message: string) => request<ChatReply>("POST", "/api/chat", { message }),
  chatHistory: () => request<{ messages: ChatHistoryMessage[] }>("GET", "/api/chat/history"),
  putLayout: (positions: Positions) => {
    // Marked at the start too: the server's `layout` event can arrive before the answer does.
    lastOwnLayout = performance.now();
    return request<{ ok: boolean }>("PUT", "/api/layout", { positions }).then((r) => {
      lastOwnLayout = performance.now();
      return r;
    });
  },
  save: () => request<SaveReply>("POST", "/api/save"),
  map: () => request<ProjectMap>("GET", "/api/map"),
};

/**
 * Problems of a failed save (422 `{error, problems}`) as lines of text: draft problems carry
 * `nodeId`, topology problems `file`, `line`, `column` and `hint`.
 */
export function problemsOf(body: unknown): string[] {
  if (!body || typeof body !== "object" || !("problems" in body)) return [];
  const list = (body as { problems: unknown }).problems;
  if (!Array.isArray(list)) return [];
  const text = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : typeof v === "number" ? String(v) : null);
  return list.map((raw: unknown) => {
    if (!raw || typeof raw !== "object") return String(raw);
    const p = raw as Record<string, unknown>;
    const where = [text(p.file), text(p.line), text(p.column)].filter((x): x is string => x !== null).join(":");
    const node = text(p.nodeId);
    const prefix = node ? `${node}: ` : where ? `${where}: ` : "";
    const hint = text(p.hint);
    return `${prefix}${text(p.message) ?? ""}${hint ? ` (${hint})` : ""}`;
  });
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

let lastOwnLayout = -Infinity;

/**
 * Whether this page stored positions within the last second: the server's `layout` event that
 * follows is then our own echo, and refetching the whole draft for it would only cost time.
 */
export function layoutIsOwnEcho(): boolean {
  return performance.now() - lastOwnLayout < 1000;
}
