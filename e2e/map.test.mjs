// The project map: the topology with, on each edge, how many features converged, iterate or are
// stuck there; it follows the event log live (an `event emit` in a terminal), and a feature's
// trajectory opens on a click.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { expectEventually, gen, launchBrowser, makeWorkspace, openWorkbench, startWorkbench, withPage } from './harness.mjs';

const VIEWPORT = { viewport: { width: 1400, height: 860 } };
const FEATURE = 'REQ-F-A-001';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

function emit(ws, type, feature, edge, data) {
  const args = ['event', 'emit', type, '--feature', feature, '--edge', edge];
  if (data) args.push('--data', JSON.stringify(data));
  const r = gen(ws, ...args);
  assert.equal(r.code, 0, r.stderr);
}

/** The counts an edge label shows, e.g. {converged: 0, iterating: 1, stuck: 0}. */
async function counts(label) {
  const text = await label.textContent();
  const n = (word) => Number(new RegExp(`${word} (\\d+)`).exec(text)?.[1]);
  return { converged: n('converged'), iterating: n('iterating'), stuck: n('stuck') };
}

test('the map shows where features are and follows the event log live', async (t) => {
  const ws = makeWorkspace();
  assert.equal(gen(ws, 'features', 'new', FEATURE, '--title', 'Sign-up form').code, 0);
  emit(ws, 'edge_started', FEATURE, 'intent→requirements');
  const wb = await startWorkbench({ workspace: ws });
  t.after(async () => {
    assert.equal(await wb.stop(), 0, wb.stderr());
  });

  await withPage(t, browser, async (page, log) => {
    await openWorkbench(page, wb);
    await page.evaluate(() => (window.__notReloaded = true));
    await page.getByTestId('view-map').click();
    await page.getByTestId('map').waitFor();

    // Every asset type of the topology, every edge with its counts.
    for (const asset of ['intent', 'requirements', 'design', 'code', 'unit_tests']) {
      await page.getByTestId(`map-node-${asset}`).waitFor();
    }
    const first = page.getByTestId('map-edge-intent-requirements');
    await first.waitFor();
    assert.deepEqual(await counts(first), { converged: 0, iterating: 1, stuck: 0 });
    assert.match(await first.textContent(), new RegExp(`here: ${FEATURE}`));
    const next = page.getByTestId('map-edge-requirements-design');
    assert.deepEqual(await counts(next), { converged: 0, iterating: 0, stuck: 0 });
    // A ↔ edge has the same id form. (An edge no feature is on has no visible label.)
    await page.getByTestId('map-edge-code-unit_tests').waitFor({ state: 'attached' });
    const feature = page.getByTestId(`map-feature-${FEATURE}`);
    assert.match(await feature.textContent(), /Sign-up form/);
    assert.match(await feature.textContent(), /you are here: intent → requirements/);

    // The terminal records progress; the open map follows without a reload.
    emit(ws, 'iteration_completed', FEATURE, 'intent→requirements', { iteration: 1, delta: 0 });
    emit(ws, 'edge_converged', FEATURE, 'intent→requirements');
    await expectEventually(async () => assert.deepEqual(await counts(first), { converged: 1, iterating: 0, stuck: 0 }), {
      message: 'the map did not follow the event log',
    });
    await expectEventually(async () => assert.match(await feature.textContent(), /you are here: requirements → design/));
    assert.doesNotMatch(await first.textContent(), /here:/);
    assert.match(await next.textContent(), new RegExp(`here: ${FEATURE}`));

    // The feature's trajectory.
    assert.equal(await page.getByTestId('trajectory').count(), 0);
    await feature.click();
    const trajectory = page.getByTestId('trajectory');
    await trajectory.waitFor();
    const rows = await trajectory.locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 4).map((td) => td.textContent)),
    );
    assert.deepEqual(rows, [
      ['intent → requirements', 'converged', '1', '0'],
      ['requirements → design', 'pending', '0', '–'],
      ['design → code', 'pending', '0', '–'],
      ['code ↔ unit_tests', 'pending', '0', '–'],
    ]);
    assert.equal(await page.evaluate(() => window.__notReloaded), true, 'no reload');

    // Back on the canvas and again on the map: still there.
    await page.getByTestId('view-canvas').click();
    await page.getByTestId('canvas').waitFor();
    await page.getByTestId('view-map').click();
    assert.deepEqual(await counts(page.getByTestId('map-edge-intent-requirements')), { converged: 1, iterating: 0, stuck: 0 });
    assert.deepEqual(log.pageErrors, []);
    assert.deepEqual(log.consoleErrors, []);
  }, VIEWPORT);
});

test('a stuck feature is counted as stuck on its edge', async (t) => {
  const ws = makeWorkspace();
  for (let i = 1; i <= 3; i++) emit(ws, 'iteration_completed', 'REQ-F-S-001', 'intent→requirements', { iteration: i, delta: 2 });
  const wb = await startWorkbench({ workspace: ws });
  t.after(async () => {
    assert.equal(await wb.stop(), 0, wb.stderr());
  });
  await withPage(t, browser, async (page) => {
    await openWorkbench(page, wb);
    await page.getByTestId('view-map').click();
    const edge = page.getByTestId('map-edge-intent-requirements');
    await edge.waitFor();
    assert.deepEqual(await counts(edge), { converged: 0, iterating: 0, stuck: 1 });
    const feature = page.getByTestId('map-feature-REQ-F-S-001');
    assert.match(await feature.locator('.status').textContent(), /stuck/);
    await feature.click();
    const row = page.getByTestId('trajectory').locator('tbody tr').first();
    assert.deepEqual(await row.locator('td').evaluateAll((tds) => tds.slice(0, 4).map((td) => td.textContent)), [
      'intent → requirements', 'stuck', '3', '2',
    ]);
  }, VIEWPORT);
});

test('the trajectory shows when an edge converged', async (t) => {
  const ws = makeWorkspace();
  emit(ws, 'edge_started', FEATURE, 'intent→requirements');
  emit(ws, 'edge_converged', FEATURE, 'intent→requirements');
  const wb = await startWorkbench({ workspace: ws });
  t.after(() => wb.stop());
  await withPage(t, browser, async (page) => {
    await openWorkbench(page, wb);
    await page.getByTestId('view-map').click();
    await page.getByTestId(`map-feature-${FEATURE}`).click();
    const at = page.getByTestId('trajectory').locator('tbody tr').first().locator('td').nth(4);
    assert.match(await at.textContent(), /^\d\d-\d\d \d\d:\d\d$/);
    assert.match(await at.locator('bdi').getAttribute('title'), /^\d{4}-\d\d-\d\dT/);
  }, VIEWPORT);
});
