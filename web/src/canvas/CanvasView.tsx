import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  Background,
  Controls,
  MarkerType,
  MiniMap,
  Panel,
  ReactFlow,
  ReactFlowProvider,
  applyEdgeChanges,
  applyNodeChanges,
  useReactFlow,
  type Connection,
  type EdgeChange,
  type EdgeTypes,
  type NodeChange,
  type NodeTypes,
} from "@xyflow/react";
import { api, errorMessage, type Action, type DraftView, type Position, type Positions } from "../api";
import { dagreLayout, freeSpotNear, NODE_HEIGHT, NODE_WIDTH, placeMissing } from "../layout";
import { isTypingTarget } from "../keys";
import { nextSeq, type ShownView, type Workbench } from "../useWorkbench";
import { BlueprintNodeView, type BlueprintFlowNode } from "./BlueprintNodeView";
import { LabelledEdge, type LabelledFlowEdge } from "./LabelledEdge";
import { Inspector } from "./Inspector";

const nodeTypes: NodeTypes = { blueprint: BlueprintNodeView };
const edgeTypes: EdgeTypes = { labelled: LabelledEdge };
const PALETTE = ["trigger", "action", "condition"] as const;
const LAYOUT_DEBOUNCE_MS = 300;
/** Fitting never zooms in past 1: a draft's first step is shown at its size, not blown up to fill
 * the canvas (which then pushed the next steps out of view). */
const FIT_VIEW = { padding: 0.2, maxZoom: 1 };

/** A position this tab set (drag, new node) that the server's layout may not show yet. */
interface Pending {
  pos: Position;
  /** Seq counter value when the PUT carrying it succeeded; null while not stored yet. */
  storedAt: number | null;
}

function near(a: Position, b: Position): boolean {
  return Math.abs(a.x - b.x) < 0.5 && Math.abs(a.y - b.y) < 0.5;
}

function validPos(p: unknown): p is Position {
  return (
    !!p &&
    typeof p === "object" &&
    Number.isFinite((p as Position).x) &&
    Number.isFinite((p as Position).y)
  );
}

export function edgeId(source: string, target: string): string {
  return `${source}->${target}`;
}

interface Props {
  wb: Workbench;
  shown: ShownView;
}

export const CanvasView = memo(function CanvasView(props: Props) {
  return (
    <ReactFlowProvider>
      <CanvasInner {...props} />
    </ReactFlowProvider>
  );
});

function CanvasInner({ wb, shown }: Props) {
  const view: DraftView = shown.view;
  const rf = useReactFlow<BlueprintFlowNode, LabelledFlowEdge>();
  const wrapperRef = useRef<HTMLDivElement>(null);
  const [nodes, setNodes] = useState<BlueprintFlowNode[]>([]);
  const [edges, setEdges] = useState<LabelledFlowEdge[]>([]);
  const nodesRef = useRef<BlueprintFlowNode[]>(nodes);
  const edgesRef = useRef<LabelledFlowEdge[]>(edges);
  nodesRef.current = nodes;
  edgesRef.current = edges;

  const pending = useRef(new Map<string, Pending>());
  const known = useRef<Positions>({});
  const persistTimer = useRef<number | undefined>(undefined);
  const addingIds = useRef(new Set<string>());
  const draftIds = useRef<string[]>([]);
  const { apply, undo, redo, showToast, highlight } = wb;

  // ---- positions -----------------------------------------------------------------------------

  const persistNow = useCallback(() => {
    window.clearTimeout(persistTimer.current);
    persistTimer.current = undefined;
    // Every step of the latest draft (rendered or not yet): this tab's pending place, else where
    // it is shown, else where it was last known.
    const shownPos = new Map(nodesRef.current.map((n) => [n.id, n.position] as const));
    const positions: Positions = {};
    for (const id of new Set([...draftIds.current, ...shownPos.keys()])) {
      const p = pending.current.get(id)?.pos ?? shownPos.get(id) ?? known.current[id];
      if (validPos(p)) positions[id] = { x: Math.round(p.x), y: Math.round(p.y) };
    }
    const sent = new Map([...pending.current].map(([id, p]) => [id, p.pos] as const));
    api
      .putLayout(positions)
      .then(() => {
        const at = nextSeq();
        for (const [id, pos] of sent) {
          const p = pending.current.get(id);
          if (p && near(p.pos, pos)) p.storedAt = at;
        }
      })
      .catch((e: unknown) => showToast(`Could not store the layout: ${errorMessage(e)}`));
  }, [showToast]);

  const schedulePersist = useCallback(
    (delay = LAYOUT_DEBOUNCE_MS) => {
      window.clearTimeout(persistTimer.current);
      persistTimer.current = window.setTimeout(persistNow, delay);
    },
    [persistNow],
  );

  useEffect(
    () => () => {
      // Leaving the view (tab switch): store what is still waiting.
      if (persistTimer.current !== undefined) persistNow();
    },
    [persistNow],
  );

  // ---- draft → React Flow ----------------------------------------------------------------------

  useEffect(() => {
    const draft = view.draft;
    const server = view.layout?.positions ?? {};
    const ids = draft.nodes.map((n) => n.id);
    draftIds.current = ids;
    const idSet = new Set(ids);
    // Where the steps are shown now (drags and auto layout included) is the best fallback.
    for (const n of nodesRef.current) known.current[n.id] = { x: Math.round(n.position.x), y: Math.round(n.position.y) };

    // Forget pending positions the server now shows, or that a later answer overrides.
    for (const [id, p] of pending.current) {
      const s = server[id];
      if (!idSet.has(id) && !addingIds.current.has(id)) pending.current.delete(id);
      else if (validPos(s) && near(s, p.pos)) pending.current.delete(id);
      else if (p.storedAt !== null && shown.seq > p.storedAt) pending.current.delete(id);
    }

    const placed: Positions = {};
    let unstored = false;
    for (const id of ids) {
      const pend = pending.current.get(id)?.pos;
      const srv = server[id];
      const p = pend ?? (validPos(srv) ? srv : undefined) ?? known.current[id];
      if (!validPos(p)) continue;
      placed[id] = { x: p.x, y: p.y };
      if (!pend && !validPos(srv)) {
        // Known here but not on the server (e.g. a step brought back by undo after the server
        // dropped its position): keep it where it was and store it again.
        pending.current.set(id, { pos: placed[id], storedAt: null });
        unstored = true;
      }
    }
    const missing = placeMissing(ids, draft.edges, placed);
    const missingIds = Object.keys(missing);
    for (const id of missingIds) {
      const pos = missing[id];
      if (pos) pending.current.set(id, { pos, storedAt: null });
    }
    const positions: Positions = { ...placed, ...missing };
    // Remember removed steps' places too, so an undo puts them back where they were.
    known.current = { ...known.current, ...positions };

    const problems = new Map<string, string[]>();
    for (const p of view.problems ?? []) {
      if (p.nodeId && idSet.has(p.nodeId)) {
        const list = problems.get(p.nodeId) ?? [];
        list.push(p.message);
        problems.set(p.nodeId, list);
      }
    }

    setNodes((prev) => {
      const prevById = new Map(prev.map((n) => [n.id, n]));
      const next = draft.nodes.map((n): BlueprintFlowNode => {
        const old = prevById.get(n.id);
        const position = positions[n.id] ?? { x: 0, y: 0 };
        const nodeProblems = problems.get(n.id) ?? [];
        if (
          old &&
          old.position.x === position.x &&
          old.position.y === position.y &&
          old.data.label === n.label &&
          old.data.type === n.type &&
          old.data.description === (n.description ?? null) &&
          old.data.problems.join("\n") === nodeProblems.join("\n")
        ) {
          return old; // unchanged: keep the object so the memoised node does not re-render
        }
        return {
          ...(old ?? {}),
          id: n.id,
          type: "blueprint",
          position,
          data: {
            label: n.label,
            type: n.type,
            description: n.description ?? null,
            problems: nodeProblems,
          },
          selected: old?.selected ?? false,
          ariaLabel: `${n.type} step: ${n.label}`,
          domAttributes: { "data-testid": `node-${n.id}` } as BlueprintFlowNode["domAttributes"],
        };
      });
      // Same objects in the same order: keep the old array, so React Flow does not take in all
      // the nodes again for an edit that changed none of them.
      return sameItems(prev, next) ? prev : next;
    });
    setEdges((prev) => {
      const prevById = new Map(prev.map((e) => [e.id, e]));
      const seen = new Set<string>();
      const out: LabelledFlowEdge[] = [];
      for (const e of draft.edges) {
        const id = edgeId(e.source, e.target);
        if (seen.has(id)) continue; // pairs are unique in the IR; never render a duplicate key
        seen.add(id);
        const old = prevById.get(id);
        if (old && (old.data?.text ?? null) === (e.label ?? null)) {
          out.push(old);
          continue;
        }
        out.push({
          id,
          type: "labelled",
          source: e.source,
          target: e.target,
          data: { text: e.label ?? null },
          selected: old?.selected ?? false,
          markerEnd: { type: MarkerType.ArrowClosed, width: 18, height: 18 },
          ariaLabel: e.label ? `Edge from ${e.source} to ${e.target}: ${e.label}` : `Edge from ${e.source} to ${e.target}`,
          domAttributes: { "data-testid": `edge-${e.source}-${e.target}` } as LabelledFlowEdge["domAttributes"],
        });
      }
      return sameItems(prev, out) ? prev : out;
    });
    const unsent = [...pending.current].some(([id, p]) => p.storedAt === null && idSet.has(id));
    if (missingIds.length > 0 || unstored || (unsent && persistTimer.current === undefined)) schedulePersist(50);
  }, [view, shown.seq, schedulePersist]);

  // Highlight (class on the node wrapper) without touching positions.
  useEffect(() => {
    setNodes((prev) => {
      const next = prev.map((n) => {
        const want = highlight.has(n.id) ? "highlight" : undefined;
        return n.className === want ? n : { ...n, className: want };
      });
      return sameItems(prev, next) ? prev : next;
    });
  }, [highlight, view]);

  // ---- React Flow callbacks -------------------------------------------------------------------

  const onNodesChange = useCallback(
    (changes: NodeChange<BlueprintFlowNode>[]) => {
      const next = applyNodeChanges(changes, nodesRef.current);
      nodesRef.current = next;
      setNodes(next);
      let moved = false;
      for (const c of changes) {
        if (c.type === "position" && !c.dragging) {
          const n = next.find((x) => x.id === c.id);
          if (n) {
            pending.current.set(n.id, { pos: { x: Math.round(n.position.x), y: Math.round(n.position.y) }, storedAt: null });
            moved = true;
          }
        }
      }
      if (moved) schedulePersist();
    },
    [schedulePersist],
  );

  const onEdgesChange = useCallback((changes: EdgeChange<LabelledFlowEdge>[]) => {
    const next = applyEdgeChanges(changes, edgesRef.current);
    edgesRef.current = next;
    setEdges(next);
  }, []);

  const onConnect = useCallback(
    (c: Connection) => {
      if (!c.source || !c.target) return;
      void apply({ intent: "connect", source: c.source, target: c.target });
    },
    [apply],
  );

  // ---- commands -------------------------------------------------------------------------------

  const fitView = useCallback(() => {
    void rf.fitView({ ...FIT_VIEW, duration: 200 });
  }, [rf]);

  const addNode = useCallback(
    async (type: (typeof PALETTE)[number]) => {
      const taken = new Set([...nodesRef.current.map((n) => n.id), ...addingIds.current]);
      let i = nodesRef.current.length + 1;
      while (taken.has(`${type}-${i}`)) i += 1;
      const id = `${type}-${i}`;
      const rect = wrapperRef.current?.getBoundingClientRect();
      const center = rect
        ? rf.screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 })
        : { x: 0, y: 0 };
      const pos = freeSpotNear(
        { x: Math.round(center.x - NODE_WIDTH / 2), y: Math.round(center.y - NODE_HEIGHT / 2) },
        [...nodesRef.current.map((n) => n.position), ...[...addingIds.current].map((a) => pending.current.get(a)?.pos).filter((p): p is Position => !!p)],
      );
      addingIds.current.add(id);
      pending.current.set(id, { pos, storedAt: null });
      const label = `New ${type}`;
      const reply = await apply({ intent: "add", node: { id, label, type } });
      addingIds.current.delete(id);
      if (!reply || !reply.draft.nodes.some((n) => n.id === id)) {
        pending.current.delete(id);
        return;
      }
      schedulePersist(0);
    },
    [apply, rf, schedulePersist],
  );

  const autoLayout = useCallback(() => {
    const ns = nodesRef.current;
    const positions = dagreLayout(
      ns.map((n) => n.id),
      edgesRef.current.map((e) => ({ source: e.source, target: e.target })),
    );
    for (const [id, pos] of Object.entries(positions)) pending.current.set(id, { pos, storedAt: null });
    const next = ns.map((n) => ({ ...n, position: positions[n.id] ?? n.position }));
    nodesRef.current = next;
    setNodes(next);
    persistNow();
    window.requestAnimationFrame(() => window.requestAnimationFrame(fitView));
  }, [fitView, persistNow]);

  const deleteSelection = useCallback(() => {
    const nodeIds = nodesRef.current.filter((n) => n.selected).map((n) => n.id);
    const gone = new Set(nodeIds);
    const edgeActions: Action[] = edgesRef.current
      .filter((e) => e.selected && !gone.has(e.source) && !gone.has(e.target))
      .map((e) => ({ action: "deleteEdge", source: e.source, target: e.target }));
    const actions: Action[] = [];
    if (nodeIds.length > 0) actions.push({ action: "deleteNodes", nodeIds });
    actions.push(...edgeActions);
    if (actions.length === 0) return;
    void apply(actions);
  }, [apply]);

  // Keyboard: our own handler so typing in the chat or the inspector never deletes or undoes.
  useEffect(() => {
    const onKey = (ev: KeyboardEvent) => {
      if (ev.defaultPrevented || isTypingTarget(ev.target)) return;
      const mod = ev.ctrlKey || ev.metaKey;
      const key = ev.key.toLowerCase();
      if ((ev.key === "Delete" || ev.key === "Backspace") && !mod && !ev.altKey) {
        if (ev.repeat) return;
        ev.preventDefault();
        deleteSelection();
        return;
      }
      if (mod && !ev.altKey && (key === "z" || ev.code === "KeyZ")) {
        ev.preventDefault();
        if (ev.repeat) return;
        if (ev.shiftKey) void redo();
        else void undo();
        return;
      }
      if (ev.ctrlKey && !ev.metaKey && !ev.altKey && !ev.shiftKey && (key === "y" || ev.code === "KeyY")) {
        ev.preventDefault();
        if (ev.repeat) return;
        void redo();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [deleteSelection, undo, redo]);

  const selectedNodes = useMemo(() => nodes.filter((n) => n.selected), [nodes]);
  const inspected = selectedNodes.length === 1 ? view.draft.nodes.find((n) => n.id === selectedNodes[0]?.id) : undefined;

  return (
    <div className="canvas-area">
      <div className="canvas-column">
        <div className="toolbar" role="toolbar" aria-label="Canvas tools">
          {PALETTE.map((t) => (
            <button
              key={t}
              type="button"
              data-testid={`palette-add-${t}`}
              aria-label={`Add a ${t} step`}
              title={`Add a ${t} step in the middle of the view`}
              onClick={() => void addNode(t)}
            >
              + {t}
            </button>
          ))}
          <span className="sep" aria-hidden="true" />
          <button
            type="button"
            data-testid="undo"
            aria-label="Undo"
            title={view.undoMessage ? `Undo: ${view.undoMessage} (Ctrl/Cmd+Z)` : "Undo (Ctrl/Cmd+Z)"}
            disabled={view.undo <= 0}
            onClick={() => void undo()}
          >
            ↶ Undo
          </button>
          <button
            type="button"
            data-testid="redo"
            aria-label="Redo"
            title={view.redoMessage ? `Redo: ${view.redoMessage} (Ctrl/Cmd+Shift+Z, Ctrl+Y)` : "Redo (Ctrl/Cmd+Shift+Z, Ctrl+Y)"}
            disabled={view.redo <= 0}
            onClick={() => void redo()}
          >
            ↷ Redo
          </button>
          <span className="sep" aria-hidden="true" />
          <button type="button" data-testid="layout" aria-label="Auto layout" title="Arrange all steps top to bottom" onClick={autoLayout}>
            Auto layout
          </button>
          <button type="button" data-testid="fit-view" aria-label="Fit view" title="Show the whole workflow" onClick={fitView}>
            Fit view
          </button>
        </div>
        <div className="canvas" data-testid="canvas" ref={wrapperRef}>
          <ReactFlow<BlueprintFlowNode, LabelledFlowEdge>
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            edgeTypes={edgeTypes}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={onConnect}
            deleteKeyCode={null}
            selectionKeyCode="Shift"
            multiSelectionKeyCode={MULTI_SELECT_KEYS}
            nodesFocusable
            edgesFocusable
            fitView
            fitViewOptions={FIT_VIEW}
            minZoom={0.05}
            maxZoom={2}
            defaultEdgeOptions={DEFAULT_EDGE}
          >
            <Background gap={20} />
            <Controls showInteractive={false} />
            <MiniMap pannable zoomable ariaLabel="Mini map of the workflow" style={MINIMAP_STYLE} />
            {view.draft.nodes.length === 0 ? (
              <Panel position="top-center" className="empty-hint">
                No steps yet: describe the workflow in the chat, or add a step with the buttons.
              </Panel>
            ) : null}
          </ReactFlow>
        </div>
      </div>
      <aside className="inspector-column" aria-label="Step inspector">
        {inspected ? (
          <Inspector key={inspected.id} node={inspected} apply={apply} />
        ) : (
          <p className="inspector-empty muted">
            {selectedNodes.length > 1 ? `${selectedNodes.length} steps selected.` : "Select one step to edit it."}
          </p>
        )}
      </aside>
    </div>
  );
}

/** Whether two arrays hold the very same objects in the same order. */
function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// Props given to React Flow are constants: a new object on every render makes it update its store,
// and every node and edge re-render, for nothing.
const MULTI_SELECT_KEYS = ["Meta", "Control"];
const DEFAULT_EDGE = { type: "labelled" } as const;
const MINIMAP_STYLE = { width: 150, height: 100 } as const;
