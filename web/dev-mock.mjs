#!/usr/bin/env node
// DEV TOOL ONLY — not shipped, not used by the Rust server or by CI.
//
// A throwaway stand-in for `gen workbench` so the browser UI can be developed and clicked through
// without building the Rust server: an in-memory draft, a small tolerant reducer, undo/redo, a toy
// chat "agent", SSE events and a fake project map, following docs/workbench-api.md loosely. Its
// messages and edge cases are NOT the real reducer's: never test the server against it.
//
//   node dev-mock.mjs [--port 5174]        serves web/dist (run `npm run build` first) and /api
//   MOCK_TOKEN=secret node dev-mock.mjs    also enforces the token cookie (open /?token=secret)
//   npm run dev                            Vite dev server proxying /api to this mock
//
// Extras for poking at live updates from a terminal:
//   curl -X POST localhost:5174/api/_mock/map-bump        (changes the map, sends `event: map`)
//   curl -X POST localhost:5174/api/actions -d '{"intent":"rename","nodeId":"build","label":"B"}'

import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const distDir = path.join(here, "dist");
const portArg = process.argv.indexOf("--port");
const PORT = portArg > 0 ? Number(process.argv[portArg + 1]) : Number(process.env.PORT ?? 5174);
const TOKEN = process.env.MOCK_TOKEN ?? null;
const UNDO_LIMIT = 50;

const clone = (v) => JSON.parse(JSON.stringify(v));

// ---- state ----------------------------------------------------------------------------------

let draft = {
  title: "Release pipeline",
  summary: "Build, test and ship.",
  nodes: [
    { id: "start", label: "On push", type: "trigger", description: "Runs on every push to main." },
    { id: "lint", label: "Lint", type: "action" },
    { id: "build", label: "Build", type: "action", description: "Compile the release binaries for every target platform, which can take a while on the small runners.", properties: { target: "x86_64" } },
    { id: "test", label: "Test", type: "action" },
    { id: "gate", label: "Tests green?", type: "condition" },
  ],
  edges: [
    { source: "start", target: "lint" },
    { source: "lint", target: "build" },
    { source: "build", target: "test" },
    { source: "test", target: "gate", label: "results" },
  ],
};
let positions = {};
let revision = 1;
let undoStack = []; // { draft, summary }
let redoStack = [];
let savedDraft = JSON.stringify(draft);
const chatHistory = [];
const sseClients = new Set();

let map = {
  project: "demo-project",
  nodes: [
    { id: "intent", label: "Intent" },
    { id: "requirements", label: "Requirements" },
    { id: "design", label: "Design" },
    { id: "code", label: "Code" },
    { id: "tests", label: "Tests" },
  ],
  edges: [
    { id: "intent→requirements", source: "intent", target: "requirements", converged: 3, iterating: 1, stuck: 0, features: [{ id: "FEAT-1", status: "converged" }] },
    { id: "requirements→design", source: "requirements", target: "design", converged: 2, iterating: 1, stuck: 1, features: [{ id: "FEAT-2", status: "iterating" }] },
    { id: "design→code", source: "design", target: "code", converged: 1, iterating: 0, stuck: 1, features: [{ id: "FEAT-3", status: "stuck" }] },
    { id: "code→tests", source: "code", target: "tests", converged: 0, iterating: 2, stuck: 0, features: [] },
  ],
  features: [
    {
      id: "FEAT-2",
      title: "Export the draft as Mermaid",
      status: "iterating",
      here: "requirements→design",
      trajectory: [
        { edge: "intent→requirements", status: "converged", iterations: 2, delta: 0, at: "2026-01-10T10:00:00Z" },
        { edge: "requirements→design", status: "iterating", iterations: 3, delta: 2, at: null },
      ],
    },
    {
      id: "FEAT-3",
      title: "Offline mode <script>alert(1)</script>",
      status: "stuck",
      here: "design→code",
      trajectory: [{ edge: "design→code", status: "stuck", iterations: 5, delta: 1, at: "2026-01-11T09:00:00Z" }],
    },
  ],
};

// ---- reducer --------------------------------------------------------------------------------

class Refusal extends Error {}
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

function node(d, id) {
  const n = d.nodes.find((x) => x.id === id);
  if (!n) throw new Refusal("That step doesn't exist in the current workflow.");
  return n;
}

function checkNewNode(d, n) {
  if (!n || typeof n !== "object" || typeof n.id !== "string" || !ID_RE.test(n.id) || typeof n.type !== "string") {
    throw new Refusal("I couldn't apply that change: the request was invalid.");
  }
  if (d.nodes.some((x) => x.id === n.id)) throw new Refusal("A step with that id already exists.");
  return { id: n.id, label: String(n.label ?? n.id), type: n.type, ...(n.description ? { description: n.description } : {}), ...(n.properties ? { properties: n.properties } : {}) };
}

function connect(d, source, target, label) {
  node(d, source);
  node(d, target);
  if (source === target) throw new Refusal("A step cannot connect to itself.");
  if (d.edges.some((e) => e.source === source && e.target === target)) throw new Refusal("Those steps are already connected.");
  d.edges.push({ source, target, ...(label ? { label } : {}) });
}

/** Applies one action to `d` in place; returns a summary, or null when nothing changed. */
function applyOne(d, a) {
  if (!a || typeof a !== "object") throw new Refusal("I couldn't apply that change: the request was invalid.");
  if ("draft" in a) {
    const nd = a.draft;
    if (!nd || !Array.isArray(nd.nodes) || !Array.isArray(nd.edges)) throw new Refusal("The workflow draft was invalid.");
    Object.assign(d, clone(nd));
    return "Replaced the workflow";
  }
  switch (a.intent ?? a.action) {
    case "add": {
      const n = checkNewNode(d, a.node);
      if (a.afterNodeId) {
        node(d, a.afterNodeId);
        const i = d.nodes.findIndex((x) => x.id === a.afterNodeId);
        d.nodes.splice(i + 1, 0, n);
        const outs = d.edges.filter((e) => e.source === a.afterNodeId);
        d.edges = d.edges.filter((e) => e.source !== a.afterNodeId);
        d.edges.push({ source: a.afterNodeId, target: n.id });
        for (const e of outs) d.edges.push({ ...e, source: n.id });
      } else d.nodes.push(n);
      if (a.connectFrom) connect(d, a.connectFrom, n.id);
      return `Added ${n.label}`;
    }
    case "remove": {
      const n = node(d, a.nodeId);
      d.nodes = d.nodes.filter((x) => x.id !== n.id);
      d.edges = d.edges.filter((e) => e.source !== n.id && e.target !== n.id);
      return `Removed ${n.label}`;
    }
    case "deleteNodes": {
      const ids = new Set(a.nodeIds ?? []);
      for (const id of ids) node(d, id);
      d.nodes = d.nodes.filter((x) => !ids.has(x.id));
      d.edges = d.edges.filter((e) => !ids.has(e.source) && !ids.has(e.target));
      return `Deleted ${ids.size} step(s)`;
    }
    case "rename": {
      const n = node(d, a.nodeId);
      if (n.label === a.label) return null;
      n.label = String(a.label);
      return `Renamed ${a.nodeId} to ${n.label}`;
    }
    case "connect":
      connect(d, a.source, a.target, a.label);
      return `Connected ${a.source} to ${a.target}`;
    case "deleteEdge": {
      const before = d.edges.length;
      d.edges = d.edges.filter((e) => !(e.source === a.source && e.target === a.target));
      if (before === d.edges.length) throw new Refusal("Those steps are not connected.");
      return `Disconnected ${a.source} from ${a.target}`;
    }
    case "setEdgeLabel": {
      const e = d.edges.find((x) => x.source === a.source && x.target === a.target);
      if (!e) throw new Refusal("Those steps are not connected.");
      if (a.label) e.label = a.label;
      else delete e.label;
      return "Changed an edge label";
    }
    case "setTitle":
      d.title = String(a.title);
      return "Changed the title";
    case "setSummary":
      d.summary = String(a.summary);
      return "Changed the summary";
    case "setNodeType": {
      const n = node(d, a.nodeId);
      if (n.type === a.type) return null;
      n.type = String(a.type);
      return `Changed the type of ${n.label}`;
    }
    case "setNodeDescription": {
      const n = node(d, a.nodeId);
      if (a.description) n.description = String(a.description);
      else delete n.description;
      return `Changed the description of ${n.label}`;
    }
    case "replaceProperties":
    case "configure": {
      const n = node(d, a.nodeId);
      const p = a.properties;
      if (p !== null && (typeof p !== "object" || Array.isArray(p))) throw new Refusal("Properties must be a JSON object.");
      if (a.intent === "configure") n.properties = { ...(n.properties ?? {}), ...p };
      else if (p === null || Object.keys(p).length === 0) delete n.properties;
      else n.properties = p;
      return `Configured ${n.label}`;
    }
    case "reorder": {
      const ids = a.nodeIds ?? [];
      if (ids.length !== d.nodes.length) throw new Refusal("I couldn't apply that change: the request was invalid.");
      d.nodes = ids.map((id) => node(d, id));
      return "Reordered the steps";
    }
    case "duplicateNodes": {
      const ids = a.nodeIds ?? [];
      const mapIds = new Map();
      for (const id of ids) {
        const n = node(d, id);
        let k = 2;
        while (d.nodes.some((x) => x.id === `${id}-${k}`)) k++;
        mapIds.set(id, `${id}-${k}`);
        d.nodes.push({ ...clone(n), id: `${id}-${k}` });
      }
      for (const e of [...d.edges]) {
        if (mapIds.has(e.source) && mapIds.has(e.target)) d.edges.push({ ...e, source: mapIds.get(e.source), target: mapIds.get(e.target) });
      }
      return `Duplicated ${ids.length} step(s)`;
    }
    case "branch": {
      node(d, a.fromNodeId);
      for (const b of a.branches ?? []) {
        const n = checkNewNode(d, b.node);
        d.nodes.push(n);
        connect(d, a.fromNodeId, n.id);
        if (b.connectTo) connect(d, n.id, b.connectTo);
      }
      return "Added branches";
    }
    default:
      throw new Refusal("I couldn't apply that change: the request was invalid.");
  }
}

/** Runs a batch (partial apply: failed actions are skipped), one undo step if anything changed. */
function applyBatch(input) {
  const actions = Array.isArray(input) ? input : [input];
  const next = clone(draft);
  const report = { changed: false, message: "", applied: [], unchanged: [], failed: [] };
  actions.forEach((a, index) => {
    const attempt = clone(next);
    try {
      const summary = applyOne(attempt, a);
      if (summary === null || JSON.stringify(attempt) === JSON.stringify(next)) report.unchanged.push(index);
      else {
        Object.keys(next).forEach((k) => delete next[k]);
        Object.assign(next, attempt);
        report.applied.push({ index, summary, change: {} });
      }
    } catch (e) {
      report.failed.push({ index, message: e instanceof Refusal ? e.message : "I couldn't apply that change.", at: `/${index}`, problem: String(e.message) });
    }
  });
  report.changed = report.applied.length > 0;
  const k = report.applied.length;
  const m = report.failed.length;
  if (k === 0 && m > 0) report.message = report.failed[0].message;
  else if (k === 0) report.message = "Nothing to change: the workflow already looks like that.";
  else if (m === 0) report.message = k === 1 ? report.applied[0].summary : `Applied ${k} changes`;
  else report.message = `Applied ${k} change${k === 1 ? "" : "s"}; ${m} failed: ${report.failed[0].message}`;
  if (report.changed) {
    undoStack.push({ draft: draft, summary: report.message });
    if (undoStack.length > UNDO_LIMIT) undoStack.shift();
    redoStack = [];
    draft = next;
    bump();
  }
  return report;
}

function bump() {
  // Like the real server, keep no position for a step the draft no longer has.
  for (const id of Object.keys(positions)) if (!draft.nodes.some((n) => n.id === id)) delete positions[id];
  revision += 1;
  broadcast("draft", { revision });
}

function problems() {
  const out = [];
  for (const n of draft.nodes) {
    if (!n.label.trim()) out.push({ nodeId: n.id, message: "This step has no label." });
    if (n.type === "condition" && draft.edges.filter((e) => e.source === n.id).length < 2) {
      out.push({ nodeId: n.id, message: "A condition needs two outgoing branches." });
    }
  }
  if (!draft.nodes.some((n) => n.type === "trigger")) out.push({ nodeId: null, message: "The workflow has no trigger." });
  return out;
}

function view(extra = {}) {
  return {
    name: "default",
    kind: "draft",
    revision,
    draft,
    undo: undoStack.length,
    redo: redoStack.length,
    layout: { positions },
    problems: problems(),
    dirty: JSON.stringify(draft) !== savedDraft,
    ...extra,
  };
}

// ---- toy agent ------------------------------------------------------------------------------

const slug = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "step";
function findNode(ref) {
  const r = ref.trim().toLowerCase();
  return draft.nodes.find((n) => n.id.toLowerCase() === r) ?? draft.nodes.find((n) => n.label.toLowerCase() === r);
}

function agent(message) {
  const m = message.trim();
  let match;
  if (/^undo$/i.test(m)) {
    const ok = undoStack.length > 0;
    if (ok) doUndo();
    return { reply: ok ? "Undone." : "Nothing to undo.", report: null, changed: [] };
  }
  if ((match = m.match(/^add (?:step )?(.+?)(?: after (.+))?$/i))) {
    const label = match[1];
    let id = slug(label);
    let k = 2;
    while (draft.nodes.some((n) => n.id === id)) id = `${slug(label)}-${k++}`;
    const after = match[2] ? findNode(match[2]) : null;
    const action = { intent: "add", node: { id, label, type: "action" }, ...(after ? { afterNodeId: after.id } : match[2] ? { afterNodeId: slug(match[2]) } : {}) };
    const report = applyBatch(action);
    return { reply: report.message, report, changed: report.changed ? [id] : [] };
  }
  if ((match = m.match(/^connect (.+?) to (.+)$/i))) {
    const a = findNode(match[1]);
    const b = findNode(match[2]);
    const report = applyBatch({ intent: "connect", source: a?.id ?? slug(match[1]), target: b?.id ?? slug(match[2]) });
    return { reply: report.message, report, changed: report.changed ? [a.id, b.id] : [] };
  }
  if ((match = m.match(/^rename (.+?) to (.+)$/i))) {
    const a = findNode(match[1]);
    const report = applyBatch({ intent: "rename", nodeId: a?.id ?? slug(match[1]), label: match[2] });
    return { reply: report.message, report, changed: report.changed ? [a.id] : [] };
  }
  if ((match = m.match(/^remove (.+)$/i))) {
    const a = findNode(match[1]);
    const report = applyBatch({ intent: "remove", nodeId: a?.id ?? slug(match[1]) });
    return { reply: report.message, report, changed: [] };
  }
  if (/^fail$/i.test(m)) return { error: true };
  return { reply: `The mock agent understands: add step X after Y, connect A to B, rename A to B, remove A, undo. You said: ${m}`, report: null, changed: [] };
}

function doUndo() {
  const prev = undoStack.pop();
  if (!prev) return null;
  redoStack.push({ draft, summary: prev.summary });
  draft = prev.draft;
  bump();
  return `Undid: ${prev.summary}`;
}
function doRedo() {
  const next = redoStack.pop();
  if (!next) return null;
  undoStack.push({ draft, summary: next.summary });
  draft = next.draft;
  bump();
  return `Redid: ${next.summary}`;
}

// ---- HTTP -----------------------------------------------------------------------------------

function broadcast(event, data) {
  for (const res of sseClients) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function send(res, status, body) {
  res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store" });
  res.end(JSON.stringify(body));
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks = [];
    req.on("data", (c) => {
      size += c.length;
      if (size > 1024 * 1024) reject(Object.assign(new Error("too large"), { status: 413 }));
      else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function authorized(req) {
  if (!TOKEN) return true;
  const cookie = req.headers.cookie ?? "";
  if (cookie.split(/;\s*/).includes(`gen_token=${TOKEN}`)) return true;
  return req.headers.authorization === `Bearer ${TOKEN}`;
}

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".json": "application/json" };

function serveStatic(req, res, url) {
  if (TOKEN && url.searchParams.get("token")) {
    res.writeHead(302, { "Set-Cookie": `gen_token=${url.searchParams.get("token")}; HttpOnly; SameSite=Strict; Path=/`, Location: "/" });
    res.end();
    return;
  }
  let rel = decodeURIComponent(url.pathname);
  if (rel === "/") rel = "/index.html";
  let file = path.join(distDir, path.normalize(rel));
  if (!file.startsWith(distDir) || !fs.existsSync(file)) file = path.join(distDir, "index.html");
  if (!fs.existsSync(file)) file = path.join(here, "stub", "index.html");
  res.writeHead(200, { "Content-Type": TYPES[path.extname(file)] ?? "application/octet-stream" });
  fs.createReadStream(file).pipe(res);
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
  if (!url.pathname.startsWith("/api/")) return serveStatic(req, res, url);
  if (!authorized(req)) return send(res, 401, { error: "unauthorized" });
  const route = `${req.method} ${url.pathname}`;
  try {
    let body = null;
    if (req.method === "POST" || req.method === "PUT") {
      const text = await readBody(req);
      if (text.trim()) {
        try {
          body = JSON.parse(text);
        } catch {
          return send(res, 400, { error: "The request body is not valid JSON." });
        }
      }
    }
    // A little latency, so in-flight states show.
    await new Promise((r) => setTimeout(r, Number(process.env.MOCK_DELAY_MS ?? 80)));
    switch (route) {
      case "GET /api/draft":
        return send(res, 200, view());
      case "POST /api/actions": {
        if (body === null) return send(res, 400, { error: "Empty body." });
        const report = applyBatch(body);
        return send(res, 200, view({ report }));
      }
      case "POST /api/undo":
        return send(res, 200, view({ message: doUndo() }));
      case "POST /api/redo":
        return send(res, 200, view({ message: doRedo() }));
      case "POST /api/chat": {
        const message = typeof body?.message === "string" ? body.message : "";
        if (!message.trim()) return send(res, 400, { error: "Empty message." });
        const r = agent(message);
        if (r.error) return send(res, 502, { error: "The agent failed (mock)." });
        chatHistory.push({ role: "user", text: message, report: null });
        chatHistory.push({ role: "agent", text: r.reply, report: r.report });
        return send(res, 200, view({ reply: r.reply, report: r.report, changed: r.changed }));
      }
      case "GET /api/chat/history":
        return send(res, 200, { messages: chatHistory });
      case "PUT /api/layout": {
        const p = body?.positions;
        if (!p || typeof p !== "object") return send(res, 400, { error: "positions missing" });
        positions = {};
        for (const [id, v] of Object.entries(p)) if (draft.nodes.some((n) => n.id === id)) positions[id] = { x: Number(v.x), y: Number(v.y) };
        return send(res, 200, { ok: true });
      }
      case "POST /api/save": {
        const ps = problems();
        if (ps.length > 0) return send(res, 422, { error: "The draft has problems; fix them before saving.", problems: ps });
        savedDraft = JSON.stringify(draft);
        broadcast("draft", { revision });
        return send(res, 200, { saved: ".ai-workspace/workbench/drafts/default/blueprint.json" });
      }
      case "GET /api/status":
        return send(res, 200, { project: map.project });
      case "GET /api/map":
        return send(res, 200, map);
      case "POST /api/_mock/map-bump":
        map = clone(map);
        for (const e of map.edges) e.iterating += 1;
        broadcast("map", {});
        return send(res, 200, { ok: true });
      case "GET /api/events": {
        res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-store", Connection: "keep-alive" });
        res.write(": hello\n\n");
        sseClients.add(res);
        const ping = setInterval(() => res.write(": ping\n\n"), 15000);
        req.on("close", () => {
          clearInterval(ping);
          sseClients.delete(res);
        });
        return undefined;
      }
      default:
        return send(res, 404, { error: `No route ${route}` });
    }
  } catch (e) {
    return send(res, e.status ?? 500, { error: String(e.message ?? e) });
  }
});

server.listen(PORT, "127.0.0.1", () => {
  console.log(`Workbench (dev mock): http://127.0.0.1:${PORT}/${TOKEN ? `?token=${TOKEN}` : ""}`);
});
