// Screenshots for the README: a small release workflow on the canvas (with the chat that built part
// of it) and a project map with three features (one that converged edges, one iterating, one stuck).
// Written to e2e/test-output/ on every run; with E2E_UPDATE_SCREENSHOTS=1 also to docs/screenshots/.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  E2E_DIR, OUTPUT_DIR, applyFromTerminal, expectCanvasShowsDraft, expectEventually, gen, launchBrowser,
  makeWorkspace, openWorkbench, sendChat, servesCurrentUi, startWorkbench, waitForStillViewport, withPage,
} from './harness.mjs';

const DOCS_DIR = join(E2E_DIR, '..', 'docs', 'screenshots');
const VIEWPORT = { viewport: { width: 1400, height: 860 } };

const RELEASE = [
  { action: 'setTitle', title: 'Release pipeline' },
  { action: 'setSummary', summary: 'From a version tag to a published release' },
  { intent: 'add', node: { id: 'tag', label: 'Tag pushed', type: 'trigger', description: 'A v* tag lands on main' } },
  {
    intent: 'add',
    node: { id: 'build', label: 'Build artifacts', type: 'action', description: 'Release builds for Linux, macOS and Windows' },
    connectFrom: 'tag',
  },
  {
    intent: 'add',
    node: {
      id: 'tests', label: 'Tests pass?', type: 'condition', description: 'Unit and integration suites',
      properties: { suites: ['unit', 'integration'], timeout_minutes: 20 },
    },
    connectFrom: 'build',
  },
  { intent: 'add', node: { id: 'publish', label: 'Publish release', type: 'action', description: 'Upload the artifacts, write the notes' } },
  { intent: 'connect', source: 'tests', target: 'publish', label: 'pass' },
];

let browser;
/** What the map screenshot showed: boxes of the visible edge labels and of the asset nodes. */
let mapShown = null;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function save(page, name) {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const file = join(OUTPUT_DIR, name);
  await page.screenshot({ path: file });
  if (process.env.E2E_UPDATE_SCREENSHOTS === '1') {
    mkdirSync(DOCS_DIR, { recursive: true });
    copyFileSync(file, join(DOCS_DIR, name));
  }
  return file;
}

function emit(ws, type, feature, edge, data) {
  const args = ['event', 'emit', type, '--feature', feature, '--edge', edge];
  if (data) args.push('--data', JSON.stringify(data));
  const r = gen(ws, ...args);
  assert.equal(r.code, 0, r.stderr);
}

function converge(ws, feature, edge) {
  emit(ws, 'edge_started', feature, edge);
  emit(ws, 'iteration_completed', feature, edge, { iteration: 1, delta: 2 });
  emit(ws, 'iteration_completed', feature, edge, { iteration: 2, delta: 0 });
  emit(ws, 'edge_converged', feature, edge);
}

test('screenshots: the canvas with its chat, and the project map', async (t) => {
  const ws = makeWorkspace({ initArgs: ['--project', 'acme-shop'] });
  assert.equal(gen(ws, 'draft', 'new').code, 0);
  applyFromTerminal(ws, RELEASE);

  // Three features: one converged two edges, one iterating, one stuck (same delta three times).
  const features = [
    ['REQ-F-AUTH-001', 'Sign-in with passkeys'],
    ['REQ-F-CSV-002', 'Export reports to CSV'],
    ['REQ-F-RATE-003', 'Rate-limit the public API'],
  ];
  for (const [id, title] of features) assert.equal(gen(ws, 'features', 'new', id, '--title', title).code, 0);
  converge(ws, 'REQ-F-AUTH-001', 'intent→requirements');
  converge(ws, 'REQ-F-AUTH-001', 'requirements→design');
  emit(ws, 'edge_started', 'REQ-F-CSV-002', 'intent→requirements');
  emit(ws, 'iteration_completed', 'REQ-F-CSV-002', 'intent→requirements', { iteration: 1, delta: 3 });
  converge(ws, 'REQ-F-RATE-003', 'intent→requirements');
  emit(ws, 'edge_started', 'REQ-F-RATE-003', 'requirements→design');
  for (let i = 1; i <= 3; i++) {
    emit(ws, 'iteration_completed', 'REQ-F-RATE-003', 'requirements→design', { iteration: i, delta: 2 });
  }

  const wb = await startWorkbench({ workspace: ws });
  t.after(async () => {
    assert.equal(await wb.stop(), 0, wb.stderr());
  });

  await withPage(t, browser, async (page, log) => {
    await openWorkbench(page, wb);
    await expectCanvasShowsDraft(page, (v) => assert.equal(v.draft.nodes.length, 4));

    // The last step comes from the chat, so the chat panel shows a conversation.
    assert.equal(await sendChat(page, 'add Notify on-call'), 'Added Notify on-call');
    assert.equal(await sendChat(page, 'connect tests to notify-on-call as fail'), 'Connected Tests pass? to Notify on-call');
    const view = await expectCanvasShowsDraft(page, (v) => assert.equal(v.draft.edges.length, 4));
    assert.deepEqual(view.problems, [], 'a clean workflow: every step connected');
    await page.locator('.react-flow__node.highlight').first().waitFor({ state: 'detached' });

    await page.getByTestId('layout').click();
    await waitForStillViewport(page);
    await page.locator('.react-flow__controls-zoomout').click(); // room for the mini map
    await waitForStillViewport(page);
    await page.getByTestId('node-tests').click();
    await page.getByTestId('inspector').waitFor();
    await waitForStillViewport(page);
    assertApart([
      ...(await boxes(page, '.react-flow__node')),
      ...(await boxes(page, '.react-flow__minimap, .react-flow__controls')),
    ]);
    await save(page, 'canvas.png');

    await page.getByTestId('view-map').click();
    await page.getByTestId('map-edge-requirements-design').waitFor();
    await expectEventually(async () =>
      assert.match(await page.getByTestId('map-edge-requirements-design').textContent(), /stuck 1/));
    await page.getByTestId('map-feature-REQ-F-RATE-003').click();
    await page.getByTestId('trajectory').waitFor();
    await waitForStillViewport(page);
    const nodes = await boxes(page, '.react-flow__node');
    assertApart(nodes);
    mapShown = {
      nodes,
      labels: await boxes(page, '.map-edge-label'),
      currentUi: await servesCurrentUi(wb),
    };
    await save(page, 'map.png');
    assert.deepEqual(log.pageErrors, []);
    assert.deepEqual(log.consoleErrors, []);
  }, VIEWPORT);
});

test('screenshots: no map label lies over another label or over a step', (t) => {
  assert.ok(mapShown, 'the screenshot test ran');
  if (!mapShown.currentUi) {
    t.skip('the gen binary embeds an older UI build than web/dist: rebuild it (cargo build) to check this');
    return;
  }
  const visible = mapShown.labels.filter((b) => b.w > 2 && b.h > 2);
  assert.ok(visible.length >= 3, `the labels of the edges features are on: ${JSON.stringify(visible)}`);
  assertApart([...mapShown.nodes, ...visible]);
});

/** The on-screen boxes of the elements matching `selector`, named by data-id or test id. */
function boxes(page, selector) {
  return page.locator(selector).evaluateAll((els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      const name = e.getAttribute('data-id') ?? e.getAttribute('data-testid') ?? e.className;
      return { name, x: r.x, y: r.y, w: r.width, h: r.height };
    }),
  );
}

/** No two of the boxes overlap. */
function assertApart(list) {
  for (const [i, a] of list.entries()) {
    for (const b of list.slice(i + 1)) {
      const apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
      assert.ok(apart, `${a.name} and ${b.name} overlap: ${JSON.stringify([a, b])}`);
    }
  }
}
