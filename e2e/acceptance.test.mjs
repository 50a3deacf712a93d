// The workbench's three acceptance criteria, as a person in the browser meets them:
// (a) chat and canvas always show the same draft, whichever side edited it;
// (b) undo reverts the last edit whichever side made it, and redo restores it;
// (c) invalid agent output changes nothing, and the person is told.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  draftOf, dragConnect, expectCanvasShowsDraft, fitView, launchBrowser, makeWorkspace, nodePositions, openWorkbench,
  sendChat, startWorkbench, withPage,
} from './harness.mjs';
import { startScriptedOpenAI, toolCall } from './fixtures/scripted-openai.mjs';

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
const labelOf = (v, id) => v.draft.nodes.find((n) => n.id === id)?.label;

async function bench(t, options = {}) {
  const wb = await startWorkbench({ workspace: makeWorkspace(), ...options });
  t.after(async () => {
    assert.equal(await wb.stop(), 0, wb.stderr());
  });
  return wb;
}

function assertQuiet(log) {
  assert.deepEqual(log.pageErrors, [], 'no uncaught exceptions');
  assert.deepEqual(log.consoleErrors, [], 'no console errors');
  assert.deepEqual(log.dialogs, [], 'no dialogs');
}

test('(a) chat and canvas show the same nodes and edges after every edit, from either side', async (t) => {
  const wb = await bench(t);
  await withPage(t, browser, async (page, log) => {
    await openWorkbench(page, wb);
    await expectCanvasShowsDraft(page, (v) => assert.deepEqual(ids(v), []));

    // Chat: add two steps, then connect them.
    assert.equal(await sendChat(page, 'add Build'), 'Added Build');
    await expectCanvasShowsDraft(page, (v) => assert.deepEqual(ids(v), ['build']));
    assert.equal(await sendChat(page, 'add Test'), 'Added Test');
    await expectCanvasShowsDraft(page, (v) => assert.deepEqual(ids(v), ['build', 'test']));
    assert.equal(await sendChat(page, 'connect build to test'), 'Connected Build to Test');
    await expectCanvasShowsDraft(page, (v) => assert.deepEqual(edges(v), ['build->test']));

    // Canvas: a step from the palette.
    await page.getByTestId('palette-add-action').click();
    let view = await expectCanvasShowsDraft(page, (v) => assert.equal(v.draft.nodes.length, 3));
    const added = view.draft.nodes.find((n) => n.id !== 'build' && n.id !== 'test');
    assert.deepEqual([added.type, added.label], ['action', 'New action']);

    // Canvas: a connection drawn with the mouse from Test's handle to the new step.
    await fitView(page);
    await dragConnect(page, 'test', added.id);
    await expectCanvasShowsDraft(page, (v) => assert.deepEqual(edges(v), ['build->test', `test->${added.id}`]));

    // Inspector: rename the new step.
    await page.getByTestId(`node-${added.id}`).click();
    await page.getByTestId('inspector').waitFor();
    assert.equal(await page.getByTestId('inspector-label').inputValue(), 'New action');
    await page.getByTestId('inspector-label').fill('Notify');
    await page.getByTestId('inspector-apply').click();
    view = await expectCanvasShowsDraft(page, (v) => assert.equal(labelOf(v, added.id), 'Notify'));

    // The chat works on the same draft: it finds the step by the label the inspector gave it.
    assert.equal(await sendChat(page, 'rename notify to Announce'), 'Renamed Notify to Announce');
    view = await expectCanvasShowsDraft(page, (v) => assert.equal(labelOf(v, added.id), 'Announce'));
    assert.equal(await page.getByTestId('inspector-label').inputValue(), 'Announce', 'the open inspector follows');
    assert.equal(view.undo, 7, 'every edit is one undo step');
    assertQuiet(log);
  }, VIEWPORT);
});

test('(b) undo reverts the last edit whichever side made it; redo restores it', async (t) => {
  const wb = await bench(t);
  await withPage(t, browser, async (page, log) => {
    await openWorkbench(page, wb);
    const undo = page.getByTestId('undo');
    const redo = page.getByTestId('redo');
    assert.ok(await undo.isDisabled(), 'nothing to undo yet');

    assert.equal(await sendChat(page, 'add Build'), 'Added Build'); // the chat's edit
    await page.getByTestId('palette-add-trigger').click(); // the canvas's edit
    const both = await expectCanvasShowsDraft(page, (v) => assert.equal(v.draft.nodes.length, 2));
    const trigger = both.draft.nodes.find((n) => n.type === 'trigger').id;
    // The new step's place is stored (not an undo step): wait for it, to check it comes back.
    const placed = await expectCanvasShowsDraft(page, (v) => assert.ok(v.layout.positions[trigger]));
    assert.equal(placed.revision, both.revision, 'storing a position is not an edit');
    const where = (await nodePositions(page))[trigger];

    await undo.click(); // reverts the canvas's edit only
    await expectCanvasShowsDraft(page, (v) => assert.deepEqual(ids(v), ['build']));
    await page.getByTestId('toast').filter({ hasText: 'New trigger' }).waitFor();
    assert.ok(await redo.isEnabled());

    await undo.click(); // then the chat's
    await expectCanvasShowsDraft(page, (v) => assert.deepEqual(ids(v), []));
    await page.waitForFunction(() => document.querySelector('[data-testid="undo"]').disabled);

    await redo.click();
    await expectCanvasShowsDraft(page, (v) => assert.deepEqual(ids(v), ['build']));
    await redo.click();
    const back = await expectCanvasShowsDraft(page, (v) => assert.deepEqual(ids(v), ['build', trigger].sort()));
    await page.waitForFunction(() => document.querySelector('[data-testid="redo"]').disabled);
    assert.deepEqual(back.draft, both.draft, 'redo restores exactly what was there');
    assert.deepEqual((await nodePositions(page))[trigger], where, 'the step comes back where it was');
    assertQuiet(log);
  }, VIEWPORT);
});

test('(c) invalid agent output does not change the draft, and the person sees why', async (t) => {
  const model = await startScriptedOpenAI([
    toolCall('{"edits":{"intent":"add","node":{"id":"build","label":"Build","type":"action"}}}'),
    // Malformed twice: the workbench asks once for a repair, then refuses.
    toolCall('{"edits":[{"intent":"add"'),
    toolCall('{"edits":[{"intent":"add"'),
  ]);
  t.after(() => model.close());
  const wb = await bench(t, {
    args: ['--agent', 'openai', '--model', 'scripted', '--base-url', model.url],
    env: { OPENAI_API_KEY: 'sk-e2e-not-a-key' },
  });
  await withPage(t, browser, async (page, log) => {
    await openWorkbench(page, wb);
    assert.match(await sendChat(page, 'add a build step'), /^(Added Build|Applied 1 change)$/);
    const before = await expectCanvasShowsDraft(page, (v) => assert.deepEqual(ids(v), ['build']));

    const reply = await sendChat(page, 'add a deploy step');
    assert.match(reply, /^I couldn't apply that change/);
    const shown = page.locator('[data-testid="chat-message"][data-role="agent"]').last();
    assert.ok(await shown.isVisible(), 'the refusal is on screen');
    assert.match(await shown.textContent(), /I couldn't apply that change/);

    const afterView = await draftOf(page);
    assert.equal(afterView.revision, before.revision, 'the draft revision did not move');
    assert.deepEqual(afterView.draft, before.draft, 'the draft did not change');
    assert.equal(afterView.undo, before.undo, 'no undo step');
    await expectCanvasShowsDraft(page, (v) => assert.equal(v.revision, before.revision));
    assert.equal(model.requests.length, 3, 'one request for the good turn, two (one repair) for the bad one');
    assert.match(wb.stderr(), /agent output refused/);
    assertQuiet(log);
  }, VIEWPORT);
});

test('(c) a chat turn the workbench cannot answer shows an error in the chat', async (t) => {
  const wb = await startWorkbench({ workspace: makeWorkspace() });
  await withPage(t, browser, async (page) => {
    await openWorkbench(page, wb);
    assert.equal(await wb.stop(), 0);
    await page.getByTestId('chat-input').fill('add Build');
    await page.getByTestId('chat-send').click();
    const error = page.getByTestId('chat-error');
    await error.waitFor();
    assert.match(await error.textContent(), /Cannot reach the workbench server/);
    assert.equal(await page.locator('.react-flow__node').count(), 0, 'nothing was added');
  }, VIEWPORT);
});
