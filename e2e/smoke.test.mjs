// The harness's own tests: they need Chromium and node_modules (scripts/browser-deps) but not the
// gen server. The workbench helpers are checked against fixtures/fake-gen.mjs; makeWorkspace/gen
// against the real gen binary when it is built (skipped otherwise).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  E2E_DIR, gen, genBin, launchBrowser, makeWorkspace, screenshotPath, startWorkbench, withPage,
} from './harness.mjs';

const FAKE_GEN = join(E2E_DIR, 'fixtures', 'fake-gen.mjs');

const PAGES = {
  '/': '<!doctype html><title>smoke</title><div data-testid="x">hi</div>',
  '/noisy': `<!doctype html><title>noisy</title><div data-testid="x">noisy</div>
    <script>console.error('boom'); alert('xss'); setTimeout(() => { throw new Error('late'); });</script>`,
};

let browser;
let server;
let base;

before(async () => {
  browser = await launchBrowser();
  server = createServer((req, res) => {
    if (req.url === '/favicon.ico') return res.writeHead(204).end();
    const body = PAGES[req.url];
    if (body === undefined) return res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
  });
  await new Promise((res) => server.listen(0, '127.0.0.1', res));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((res) => (server ? server.close(res) : res()));
});

test('chromium renders a page served on loopback', async (t) => {
  await withPage(t, browser, async (page, log) => {
    await page.goto(`${base}/`);
    assert.equal(await page.getByTestId('x').textContent(), 'hi');
    assert.deepEqual(log, { consoleErrors: [], pageErrors: [], dialogs: [] });
  });
});

test('withPage records console errors, page errors and dialogs', async (t) => {
  await withPage(t, browser, async (page, log) => {
    await page.goto(`${base}/noisy`);
    await page.getByTestId('x').waitFor();
    // The error is thrown from a timer after load: wait (bounded) until it is reported.
    for (let i = 0; i < 50 && !log.pageErrors.length; i++) await page.waitForTimeout(20);
    assert.deepEqual(log.dialogs, [{ type: 'alert', message: 'xss' }]);
    assert.ok(log.consoleErrors.some((e) => e.startsWith('boom')), JSON.stringify(log.consoleErrors));
    assert.ok(log.pageErrors.some((e) => e.includes('late')), JSON.stringify(log.pageErrors));
  });
});

test('withPage saves a screenshot when the step fails', async (t) => {
  const file = screenshotPath(t);
  rmSync(file, { force: true });
  const err = await withPage(t, browser, async (page) => {
    await page.goto(`${base}/`);
    await page.getByTestId('missing').click({ timeout: 200 });
  }).then(() => assert.fail('withPage should have rethrown'), (e) => e);
  assert.match(err.message, /missing/);
  assert.equal(err.screenshot, file);
  assert.ok(existsSync(file), `no screenshot at ${file}`);
  assert.deepEqual([...readFileSync(file).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  rmSync(file);
});

test('startWorkbench waits for the ready line and stop() returns the exit code', async (t) => {
  const wb = await startWorkbench({ workspace: E2E_DIR, bin: FAKE_GEN });
  try {
    assert.match(wb.base, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(wb.token, 'tok123');
    assert.equal(wb.url, `${wb.base}/?token=tok123`);
    assert.match(wb.stdout(), /fake-gen: starting/);
    await withPage(t, browser, async (page) => {
      await page.goto(wb.url);
      assert.equal(await page.getByTestId('cwd').textContent(), E2E_DIR);
    });
  } finally {
    assert.equal(await wb.stop(), 0);
  }
});

test('startWorkbench fails with the server’s stderr when it exits early', async () => {
  await assert.rejects(
    startWorkbench({ workspace: E2E_DIR, bin: FAKE_GEN, env: { FAKE_GEN_MODE: 'fail' } }),
    /exited \(code 3.*no workspace here/s,
  );
});

test('startWorkbench times out when no ready line comes', async () => {
  await assert.rejects(
    startWorkbench({ workspace: E2E_DIR, bin: FAKE_GEN, env: { FAKE_GEN_MODE: 'silent' }, timeoutMs: 1000 }),
    /no "Workbench: URL" line within 1000 ms.*fake-gen: starting/s,
  );
});

test('makeWorkspace and gen() run the real gen binary', async (t) => {
  try {
    genBin();
  } catch (e) {
    t.skip(e.message);
    return;
  }
  const ws = makeWorkspace();
  assert.ok(existsSync(join(ws, '.ai-workspace')), 'gen init made no .ai-workspace/');
  const r = gen(ws, 'validate');
  assert.equal(r.code, 0, r.stderr);
  const bad = gen(ws, 'no-such-command');
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /no-such-command/);
});
