// The first run of an empty install, through the browser: the site says it
// needs setup, the front page and /setup say where the set-up link is, a
// wrong token is refused without creating anything, and the real link
// creates the admin `admin` and lands on the administration page with its
// "Set up your forum" checklist. The harness runs this file first and alone,
// on a server started with no admin and QUORUM_SETUP_TOKEN set; the other
// files sign in as the admin created here. The tests below depend on each
// other and run in order.

import { before, test } from 'node:test';
import {
  ADMIN,
  ApiError,
  SETUP_TOKEN,
  api,
  browserTest,
  expectText,
  mainNav,
  poll,
  settled,
  suffix,
  waitFor,
} from './lib.mjs';

const id = suffix();
const ADMIN_EMAIL = 'admin@example.org';
const SETUP_NOTICE = 'This forum has no administrator yet';
const TOKEN_HINT = 'Open the set-up link the server printed';

/** GET /api/v1/site's `needs_setup`, failing on anything but a boolean. */
async function needsSetup() {
  const site = await api.get('/api/v1/site');
  if (typeof site.needs_setup !== 'boolean') throw new Error(`GET /api/v1/site answered ${JSON.stringify(site)}`);
  return site.needs_setup;
}

/** Whether `admin` can log in with the admin password (false on 401). */
async function adminCanLogIn() {
  try {
    await api.adminToken();
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return false;
    throw error;
  }
}

/** Fills the /setup form and submits it. */
async function submitSetup(page, { email }) {
  const main = page.locator('main#main');
  await main.getByLabel('Username', { exact: true }).fill(ADMIN.username);
  await main.getByLabel('E-mail', { exact: true }).fill(email);
  await main.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await main.getByRole('button', { name: 'Create admin account' }).click();
}

before(() => {
  if (SETUP_TOKEN.length < 16) throw new Error('QUORUM_E2E_SETUP_TOKEN is not set (the harness sets it)');
  if (ADMIN.password.length < 10) throw new Error('QUORUM_E2E_ADMIN_PASSWORD is not set (the harness sets it)');
});

test('an empty install needs setup', async () => {
  if ((await needsSetup()) !== true) throw new Error('GET /api/v1/site says the new install needs no setup');
  if (await adminCanLogIn()) throw new Error('`admin` can log in before setup');
});

browserTest('the front page says there is no administrator yet', async ({ page }) => {
  await page.goto('/');
  await settled(page, 'Categories');
  await waitFor(page.getByRole('note').filter({ hasText: SETUP_NOTICE }));
});

browserTest('/setup without the token says where the set-up link is', async ({ page }) => {
  await page.goto('/setup');
  await settled(page, 'Set up Quorum');
  const main = page.locator('main#main');
  await expectText(main.getByRole('note'), TOKEN_HINT);
  await waitFor(main.getByRole('button', { name: 'Create admin account' }));
});

browserTest('a wrong setup token is refused and creates nothing', async ({ page }) => {
  await page.goto(`/setup#not-the-setup-token-${id}`);
  await settled(page, 'Set up Quorum');
  const main = page.locator('main#main');
  if ((await main.getByText(TOKEN_HINT).count()) !== 0) throw new Error('the token hint shows with a token in the link');

  await submitSetup(page, { email: `wrong-${id}@example.org` });
  await expectText(main.getByRole('alert'), /setup token/i);
  await poll(() => new URL(page.url()).pathname === '/setup', () => `expected to stay on /setup, at ${page.url()}`);
  await waitFor(mainNav(page).getByRole('link', { name: 'Log in', exact: true }));

  if ((await needsSetup()) !== true) throw new Error('the site no longer needs setup after a wrong token');
  if (await adminCanLogIn()) throw new Error('a wrong setup token created `admin`');
});

browserTest('the set-up link creates the admin and opens the administration', async ({ page }) => {
  // First a mistyped link, then the corrected one in the same tab: only the
  // hash changes, nothing reloads, and the second attempt must use it.
  await page.goto(`/setup#mistyped-${id}`);
  await settled(page, 'Set up Quorum');
  const main = page.locator('main#main');
  await submitSetup(page, { email: ADMIN_EMAIL });
  await expectText(main.getByRole('alert'), /setup token/i);
  if ((await main.innerText()).includes('`')) throw new Error(`raw backticks on the page: ${await main.innerText()}`);
  await page.evaluate((token) => {
    window.location.hash = token;
  }, SETUP_TOKEN);
  if ((await main.getByText(TOKEN_HINT).count()) !== 0) throw new Error('the token hint shows with the set-up link');

  await main.getByRole('button', { name: 'Create admin account' }).click();
  await poll(() => new URL(page.url()).pathname === '/admin', () => `expected to land on /admin, at ${page.url()}`);
  await settled(page, 'Administration');
  await waitFor(main.getByRole('heading', { name: 'Set up your forum', exact: true }));
  await waitFor(main.getByRole('link', { name: 'Create categories', exact: true }));
  const nav = mainNav(page);
  await waitFor(nav.getByRole('button', { name: 'Log out' }));
  await waitFor(nav.getByRole('link', { name: 'Admin', exact: true }));
  // The end-of-test screenshot shows the checklist.
});

test('the account created is the admin, and setup is spent', async () => {
  const token = await api.adminToken();
  const me = await api.get('/api/v1/me', token);
  if (me.username !== ADMIN.username || me.email !== ADMIN_EMAIL || me.is_admin !== true) {
    throw new Error(`GET /api/v1/me answered ${JSON.stringify(me)}`);
  }
  if ((await needsSetup()) !== false) throw new Error('GET /api/v1/site still says the forum needs setup');

  const again = { token: SETUP_TOKEN, username: `second-${id}`, email: `second-${id}@example.org`, password: ADMIN.password };
  try {
    await api.post('/api/v1/setup', again);
    throw new Error('a second POST /api/v1/setup with the token was accepted');
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 409) throw error;
  }
  if ((await needsSetup()) !== false) throw new Error('the site needs setup again after a refused second setup');
});
