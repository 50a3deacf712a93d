import { memo, useEffect, useMemo, useState } from "react";
import {
  Background,
  BaseEdge,
  Controls,
  EdgeLabelRenderer,
  Handle,
  MarkerType,
  Position,
  ReactFlow,
  ReactFlowProvider,
  getSmoothStepPath,
  type Edge,
  type EdgeProps,
  type EdgeTypes,
  type Node,
  type NodeProps,
  type NodeTypes,
} from "@xyflow/react";
import { api, errorMessage, type MapEdge, type MapFeature, type ProjectMap } from "../api";
import { dagreLayout } from "../layout";

const MAP_NODE_WIDTH = 180;
const MAP_NODE_HEIGHT = 44;

interface AssetData extends Record<string, unknown> {
  label: string;
}
type AssetNode = Node<AssetData, "asset">;

interface MapEdgeData extends Record<string, unknown> {
  edge: MapEdge;
  here: string[];
}
type MapFlowEdge = Edge<MapEdgeData, "counts">;

const AssetNodeView = memo(function AssetNodeView({ data }: NodeProps<AssetNode>) {
  return (
    <div className="asset-node" title={data.label}>
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <bdi>{data.label}</bdi>
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
});

const CountsEdge = memo(function CountsEdge(props: EdgeProps<MapFlowEdge>) {
  const [path, centerX, centerY] = getSmoothStepPath({
    sourceX: props.sourceX,
    sourceY: props.sourceY,
    sourcePosition: props.sourcePosition,
    targetX: props.targetX,
    targetY: props.targetY,
    targetPosition: props.targetPosition,
  });
  // A downward edge that bends (one of several leaving a step) carries its label on its last,
  // vertical leg, above its own target: at the bend, the labels of siblings would share one line.
  const bends = props.targetY > props.sourceY && Math.abs(props.targetX - props.sourceX) > 1;
  const labelX = bends ? props.targetX : centerX;
  const labelY = bends ? (centerY + props.targetY) / 2 : centerY;
  const data = props.data;
  if (!data) return <BaseEdge path={path} markerEnd={props.markerEnd} />;
  const { edge, here } = data;
  // Only the counts that are not zero are shown (all three are in the title, and in the text for
  // tools); an edge nobody is on gets no visible label, so the labels of sibling edges, drawn side
  // by side at the same height, do not run into each other.
  const counts = [
    ["converged", "✓", edge.converged],
    ["iterating", "⟳", edge.iterating],
    ["stuck", "⚠", edge.stuck],
  ] as const;
  const quiet = counts.every(([, , n]) => n === 0) && here.length === 0;
  return (
    <>
      <BaseEdge path={path} markerEnd={props.markerEnd} className={here.length > 0 ? "map-edge-here" : undefined} />
      <EdgeLabelRenderer>
        <div
          className={`map-edge-label${here.length > 0 ? " here" : ""}${quiet ? " quiet" : ""}`}
          data-testid={`map-edge-${edge.source}-${edge.target}`}
          title={`converged ${edge.converged} · iterating ${edge.iterating} · stuck ${edge.stuck}`}
          style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
        >
          {counts.map(([kind, icon, n]) => (
            <span key={kind} className={`count ${kind}${n === 0 ? " zero" : ""}`} title={`${kind} features`}>
              {icon} {kind} {n}
            </span>
          ))}
          {here.map((f) => (
            <span key={f} className="here-badge" title={`${f}: you are here`}>
              ▶ here: <bdi>{f}</bdi>
            </span>
          ))}
        </div>
      </EdgeLabelRenderer>
    </>
  );
});

const nodeTypes: NodeTypes = { asset: AssetNodeView };
const edgeTypes: EdgeTypes = { counts: CountsEdge };

function edgeName(map: ProjectMap, edgeId: string | null): string {
  if (!edgeId) return "–";
  const e = map.edges.find((x) => x.id === edgeId);
  // Co-evolution edges (`a↔b`) keep their two-way arrow.
  const arrow = edgeId.includes("↔") ? "↔" : "→";
  return e ? `${e.source} ${arrow} ${e.target}` : edgeId;
}

function Trajectory({ feature, map, onClose }: { feature: MapFeature; map: ProjectMap; onClose: () => void }) {
  return (
    <section className="trajectory" data-testid="trajectory" aria-label={`Trajectory of ${feature.id}`}>
      <header>
        <strong>
          <bdi>{feature.id}</bdi>
        </strong>{" "}
        trajectory
        <button type="button" aria-label="Close the trajectory" onClick={onClose}>
          ×
        </button>
      </header>
      {feature.trajectory.length === 0 ? (
        <p className="muted">No iterations recorded yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>edge</th>
              <th>status</th>
              <th>
                <abbr title="iterations">iter.</abbr>
              </th>
              <th>
                <abbr title="delta: checks still failing">Δ</abbr>
              </th>
              <th>at</th>
            </tr>
          </thead>
          <tbody>
            {feature.trajectory.map((r, i) => (
              <tr key={i} className={r.edge === feature.here ? "here" : undefined}>
                <td>
                  <bdi>{edgeName(map, r.edge)}</bdi>
                </td>
                <td className={`status-${r.status}`}>
                  <bdi>{r.status}</bdi>
                </td>
                <td>{r.iterations}</td>
                <td>{r.delta ?? "–"}</td>
                <td>
                  <bdi title={r.at ?? undefined}>{shortTime(r.at)}</bdi>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function MapView({ version }: { version: number }) {
  const [map, setMap] = useState<ProjectMap | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    api
      .map()
      .then((m) => {
        if (cancelled) return;
        setMap(m);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!cancelled) setError(errorMessage(e));
      });
    return () => {
      cancelled = true;
    };
  }, [version]);

  const { nodes, edges } = useMemo(() => {
    if (!map) return { nodes: [] as AssetNode[], edges: [] as MapFlowEdge[] };
    const nodeIds = map.nodes.map((n) => n.id);
    const known = new Set(nodeIds);
    const positions = dagreLayout(nodeIds, map.edges, { width: MAP_NODE_WIDTH, height: MAP_NODE_HEIGHT }, { ranksep: 90, nodesep: 140 });
    const hereByEdge = new Map<string, string[]>();
    for (const f of map.features) {
      if (f.here) hereByEdge.set(f.here, [...(hereByEdge.get(f.here) ?? []), f.id]);
    }
    const nodes: AssetNode[] = map.nodes.map((n) => ({
      id: n.id,
      type: "asset",
      position: positions[n.id] ?? { x: 0, y: 0 },
      data: { label: n.label },
      draggable: false,
      connectable: false,
      selectable: false,
      ariaLabel: `Asset type ${n.label}`,
      domAttributes: { "data-testid": `map-node-${n.id}` } as AssetNode["domAttributes"],
    }));
    const edges: MapFlowEdge[] = map.edges
      .filter((e) => known.has(e.source) && known.has(e.target))
      .map((e) => ({
        id: e.id,
        type: "counts",
        source: e.source,
        target: e.target,
        data: { edge: e, here: hereByEdge.get(e.id) ?? [] },
        selectable: false,
        focusable: false,
        markerEnd: hereByEdge.has(e.id)
          ? { type: MarkerType.ArrowClosed, width: 12, height: 12, color: "#2563eb" }
          : { type: MarkerType.ArrowClosed, width: 18, height: 18 },
      }));
    return { nodes, edges };
  }, [map]);

  const feature = map && selected ? map.features.find((f) => f.id === selected) ?? null : null;

  return (
    <div className="map-view">
      <div className="map" data-testid="map">
        {error ? (
          <div className="map-error" role="alert">
            Could not load the project map: {error}
          </div>
        ) : null}
        {map ? (
          <ReactFlowProvider>
            <ReactFlow<AssetNode, MapFlowEdge>
              key={map.nodes.map((n) => n.id).join("\u0000")}
              nodes={nodes}
              edges={edges}
              nodeTypes={nodeTypes}
              edgeTypes={edgeTypes}
              nodesDraggable={false}
              nodesConnectable={false}
              elementsSelectable={false}
              deleteKeyCode={null}
              fitView
              fitViewOptions={{ padding: 0.2 }}
              minZoom={0.1}
            >
              <Background gap={24} />
              <Controls showInteractive={false} />
            </ReactFlow>
          </ReactFlowProvider>
        ) : !error ? (
          <div className="muted pad">Loading the project map…</div>
        ) : null}
      </div>
      <aside className="features" aria-label="Active features">
        <h2>
          Features{map ? (
            <>
              {" "}
              <span className="muted">
                · <bdi>{map.project}</bdi>
              </span>
            </>
          ) : null}
        </h2>
        {map && map.features.length === 0 ? <p className="muted">No active features.</p> : null}
        <ul>
          {map?.features.map((f) => (
            <li key={f.id}>
              <button
                type="button"
                className={`feature${selected === f.id ? " selected" : ""}`}
                data-testid={`map-feature-${f.id}`}
                aria-label={`Feature ${f.id}: ${f.status}; show its trajectory`}
                aria-pressed={selected === f.id}
                onClick={() => setSelected(f.id)}
              >
                <span className="feature-id">
                  <bdi>{f.id}</bdi>
                </span>
                <span className={`status status-${f.status}`}>
                  <bdi>{f.status}</bdi>
                </span>
                <span className="feature-title" title={f.title}>
                  <bdi>{f.title}</bdi>
                </span>
                <span className="feature-here">
                  you are here: <bdi>{edgeName(map, f.here)}</bdi>
                </span>
              </button>
            </li>
          ))}
        </ul>
        {feature && map ? <Trajectory feature={feature} map={map} onClose={() => setSelected(null)} /> : null}
      </aside>
    </div>
  );
}

/** "2026-12-02T16:15:58.834Z" → "12-02 16:15" in the viewer's time zone; the full stamp is the tooltip. */
function shortTime(at: string | null | undefined): string {
  if (!at) return "–";
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return at;
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
