#!/usr/bin/env node
// Browser benchmarks of `gen workbench` against a plain React Flow page with client-side state.
//
// usage: node bench/workbench/run.mjs [--quick] [--only render,palette,rename,chat] [--no-nopos]
//        GEN_BIN=path/to/gen (default target/release/gen), CHROMIUM=path (default chromium on PATH)
//
// Needs: e2e/node_modules (playwright-core; scripts/browser-deps), web/node_modules (the peer is built
// with web/'s Vite, React and @xyflow/react), Debian's Chromium. Builds the peer (bench/workbench/peer)
// when its dist/ is missing or older than its sources. Prints a table and writes the raw numbers to
// bench/workbench/results.json.
//
// What is measured (all times from inside the page, performance.now(), so the harness's own latency
// does not count):
//  1. first render of a 1,000-step draft (the 1,000-step draft of bench/drafts.py, dagre positions
//     stored): navigation start (the token URL and its redirect to / included for gen) until all
//     1,000 `.react-flow__node` are in the DOM and measured (React Flow shows a node, visibility:
//     visible, once it has its size), plus the next frame (a requestAnimationFrame, then a task
//     posted from it: runs after that frame was produced). Each round in a fresh browser context
//     (no HTTP cache); 1 warm-up round per side, then gen and peer alternating. The same without
//     stored positions (the page lays out with dagre) in a fresh workspace and server per round.
//  2. canvas edit round trip: (a) palette add — the click on `palette-add-action` until a new node is
//     in the DOM and visible (+ next frame); (b) rename — select a step, type a label in
//     `inspector-label`, then the click on `inspector-apply` until the node's label text changed.
//  3. chat: Enter in `chat-input` holding "add step Bench-N after Step K" until a new node labelled
//     Bench-N is visible (+ next frame). gen: the builtin agent on the server; peer: a client-side
//     parser updating React state.
// Edits run on their own 1,000-step workspace each (gen) / a fresh page (peer), in blocks of 10
// alternating gen and peer, after warm-up edits that are not counted; between two edits the page is
// left to settle (no DOM change and no fetch in flight for 300 ms; ≥ 2.5 s after a chat edit so gen's
// 2 s highlight timer has fired).
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import {
  CHROMIUM_ARGS,
  GEN_BIN,
  HERE,
  NODES,
  VIEWPORT,
  bigDraft,
  buildPeer,
  chatAdd,
  chromium,
  cleanup,
  clickableNodes,
  dagrePositions,
  findChromium,
  firstRender,
  genApi,
  genSession,
  machine,
  ms,
  openForEdits,
  paletteAdd,
  r1,
  rename,
  runCleanup,
  servePeer,
  stats,
  watchMachine,
} from './common.mjs';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only'));
const ONLY = onlyArg ? new Set((onlyArg.includes('=') ? onlyArg.split('=')[1] : args[args.indexOf(onlyArg) + 1]).split(',')) : null;
const NOPOS = !args.includes('--no-nopos');
const want = (k) => !ONLY || ONLY.has(k);

const RENDER_ROUNDS = QUICK ? 2 : 5;
const BLOCK = QUICK ? 3 : 10;
const EDIT_BLOCKS = QUICK ? 2 : 6; // palette and rename: 6 × 10 = 60 per side
const CHAT_BLOCKS = QUICK ? 2 : 4; // chat: 4 × 10 = 40 per side
const WARMUP_EDITS = QUICK ? 1 : 5;
const WARMUP_CHAT = QUICK ? 1 : 3;


async function main() {
  const info = machine();
  const watch = watchMachine();
  console.log(`machine: ${info.nproc} cores, ${info.cpu}, ${info.memGiB} GiB, load ${info.loadavgAtStart.join(' ')} (CPU ${info.cpuBusyPercentAtStart} % busy over 2 s); ${info.chromium}; node ${info.node}`);
  console.log(`gen: ${GEN_BIN} (built ${info.genBinMtime})`);
  if (buildPeer()) console.log('built the peer (bench/workbench/peer/dist)');

  const draft = bigDraft();
  const { positions, dagreMs } = dagrePositions(draft);
  info.dagreLayoutNodeMs = r1(dagreMs);

  // The peer serves exactly what gen's GET /api/draft answers.
  const ref = await genSession(draft, positions);
  const viewWith = await genApi(ref.wb, '/api/draft');
  await ref.wb.stop();
  const parsed = JSON.parse(viewWith);
  if (parsed.draft.nodes.length !== NODES || Object.keys(parsed.layout.positions).length !== NODES) throw new Error('the reference session does not hold the 1,000 steps and positions');
  const viewWithout = JSON.stringify({ ...parsed, layout: { positions: {} } });
  info.draftJsonBytes = Buffer.byteLength(viewWith);
  const peer = await servePeer(viewWith, viewWithout);
  cleanup.push(() => peer.server.close());

  const browser = await chromium.launch({ executablePath: findChromium(), headless: true, args: CHROMIUM_ARGS });
  cleanup.push(() => browser.close().catch(() => {}));

  const results = { machine: info, config: { nodes: NODES, viewport: VIEWPORT, renderRounds: RENDER_ROUNDS, quick: QUICK }, raw: {} };
  const raw = results.raw;
  const log = (...a) => console.log(...a);

  // 1. First render, stored positions
  if (want('render')) {
    const s = await genSession(draft, positions);
    raw.renderGen = [];
    raw.renderPeer = [];
    log('first render (stored positions): warm-up');
    await firstRender(browser, s.wb.url, /\/api\/draft$/);
    await firstRender(browser, `${peer.base}/`, /draft\.json/);
    for (let i = 0; i < RENDER_ROUNDS; i++) {
      const g = await firstRender(browser, s.wb.url, /\/api\/draft$/);
      const p = await firstRender(browser, `${peer.base}/`, /draft\.json/);
      raw.renderGen.push(g);
      raw.renderPeer.push(p);
      log(`  round ${i + 1}: gen ${ms(g.total)} (data ${ms(g.dataEnd)}), peer ${ms(p.total)} (data ${ms(p.dataEnd)})`);
    }
    await s.wb.stop();

    if (NOPOS) {
      raw.renderNoposGen = [];
      raw.renderNoposPeer = [];
      log('first render (no stored positions: dagre in the page): warm-up');
      for (let i = -1; i < RENDER_ROUNDS; i++) {
        const fresh = await genSession(draft, null); // the page stores the layout it computes: a fresh one per round
        const g = await firstRender(browser, fresh.wb.url, /\/api\/draft$/);
        await fresh.wb.stop();
        const p = await firstRender(browser, `${peer.base}/?set=nopos`, /draft\.json/);
        if (!p.dataUrl?.includes('set=nopos')) throw new Error(`the peer did not load the no-positions draft (${p.dataUrl})`);
        if (i < 0) continue;
        raw.renderNoposGen.push(g);
        raw.renderNoposPeer.push(p);
        log(`  round ${i + 1}: gen ${ms(g.total)}, peer ${ms(p.total)}`);
      }
    }
  }

  // 2a. Palette add
  if (want('palette')) {
    const s = await genSession(draft, positions);
    const gp = await openForEdits(browser, s.wb.url);
    const pp = await openForEdits(browser, `${peer.base}/`);
    raw.paletteGen = [];
    raw.palettePeer = [];
    log(`palette add: ${WARMUP_EDITS} warm-up each, then ${EDIT_BLOCKS} blocks of ${BLOCK}`);
    for (let i = 0; i < WARMUP_EDITS; i++) {
      await paletteAdd(gp.page);
      await paletteAdd(pp.page);
    }
    for (let b = 0; b < EDIT_BLOCKS; b++) {
      for (let i = 0; i < BLOCK; i++) raw.paletteGen.push(await paletteAdd(gp.page));
      for (let i = 0; i < BLOCK; i++) raw.palettePeer.push(await paletteAdd(pp.page));
      log(`  block ${b + 1}: gen median ${ms(stats(raw.paletteGen.slice(-BLOCK).map((x) => x.total)).median)}, peer ${ms(stats(raw.palettePeer.slice(-BLOCK).map((x) => x.total)).median)}`);
    }
    for (const p of [gp, pp]) {
      if (p.errors.length) throw new Error(`page errors: ${p.errors.join('\n')}`);
      await p.context.close();
    }
    await s.wb.stop();
  }

  // 2b. Rename in the inspector
  if (want('rename')) {
    const s = await genSession(draft, positions);
    const gp = await openForEdits(browser, s.wb.url);
    const pp = await openForEdits(browser, `${peer.base}/`);
    const gIds = await clickableNodes(gp.page);
    const pIds = await clickableNodes(pp.page);
    if (gIds.length === 0 || pIds.length === 0) throw new Error(`no clickable node (gen ${gIds.length}, peer ${pIds.length})`);
    raw.renameGen = [];
    raw.renamePeer = [];
    log(`rename: ${WARMUP_EDITS} warm-up each, then ${EDIT_BLOCKS} blocks of ${BLOCK} (${gIds.length} / ${pIds.length} clickable steps)`);
    let k = 0;
    const one = async (side, ids, into) => {
      const id = ids[k % ids.length];
      const r = await rename(side.page, id, `Renamed ${k}`);
      k += 1;
      if (into) into.push(r);
    };
    for (let i = 0; i < WARMUP_EDITS; i++) {
      await one(gp, gIds, null);
      await one(pp, pIds, null);
    }
    for (let b = 0; b < EDIT_BLOCKS; b++) {
      for (let i = 0; i < BLOCK; i++) await one(gp, gIds, raw.renameGen);
      for (let i = 0; i < BLOCK; i++) await one(pp, pIds, raw.renamePeer);
      log(`  block ${b + 1}: gen median ${ms(stats(raw.renameGen.slice(-BLOCK).map((x) => x.total)).median)}, peer ${ms(stats(raw.renamePeer.slice(-BLOCK).map((x) => x.total)).median)}`);
    }
    for (const p of [gp, pp]) {
      if (p.errors.length) throw new Error(`page errors: ${p.errors.join('\n')}`);
      await p.context.close();
    }
    await s.wb.stop();
  }

  // 3. Chat: "add step Bench-N after Step K"
  if (want('chat')) {
    const s = await genSession(draft, positions);
    const gp = await openForEdits(browser, s.wb.url);
    const pp = await openForEdits(browser, `${peer.base}/`);
    raw.chatGen = [];
    raw.chatPeer = [];
    log(`chat add: ${WARMUP_CHAT} warm-up each, then ${CHAT_BLOCKS} blocks of ${BLOCK}`);
    let n = 0;
    const one = async (side, into) => {
      // A different existing step each time, spread over the draft.
      const after = `Step ${(37 + n * 23) % NODES}`;
      const r = await chatAdd(side.page, `Bench-${n}`, after);
      n += 1;
      if (into) into.push(r);
    };
    for (let i = 0; i < WARMUP_CHAT; i++) {
      await one(gp, null);
      n -= 1; // the peer gets the same command
      await one(pp, null);
    }
    for (let b = 0; b < CHAT_BLOCKS; b++) {
      const start = n;
      for (let i = 0; i < BLOCK; i++) await one(gp, raw.chatGen);
      n = start;
      for (let i = 0; i < BLOCK; i++) await one(pp, raw.chatPeer);
      log(`  block ${b + 1}: gen median ${ms(stats(raw.chatGen.slice(-BLOCK).map((x) => x.total)).median)}, peer ${ms(stats(raw.chatPeer.slice(-BLOCK).map((x) => x.total)).median)}`);
    }
    for (const p of [gp, pp]) {
      if (p.errors.length) throw new Error(`page errors: ${p.errors.join('\n')}`);
      await p.context.close();
    }
    await s.wb.stop();
  }

  info.loadavgAtEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const samples = watch.stop();
  const busy = stats(samples.map((x) => x.busy));
  info.duringRun = {
    samples: samples.length,
    cpuBusyPercent: { median: busy.median, max: busy.max },
    load1: { median: stats(samples.map((x) => x.load1)).median, max: stats(samples.map((x) => x.load1)).max },
    samplesWithOtherBrowsers: samples.filter((x) => x.otherBrowsers > 0).length,
    samplesWithRustc: samples.filter((x) => x.rustc > 0).length,
  };
  results.monitor = samples;

  // ---- summary: the goal is judged on the median for the first render, on p95 for edits
  const rows = [];
  const summary = {};
  const row = (key, title, goalMs, metric, gen, peer) => {
    if (!gen || !peer) return;
    const g = stats(gen.map((x) => x[metric]));
    const p = stats(peer.map((x) => x[metric]));
    const on = key.startsWith('render') ? 'median' : 'p95';
    const verdict = (s) => (goalMs ? (s[on] <= goalMs ? 'met' : 'MISSED') : null);
    summary[key] = { metric, gen: g, peer: p, ratioMedian: g.median / p.median, ratioP95: g.p95 / p.p95, goalMs, goalOn: on, gen_goal: verdict(g), peer_goal: verdict(p) };
    rows.push([
      title,
      `${ms(g.median)} / ${ms(g.p95)}`,
      `${ms(p.median)} / ${ms(p.p95)}`,
      `${(g.median / p.median).toFixed(1)}× / ${(g.p95 / p.p95).toFixed(1)}×`,
      goalMs ? `≤ ${ms(goalMs)} (${on}): gen ${verdict(g)}, peer ${verdict(p)}` : '',
      `${g.n}/${p.n}`,
    ]);
  };
  row('render', 'first render, 1k steps, stored positions: all nodes shown + frame', 1000, 'total', raw.renderGen, raw.renderPeer);
  row('renderDom', '— all 1,000 nodes in the DOM and measured', null, 'visible', raw.renderGen, raw.renderPeer);
  row('renderNopos', 'first render, no stored positions (dagre in the page) + frame', null, 'total', raw.renderNoposGen, raw.renderNoposPeer);
  row('paletteDom', 'palette add → new node in the DOM, visible', 100, 'visible', raw.paletteGen, raw.palettePeer);
  row('palette', '— + next frame', 100, 'total', raw.paletteGen, raw.palettePeer);
  row('renameDom', 'inspector rename (Apply) → label text in the DOM', 100, 'visible', raw.renameGen, raw.renamePeer);
  row('rename', '— + next frame', 100, 'total', raw.renameGen, raw.renamePeer);
  row('chatDom', 'chat "add step X after Y" (Enter) → node in the DOM, visible', 200, 'visible', raw.chatGen, raw.chatPeer);
  row('chat', '— + next frame', 200, 'total', raw.chatGen, raw.chatPeer);
  results.summary = summary;

  // Where gen's time goes (medians)
  const med = (xs, f) => stats((xs ?? []).map(f)).median;
  const breakdown = {};
  if (raw.renderGen) {
    for (const [side, xs] of [['gen', raw.renderGen], ['peer', raw.renderPeer]]) {
      breakdown[`render.${side}`] = {
        htmlEnd: med(xs, (x) => x.htmlEnd),
        jsEnd: med(xs, (x) => x.jsEnd),
        dataStart: med(xs, (x) => x.dataStart),
        dataEnd: med(xs, (x) => x.dataEnd),
        allInDom: med(xs, (x) => x.inDom),
        allVisible: med(xs, (x) => x.visible),
        frame: med(xs, (x) => x.total),
      };
    }
  }
  for (const k of ['palette', 'rename', 'chat']) {
    const xs = raw[`${k}Gen`];
    if (!xs) continue;
    breakdown[`${k}.gen`] = {
      requestStart: med(xs, (x) => x.reqStart),
      responseEnd: med(xs, (x) => x.reqEnd),
      afterResponseToVisible: med(xs, (x) => (x.reqEnd === null ? null : x.visible - x.reqEnd)),
      inDom: med(xs, (x) => x.inDom),
      visible: med(xs, (x) => x.visible),
      frame: med(xs, (x) => x.total),
    };
    const calls = xs.map((x) => x.requests.map((q) => q.name).join(' '));
    const common = Object.entries(calls.reduce((m, c) => ((m[c] = (m[c] ?? 0) + 1), m), {})).sort((a, b) => b[1] - a[1])[0];
    breakdown[`${k}.gen`].requestsPerEdit = common ? `${common[0]} (${common[1]}/${calls.length})` : null;
    breakdown[`${k}.gen`].bytesPerEdit = med(xs, (x) => x.requests.reduce((t, q) => t + q.bytes, 0));
    const ps = raw[`${k}Peer`];
    breakdown[`${k}.peer`] = { inDom: med(ps, (x) => x.inDom), visible: med(ps, (x) => x.visible), frame: med(ps, (x) => x.total) };
  }
  results.breakdown = breakdown;

  console.log(`\n| measurement (median / p95) | gen | peer | gen/peer (median / p95) | goal | n gen/peer |`);
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  console.log('\nbreakdown (medians, ms from navigation start / from the gesture):');
  for (const [k, v] of Object.entries(breakdown)) {
    console.log(`  ${k}: ${Object.entries(v).map(([a, b]) => `${a} ${b === null ? '–' : typeof b === 'number' ? b.toFixed(1) : b}`).join(', ')}`);
  }
  console.log(`load average at start ${info.loadavgAtStart.join(' ')}, at end ${info.loadavgAtEnd.join(' ')}; dagre of the 1k draft in node: ${info.dagreLayoutNodeMs} ms`);
  const d = info.duringRun;
  console.log(
    `during the run (${d.samples} samples, 5 s apart): CPU busy median ${d.cpuBusyPercent.median} % (max ${d.cpuBusyPercent.max} %), ` +
      `1-min load median ${d.load1.median?.toFixed(2)}; other Chromium browsers running in ${d.samplesWithOtherBrowsers} samples, rustc in ${d.samplesWithRustc}`,
  );

  const out = process.env.BENCH_RESULTS ?? join(HERE, 'results.json');
  writeFileSync(out, `${JSON.stringify(results, (k, v) => (typeof v === 'number' && !Number.isInteger(v) ? r1(v) : v), 1)}\n`);
  console.log(`raw numbers: ${out}`);
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
