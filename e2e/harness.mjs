// Helpers for the real-browser end-to-end tests: start `gen workbench`, drive Debian's Chromium
// through playwright-core, save a screenshot when a page step fails, make throwaway workspaces.
// Install what this needs with `scripts/browser-deps` (Chromium from Debian, e2e/node_modules).
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const E2E_DIR = dirname(fileURLToPath(import.meta.url));
export const OUTPUT_DIR = join(E2E_DIR, 'test-output');

/** Chromium flags on top of the ones playwright-core always passes (it already disables background
 * networking, component updates, sync, first-run, /dev/shm use). --no-sandbox: we run as root in a
 * container, where Chromium's sandbox refuses to start. --disable-quic/--disable-gpu: no network but
 * loopback, no GPU. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic'];

// ---------------------------------------------------------------------------------------------
// Finding binaries

function isExecutable(p) {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The chromium binary, found like scripts/browser-deps does: $CHROMIUM, else `chromium`, else
 * `chromium-browser` on the PATH. */
export function findChromium() {
  if (process.env.CHROMIUM) {
    if (!isExecutable(process.env.CHROMIUM)) {
      throw new Error(`CHROMIUM=${process.env.CHROMIUM} is not an executable file`);
    }
    return process.env.CHROMIUM;
  }
  for (const name of ['chromium', 'chromium-browser']) {
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      if (dir && isExecutable(join(dir, name))) return join(dir, name);
    }
  }
  throw new Error('no chromium found (looked at $CHROMIUM, chromium, chromium-browser): run scripts/browser-deps');
}

/** The gen binary: $GEN_BIN (relative to the folder npm was started from, else the cwd), default
 * ../target/debug/gen relative to e2e/. */
export function genBin() {
  const fromEnv = process.env.GEN_BIN;
  const bin = fromEnv
    ? isAbsolute(fromEnv) ? fromEnv : resolve(process.env.INIT_CWD ?? process.cwd(), fromEnv)
    : resolve(E2E_DIR, '../target/debug/gen');
  if (!isExecutable(bin)) {
    throw new Error(`gen binary not found at ${bin}: build it (cargo build -p gen-cli) or set GEN_BIN`);
  }
  return bin;
}

// ---------------------------------------------------------------------------------------------
// gen commands and workspaces

const workspaces = new Set();
process.on('exit', () => {
  if (process.env.E2E_KEEP_WORKSPACES) return;
  for (const ws of workspaces) rmSync(ws, { recursive: true, force: true });
});

/** Runs `gen ...args` synchronously in the workspace `ws`. A last argument that is a plain object
 * holds options: `input` (stdin text), `env` (extra environment), `bin` (another binary).
 * Returns {code, stdout, stderr}; `code` is null if gen died from a signal. */
export function gen(ws, ...args) {
  const opts =
    args.length && typeof args.at(-1) === 'object' && !Array.isArray(args.at(-1)) ? args.pop() : {};
  const r = spawnSync(opts.bin ?? genBin(), args.map(String), {
    cwd: ws,
    input: opts.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    timeout: opts.timeout ?? 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A new temporary folder with `gen init` run in it; returns its path. Removed when the test process
 * exits, unless E2E_KEEP_WORKSPACES is set. `initArgs` are extra arguments to `gen init`. */
export function makeWorkspace({ initArgs = [] } = {}) {
  const ws = mkdtempSync(join(tmpdir(), 'gen-e2e-'));
  workspaces.add(ws);
  const r = gen(ws, 'init', ...initArgs);
  if (r.code !== 0) {
    throw new Error(`gen init failed in ${ws} (exit ${r.code}):\n${r.stderr}${r.stdout}`);
  }
  return ws;
}

// ---------------------------------------------------------------------------------------------
// The workbench server

const READY = /^Workbench: (http:\/\/127\.0\.0\.1:\d+)\/\?token=(\S+)$/;
const running = new Set();
process.on('exit', () => {
  for (const proc of running) proc.kill('SIGKILL');
});

/** Starts `gen workbench --no-open --port 0 ...args` in `workspace` and waits (up to `timeoutMs`)
 * for its `Workbench: http://127.0.0.1:PORT/?token=TOKEN` line on stdout.
 * Returns {url, base, token, proc, stdout(), stderr(), stop()}: `url` is the whole line's URL,
 * `base` is http://127.0.0.1:PORT. stop() sends SIGTERM, waits for the exit and returns the exit
 * code (null if it died from a signal; then `handle.signal` says which); asserting that it is 0 is
 * the caller's job. A server still running when the test process exits is killed. */
export async function startWorkbench({ workspace, args = [], env = {}, bin, timeoutMs = 30_000 }) {
  const proc = spawn(bin ?? genBin(), ['workbench', '--no-open', '--port', '0', ...args.map(String)], {
    cwd: workspace,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(proc);
  let out = '';
  let err = '';
  let exit = null; // {code, signal} once exited
  const exited = new Promise((res) => {
    proc.on('exit', (code, signal) => {
      running.delete(proc);
      exit = { code, signal };
      res(exit);
    });
  });
  proc.stdout.setEncoding('utf8');
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => (err += d));

  const handle = {
    proc,
    signal: null,
    stdout: () => out,
    stderr: () => err,
    async stop({ timeoutMs: stopTimeout = 10_000 } = {}) {
      if (!exit) {
        proc.kill('SIGTERM');
        let timer;
        const late = new Promise((res) => {
          timer = setTimeout(res, stopTimeout, 'late');
        });
        const first = await Promise.race([exited, late]);
        clearTimeout(timer);
        if (first === 'late') {
          proc.kill('SIGKILL');
          await exited;
          throw new Error(`gen workbench did not exit within ${stopTimeout} ms of SIGTERM; killed.\nstderr:\n${err}`);
        }
      }
      handle.signal = exit.signal;
      return exit.code;
    },
  };

  return new Promise((resolveReady, rejectReady) => {
    let pending = '';
    let ready = false;
    const fail = (why) => {
      if (ready) return;
      ready = true;
      clearTimeout(timer);
      proc.kill('SIGKILL');
      rejectReady(new Error(`gen workbench ${why}\nstdout:\n${out}\nstderr:\n${err}`));
    };
    const timer = setTimeout(() => fail(`printed no "Workbench: URL" line within ${timeoutMs} ms`), timeoutMs);
    proc.on('error', (e) => fail(`could not start: ${e.message}`));
    exited.then(({ code, signal }) => fail(`exited (code ${code}, signal ${signal}) before it was ready`));
    proc.stdout.on('data', (d) => {
      out += d;
      if (ready) return;
      pending += d;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) {
        const m = READY.exec(line.replace(/\r$/, ''));
        if (m) {
          ready = true;
          clearTimeout(timer);
          // From here on the server must not keep the test process alive by itself.
          proc.unref();
          proc.stdout.unref?.();
          proc.stderr.unref?.();
          resolveReady(Object.assign(handle, { url: `${m[1]}/?token=${m[2]}`, base: m[1], token: m[2] }));
          return;
        }
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The browser

/** Debian's Chromium, headless, through playwright-core. Close it in an `after` hook. */
export async function launchBrowser({ args = [], ...options } = {}) {
  return chromium.launch({
    executablePath: findChromium(),
    headless: true,
    args: [...CHROMIUM_ARGS, ...args],
    ...options,
  });
}

/** A file name for a test: `t` is a node:test context (its name is used) or a string. */
export function screenshotPath(t) {
  const name = typeof t === 'string' ? t : t?.name ?? 'unnamed';
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[_.]+|_+$/g, '').slice(0, 120) || 'unnamed';
  return join(OUTPUT_DIR, `${safe}.png`);
}

/** Runs `fn(page, log)` in a new browser context and page, and closes them after.
 * `log` records what the page said: `consoleErrors` (texts of console errors, failed loads among
 * them, each followed by ` @ URL` where the page gave one), `pageErrors` (uncaught
 * exceptions), `dialogs` ({type, message} of each alert/confirm/prompt, which are dismissed), so a
 * test can assert that none fired. If `fn` throws, a full-page screenshot is saved to
 * e2e/test-output/<test name>.png (its path is in `err.screenshot` and the test's diagnostics) and
 * the error is rethrown. `contextOptions` go to browser.newContext(). Returns fn's result. */
export async function withPage(t, browser, fn, contextOptions = {}) {
  const context = await browser.newContext(contextOptions);
  const log = { consoleErrors: [], pageErrors: [], dialogs: [] };
  try {
    const page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const where = msg.location()?.url;
      log.consoleErrors.push(where && !msg.text().includes(where) ? `${msg.text()} @ ${where}` : msg.text());
    });
    page.on('pageerror', (e) => log.pageErrors.push(String(e?.stack ?? e)));
    page.on('dialog', (d) => {
      log.dialogs.push({ type: d.type(), message: d.message() });
      d.dismiss().catch(() => {});
    });
    try {
      return await fn(page, log);
    } catch (e) {
      const file = screenshotPath(t);
      try {
        mkdirSync(OUTPUT_DIR, { recursive: true });
        await page.screenshot({ path: file, fullPage: true, timeout: 10_000 });
        if (e && typeof e === 'object') e.screenshot = file;
        t?.diagnostic?.(`screenshot: ${file}`);
      } catch (shotErr) {
        t?.diagnostic?.(`no screenshot: ${shotErr.message}`);
      }
      if (log.consoleErrors.length) t?.diagnostic?.(`console errors: ${JSON.stringify(log.consoleErrors)}`);
      if (log.pageErrors.length) t?.diagnostic?.(`page errors: ${JSON.stringify(log.pageErrors)}`);
      if (log.dialogs.length) t?.diagnostic?.(`dialogs: ${JSON.stringify(log.dialogs)}`);
      throw e;
    }
  } finally {
    await context.close().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// Waiting and the workbench page

/** Calls `fn` until it returns without throwing (and not `false`), at most `timeout` ms, `interval`
 * ms apart; returns its result. On timeout the last error is rethrown (with `message` in front).
 * For conditions a locator's auto-waiting cannot express (two sources agreeing, a count). */
export async function expectEventually(fn, { timeout = 10_000, interval = 50, message } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v !== false) return v;
      last = new Error('the condition was false');
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline) {
      if (message && last instanceof Error) last.message = `${message} (not within ${timeout} ms): ${last.message}`;
      throw last;
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Opens the workbench's token URL in `page` (which sets the cookie and lands on `/`) and waits until
 * the draft is shown and the live-update stream is connected. */
export async function openWorkbench(page, wb) {
  await page.goto(wb.url);
  await page.getByTestId('revision').waitFor();
  await page.locator('.live.on').waitFor();
}

/** `fetch(path)` from inside the page (its cookie, its Origin): {status, body} (body parsed as JSON
 * when it is JSON). */
export async function pageFetch(page, path, { method = 'GET', body } = {}) {
  return page.evaluate(
    async ({ path, method, body }) => {
      const r = await fetch(path, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      let parsed = text;
      try {
        parsed = JSON.parse(text);
      } catch {}
      return { status: r.status, body: parsed };
    },
    { path, method, body },
  );
}

/** GET /api/draft from the page: the server's DraftView. */
export async function draftOf(page) {
  const r = await pageFetch(page, '/api/draft');
  if (r.status !== 200) throw new Error(`GET /api/draft: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** The same API from the test process, with the token as a Bearer header: {status, body}. */
export async function api(wb, path, { method = 'GET', body } = {}) {
  const r = await fetch(`${wb.base}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${wb.token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let parsed = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: r.status, body: parsed };
}

/** What the canvas shows: nodes {id, label} (from `node-<id>` elements) sorted by id, edge test ids
 * (`edge-<source>-<target>`) sorted, and the revision number in the header. */
export async function canvasGraph(page) {
  return page.evaluate(() => {
    const nodes = [...document.querySelectorAll('.react-flow__node[data-testid^="node-"]')].map((el) => ({
      id: el.getAttribute('data-testid').slice('node-'.length),
      label: el.querySelector('.bp-node-label')?.textContent ?? null,
    }));
    const edges = [...document.querySelectorAll('.react-flow__edge[data-testid^="edge-"]')].map((el) =>
      el.getAttribute('data-testid'),
    );
    const rev = document.querySelector('[data-testid="revision"]')?.textContent;
    return {
      nodes: nodes.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
      edges: edges.sort(),
      revision: rev === undefined ? null : Number(rev),
    };
  });
}

/** The draft as the canvas should show it: same shape as canvasGraph(). */
export function expectedGraph(view) {
  return {
    nodes: view.draft.nodes
      .map((n) => ({ id: n.id, label: n.label || '(no label)' }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    edges: view.draft.edges.map((e) => `edge-${e.source}-${e.target}`).sort(),
    revision: view.revision,
  };
}

/** Waits until the canvas shows exactly the server's draft (nodes, labels, edges, revision) and
 * `check(view)` (an assertion about the draft, optional) holds; returns the DraftView. */
export async function expectCanvasShowsDraft(page, check = () => {}, { timeout = 10_000 } = {}) {
  return expectEventually(
    async () => {
      const view = await draftOf(page);
      check(view);
      const shown = await canvasGraph(page);
      const want = expectedGraph(view);
      if (JSON.stringify(shown) !== JSON.stringify(want)) {
        throw new Error(`the canvas shows ${JSON.stringify(shown)}\nthe server has ${JSON.stringify(want)}`);
      }
      return view;
    },
    { timeout, message: 'canvas and draft disagree' },
  );
}

/** Sends `text` from the chat box (Enter) and waits for the agent's answer; returns its text. */
export async function sendChat(page, text) {
  const agent = page.locator('[data-testid="chat-message"][data-role="agent"]');
  const before = await agent.count();
  await page.getByTestId('chat-input').fill(text);
  await page.getByTestId('chat-input').press('Enter');
  await page.waitForFunction(
    (n) => document.querySelectorAll('[data-testid="chat-message"][data-role="agent"]').length > n,
    before,
  );
  return (await agent.last().locator('.chat-text').textContent()) ?? '';
}

/** The flow-space position of each node on the canvas: {id: {x, y}} from the node's transform. */
export async function nodePositions(page) {
  return page.evaluate(() => {
    const out = {};
    for (const el of document.querySelectorAll('.react-flow__node[data-testid^="node-"]')) {
      const m = /translate\(\s*(-?[\d.]+)px,\s*(-?[\d.]+)px\)/.exec(el.style.transform);
      if (m) out[el.getAttribute('data-testid').slice('node-'.length)] = { x: Number(m[1]), y: Number(m[2]) };
    }
    return out;
  });
}

/** Clicks "Fit view" and waits until the viewport stops moving (the button animates). */
export async function fitView(page) {
  await page.getByTestId('fit-view').click();
  await waitForStillViewport(page);
}

/** Waits until the canvas viewport's transform stays the same over several animation frames. */
export async function waitForStillViewport(page) {
  await expectEventually(
    () =>
      page.evaluate(
        () =>
          new Promise((resolve) => {
            const read = () => document.querySelector('.react-flow__viewport')?.style.transform ?? '';
            const first = read();
            let frames = 0;
            const tick = () => {
              if (read() !== first) return resolve(false);
              if (++frames >= 8) return resolve(true);
              requestAnimationFrame(tick);
            };
            requestAnimationFrame(tick);
          }),
      ),
    { message: 'the canvas viewport kept moving' },
  );
}

/** Draws a connection by dragging, with the mouse, from the bottom (source) handle of node
 * `source` to the top (target) handle of node `target`. Both must be visible (see fitView). */
export async function dragConnect(page, source, target) {
  const from = await page.locator(`[data-testid="node-${source}"] .react-flow__handle.source`).boundingBox();
  const to = await page.locator(`[data-testid="node-${target}"] .react-flow__handle.target`).boundingBox();
  if (!from || !to) throw new Error(`no handle box for ${source} → ${target}`);
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2 + 4, { steps: 12 });
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 2 });
  await page.mouse.up();
}

/** Records, in the page, every non-GET fetch it makes (method and path): call before page.goto();
 * read them with `mutationsOf(page)`. A keyboard shortcut's handler calls fetch synchronously, so
 * once the key press has been dispatched, a request it made is already in this list. */
export async function recordMutations(page) {
  await page.addInitScript(() => {
    const calls = [];
    window.__mutations = calls;
    const original = window.fetch.bind(window);
    window.fetch = (input, init = {}) => {
      const method = (init.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
      if (method !== 'GET') {
        const url = new URL(typeof input === 'string' ? input : input.url ?? String(input), location.href);
        calls.push(`${method} ${url.pathname}`);
      }
      return original(input, init);
    };
  });
}

/** The mutations the page made so far (see recordMutations), e.g. `POST /api/actions`. Stored
 * positions (`PUT /api/layout`, not an edit of the draft) are left out unless `layout` is true. */
export async function mutationsOf(page, { layout = false } = {}) {
  const all = await page.evaluate(() => [...(window.__mutations ?? [])]);
  return layout ? all : all.filter((m) => m !== 'PUT /api/layout');
}

/** `gen draft apply -` with `actions` (an intent, an action, an array, or {draft}) on stdin. */
export function applyFromTerminal(ws, actions, ...args) {
  const r = gen(ws, 'draft', 'apply', ...args, '-', { input: JSON.stringify(actions) });
  if (r.code !== 0) throw new Error(`gen draft apply failed (exit ${r.code}):\n${r.stderr}${r.stdout}`);
  return r;
}

/** Whether the server serves the UI build in web/dist (the binary embeds web/dist as it was when
 * it was compiled): false when web/dist/index.html exists and differs from the served page, i.e.
 * the UI was rebuilt (scripts/web-build) after the binary. True when there is no web/dist. */
export async function servesCurrentUi(wb) {
  const built = join(E2E_DIR, '..', 'web', 'dist', 'index.html');
  if (!existsSync(built)) return true;
  const served = await fetch(`${wb.base}/`, { headers: { Authorization: `Bearer ${wb.token}` } }).then((r) => r.text());
  return served === readFileSync(built, 'utf8');
}
