// Node placement: dagre layered layout (top to bottom) and the placement of nodes that have no
// stored position yet, keeping every placed node where it is.
import dagre from "@dagrejs/dagre";
import type { Position, Positions } from "./api";

/** The size every canvas node is laid out with (the CSS gives nodes this width). */
export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 86;
const RANK_SEP = 70;
const NODE_SEP = 50;

export interface LayoutEdge {
  source: string;
  target: string;
}

/** Top-left positions of a dagre TB layout of all nodes. */
export function dagreLayout(
  nodeIds: readonly string[],
  edges: readonly LayoutEdge[],
  size: { width: number; height: number } = { width: NODE_WIDTH, height: NODE_HEIGHT },
  options: { rankdir?: "TB" | "LR"; ranksep?: number; nodesep?: number } = {},
): Positions {
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({
    rankdir: options.rankdir ?? "TB",
    ranksep: options.ranksep ?? RANK_SEP,
    nodesep: options.nodesep ?? NODE_SEP,
    marginx: 20,
    marginy: 20,
  });
  g.setDefaultEdgeLabel(() => ({}));
  const known = new Set(nodeIds);
  for (const id of nodeIds) g.setNode(id, { width: size.width, height: size.height });
  for (const e of edges) {
    if (known.has(e.source) && known.has(e.target) && e.source !== e.target) g.setEdge(e.source, e.target);
  }
  dagre.layout(g);
  const out: Positions = {};
  for (const id of nodeIds) {
    const n = g.node(id) as { x?: number; y?: number } | undefined;
    const x = n?.x ?? 0;
    const y = n?.y ?? 0;
    out[id] = { x: Math.round(x - size.width / 2), y: Math.round(y - size.height / 2) };
  }
  return out;
}

function overlaps(p: Position, q: Position): boolean {
  return Math.abs(p.x - q.x) < NODE_WIDTH + 20 && Math.abs(p.y - q.y) < NODE_HEIGHT + 20;
}

/** Moves `p` right until it overlaps none of `taken`. */
export function nudgeFree(p: Position, taken: readonly Position[]): Position {
  let candidate = { ...p };
  for (let i = 0; i < 500 && taken.some((q) => overlaps(candidate, q)); i++) {
    candidate = { x: candidate.x + NODE_WIDTH + NODE_SEP, y: candidate.y };
  }
  return candidate;
}

/** The free spot nearest to `p` on a grid of node-sized steps around it (`p` itself when free). */
export function freeSpotNear(p: Position, taken: readonly Position[]): Position {
  const stepX = NODE_WIDTH + 30;
  const stepY = NODE_HEIGHT + 30;
  for (let ring = 0; ring <= 6; ring++) {
    const candidates: Position[] = [];
    for (let i = -ring; i <= ring; i++) {
      for (let j = -ring; j <= ring; j++) {
        if (Math.max(Math.abs(i), Math.abs(j)) !== ring) continue;
        candidates.push({ x: p.x + i * stepX, y: p.y + j * stepY });
      }
    }
    candidates.sort((a, b) => Math.hypot(a.x - p.x, a.y - p.y) - Math.hypot(b.x - p.x, b.y - p.y));
    const free = candidates.find((c) => !taken.some((q) => overlaps(c, q)));
    if (free) return free;
  }
  return { x: p.x + 32, y: p.y + 32 };
}

/**
 * Positions for the nodes that have none in `placed`, computed over the whole graph once: a node
 * with a placed predecessor goes below it, one with a placed successor above it, any other one at
 * its dagre position shifted by the mean offset between the dagre and the stored positions of the
 * placed nodes. Placed nodes never move. With nothing placed this is a plain dagre layout.
 */
export function placeMissing(
  nodeIds: readonly string[],
  edges: readonly LayoutEdge[],
  placed: Positions,
): Positions {
  const missing = nodeIds.filter((id) => !placed[id]);
  if (missing.length === 0) return {};
  const placedIds = nodeIds.filter((id) => placed[id]);
  if (placedIds.length === 0) {
    const layered = dagreLayout(nodeIds, edges);
    const out: Positions = {};
    for (const id of missing) out[id] = layered[id] ?? { x: 0, y: 0 };
    return out;
  }
  const all: Positions = { ...placed };
  const taken: Position[] = placedIds.map((id) => placed[id]).filter((p): p is Position => !!p);
  const out: Positions = {};
  const preds = new Map<string, string[]>();
  const succs = new Map<string, string[]>();
  for (const e of edges) {
    if (e.source === e.target) continue;
    (preds.get(e.target) ?? preds.set(e.target, []).get(e.target)!).push(e.source);
    (succs.get(e.source) ?? succs.set(e.source, []).get(e.source)!).push(e.target);
  }
  const put = (id: string, p: Position) => {
    const free = nudgeFree(p, taken);
    out[id] = free;
    all[id] = free;
    taken.push(free);
  };
  const besideNeighbour = (id: string): Position | null => {
    const pred = (preds.get(id) ?? []).map((p) => all[p]).find((p): p is Position => !!p);
    if (pred) return { x: pred.x, y: pred.y + NODE_HEIGHT + RANK_SEP };
    const succ = (succs.get(id) ?? []).map((s) => all[s]).find((p): p is Position => !!p);
    if (succ) return { x: succ.x, y: succ.y - NODE_HEIGHT - RANK_SEP };
    return null;
  };
  // The common case (a step added next to placed ones, or a chain of them) needs no layout of the
  // whole graph: place by neighbours until nothing more can be placed that way. Only steps with no
  // placed neighbour at all pay for dagre, which is ~300 ms on a 1000-step graph.
  let rest = missing;
  for (;;) {
    const next: string[] = [];
    for (const id of rest) {
      const p = besideNeighbour(id);
      if (p) put(id, p);
      else next.push(id);
    }
    if (next.length === 0 || next.length === rest.length) {
      rest = next;
      break;
    }
    rest = next;
  }
  if (rest.length === 0) return out;

  const layered = dagreLayout(nodeIds, edges);
  let dx = 0;
  let dy = 0;
  for (const id of placedIds) {
    const a = placed[id];
    const b = layered[id];
    if (a && b) {
      dx += a.x - b.x;
      dy += a.y - b.y;
    }
  }
  dx /= placedIds.length;
  dy /= placedIds.length;
  // Visit the rest in dagre rank order so chains of new nodes stack below each other.
  const order = [...rest].sort((a, b) => (layered[a]?.y ?? 0) - (layered[b]?.y ?? 0) || (layered[a]?.x ?? 0) - (layered[b]?.x ?? 0));
  for (const id of order) {
    const l = layered[id] ?? { x: 0, y: 0 };
    put(id, besideNeighbour(id) ?? { x: Math.round(l.x + dx), y: Math.round(l.y + dy) });
  }
  return out;
}
