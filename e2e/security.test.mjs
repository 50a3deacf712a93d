// What the workbench does with hostile text and with strangers: strings from the draft, the agent
// and the workspace are shown as text, never markup; a browser without the token gets nothing but
// the way in; a page from another origin can neither change nor read the draft.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import {
  api, canvasGraph, draftOf, expectCanvasShowsDraft, gen, launchBrowser, makeWorkspace, openWorkbench, pageFetch,
  sendChat, startWorkbench, withPage,
} from './harness.mjs';

const VIEWPORT = { viewport: { width: 1400, height: 860 } };
const IMG = '<img src=x onerror=alert(1)>';
const SCRIPT = '<script>alert(2)</script>';
const DESC = '<b>bold</b><img src=y onerror=alert(3)>';
const EDGE = '<img src=z onerror=alert(4)>';
const TITLE = '<img src=t onerror=alert(5)>';
const FEATURE_TITLE = '<img src=f onerror=alert(6)>';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function bench(t, workspace = makeWorkspace()) {
  const wb = await startWorkbench({ workspace });
  t.after(async () => {
    assert.equal(await wb.stop(), 0, wb.stderr());
  });
  return wb;
}

/** Elements that only markup injection could have made. */
const injected = (page) =>
  page.evaluate(() => document.querySelectorAll('img, b, main script, #root script, iframe, object').length);

test('labels, descriptions, titles and chat text that look like HTML are shown as text', async (t) => {
  const ws = makeWorkspace();
  assert.equal(gen(ws, 'features', 'new', 'REQ-F-X-001', '--title', FEATURE_TITLE).code, 0);
  assert.equal(gen(ws, 'event', 'emit', 'edge_started', '--feature', 'REQ-F-X-001', '--edge', 'intent→requirements').code, 0);
  const wb = await bench(t, ws);
  await withPage(t, browser, async (page, log) => {
    await openWorkbench(page, wb);

    // Through the chat (the builtin agent), and through the API as the canvas sends it.
    assert.equal(await sendChat(page, `add ${IMG}`), `Added ${IMG}`);
    const viaChat = (await draftOf(page)).draft.nodes[0].id;
    const r = await pageFetch(page, '/api/actions', {
      method: 'POST',
      body: [
        { intent: 'add', node: { id: 'script', label: SCRIPT, type: 'action', description: DESC }, connectFrom: viaChat },
        { action: 'setEdgeLabel', source: viaChat, target: 'script', label: EDGE },
        { action: 'setTitle', title: TITLE },
      ],
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await expectCanvasShowsDraft(page, (v) => assert.equal(v.draft.nodes.length, 2));

    // The canvas.
    const shown = await canvasGraph(page);
    assert.deepEqual(shown.nodes.map((n) => n.label).sort(), [SCRIPT, IMG].sort());
    assert.equal(await page.getByTestId('node-script').locator('.bp-node-desc').textContent(), DESC);
    const edge = page.getByTestId(`edge-${viaChat}-script`);
    assert.equal(await edge.locator('.edge-label').textContent(), EDGE);
    assert.equal(await page.locator('.draft-title').textContent(), TITLE);
    for (const id of [viaChat, 'script']) {
      const tags = await page.getByTestId(`node-${id}`).locator('*').evaluateAll((els) => [...new Set(els.map((e) => e.tagName))].sort());
      assert.deepEqual(tags, ['BDI', 'DIV', 'SPAN'], `only the node's own elements inside node-${id}`);
    }

    // The inspector.
    await page.getByTestId('node-script').click();
    assert.equal(await page.getByTestId('inspector-label').inputValue(), SCRIPT);
    assert.equal(await page.getByTestId('inspector-description').inputValue(), DESC);

    // The chat: what the person typed and what the agent answered.
    const chat = await page.locator('[data-testid="chat-message"] .chat-text').allTextContents();
    assert.deepEqual(chat, [`add ${IMG}`, `Added ${IMG}`]);

    // The project map: a feature title from the workspace.
    await page.getByTestId('view-map').click();
    const feature = page.getByTestId('map-feature-REQ-F-X-001');
    await feature.waitFor();
    assert.equal(await feature.locator('.feature-title').textContent(), FEATURE_TITLE);

    assert.equal(await injected(page), 0, 'no element made from the text');
    assert.deepEqual(log.dialogs, [], 'no alert fired');
    assert.deepEqual(log.pageErrors, []);
    assert.deepEqual(log.consoleErrors, [], 'no CSP violation or failed load either');
  }, VIEWPORT);
});

test('a browser without the token is told how to get in, and the API answers 401', async (t) => {
  const wb = await bench(t);
  await withPage(t, browser, async (page) => {
    await page.goto(`${wb.base}/`); // no ?token=: no cookie in this fresh context
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.textContent(), /not authorized/);
    assert.match(await alert.textContent(), /Open the URL printed by gen workbench/);
    assert.equal(await page.getByTestId('canvas').count(), 0, 'no draft shown');

    for (const path of ['/api/draft', '/api/map', '/api/chat/history', '/api/events', '/api/status']) {
      assert.equal((await pageFetch(page, path)).status, 401, path);
    }
    const post = await pageFetch(page, '/api/actions', { method: 'POST', body: { action: 'setTitle', title: 'x' } });
    assert.equal(post.status, 401);

    // A wrong token sets nothing either.
    const wrong = await page.goto(`${wb.base}/?token=${'0'.repeat(wb.token.length)}`);
    assert.equal(wrong.status(), 401);
    assert.equal((await pageFetch(page, '/api/draft')).status, 401);
    assert.equal((await api(wb, '/api/draft')).body.revision, 0, 'nothing changed');
  }, VIEWPORT);
});

test('a page from another origin can neither change nor read the draft', async (t) => {
  const wb = await bench(t);
  // The other site: a page on another port of the same host, so the browser's SameSite rules
  // still send the workbench's cookie (same site, other origin): only the server's checks stop it.
  const evil = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><title>elsewhere</title>
      <form id="csrf" method="POST" action="${wb.base}/api/actions" enctype="text/plain">
        <input name='{"action":"setTitle","title":"pwned","x":"' value='"}'>
      </form>`);
  });
  await new Promise((res) => evil.listen(0, '127.0.0.1', res));
  t.after(() => new Promise((res) => {
    evil.closeAllConnections();
    evil.close(res);
  }));
  const evilBase = `http://127.0.0.1:${evil.address().port}`;

  await withPage(t, browser, async (page) => {
    await openWorkbench(page, wb); // the cookie is in this browser now
    assert.equal(await sendChat(page, 'add Build'), 'Added Build');
    const before = (await api(wb, '/api/draft')).body;
    assert.equal(before.undo, 1);

    await page.goto(`${evilBase}/`);
    const statuses = [];
    page.on('response', (r) => {
      if (r.url().startsWith(wb.base)) statuses.push(`${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`);
    });
    const results = await page.evaluate(async (base) => {
      const tries = {
        // Simple requests (no preflight): they reach the server, with the cookie and our Origin.
        actions: () => fetch(`${base}/api/actions`, {
          method: 'POST', credentials: 'include', headers: { 'Content-Type': 'text/plain' },
          body: JSON.stringify({ intent: 'remove', nodeId: 'build' }),
        }),
        undo: () => fetch(`${base}/api/undo`, { method: 'POST', credentials: 'include', mode: 'no-cors' }),
        chat: () => fetch(`${base}/api/chat`, {
          method: 'POST', credentials: 'include', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' },
          body: JSON.stringify({ message: 'remove build' }),
        }),
        // Preflighted: the browser asks first, and gets no CORS permission.
        json: () => fetch(`${base}/api/actions`, {
          method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ intent: 'remove', nodeId: 'build' }),
        }),
        // Reading the draft: the answer is not for this origin.
        read: () => fetch(`${base}/api/draft`, { credentials: 'include' }).then((r) => r.json()),
      };
      const out = {};
      for (const [name, go] of Object.entries(tries)) {
        try {
          const r = await go();
          out[name] = r && typeof r.status === 'number' ? `status ${r.status} (${r.type})` : `read ${JSON.stringify(r).slice(0, 40)}`;
        } catch (e) {
          out[name] = `failed: ${e.name}`;
        }
      }
      return out;
    }, wb.base);
    assert.deepEqual(results, {
      actions: 'failed: TypeError', // 403, and unreadable: no CORS headers
      undo: 'status 0 (opaque)',
      chat: 'status 0 (opaque)',
      json: 'failed: TypeError',
      read: 'failed: TypeError',
    });
    // A classic form post (a navigation, no CORS involved).
    const [formAnswer] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${wb.base}/api/actions`),
      page.evaluate(() => document.getElementById('csrf').submit()),
    ]);
    assert.equal(formAnswer.status(), 403);
    for (const m of ['POST /api/actions', 'POST /api/undo', 'POST /api/chat']) {
      assert.ok(statuses.includes(`${m} 403`), `${m} got 403: ${JSON.stringify(statuses)}`);
    }

    const now = (await api(wb, '/api/draft')).body;
    assert.equal(now.revision, before.revision, 'the draft revision did not change');
    assert.deepEqual(now.draft, before.draft);
    assert.equal(now.undo, before.undo);
    const history = (await api(wb, '/api/chat/history')).body.messages;
    assert.equal(history.length, 2, 'no chat turn from the other site');
  }, VIEWPORT);
});
