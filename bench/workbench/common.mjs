// Shared pieces of bench/workbench/run.mjs (the benchmark) and profile.mjs (where the time goes):
// the 1,000-step draft, gen workspaces and servers, the peer's build and static server, the in-page
// instrumentation and the measured operations.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, '../..');
export const PEER = join(HERE, 'peer');
export const WEB = join(ROOT, 'web');
export const { chromium } = createRequire(join(ROOT, 'e2e/package.json'))('playwright-core');
const dagre = createRequire(join(WEB, 'package.json'))('@dagrejs/dagre');

/** The gen binary: $GEN_BIN (relative to the repository root), default target/release/gen. */
export const GEN_BIN = resolve(ROOT, process.env.GEN_BIN ?? 'target/release/gen');
export const NODES = 1000;
export const VIEWPORT = { width: 1280, height: 800 };
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic'];
const EDIT_TIMEOUT_MS = 20_000;

/** Functions run (and awaited) at exit: servers, temporary workspaces, the browser. */
export const cleanup = [];
export async function runCleanup() {
  for (const f of cleanup.splice(0).reverse()) {
    try {
      await f();
    } catch {}
  }
}

// ------------------------------------------------------------------------------------------------
// Machine, stats

/** Share of the CPUs that was busy over `ms` milliseconds (all cores, from /proc/stat). */
function cpuBusy(ms) {
  const read = () => {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3] + (f[4] ?? 0);
    return { idle, total: f.reduce((a, b) => a + b, 0) };
  };
  const a = read();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  const b = read();
  return Math.round((1 - (b.idle - a.idle) / Math.max(1, b.total - a.total)) * 100);
}

/** Samples, every `everyMs`, what else runs on the machine: load average, share of CPU busy (all
 * processes, this benchmark's included), other Chromium browsers (not launched by this process) and
 * rustc processes. Returns stop(), which gives the samples. */
export function watchMachine(everyMs = 5000) {
  const samples = [];
  const stat = () => {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { idle: f[3] + (f[4] ?? 0), total: f.reduce((a, b) => a + b, 0) };
  };
  let prev = stat();
  const tick = () => {
    let browsers = 0;
    let rustc = 0;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        if (/chrom(e|ium)$/.test(argv[0]) && !argv.some((x) => x.startsWith('--type='))) {
          const ppid = Number(/^PPid:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
          if (ppid !== process.pid) browsers += 1; // not the one this benchmark launched
        }
        if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'rustc') rustc += 1;
      } catch {}
    }
    const now = stat();
    const busy = Math.round((1 - (now.idle - prev.idle) / Math.max(1, now.total - prev.total)) * 100);
    prev = now;
    samples.push({ t: new Date().toISOString().slice(11, 19), load1: os.loadavg()[0], busy, otherBrowsers: browsers, rustc });
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      return samples;
    },
  };
}

export function machine() {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  const chromiumPath = findChromium();
  const ver = spawnSync(chromiumPath, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const genStat = statSync(GEN_BIN);
  return {
    nproc: os.availableParallelism(),
    cpu,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    loadavgAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
    cpuBusyPercentAtStart: cpuBusy(2000),
    node: process.version,
    chromium: ver,
    genBin: GEN_BIN,
    genBinMtime: genStat.mtime.toISOString(),
    date: new Date().toISOString(),
  };
}

export function findChromium() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  for (const name of ['chromium', 'chromium-browser']) {
    for (const dir of (process.env.PATH ?? '').split(':')) {
      const p = join(dir, name);
      if (dir && existsSync(p)) return p;
    }
  }
  throw new Error('no chromium on the PATH (scripts/browser-deps installs it); or set CHROMIUM');
}

export function quantile(sorted, q) {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1)); // nearest rank
  return sorted[i];
}
export function stats(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return { n: 0, median: null, p95: null, min: null, max: null };
  const mid = v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  return { n: v.length, median: mid, p95: quantile(v, 0.95), min: v[0], max: v[v.length - 1] };
}
export const r1 = (x) => (x === null || x === undefined ? null : Math.round(x * 10) / 10);
export const ms = (x) => (x === null || x === undefined ? '–' : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(x < 10 ? 1 : 0)} ms`);

// ------------------------------------------------------------------------------------------------
// The draft (bench/drafts.py's 1,000-step shape) and its dagre positions (web/src/layout.ts settings)

export function bigDraft() {
  const nodes = [];
  for (let i = 0; i < NODES; i++) nodes.push({ id: `n${i}`, label: `Step ${i}`, type: 'action', properties: { k: i } });
  const edges = [];
  for (let i = 1; i < NODES; i++) edges.push({ source: `n${i - 1}`, target: `n${i}` });
  for (let i = 0; i < NODES - 3; i += 7) edges.push({ source: `n${i}`, target: `n${i + 3}` });
  return { title: 'Big', summary: '1000 steps', nodes, edges };
}

export function dagrePositions(draft) {
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: 'TB', ranksep: 70, nodesep: 50, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of draft.nodes) g.setNode(n.id, { width: 220, height: 86 });
  for (const e of draft.edges) g.setEdge(e.source, e.target);
  const t = performance.now();
  dagre.layout(g);
  const took = performance.now() - t;
  const out = {};
  for (const n of draft.nodes) {
    const p = g.node(n.id);
    out[n.id] = { x: Math.round(p.x - 110), y: Math.round(p.y - 43) };
  }
  return { positions: out, dagreMs: took };
}

// ------------------------------------------------------------------------------------------------
// gen: workspaces and servers

export function sh(ws, argv, input = '') {
  const r = spawnSync(GEN_BIN, argv, { cwd: ws, input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`gen ${argv.join(' ')} failed (${r.status}) in ${ws}:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

export function makeWorkspace(draft) {
  const ws = mkdtempSync(join(os.tmpdir(), 'gen-wbbench-'));
  cleanup.push(() => rmSync(ws, { recursive: true, force: true }));
  sh(ws, ['init']);
  sh(ws, ['draft', 'new', '--name', 'bench']);
  sh(ws, ['draft', 'apply', '--name', 'bench', '-'], JSON.stringify({ draft }));
  return ws;
}

export function startGen(ws) {
  return new Promise((resolveReady, reject) => {
    const proc = spawn(GEN_BIN, ['workbench', '--no-open', '--port', '0', '--name', 'bench'], {
      cwd: ws,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    proc.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    const timer = setTimeout(() => reject(new Error(`gen workbench not ready in 30 s\n${err}`)), 30_000);
    proc.on('exit', (code) => reject(new Error(`gen workbench exited (${code})\n${err}`)));
    proc.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      const m = /^Workbench: (http:\/\/127\.0\.0\.1:\d+)\/\?token=(\S+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        const handle = {
          url: `${m[1]}/?token=${m[2]}`,
          base: m[1],
          token: m[2],
          stop: () =>
            new Promise((res) => {
              if (proc.exitCode !== null) return res();
              proc.removeAllListeners('exit');
              proc.once('exit', () => res());
              proc.kill('SIGTERM');
              setTimeout(() => proc.kill('SIGKILL'), 5000).unref();
            }),
        };
        cleanup.push(() => proc.exitCode === null && proc.kill('SIGKILL'));
        resolveReady(handle);
      }
    });
  });
}

export async function genApi(wb, path, { method = 'GET', body } = {}) {
  const r = await fetch(`${wb.base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${wb.token}`, Origin: wb.base, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text;
}

/** A workspace holding the 1,000-step draft and (optionally) its stored positions, served. */
export async function genSession(draft, positions) {
  const ws = makeWorkspace(draft);
  const wb = await startGen(ws);
  if (positions) await genApi(wb, '/api/layout', { method: 'PUT', body: { positions } });
  return { ws, wb };
}

// ------------------------------------------------------------------------------------------------
// The peer: build and serve

export function newestMtime(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist') continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

export function buildPeer() {
  const link = join(PEER, 'node_modules');
  let linked = false;
  try {
    linked = lstatSync(link).isSymbolicLink() || lstatSync(link).isDirectory();
  } catch {}
  if (!linked) symlinkSync('../../../web/node_modules', link);
  if (!existsSync(join(WEB, 'node_modules/vite/bin/vite.js'))) throw new Error('web/node_modules is missing: run scripts/web-build first');
  const index = join(PEER, 'dist/index.html');
  if (existsSync(index) && statSync(index).mtimeMs > newestMtime(PEER)) return false;
  const r = spawnSync(process.execPath, [join(WEB, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(PEER, 'vite.config.mjs')], {
    cwd: PEER,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('peer build failed');
  return true;
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };

/** Serves peer/dist (or another build of the peer) and the draft: `/draft.json` (with stored positions), `/draft.json?set=nopos`. */
export function servePeer(withPositions, withoutPositions, dist = join(PEER, 'dist')) {
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    let body;
    let type;
    if (url.pathname === '/draft.json') {
      body = url.searchParams.get('set') === 'nopos' ? withoutPositions : withPositions;
      type = TYPES['.json'];
    } else {
      const file = join(dist, url.pathname === '/' ? 'index.html' : url.pathname);
      if (!file.startsWith(dist) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      body = readFileSync(file);
      type = TYPES[extname(file)] ?? 'application/octet-stream';
    }
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-cache' });
    res.end(body);
  });
  return new Promise((res) => server.listen(0, '127.0.0.1', () => res({ server, base: `http://127.0.0.1:${server.address().port}` })));
}

// ------------------------------------------------------------------------------------------------
// In-page instrumentation (injected into both pages before any of their scripts)

export function benchInit(opts) {
  const B = (window.__bench = { inflight: 0 });
  try {
    performance.setResourceTimingBufferSize(100000);
  } catch {}
  const originalFetch = window.fetch.bind(window);
  window.fetch = (...a) => {
    B.inflight += 1;
    // Counted until the answer's headers arrive (its body and render are covered by settle()'s
    // quiet period); no clone or extra read of the body, so the pages do no added work.
    const p = originalFetch(...a);
    p.catch(() => {}).finally(() => (B.inflight -= 1));
    return p;
  };
  // Server-sent events the page receives (gen): type and arrival time, to explain refetches.
  B.events = [];
  if (window.EventSource) {
    const add = EventSource.prototype.addEventListener;
    EventSource.prototype.addEventListener = function (type, fn, ...rest) {
      const wrapped = (ev) => {
        B.events.push({ type, at: performance.now(), data: typeof ev.data === 'string' ? ev.data.slice(0, 40) : null });
        return fn.call(this, ev);
      };
      return add.call(this, type, wrapped, ...rest);
    };
  }
  const afterFrame = (cb) =>
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => cb(performance.now());
      ch.port2.postMessage(null);
    });
  B.afterFrame = afterFrame;
  const nodeEls = document.getElementsByClassName('react-flow__node');

  // 1. First render: all `expect` nodes in the DOM, then all measured (visible), then a frame.
  B.render = new Promise((resolve) => {
    let tDom = null;
    let done = false;
    const check = () => {
      if (done || nodeEls.length < opts.expect) return;
      if (tDom === null) tDom = performance.now();
      for (const el of nodeEls) if (el.style.visibility !== 'visible') return;
      done = true;
      const tVisible = performance.now();
      mo.disconnect();
      afterFrame((tFrame) => {
        const nav = performance.getEntriesByType('navigation')[0];
        const res = performance.getEntriesByType('resource').map((e) => ({
          name: e.name,
          start: e.startTime,
          responseStart: e.responseStart,
          end: e.responseEnd,
        }));
        resolve({
          tDom,
          tVisible,
          tFrame,
          nodes: nodeEls.length,
          edges: document.getElementsByClassName('react-flow__edge').length,
          nav: nav && {
            redirectCount: nav.redirectCount,
            redirectEnd: nav.redirectEnd,
            responseEnd: nav.responseEnd,
            domContentLoaded: nav.domContentLoadedEventEnd,
          },
          res,
        });
      });
    };
    const mo = new MutationObserver(check);
    mo.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['style'] });
  });

  // 2./3. An edit: arm before the gesture. `trigger`: {type: 'click'|'keydown', testid, key?};
  // `change`: {kind: 'add', label?} (a node id not shown at arm time appears and becomes visible) or
  // {kind: 'label', id, label} (that node's label text becomes `label`).
  B.arm = (trigger, change) => {
    const root = document.querySelector('.react-flow');
    const before = new Set([...nodeEls].map((el) => el.getAttribute('data-id')));
    let t0 = null;
    let tDom = null;
    let cand = null;
    let finished = false;
    const onEvent = (ev) => {
      if (t0 !== null) return;
      if (trigger.key && ev.key !== trigger.key) return;
      if (!(ev.target instanceof Element) || !ev.target.closest(`[data-testid="${trigger.testid}"]`)) return;
      t0 = performance.now();
    };
    window.addEventListener(trigger.type, onEvent, true);
    B.result = new Promise((resolve) => {
      const finish = () => {
        finished = true;
        const tVisible = performance.now();
        mo.disconnect();
        window.removeEventListener(trigger.type, onEvent, true);
        afterFrame((tFrame) => {
          const res = performance
            .getEntriesByType('resource')
            .filter((e) => e.startTime >= t0 - 1 && /\/api\//.test(e.name))
            .map((e) => ({ name: new URL(e.name).pathname, start: e.startTime, responseStart: e.responseStart, end: e.responseEnd }));
          resolve({ t0, tDom: tDom ?? tVisible, tVisible, tFrame, nodes: nodeEls.length, res });
        });
      };
      const labelOf = (el) => el.querySelector('.bp-node-label')?.textContent ?? null;
      const check = (records) => {
        if (finished || t0 === null) return;
        if (change.kind === 'add') {
          if (!cand) {
            for (const r of records) {
              for (const n of r.addedNodes) {
                if (n instanceof Element && n.classList.contains('react-flow__node') && !before.has(n.getAttribute('data-id'))) {
                  if (change.label && labelOf(n) !== change.label) continue;
                  cand = n;
                  tDom = performance.now();
                }
              }
            }
          }
          if (cand && cand.isConnected && cand.style.visibility === 'visible') finish();
        } else {
          const el = root.querySelector(`.react-flow__node[data-id="${CSS.escape(change.id)}"]`);
          if (el && labelOf(el) === change.label) finish();
        }
      };
      const mo = new MutationObserver(check);
      mo.observe(root, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['style'] });
    });
    return true;
  };

  // Settled: no DOM change and no fetch in flight for `quietMs`, and at least `minMs` since the call.
  B.settle = (quietMs, minMs) =>
    new Promise((resolve) => {
      const start = performance.now();
      let last = start;
      const mo = new MutationObserver(() => (last = performance.now()));
      mo.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
      const tick = () => {
        const now = performance.now();
        if (now - last >= quietMs && now - start >= minMs && B.inflight === 0) {
          mo.disconnect();
          resolve(now - start);
        } else setTimeout(tick, 25);
      };
      setTimeout(tick, Math.min(quietMs, minMs));
    });
}

/** A page in a fresh context with the instrumentation; `extraInit` (a function) is injected too. */
export async function newPage(browser, expect, extraInit) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.addInitScript({ content: `(${benchInit.toString()})(${JSON.stringify({ expect })})` });
  if (extraInit) await page.addInitScript(extraInit);
  return { context, page, errors };
}

export async function withTimeout(p, msLimit, what) {
  let timer;
  const late = new Promise((_, rej) => (timer = setTimeout(() => rej(new Error(`${what}: no result within ${msLimit} ms`)), msLimit)));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

// ------------------------------------------------------------------------------------------------
// 1. First render

export async function firstRender(browser, url, dataPattern) {
  const { context, page, errors } = await newPage(browser, NODES);
  try {
    await page.goto(url, { waitUntil: 'commit' });
    const r = await withTimeout(page.evaluate(() => window.__bench.render), 60_000, `first render of ${url}`);
    const data = r.res.find((e) => dataPattern.test(e.name));
    const js = r.res.filter((e) => /\.js(\?|$)/.test(e.name)).sort((a, b) => b.end - a.end)[0];
    if (errors.length) throw new Error(`page errors: ${errors.join('\n')}`);
    return {
      total: r.tFrame,
      inDom: r.tDom,
      visible: r.tVisible,
      nodes: r.nodes,
      edges: r.edges,
      redirects: r.nav?.redirectCount ?? null,
      htmlEnd: r.nav?.responseEnd ?? null,
      jsEnd: js?.end ?? null,
      dataUrl: data?.name ?? null,
      dataStart: data?.start ?? null,
      dataEnd: data?.end ?? null,
    };
  } finally {
    await context.close();
  }
}

// ------------------------------------------------------------------------------------------------
// 2./3. Edits

/** Opens a page on `url` and waits until its 1,000 nodes are shown and it has settled. */
export async function openForEdits(browser, url, extraInit) {
  const p = await newPage(browser, NODES, extraInit);
  await p.page.goto(url, { waitUntil: 'commit' });
  await withTimeout(p.page.evaluate(() => window.__bench.render), 60_000, `opening ${url}`);
  await p.page.evaluate(() => window.__bench.settle(300, 500));
  return p;
}

/** One edit: arm the page, do `gesture`, wait for the change and the next frame, then let the page
 * settle. `hooks.before()` / `hooks.after()` (optional) run right before the gesture and right after
 * the result, outside the settling (profile.mjs starts and stops the profiler there). */
export async function measureEdit(page, trigger, change, gesture, settleMin, hooks = {}) {
  await page.evaluate(([t, c]) => window.__bench.arm(t, c), [trigger, change]);
  await hooks.before?.();
  await gesture();
  const r = await withTimeout(page.evaluate(() => window.__bench.result), EDIT_TIMEOUT_MS, `edit ${JSON.stringify(change)}`);
  await hooks.after?.();
  await page.evaluate(([q, m]) => window.__bench.settle(q, m), [300, settleMin]);
  // Every API request the edit caused, until the page settled (gen: the mutation, then any layout
  // store and refetch it triggers), with the size of each answer's body.
  const { trail, events } = await page.evaluate((t0) => ({
    trail: performance
      .getEntriesByType('resource')
      .filter((e) => e.startTime >= t0 - 1 && /\/api\//.test(e.name))
      .map((e) => ({ name: new URL(e.name).pathname, at: e.startTime - t0, end: e.responseEnd - t0, bytes: e.encodedBodySize })),
    events: window.__bench.events.filter((e) => e.at >= t0).map((e) => ({ ...e, at: e.at - t0 })),
  }), r.t0);
  const req = r.res.find((e) => /\/api\/(actions|chat)$/.test(e.name));
  return {
    t0: r.t0,
    total: r.tFrame - r.t0,
    inDom: r.tDom - r.t0,
    visible: r.tVisible - r.t0,
    nodes: r.nodes,
    // gen only: the mutation's request, relative to the gesture
    reqStart: req ? req.start - r.t0 : null,
    reqEnd: req ? req.end - r.t0 : null,
    requests: trail,
    events,
  };
}

export async function paletteAdd(page, hooks) {
  return measureEdit(page, { type: 'click', testid: 'palette-add-action' }, { kind: 'add' }, () => page.click('[data-testid="palette-add-action"]'), 500, hooks);
}

/** Ids of nodes whose centre is on screen and not covered by the minimap, controls or panels. */
export async function clickableNodes(page) {
  return page.evaluate(() => {
    const out = [];
    for (const el of document.getElementsByClassName('react-flow__node')) {
      const b = el.getBoundingClientRect();
      const x = b.left + b.width / 2;
      const y = b.top + b.height / 2;
      if (b.width < 2 || x < 0 || y < 0 || x > innerWidth || y > innerHeight) continue;
      const hit = document.elementFromPoint(x, y);
      if (hit && el.contains(hit)) out.push(el.getAttribute('data-id'));
    }
    return out;
  });
}

export async function rename(page, id, label, hooks) {
  const box = await page.locator(`.react-flow__node[data-id="${id}"]`).boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  const input = page.getByTestId('inspector-label');
  await input.waitFor();
  await page.waitForFunction((want) => document.querySelector('.react-flow__node.selected')?.getAttribute('data-id') === want, id);
  await input.fill(label);
  return measureEdit(page, { type: 'click', testid: 'inspector-apply' }, { kind: 'label', id, label }, () => page.click('[data-testid="inspector-apply"]'), 500, hooks);
}

export async function chatAdd(page, label, after, hooks) {
  const text = `add step ${label} after ${after}`;
  await page.getByTestId('chat-input').fill(text);
  return measureEdit(page, { type: 'keydown', key: 'Enter', testid: 'chat-input' }, { kind: 'add', label }, () => page.getByTestId('chat-input').press('Enter'), 2500, hooks);
}

// ------------------------------------------------------------------------------------------------
