// The draft lives on the server, not in the page: a reload keeps the draft, the step positions, the
// chat and the undo history; a second tab and a terminal (`gen draft apply`) reach an open page live.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  applyFromTerminal, draftOf, expectCanvasShowsDraft, expectEventually, gen, launchBrowser, makeWorkspace,
  nodePositions, openWorkbench, sendChat, startWorkbench, waitForStillViewport, withPage,
} from './harness.mjs';

const VIEWPORT = { viewport: { width: 1400, height: 860 } };

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const ids = (v) => v.draft.nodes.map((n) => n.id).sort();
const edges = (v) => v.draft.edges.map((e) => `${e.source}->${e.target}`).sort();

async function bench(t, workspace = makeWorkspace()) {
  const wb = await startWorkbench({ workspace });
  t.after(async () => {
    assert.equal(await wb.stop(), 0, wb.stderr());
  });
  return wb;
}

/** Waits until the server's stored layout has every step where the page shows it; returns them. */
async function positionsStored(page) {
  return expectEventually(
    async () => {
      const shown = await nodePositions(page);
      const stored = (await draftOf(page)).layout.positions;
      const rounded = Object.fromEntries(
        Object.entries(shown).map(([id, p]) => [id, { x: Math.round(p.x), y: Math.round(p.y) }]),
      );
      assert.deepEqual(stored, rounded);
      return rounded;
    },
    { message: 'the layout was not stored' },
  );
}

/** Marks the document, so a test can tell a live update from a reload. */
const mark = (page) => page.evaluate(() => (window.__notReloaded = true));
const stillMarked = async (page) => assert.equal(await page.evaluate(() => window.__notReloaded), true, 'no reload');

test('a reload keeps the draft, the positions, the chat and the undo history', async (t) => {
  const wb = await bench(t);
  await withPage(t, browser, async (page, log) => {
    await openWorkbench(page, wb);
    assert.equal(await sendChat(page, 'add Build'), 'Added Build');
    assert.equal(await sendChat(page, 'add Test'), 'Added Test');
    assert.equal(await sendChat(page, 'connect build to test'), 'Connected Build to Test');
    const view = await expectCanvasShowsDraft(page, (v) => assert.deepEqual(edges(v), ['build->test']));

    // Move Test with the mouse.
    await waitForStillViewport(page);
    const box = await page.getByTestId('node-test').boundingBox();
    const was = (await nodePositions(page)).test;
    await page.mouse.move(box.x + 20, box.y + 12);
    await page.mouse.down();
    await page.mouse.move(box.x + 140, box.y + 92, { steps: 8 });
    await page.mouse.up();
    const moved = await positionsStored(page);
    assert.ok(moved.test.x > was.x + 20 && moved.test.y > was.y + 20, `Test moved: ${JSON.stringify([was, moved.test])}`);
    assert.equal((await draftOf(page)).revision, view.revision, 'moving a step is not an edit');

    await page.reload();
    await page.getByTestId('revision').waitFor();
    await expectCanvasShowsDraft(page, (v) => assert.deepEqual(v.draft, view.draft));
    assert.deepEqual(await nodePositions(page), moved, 'every step is where it was');
    await page.locator('[data-testid="chat-message"]').nth(5).waitFor();
    const chat = await page.locator('[data-testid="chat-message"] .chat-text').allTextContents();
    assert.deepEqual(chat, [
      'add Build', 'Added Build', 'add Test', 'Added Test', 'connect build to test', 'Connected Build to Test',
    ]);

    // The undo history survived: Undo reverts the connection made before the reload.
    assert.match(await page.getByTestId('undo').getAttribute('title'), /Connected Build to Test/);
    await page.getByTestId('undo').click();
    await expectCanvasShowsDraft(page, (v) => assert.deepEqual(edges(v), []));
    await page.getByTestId('redo').click();
    await expectCanvasShowsDraft(page, (v) => assert.deepEqual(edges(v), ['build->test']));
    assert.deepEqual(log.pageErrors, []);
  }, VIEWPORT);
});

test('a second tab follows the first one live, and the other way round', async (t) => {
  const wb = await bench(t);
  await withPage(t, browser, async (first, log) => {
    const second = await first.context().newPage();
    await openWorkbench(first, wb);
    await openWorkbench(second, wb);
    await mark(first);
    await mark(second);

    assert.equal(await sendChat(first, 'add Build'), 'Added Build');
    await expectCanvasShowsDraft(second, (v) => assert.deepEqual(ids(v), ['build']));
    // The conversation too.
    await second.locator('[data-testid="chat-message"]').filter({ hasText: 'Added Build' }).waitFor();
    assert.deepEqual(await second.locator('[data-testid="chat-message"] .chat-text').allTextContents(), ['add Build', 'Added Build']);

    // A step moved in the first tab moves in the second.
    await waitForStillViewport(first);
    const box = await first.getByTestId('node-build').boundingBox();
    await first.mouse.move(box.x + 20, box.y + 12);
    await first.mouse.down();
    await first.mouse.move(box.x + 120, box.y + 72, { steps: 8 });
    await first.mouse.up();
    const moved = await positionsStored(first);
    await expectEventually(async () => assert.deepEqual(await nodePositions(second), moved), {
      message: 'the second tab did not follow the move',
    });

    await first.getByTestId('palette-add-trigger').click();
    const view = await expectCanvasShowsDraft(second, (v) => assert.equal(v.draft.nodes.length, 2));
    const trigger = view.draft.nodes.find((n) => n.type === 'trigger').id;

    // The other way: the second tab renames with its inspector, the first follows.
    await second.getByTestId(`node-${trigger}`).click();
    await second.getByTestId('inspector-label').fill('Tag pushed');
    await second.getByTestId('inspector-apply').click();
    await expectCanvasShowsDraft(first, (v) => assert.equal(v.draft.nodes.find((n) => n.id === trigger).label, 'Tag pushed'));
    await second.getByTestId('undo').click();
    const undone = await expectCanvasShowsDraft(first, (v) => assert.equal(v.draft.nodes.find((n) => n.id === trigger).label, 'New trigger'));
    await expectCanvasShowsDraft(second, (v) => assert.equal(v.revision, undone.revision));
    // Both tabs offer the same next undo and redo.
    for (const page of [first, second]) {
      assert.match(await page.getByTestId('redo').getAttribute('title'), /Tag pushed/);
    }
    await stillMarked(first);
    await stillMarked(second);
    assert.deepEqual(log.pageErrors, []);
  }, VIEWPORT);
});

test('an edit from the terminal shows up in the open page without a reload', async (t) => {
  const ws = makeWorkspace();
  const wb = await bench(t, ws);
  await withPage(t, browser, async (page, log) => {
    await openWorkbench(page, wb);
    await mark(page);
    applyFromTerminal(ws, [
      { intent: 'add', node: { id: 'lint', label: 'Lint', type: 'action' } },
      { intent: 'add', node: { id: 'build', label: 'Build', type: 'action' }, connectFrom: 'lint' },
    ]);
    await expectCanvasShowsDraft(page, (v) => assert.deepEqual(edges(v), ['lint->build']));
    await page.getByTestId('undo').waitFor({ state: 'attached' });
    assert.ok(await page.getByTestId('undo').isEnabled(), 'the terminal edit can be undone in the page');

    const r = gen(ws, 'draft', 'undo');
    assert.equal(r.code, 0, r.stderr);
    await expectCanvasShowsDraft(page, (v) => assert.deepEqual(ids(v), []));
    await page.getByTestId('redo').click(); // and the page redoes what the terminal undid
    await expectCanvasShowsDraft(page, (v) => assert.deepEqual(ids(v), ['build', 'lint']));
    const shown = gen(ws, 'draft', 'show', '--json');
    assert.equal(shown.code, 0, shown.stderr);
    assert.deepEqual(JSON.parse(shown.stdout).nodes.map((n) => n.id).sort(), ['build', 'lint']);
    await stillMarked(page);
    assert.deepEqual(log.pageErrors, []);
  }, VIEWPORT);
});
