// Shared helpers for Quorum's browser tests: one Chromium per test file, a
// fresh context per test, small waiting helpers on top of Playwright's
// auto-waiting locators, a JSON client for the same server, and screenshots.
//
// Environment (set by `cargo xtask e2e` / `cargo xtask test`):
//   QUORUM_E2E_URL             the server under test, e.g. http://127.0.0.1:41234
//   QUORUM_E2E_BACKEND         `sqlite` or `postgres`; names the screenshot folder
//   QUORUM_E2E_ADMIN_PASSWORD  password of the admin account `admin`, which
//                              setup.test.mjs creates through the first-run page
//   QUORUM_E2E_SETUP_TOKEN     the server's first-run setup token (QUORUM_SETUP_TOKEN)
//   QUORUM_E2E_SCREENSHOTS     screenshot folder (default target/e2e/<backend>)
//   QUORUM_E2E_CHROMIUM        browser executable (default /usr/bin/chromium)
//   QUORUM_E2E_MAIL_DIR        where the server writes each mail it sends, one
//                              .eml file each (QUORUM_SMTP_URL=file://…)
//   QUORUM_E2E_AXE=report      axe violations are appended to <SCREENSHOTS>/axe-report.txt
//                              instead of failing the test (to survey a whole run)

import { after, test } from 'node:test';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const workspace = resolve(here, '..', '..');

export const BASE_URL = (process.env.QUORUM_E2E_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
export const BACKEND = process.env.QUORUM_E2E_BACKEND || 'local';
export const ADMIN = { username: 'admin', password: process.env.QUORUM_E2E_ADMIN_PASSWORD || '' };
export const SETUP_TOKEN = process.env.QUORUM_E2E_SETUP_TOKEN || '';
export const SCREENSHOTS = process.env.QUORUM_E2E_SCREENSHOTS || join(workspace, 'target', 'e2e', BACKEND);
export const MAIL_DIR = process.env.QUORUM_E2E_MAIL_DIR || '';
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** How long any single wait may take before the test fails. */
export const TIMEOUT = 15_000;
/** Per-test limit, passed to `node:test`. */
export const TEST_TIMEOUT = 120_000;

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// ------------------------------------------------------------- browser

/**
 * Launches Chromium. Playwright gives every launch a fresh, temporary
 * user-data-dir of its own; XDG config and cache go to a temporary folder
 * too, removed by `close()`.
 */
export async function launchBrowser() {
  const scratch = mkdtempSync(join(tmpdir(), 'quorum-e2e-chromium-'));
  const browser = await chromium.launch({
    executablePath: process.env.QUORUM_E2E_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    env: {
      ...process.env,
      XDG_CONFIG_HOME: join(scratch, 'config'),
      XDG_CACHE_HOME: join(scratch, 'cache'),
    },
    timeout: 60_000,
  });
  const close = browser.close.bind(browser);
  browser.close = async () => {
    try {
      await close();
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  };
  return browser;
}

let sharedBrowser = null;
let closeRegistered = false;

/** The test file's browser, launched on first use and closed after the file. */
function fileBrowser() {
  sharedBrowser ??= launchBrowser();
  return sharedBrowser;
}

/** Registers (once, at the file's top level) the hook that closes the file's browser. */
function registerClose() {
  if (closeRegistered) return;
  closeRegistered = true;
  after(async () => {
    const pending = sharedBrowser;
    sharedBrowser = null;
    const browser = await pending?.catch(() => null);
    await browser?.close();
  });
}

/** A new browser context on the server under test; `options` adds to or overrides Playwright's (a phone's viewport). */
export async function newContext(browser, options = {}) {
  const context = await browser.newContext({
    baseURL: BASE_URL,
    viewport: { width: 1280, height: 900 },
    locale: 'en-GB',
    timezoneId: 'Europe/London',
    ...options,
  });
  context.setDefaultTimeout(TIMEOUT);
  context.setDefaultNavigationTimeout(30_000);
  return context;
}

/**
 * A browser test: a fresh context and page for `fn({ page, context })`, a
 * full-page screenshot named after the file and test at the end, and on
 * failure a `-failed` screenshot plus the page's console output.
 */
export function browserTest(name, fn, options = {}) {
  const file = basename(process.argv[1] || 'e2e', '.test.mjs');
  const shot = `${file}--${slug(name)}`;
  registerClose();
  test(name, { timeout: TEST_TIMEOUT, ...options }, async (t) => {
    const browser = await fileBrowser();
    const context = await newContext(browser);
    const page = await context.newPage();
    const log = [];
    page.on('console', (m) => log.push(`[console.${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => log.push(`[pageerror] ${e.message}`));
    page.on('requestfailed', (r) => log.push(`[requestfailed] ${r.method()} ${r.url()} ${r.failure()?.errorText}`));
    page.on('response', (r) => {
      if (r.status() >= 400) log.push(`[http ${r.status()}] ${r.request().method()} ${r.url()}`);
    });
    try {
      await fn({ page, context, t });
      await screenshot(page, shot);
    } catch (error) {
      await screenshot(page, `${shot}-failed`).catch(() => {});
      const saved = writeDiagnostics(`${shot}-failed`, page, log);
      t.diagnostic(`at ${page.url()}; screenshot and browser log: ${saved}.{png,txt}`);
      for (const line of log.slice(-15)) t.diagnostic(line);
      throw error;
    } finally {
      await context.close();
    }
  });
}

/** Saves a full-page PNG as `<SCREENSHOTS>/<name>.png`; returns its path. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${slug(name)}.png`);
  await page.screenshot({ path, fullPage: true, timeout: TIMEOUT });
  return path;
}

/** Writes the page's address and browser log next to the screenshots; returns the path without extension. */
function writeDiagnostics(name, page, log) {
  const path = join(SCREENSHOTS, slug(name));
  try {
    mkdirSync(SCREENSHOTS, { recursive: true });
    writeFileSync(`${path}.txt`, [`url: ${page.url()}`, ...log, ''].join('\n'));
  } catch {
    // best effort
  }
  return path;
}

function slug(text) {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 120);
}

// ------------------------------------------------------------- waiting

/** Waits until the locator's (first) element is visible. */
export async function waitFor(locator, timeout = TIMEOUT) {
  await locator.first().waitFor({ state: 'visible', timeout });
  return locator;
}

/** Waits until no element of the locator is visible (or none exists). */
export async function waitGone(locator, timeout = TIMEOUT) {
  await locator.first().waitFor({ state: 'hidden', timeout });
}

/** Polls `probe()` until it returns a truthy value; fails with `message()` after the timeout. */
export async function poll(probe, message, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout;
  let last;
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    try {
      last = await probe();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms: ${typeof message === 'function' ? message(last) : message}`);
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}

/**
 * Waits until the rendered text (`innerText`, so blocks are separated) of
 * the locator's first element contains `expected` (a string or RegExp).
 */
export async function expectText(locator, expected, timeout = TIMEOUT) {
  const matches = (text) => (expected instanceof RegExp ? expected.test(text) : text.includes(expected));
  let seen = '';
  await poll(
    async () => {
      seen = await locator.first().innerText({ timeout: 1000 });
      return matches(seen);
    },
    () => `expected text ${expected} in ${locator}, saw ${JSON.stringify(seen.slice(0, 300))}`,
    timeout,
  );
}

/** Waits until the locator matches exactly `n` elements. */
export async function expectCount(locator, n, timeout = TIMEOUT) {
  let count = -1;
  await poll(
    async () => (count = await locator.count()) === n,
    () => `expected ${n} elements for ${locator}, found ${count}`,
    timeout,
  );
}

/** Waits until the locator's first element has `attribute` equal to `value`. */
export async function expectAttribute(locator, attribute, value, timeout = TIMEOUT) {
  let seen;
  await poll(
    async () => (seen = await locator.first().getAttribute(attribute, { timeout: 1000 })) === value,
    () => `expected ${attribute}=${JSON.stringify(value)} on ${locator}, saw ${JSON.stringify(seen)}`,
    timeout,
  );
}

/**
 * Waits until the page has rendered its heading inside `<main id="main">`
 * and nothing is marked `aria-busy="true"` (the app's "data loaded" signal).
 */
export async function settled(page, heading, { axe = true } = {}) {
  const h1 = page.locator('main#main h1');
  await waitFor(h1);
  if (heading !== undefined) await expectText(h1, heading);
  await poll(
    async () => (await page.locator('[aria-busy="true"]').count()) === 0,
    'the page still has elements marked aria-busy="true"',
  );
  if (axe) await checkAxe(page);
}

/**
 * Runs axe-core on the page as it is now and fails on any violation, naming
 * the rule, the elements and what to fix. `settled` calls it, so every page
 * the browser tests wait for is checked; call it again after opening a
 * dialog or a form. Besides axe's default rules it runs
 * `label-content-name-mismatch` (WCAG 2.5.3), which axe marks experimental.
 */
export async function checkAxe(page, label) {
  // Evaluated through the DevTools protocol, so the app's CSP does not block it.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const results = await window.axe.run(document, {
      resultTypes: ['violations'],
      rules: { 'label-content-name-mismatch': { enabled: true } },
    });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html.slice(0, 200), summary: n.failureSummary })),
    }));
  });
  if (violations.length === 0) return;
  const where = label ?? new URL(page.url()).pathname;
  const text = violations
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}\n` +
        v.nodes
          .slice(0, 5)
          .map((n) => `    ${n.target}\n      ${n.html}\n      ${(n.summary || '').replace(/\n/g, ' ')}`)
          .join('\n') +
        (v.nodes.length > 5 ? `\n    … and ${v.nodes.length - 5} more` : ''),
    )
    .join('\n');
  if (process.env.QUORUM_E2E_AXE === 'report') {
    mkdirSync(SCREENSHOTS, { recursive: true });
    writeFileSync(join(SCREENSHOTS, 'axe-report.txt'), `== ${basename(process.argv[1] || '')} ${where}\n${text}\n`, {
      flag: 'a',
    });
    return;
  }
  throw new Error(`axe found ${violations.length} kinds of violation on ${where}:\n${text}`);
}

/** Asserts that `text` appears nowhere on the page now (call after `settled`). */
export async function assertAbsent(page, text) {
  const count = await page.getByText(text).count();
  if (count !== 0) throw new Error(`${JSON.stringify(text)} is on ${page.url()} but should not be (${count} matches)`);
}

// ------------------------------------------------------------------ UI

export const header = (page) => page.locator('header');
export const mainNav = (page) => page.getByRole('navigation', { name: 'Main' });

/** Signs in through the login form and waits for the signed-in header. */
export async function signIn(page, user, password) {
  const login = typeof user === 'string' ? user : user.username;
  const pass = password ?? user.password;
  await page.goto('/login');
  await settled(page, 'Log in');
  await page.getByLabel('Username or e-mail').fill(login);
  await page.getByLabel('Password', { exact: true }).fill(pass);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await waitFor(mainNav(page).getByRole('button', { name: 'Log out' }));
}

/** Waits for a link named `displayName` inside `scope` that opens the person's profile. */
export async function expectProfileLink(scope, { username, displayName }) {
  const link = scope.getByRole('link', { name: displayName, exact: true });
  await waitFor(link);
  await expectAttribute(link, 'href', `/u/${encodeURIComponent(username)}`);
}

/** The `<article class="post">` whose text contains `text`. */
export const postWith = (page, text) => page.locator('article.post').filter({ hasText: text });

// ----------------------------------------------------------------- API

export class ApiError extends Error {
  constructor(method, path, status, body) {
    super(`${method} ${path} answered ${status}: ${typeof body === 'string' ? body : JSON.stringify(body)}`);
    this.status = status;
    this.body = body;
  }
}

async function call(method, path, { body, token, ok } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(`${BASE_URL}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let data = text;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  const accepted = ok ?? ((status) => status >= 200 && status < 300);
  if (!accepted(response.status)) throw new ApiError(method, path, response.status, data);
  return data;
}

/** A small JSON client for the server under test. */
export const api = {
  get: (path, token, opts) => call('GET', path, { token, ...opts }),
  post: (path, body, token, opts) => call('POST', path, { body, token, ...opts }),
  put: (path, body, token, opts) => call('PUT', path, { body, token, ...opts }),
  patch: (path, body, token, opts) => call('PATCH', path, { body, token, ...opts }),
  delete: (path, token, opts) => call('DELETE', path, { token, ...opts }),
  /** Logs in and returns the access token. */
  async login(username, password) {
    const pair = await call('POST', '/api/v1/auth/login', { body: { login: username, password } });
    return pair.access_token;
  },
  adminToken: () => api.login(ADMIN.username, ADMIN.password),
};

// ------------------------------------------------------------ fixtures

/** A short random suffix, so test files can share one server. */
export const suffix = () => randomBytes(4).toString('hex');

/** Groups the tests rely on; created once per server (409 means it exists). */
export const GROUPS = {
  workers: { slug: 'worker-members', name: 'Worker members' },
  enterprises: { slug: 'enterprise-members', name: 'Enterprise members' },
  participants: { slug: 'participants', name: 'Participants' },
};

export async function ensureGroups(adminToken) {
  for (const group of Object.values(GROUPS)) {
    await api.post('/api/v1/groups', { ...group, description: `${group.name} (browser tests)` }, adminToken, {
      ok: (s) => (s >= 200 && s < 300) || s === 409,
    });
  }
}

/**
 * Registers a user through the API and returns `{ username, password,
 * displayName, email, token }`. `groups` are group slugs to join (as admin).
 */
export async function createUser(adminToken, base, { displayName, groups = [] } = {}) {
  const username = `${base}-${suffix()}`.slice(0, 32);
  const user = {
    username,
    email: `${username}@example.org`,
    password: `pass-${username}-long`,
    displayName: displayName ?? `${base[0].toUpperCase()}${base.slice(1)} ${username.slice(-4)}`,
  };
  const pair = await api.post('/api/v1/auth/register', {
    username: user.username,
    email: user.email,
    password: user.password,
    display_name: user.displayName,
  });
  user.token = pair.access_token;
  for (const group of groups) {
    await api.put(`/api/v1/groups/${group}/members/${username}`, undefined, adminToken);
  }
  if (groups.length) user.token = await api.login(username, user.password);
  return user;
}

/** Creates a category; `audience`/`posters` are group slugs. */
export async function createCategory(adminToken, { slug, name, description = '', audience, posters }) {
  const body = { slug, name, description };
  if (audience) body.audience = audience;
  if (posters) body.posters = posters;
  return api.post('/api/v1/categories', body, adminToken);
}

/** Creates a thread; returns `{ thread, post }`. */
export function createThread(token, { category, title, body, audience }) {
  return api.post('/api/v1/threads', { category, title, body, ...(audience ? { audience } : {}) }, token);
}

/** Adds a reply; returns the post. */
export function createReply(token, threadId, { body, replyTo, audience }) {
  const request = { body };
  if (replyTo) request.reply_to = replyTo;
  if (audience) request.audience = audience;
  return api.post(`/api/v1/threads/${threadId}/posts`, request, token);
}

// ---------------------------------------------------------------- mail

/** Undoes quoted-printable soft line breaks and escapes (mail bodies may be sent so). */
function unquote(text) {
  return text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

/** Every mail the server wrote so far to `address`, oldest first, as decoded text. */
export function mailsTo(address) {
  if (!MAIL_DIR) throw new Error('QUORUM_E2E_MAIL_DIR is not set: run through cargo xtask e2e');
  return readdirSync(MAIL_DIR)
    .filter((name) => name.endsWith('.eml'))
    .sort()
    .map((name) => unquote(readFileSync(join(MAIL_DIR, name), 'utf8')))
    .filter((mail) => new RegExp(`^To:.*<?${address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}>?\\s*$`, 'mi').test(mail));
}

/** Waits until `address` has received `n` mails; returns the `n`th. */
export async function waitForMail(address, n = 1) {
  const mails = await poll(() => {
    const found = mailsTo(address);
    return found.length >= n ? found : null;
  }, `no mail number ${n} to ${address} in ${MAIL_DIR}`);
  return mails[n - 1];
}
