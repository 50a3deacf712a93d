// Keyboard shortcuts on the canvas: Delete/Backspace remove the selection through the server (one
// undo step), Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y undo and redo, and none of them fires while the person
// types in the chat box or the inspector.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  applyFromTerminal, draftOf, gen, expectCanvasShowsDraft, launchBrowser, makeWorkspace, mutationsOf, openWorkbench,
  recordMutations, sendChat, startWorkbench, waitForStillViewport, withPage,
} from './harness.mjs';

const VIEWPORT = { viewport: { width: 1400, height: 860 } };

/** lint → build → test → deploy, one terminal edit. */
const PIPELINE = [
  { intent: 'add', node: { id: 'lint', label: 'Lint', type: 'action' } },
  { intent: 'add', node: { id: 'build', label: 'Build', type: 'action' }, connectFrom: 'lint' },
  { intent: 'add', node: { id: 'test', label: 'Test', type: 'action' }, connectFrom: 'build' },
  { intent: 'add', node: { id: 'deploy', label: 'Deploy', type: 'action' }, connectFrom: 'test' },
];

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const ids = (v) => v.draft.nodes.map((n) => n.id).sort();
const edges = (v) => v.draft.edges.map((e) => `${e.source}->${e.target}`).sort();

/** A workbench on a workspace holding PIPELINE; a page on it, its mutations recorded. */
async function pipelinePage(t, page) {
  const ws = makeWorkspace();
  assert.equal(gen(ws, 'draft', 'new').code, 0);
  applyFromTerminal(ws, PIPELINE);
  const wb = await startWorkbench({ workspace: ws });
  t.after(async () => {
    assert.equal(await wb.stop(), 0, wb.stderr());
  });
  await recordMutations(page);
  await openWorkbench(page, wb);
  const view = await expectCanvasShowsDraft(page, (v) => assert.deepEqual(ids(v), ['build', 'deploy', 'lint', 'test']));
  await waitForStillViewport(page);
  return view;
}

/** Clicks an empty corner of the canvas: nothing selected, the keyboard on the page. */
async function focusCanvas(page) {
  await page.getByTestId('canvas').click({ position: { x: 12, y: 12 } });
}

test('Delete and Backspace remove the selected step through the server', async (t) => {
  await withPage(t, browser, async (page, log) => {
    const start = await pipelinePage(t, page);

    await page.getByTestId('node-deploy').click();
    await page.keyboard.press('Delete');
    await expectCanvasShowsDraft(page, (v) => assert.deepEqual(ids(v), ['build', 'lint', 'test']));

    await page.getByTestId('node-lint').click();
    await page.keyboard.press('Backspace');
    const view = await expectCanvasShowsDraft(page, (v) => assert.deepEqual(ids(v), ['build', 'test']));
    assert.deepEqual(edges(view), ['build->test'], 'the edges of removed steps go with them');
    assert.equal(view.undo, start.undo + 2, 'one undo step per deletion');
    assert.deepEqual(await mutationsOf(page), ['POST /api/actions', 'POST /api/actions']);
    assert.deepEqual(log.pageErrors, []);
  }, VIEWPORT);
});

test('a multi-selection is deleted as one edit and one Undo brings it all back', async (t) => {
  await withPage(t, browser, async (page, log) => {
    const start = await pipelinePage(t, page);

    // Ctrl+click adds to the selection.
    await page.getByTestId('node-build').click();
    await page.getByTestId('node-test').click({ modifiers: ['Control'] });
    await page.locator('.react-flow__node.selected').nth(1).waitFor();
    assert.equal(await page.locator('.react-flow__node.selected').count(), 2);
    await page.getByText('2 steps selected.').waitFor();
    await page.keyboard.press('Delete');
    let view = await expectCanvasShowsDraft(page, (v) => assert.deepEqual(ids(v), ['deploy', 'lint']));
    assert.deepEqual(edges(view), ['lint->deploy'], 'the chain is joined across the removed steps');
    assert.equal(view.undo, start.undo + 1, 'both steps went in one undo step');

    await page.getByTestId('undo').click();
    view = await expectCanvasShowsDraft(page, (v) => assert.deepEqual(ids(v), ['build', 'deploy', 'lint', 'test']));
    assert.deepEqual(view.draft, start.draft, 'both steps are back, with their edges');

    // Shift+drag draws a selection box: around Test and Deploy (the bottom of the chain).
    const test = await page.getByTestId('node-test').boundingBox();
    const deploy = await page.getByTestId('node-deploy').boundingBox();
    const canvas = await page.getByTestId('canvas').boundingBox();
    const x0 = canvas.x + 4;
    const y0 = Math.min(test.y, deploy.y) - 8;
    const x1 = canvas.x + canvas.width - 4;
    const y1 = Math.min(canvas.y + canvas.height - 4, Math.max(test.y + test.height, deploy.y + deploy.height) + 8);
    await focusCanvas(page);
    await page.keyboard.down('Shift');
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    await page.mouse.move(x1, y1, { steps: 10 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    await page.getByText('2 steps selected.').waitFor();
    const selected = await page.locator('.react-flow__node.selected').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')).sort());
    assert.deepEqual(selected, ['deploy', 'test']);
    await page.keyboard.press('Backspace');
    view = await expectCanvasShowsDraft(page, (v) => assert.deepEqual(ids(v), ['build', 'lint']));
    assert.deepEqual(edges(view), ['lint->build']);
    assert.equal(view.undo, start.undo + 1, 'the first deletion was undone; this one is one step too');
    await page.getByTestId('undo').click();
    view = await expectCanvasShowsDraft(page, (v) => assert.equal(v.draft.nodes.length, 4));
    assert.deepEqual(view.draft, start.draft);
    assert.deepEqual(log.pageErrors, []);
  }, VIEWPORT);
});

test('Backspace and Delete while typing in the chat box or the inspector do not delete steps', async (t) => {
  await withPage(t, browser, async (page, log) => {
    const start = await pipelinePage(t, page);
    const keys = ['Backspace', 'Shift+Backspace', 'Control+Backspace', 'Meta+Backspace', 'Delete', 'Shift+Delete'];

    // A selected step, then the chat box.
    await page.getByTestId('node-build').click();
    await page.getByTestId('inspector').waitFor();
    const chat = page.getByTestId('chat-input');
    await chat.click();
    await chat.pressSequentially('remove the lint step please');
    for (const key of keys) await chat.press(key);
    assert.notEqual(await chat.inputValue(), 'remove the lint step please', 'the keys went to the chat box');
    await chat.press('Control+a');
    await chat.press('Delete');
    assert.equal(await chat.inputValue(), '');

    // The inspector's fields.
    for (const field of ['inspector-label', 'inspector-type', 'inspector-description', 'inspector-properties']) {
      const input = page.getByTestId(field);
      await input.click();
      await input.press('End');
      await input.pressSequentially('xy');
      for (const key of keys) await input.press(key);
    }
    assert.ok((await page.getByTestId('inspector-label').inputValue()).length < 'Buildxy'.length);

    assert.deepEqual(await mutationsOf(page), [], 'no request to change the draft left the page');
    const now = await draftOf(page);
    assert.equal(now.revision, start.revision);
    assert.deepEqual(now.draft, start.draft);
    assert.equal(await page.getByTestId('node-build').count(), 1);

    // The step was selected all along: out of the text field, the same key deletes it.
    assert.equal(await page.locator('.react-flow__node.selected').getAttribute('data-id'), 'build');
    await page.evaluate(() => document.activeElement?.blur());
    await page.keyboard.press('Delete');
    await expectCanvasShowsDraft(page, (v) => assert.deepEqual(ids(v), ['deploy', 'lint', 'test']));
    assert.deepEqual(await mutationsOf(page), ['POST /api/actions']);
    assert.deepEqual(log.pageErrors, []);
  }, VIEWPORT);
});

test('Ctrl+Z undoes, Ctrl+Shift+Z and Ctrl+Y redo on the canvas; Ctrl+Z in the chat box does not', async (t) => {
  await withPage(t, browser, async (page, log) => {
    const start = await pipelinePage(t, page);
    assert.equal(await sendChat(page, 'add Notify after Deploy'), 'Added Notify');
    const edited = await expectCanvasShowsDraft(page, (v) => assert.ok(ids(v).includes('notify')));
    const without = (v) => assert.deepEqual(ids(v), ['build', 'deploy', 'lint', 'test']);
    const withNotify = (v) => assert.deepEqual(ids(v), ['build', 'deploy', 'lint', 'notify', 'test']);

    // In the chat box, Ctrl+Z is the text box's own undo.
    const chat = page.getByTestId('chat-input');
    await chat.click();
    await chat.pressSequentially('hello');
    await chat.press('Control+z');
    await chat.press('Control+Shift+z');
    await chat.press('Control+y');
    assert.deepEqual(await mutationsOf(page), ['POST /api/chat'], 'only the chat message went out');
    assert.equal((await draftOf(page)).revision, edited.revision);

    await focusCanvas(page);
    await page.keyboard.press('Control+z');
    let view = await expectCanvasShowsDraft(page, without);
    assert.equal(view.redo, 1);
    await page.keyboard.press('Control+Shift+z');
    view = await expectCanvasShowsDraft(page, withNotify);
    await page.keyboard.press('Control+z');
    await expectCanvasShowsDraft(page, without);
    await page.keyboard.press('Control+y');
    view = await expectCanvasShowsDraft(page, withNotify);
    assert.deepEqual(view.draft, edited.draft);
    assert.equal(view.undo, start.undo + 1);
    assert.deepEqual(await mutationsOf(page), [
      'POST /api/chat', 'POST /api/undo', 'POST /api/redo', 'POST /api/undo', 'POST /api/redo',
    ]);
    assert.deepEqual(log.pageErrors, []);
  }, VIEWPORT);
});
