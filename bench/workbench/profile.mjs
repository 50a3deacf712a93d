#!/usr/bin/env node
// Where the time goes: CPU profiles (Chromium's sampling profiler, 100 µs) and main-thread counters
// (script / style / layout time) of the operations run.mjs times, for gen and the peer.
//
// usage: node bench/workbench/profile.mjs [--reps N] [--only render,palette,rename,chat]
//        GEN_BIN as for run.mjs
//
// The pages profiled are *unminified* builds with source maps, made here from the same sources
// (web/ and bench/workbench/peer/, into bench/workbench/out/): gen's UI is served by a small proxy
// that forwards /api/ to a real `gen workbench` (token added, Origin rewritten), so function names
// and source files are real. Minification changes neither what runs nor how often; the times that
// count are run.mjs's, on the real binary's embedded build. Prints, per operation and side: the
// median wall time, the median main-thread script / style / layout time, and the functions and
// source files with the most self time (ms per operation, mean over the repetitions).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CHROMIUM_ARGS,
  GEN_BIN,
  HERE,
  NODES,
  PEER,
  WEB,
  bigDraft,
  buildPeer,
  chatAdd,
  chromium,
  cleanup,
  clickableNodes,
  dagrePositions,
  findChromium,
  genApi,
  genSession,
  newPage,
  openForEdits,
  paletteAdd,
  rename,
  runCleanup,
  servePeer,
  stats,
  withTimeout,
} from './common.mjs';

const args = process.argv.slice(2);
const REPS = args.includes('--reps') ? Number(args[args.indexOf('--reps') + 1]) : 5;
const onlyArg = args.find((a) => a.startsWith('--only'));
const ONLY = onlyArg ? new Set((onlyArg.includes('=') ? onlyArg.split('=')[1] : args[args.indexOf(onlyArg) + 1]).split(',')) : null;
const want = (k) => !ONLY || ONLY.has(k);
const OUT = join(HERE, 'out');

// ------------------------------------------------------------------------------------------------
// Unminified builds with source maps

async function buildUnminified(root, outDir) {
  const vite = await import(pathToFileURL(join(WEB, 'node_modules/vite/dist/node/index.js')).href);
  await vite.build({
    root,
    configFile: false,
    base: './',
    logLevel: 'warn',
    esbuild: { jsx: 'automatic' },
    build: {
      outDir,
      emptyOutDir: true,
      minify: false,
      sourcemap: true,
      target: 'es2021',
      chunkSizeWarningLimit: 5000,
      rollupOptions: { onwarn: (w, warn) => w.code !== 'MODULE_LEVEL_DIRECTIVE' && warn(w) },
    },
  });
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

/** Serves gen's unminified UI from `dir` and forwards /api/ to the real server `wb`. */
function proxyGen(dir, wb) {
  const target = new URL(wb.base);
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname.startsWith('/api/')) {
      const headers = { ...req.headers, host: target.host, authorization: `Bearer ${wb.token}` };
      delete headers.cookie;
      if (headers.origin) headers.origin = wb.base;
      const up = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (r) => {
        res.writeHead(r.statusCode, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
      return;
    }
    const file = join(dir, url.pathname === '/' ? 'index.html' : url.pathname);
    if (!file.startsWith(dir) || !existsSync(file)) return void res.writeHead(404).end();
    const body = readFileSync(file);
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
    res.end(body);
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ server, base: `http://127.0.0.1:${server.address().port}` })));
}

// ------------------------------------------------------------------------------------------------
// Source maps (v3, one file per bundle): generated line/column → source file

const B64 = Object.fromEntries([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].map((c, i) => [c, i]));

function parseMap(text) {
  const map = JSON.parse(text);
  const lines = [];
  let src = 0;
  let sl = 0;
  let sc = 0;
  for (const line of map.mappings.split(';')) {
    const segs = [];
    let col = 0;
    for (const seg of line.split(',')) {
      if (!seg) continue;
      const vals = [];
      let v = 0;
      let shift = 0;
      for (const ch of seg) {
        const d = B64[ch];
        v += (d & 31) << shift;
        if (d & 32) shift += 5;
        else {
          vals.push(v & 1 ? -(v >>> 1) : v >>> 1);
          v = 0;
          shift = 0;
        }
      }
      col += vals[0];
      if (vals.length >= 4) {
        src += vals[1];
        sl += vals[2];
        sc += vals[3];
        segs.push([col, src]);
      }
    }
    lines.push(segs);
  }
  return { sources: map.sources, lines };
}

function sourceOf(maps, url, line, col) {
  const name = url.split('/').pop();
  const m = maps.get(name);
  if (!m) return url ? name : '(native)';
  const segs = m.lines[line] ?? [];
  let lo = 0;
  let hi = segs.length - 1;
  let found = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (segs[mid][0] <= col) {
      found = segs[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (!found) return name;
  return shortSource(m.sources[found[1]]);
}

function shortSource(s) {
  const nm = s.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = s.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const i = s.search(/(web|peer)\/src\//);
  return i >= 0 ? s.slice(i) : s.replace(/^(\.\.\/)+/, '');
}

function loadMaps(dir) {
  const maps = new Map();
  const assets = join(dir, 'assets');
  for (const f of existsSync(assets) ? readdirSync(assets) : []) {
    if (f.endsWith('.js.map')) maps.set(f.slice(0, -4), parseMap(readFileSync(join(assets, f), 'utf8')));
  }
  return maps;
}

/** Self time (ms) per "function @ source" and per source, from a CDP Profiler profile. */
function selfTimes(profile, maps) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const fns = new Map();
  const files = new Map();
  for (const [id, t] of self) {
    const cf = byId.get(id).callFrame;
    const special = cf.functionName.startsWith('(') && !cf.url;
    const src = special ? cf.functionName : sourceOf(maps, cf.url, cf.lineNumber, cf.columnNumber);
    const fn = special ? cf.functionName : `${cf.functionName || '(anonymous)'} @ ${src}`;
    fns.set(fn, (fns.get(fn) ?? 0) + t);
    files.set(src, (files.get(src) ?? 0) + t);
  }
  return { fns, files };
}

// ------------------------------------------------------------------------------------------------

const METRICS = ['TaskDuration', 'ScriptDuration', 'RecalcStyleDuration', 'LayoutDuration'];

/** Injected before React loads: a stand-in for the React DevTools hook, which React (production
 * builds included) calls on every commit; records when each commit happened. */
function commitCounter() {
  window.__commits = [];
  window.__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
    supportsFiber: true,
    renderers: new Map(),
    inject() {
      return 1;
    },
    onScheduleFiberRoot() {},
    onCommitFiberRoot() {
      window.__commits.push(performance.now());
    },
    onCommitFiberUnmount() {},
    onPostCommitFiberRoot() {},
    checkDCE() {},
  };
}

async function metricsOf(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const out = {};
  for (const m of metrics) if (METRICS.includes(m.name)) out[m.name] = m.value * 1000;
  return out;
}

/** Runs `op(hooks)` REPS times with the profiler on from the gesture to the result's frame. */
async function profileOp(page, label, maps, op) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  const acc = { fns: new Map(), files: new Map(), wall: [], metrics: Object.fromEntries(METRICS.map((m) => [m, []])), commits: [] };
  for (let i = 0; i < REPS; i++) {
    let m0;
    let profile;
    const hooks = {
      before: async () => {
        m0 = await metricsOf(cdp);
        await cdp.send('Profiler.start');
      },
      after: async () => {
        ({ profile } = await cdp.send('Profiler.stop'));
        const m1 = await metricsOf(cdp);
        for (const k of METRICS) acc.metrics[k].push(m1[k] - m0[k]);
      },
    };
    const before = await page.evaluate(() => window.__commits?.length ?? 0);
    const r = await op(hooks, i);
    acc.wall.push(r.total);
    // React commits from the gesture until the change was visible, and the ones while settling.
    const commits = await page.evaluate((n) => (window.__commits ?? []).slice(n), before);
    if (commits.length) acc.commits.push(`${commits.filter((c) => c >= r.t0 && c <= r.t0 + r.visible).length}/${commits.length}`);
    const { fns, files } = selfTimes(profile, maps);
    for (const [k, v] of fns) acc.fns.set(k, (acc.fns.get(k) ?? 0) + v);
    for (const [k, v] of files) acc.files.set(k, (acc.files.get(k) ?? 0) + v);
  }
  await cdp.detach();
  report(label, acc);
  return acc;
}

function report(label, acc) {
  const n = acc.wall.length;
  const med = (xs) => stats(xs).median;
  const fmt = (x) => (x === null ? '–' : x.toFixed(1));
  console.log(`\n## ${label} (${n} runs)`);
  console.log(
    `wall ${fmt(med(acc.wall))} ms; main thread: tasks ${fmt(med(acc.metrics.TaskDuration))}, script ${fmt(med(acc.metrics.ScriptDuration))}, ` +
      `style ${fmt(med(acc.metrics.RecalcStyleDuration))}, layout ${fmt(med(acc.metrics.LayoutDuration))} ms (medians)`,
  );
  const top = (m, k) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k);
  if (acc.commits?.length) console.log(`React commits per operation (until the change was visible / until settled): ${acc.commits.join(', ')}`);
  console.log('self time by source (ms per run):');
  for (const [k, v] of top(acc.files, 10)) console.log(`  ${(v / n).toFixed(1).padStart(7)}  ${k}`);
  console.log('self time by function (ms per run):');
  for (const [k, v] of top(acc.fns, 15)) console.log(`  ${(v / n).toFixed(1).padStart(7)}  ${k}`);
}

async function profileRender(browser, url, label, maps) {
  const acc = { fns: new Map(), files: new Map(), wall: [], metrics: Object.fromEntries(METRICS.map((m) => [m, []])) };
  for (let i = 0; i <= REPS; i++) {
    const { context, page } = await newPage(browser, NODES);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    await cdp.send('Profiler.start');
    await page.goto(url, { waitUntil: 'commit' });
    const r = await withTimeout(page.evaluate(() => window.__bench.render), 60_000, label);
    const { profile } = await cdp.send('Profiler.stop');
    const m = await metricsOf(cdp);
    await context.close();
    if (i === 0) continue; // warm-up
    acc.wall.push(r.tFrame);
    for (const k of METRICS) acc.metrics[k].push(m[k]);
    const { fns, files } = selfTimes(profile, maps);
    for (const [k, v] of fns) acc.fns.set(k, (acc.fns.get(k) ?? 0) + v);
    for (const [k, v] of files) acc.files.set(k, (acc.files.get(k) ?? 0) + v);
  }
  report(label, acc);
}

async function main() {
  buildPeer(); // links peer/node_modules
  const genDir = join(OUT, 'gen-ui-unminified');
  const peerDir = join(OUT, 'peer-unminified');
  await buildUnminified(WEB, genDir);
  await buildUnminified(PEER, peerDir);
  const genMaps = loadMaps(genDir);
  const peerMaps = loadMaps(peerDir);
  console.log(`gen: ${GEN_BIN}; unminified builds in ${OUT}; ${REPS} runs per operation`);

  const draft = bigDraft();
  const { positions } = dagrePositions(draft);
  const ref = await genSession(draft, positions);
  const view = await genApi(ref.wb, '/api/draft');
  await ref.wb.stop();
  const peer = await servePeer(view, view, peerDir);
  cleanup.push(() => peer.server.close());

  const browser = await chromium.launch({ executablePath: findChromium(), headless: true, args: CHROMIUM_ARGS });
  cleanup.push(() => browser.close().catch(() => {}));

  const session = async () => {
    const s = await genSession(draft, positions);
    const px = await proxyGen(genDir, s.wb);
    cleanup.push(() => px.server.close());
    return { ...s, proxy: px };
  };

  if (want('render')) {
    const s = await session();
    await profileRender(browser, `${s.proxy.base}/`, 'gen: first render (stored positions)', genMaps);
    await profileRender(browser, `${peer.base}/`, 'peer: first render (stored positions)', peerMaps);
    await s.wb.stop();
  }
  if (want('palette')) {
    const s = await session();
    const gp = await openForEdits(browser, `${s.proxy.base}/`, commitCounter);
    const pp = await openForEdits(browser, `${peer.base}/`, commitCounter);
    await paletteAdd(gp.page);
    await paletteAdd(pp.page);
    await profileOp(gp.page, 'gen: palette add', genMaps, (hooks) => paletteAdd(gp.page, hooks));
    await profileOp(pp.page, 'peer: palette add', peerMaps, (hooks) => paletteAdd(pp.page, hooks));
    await gp.context.close();
    await pp.context.close();
    await s.wb.stop();
  }
  if (want('rename')) {
    const s = await session();
    const gp = await openForEdits(browser, `${s.proxy.base}/`, commitCounter);
    const pp = await openForEdits(browser, `${peer.base}/`, commitCounter);
    const gIds = await clickableNodes(gp.page);
    const pIds = await clickableNodes(pp.page);
    await profileOp(gp.page, 'gen: inspector rename', genMaps, (hooks, i) => rename(gp.page, gIds[i % gIds.length], `Renamed ${i}`, hooks));
    await profileOp(pp.page, 'peer: rename', peerMaps, (hooks, i) => rename(pp.page, pIds[i % pIds.length], `Renamed ${i}`, hooks));
    await gp.context.close();
    await pp.context.close();
    await s.wb.stop();
  }
  if (want('chat')) {
    const s = await session();
    const gp = await openForEdits(browser, `${s.proxy.base}/`, commitCounter);
    const pp = await openForEdits(browser, `${peer.base}/`, commitCounter);
    await profileOp(gp.page, 'gen: chat add', genMaps, (hooks, i) => chatAdd(gp.page, `Bench-${i}`, `Step ${(37 + i * 23) % NODES}`, hooks));
    await profileOp(pp.page, 'peer: chat add', peerMaps, (hooks, i) => chatAdd(pp.page, `Bench-${i}`, `Step ${(37 + i * 23) % NODES}`, hooks));
    await gp.context.close();
    await pp.context.close();
    await s.wb.stop();
  }
}


for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    runCleanup().finally(() => process.exit(130));
  });
}
try {
  await main();
} finally {
  await runCleanup();
}
process.exit(0);
