// The peer of `gen workbench` in bench/workbench/run.mjs: a plain React Flow page with client-side
// state only (useNodesState / useEdgesState). It fetches the same draft and positions as gen's
// GET /api/draft answer (served as ./draft.json by the benchmark's static server) and does the same
// canvas operations with no server: a palette add, a rename of the selected step (text input +
// Apply), and a command box whose submit parses "add step X after Y" in the page.
import dagre from "@dagrejs/dagre";
import {
  Background,
  Controls,
  Handle,
  MarkerType,
  MiniMap,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useEdgesState,
  useNodesState,
  useReactFlow,
  type Edge,
  type Node,
  type NodeProps,
  type NodeTypes,
} from "@xyflow/react";
import { memo, useCallback, useEffect, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from "react";

interface DraftNode {
  id: string;
  label: string;
  type: string;
  description?: string | null;
}
interface DraftEdge {
  source: string;
  target: string;
  label?: string | null;
}
interface XY {
  x: number;
  y: number;
}
interface DraftFile {
  draft: { title: string; nodes: DraftNode[]; edges: DraftEdge[] };
  layout?: { positions?: Record<string, XY> };
}

type StepData = { label: string; type: string; description: string | null };
type StepNode = Node<StepData, "step">;

// Same node size and dagre settings as web/src/layout.ts.
const NODE_WIDTH = 220;
const NODE_HEIGHT = 86;
const RANK_SEP = 70;
const NODE_SEP = 50;

function dagreLayout(ids: string[], edges: DraftEdge[]): Record<string, XY> {
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: "TB", ranksep: RANK_SEP, nodesep: NODE_SEP, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  const known = new Set(ids);
  for (const id of ids) g.setNode(id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const e of edges) if (known.has(e.source) && known.has(e.target) && e.source !== e.target) g.setEdge(e.source, e.target);
  dagre.layout(g);
  const out: Record<string, XY> = {};
  for (const id of ids) {
    const n = g.node(id) as { x?: number; y?: number } | undefined;
    out[id] = { x: Math.round((n?.x ?? 0) - NODE_WIDTH / 2), y: Math.round((n?.y ?? 0) - NODE_HEIGHT / 2) };
  }
  return out;
}

function overlaps(p: XY, q: XY): boolean {
  return Math.abs(p.x - q.x) < NODE_WIDTH + 20 && Math.abs(p.y - q.y) < NODE_HEIGHT + 20;
}
function nudgeFree(p: XY, taken: XY[]): XY {
  let c = { ...p };
  for (let i = 0; i < 500 && taken.some((q) => overlaps(c, q)); i++) c = { x: c.x + NODE_WIDTH + NODE_SEP, y: c.y };
  return c;
}

function StepView({ data }: NodeProps<StepNode>) {
  return (
    <div className="bp-node">
      <Handle type="target" position={Position.Top} />
      <div className="bp-node-head">
        <span className="bp-node-label" title={data.label}>
          <bdi>{data.label || "(no label)"}</bdi>
        </span>
        <span className={`bp-badge type-${data.type}`} title={data.type}>
          <bdi>{data.type}</bdi>
        </span>
      </div>
      {data.description ? (
        <div className="bp-node-desc">
          <bdi>{data.description}</bdi>
        </div>
      ) : null}
      <Handle type="source" position={Position.Bottom} />
    </div>
  );
}
const nodeTypes: NodeTypes = { step: memo(StepView) };

function toNode(n: DraftNode, position: XY): StepNode {
  return {
    id: n.id,
    type: "step",
    position,
    data: { label: n.label, type: n.type, description: n.description ?? null },
    domAttributes: { "data-testid": `node-${n.id}` } as StepNode["domAttributes"],
  };
}
function toEdge(e: DraftEdge): Edge {
  return {
    id: `${e.source}->${e.target}`,
    source: e.source,
    target: e.target,
    type: "smoothstep",
    label: e.label ?? undefined,
    markerEnd: { type: MarkerType.ArrowClosed, width: 18, height: 18 },
    domAttributes: { "data-testid": `edge-${e.source}-${e.target}` } as Edge["domAttributes"],
  };
}

function slug(label: string): string {
  return label.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "step";
}

export function App() {
  return (
    <ReactFlowProvider>
      <Canvas />
    </ReactFlowProvider>
  );
}

interface Message {
  id: number;
  role: "user" | "agent";
  text: string;
}

function Canvas() {
  const rf = useReactFlow<StepNode, Edge>();
  const [nodes, setNodes, onNodesChange] = useNodesState<StepNode>([]);
  const [edges, setEdges, onEdgesChange] = useEdgesState<Edge>([]);
  const [title, setTitle] = useState("Loading…");
  const [messages, setMessages] = useState<Message[]>([]);
  const [input, setInput] = useState("");
  const wrapperRef = useRef<HTMLDivElement>(null);
  const nodesRef = useRef(nodes);
  nodesRef.current = nodes;
  const edgesRef = useRef(edges);
  edgesRef.current = edges;

  useEffect(() => {
    // `?set=nopos` (the benchmark's no-positions case) is passed on to the data file.
    void fetch(`./draft.json${location.search}`)
      .then((r) => r.json() as Promise<DraftFile>)
      .then((file) => {
        const stored = file.layout?.positions ?? {};
        const ids = file.draft.nodes.map((n) => n.id);
        const missing = ids.some((id) => !stored[id]);
        const positions = missing ? { ...dagreLayout(ids, file.draft.edges), ...stored } : stored;
        setTitle(file.draft.title);
        setNodes(file.draft.nodes.map((n) => toNode(n, positions[n.id] ?? { x: 0, y: 0 })));
        setEdges(file.draft.edges.map(toEdge));
      });
  }, [setNodes, setEdges]);

  // Palette: a new step in the middle of the view.
  const addNode = useCallback(
    (type: string) => {
      const taken = new Set(nodesRef.current.map((n) => n.id));
      let i = nodesRef.current.length + 1;
      while (taken.has(`${type}-${i}`)) i += 1;
      const rect = wrapperRef.current?.getBoundingClientRect();
      const c = rect ? rf.screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 }) : { x: 0, y: 0 };
      const pos = nudgeFree({ x: Math.round(c.x - NODE_WIDTH / 2), y: Math.round(c.y - NODE_HEIGHT / 2) }, nodesRef.current.map((n) => n.position));
      setNodes((ns) => [...ns, toNode({ id: `${type}-${i}`, label: `New ${type}`, type }, pos)]);
    },
    [rf, setNodes],
  );

  // The command box: "add step X after Y" (Y: an id or a label), parsed here, no server.
  const runCommand = useCallback(
    (text: string): string => {
      const m = /^\s*add\s+(?:a\s+)?step\s+(.+?)\s+after\s+(.+?)\s*$/i.exec(text);
      if (!m) return 'I only know "add step X after Y".';
      const label = m[1]!;
      const ref = m[2]!;
      const ns = nodesRef.current;
      const after =
        ns.find((n) => n.id === ref) ?? ns.find((n) => n.data.label === ref) ?? ns.find((n) => n.data.label.toLowerCase() === ref.toLowerCase());
      if (!after) return `There is no step "${ref}".`;
      const taken = new Set(ns.map((n) => n.id));
      let id = slug(label);
      for (let i = 2; taken.has(id); i++) id = `${slug(label)}-${i}`;
      const pos = nudgeFree({ x: after.position.x, y: after.position.y + NODE_HEIGHT + RANK_SEP }, ns.map((n) => n.position));
      const node = toNode({ id, label, type: "action" }, pos);
      setNodes((cur) => {
        const at = cur.findIndex((n) => n.id === after.id);
        return [...cur.slice(0, at + 1), node, ...cur.slice(at + 1)];
      });
      // Insert it between Y and Y's successors.
      setEdges((cur) => [
        ...cur.map((e) => (e.source === after.id ? toEdge({ source: id, target: e.target, label: (e.label as string) ?? null }) : e)),
        toEdge({ source: after.id, target: id }),
      ]);
      return `Added ${label}`;
    },
    [setNodes, setEdges],
  );

  const send = () => {
    const text = input.trim();
    if (!text) return;
    setInput("");
    const reply = runCommand(text);
    setMessages((ms) => [...ms, { id: ms.length + 1, role: "user", text }, { id: ms.length + 2, role: "agent", text: reply }]);
  };
  const onKeyDown = (ev: KeyboardEvent<HTMLTextAreaElement>) => {
    if (ev.key === "Enter" && !ev.shiftKey) {
      ev.preventDefault();
      send();
    }
  };

  const selected = useMemo(() => nodes.filter((n) => n.selected), [nodes]);
  const one = selected.length === 1 ? selected[0] : undefined;

  return (
    <div className="app">
      <header className="app-header">
        <h1 className="draft-title">{title}</h1>
        <span className="rev">
          peer · <span data-testid="node-count">{nodes.length}</span> steps
        </span>
      </header>
      <main className="workspace">
        <section className="chat">
          <ol className="chat-log" data-testid="chat-log">
            {messages.map((m) => (
              <li key={m.id} className={`chat-message role-${m.role}`} data-testid="chat-message" data-role={m.role}>
                <div className="chat-text">{m.text}</div>
              </li>
            ))}
          </ol>
          <div className="chat-compose">
            <textarea data-testid="chat-input" rows={3} value={input} onChange={(e) => setInput(e.target.value)} onKeyDown={onKeyDown} />
            <button type="button" data-testid="chat-send" onClick={send}>
              Send
            </button>
          </div>
        </section>
        <div className="canvas-column">
          <div className="toolbar">
            {["trigger", "action", "condition"].map((t) => (
              <button key={t} type="button" data-testid={`palette-add-${t}`} onClick={() => addNode(t)}>
                + {t}
              </button>
            ))}
            <button type="button" data-testid="fit-view" onClick={() => void rf.fitView({ padding: 0.2, duration: 200 })}>
              Fit view
            </button>
          </div>
          <div className="canvas" data-testid="canvas" ref={wrapperRef}>
            <ReactFlow<StepNode, Edge>
              nodes={nodes}
              edges={edges}
              nodeTypes={nodeTypes}
              onNodesChange={onNodesChange}
              onEdgesChange={onEdgesChange}
              fitView
              fitViewOptions={{ padding: 0.2 }}
              minZoom={0.05}
              maxZoom={2}
            >
              <Background gap={20} />
              <Controls showInteractive={false} />
              <MiniMap pannable zoomable style={{ width: 150, height: 100 }} />
            </ReactFlow>
          </div>
        </div>
        <aside className="inspector-column">
          {one ? <Rename key={one.id} node={one} setNodes={setNodes} /> : <p className="muted pad">Select one step.</p>}
        </aside>
      </main>
    </div>
  );
}

function Rename({ node, setNodes }: { node: StepNode; setNodes: ReturnType<typeof useNodesState<StepNode>>[1] }) {
  const [label, setLabel] = useState(node.data.label);
  const onSubmit = (ev: FormEvent) => {
    ev.preventDefault();
    setNodes((ns) => ns.map((n) => (n.id === node.id ? { ...n, data: { ...n.data, label } } : n)));
  };
  return (
    <form className="inspector" data-testid="inspector" onSubmit={onSubmit}>
      <label>
        Label
        <input data-testid="inspector-label" value={label} onChange={(e) => setLabel(e.target.value)} />
      </label>
      <button type="submit" data-testid="inspector-apply">
        Apply
      </button>
    </form>
  );
}
