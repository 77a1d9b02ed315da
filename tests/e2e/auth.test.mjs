// Accounts in the browser: register, log out, log in, a reload that keeps
// the session, and the admin area refusing a signed-out visitor. The
// first-run page (/setup) is setup.test.mjs, which runs before this file and
// creates the admin, so here the site only has to say it needs no setup.

import { before, test } from 'node:test';
import {
  api,
  browserTest,
  createUser,
  expectText,
  mainNav,
  poll,
  settled,
  signIn,
  suffix,
  waitFor,
} from './lib.mjs';

const id = suffix();
let admin;
let member;

before(async () => {
  admin = await api.adminToken();
  member = await createUser(admin, 'session');
});

browserTest('register through the form, log out, log in again', async ({ page }) => {
  const user = { username: `reg-${id}`, password: `register-${id}-passphrase`, displayName: `Registered ${id}` };

  await page.goto('/register');
  await settled(page, 'Create an account');
  await page.getByLabel('Username', { exact: true }).fill(user.username);
  await page.getByLabel('E-mail', { exact: true }).fill(`${user.username}@example.org`);
  await page.getByLabel('Display name', { exact: true }).fill(user.displayName);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Create account' }).click();

  const nav = mainNav(page);
  await waitFor(nav.getByRole('link', { name: user.displayName, exact: true }));
  await waitFor(nav.getByRole('button', { name: 'Log out' }));
  await poll(() => new URL(page.url()).pathname === '/', () => `expected to land on /, at ${page.url()}`);
  await settled(page, 'Categories');

  await nav.getByRole('button', { name: 'Log out' }).click();
  await waitFor(nav.getByRole('link', { name: 'Log in', exact: true }));
  await waitFor(nav.getByRole('link', { name: 'Register', exact: true }));

  await signIn(page, user.username, user.password);
  await waitFor(nav.getByRole('link', { name: user.displayName, exact: true }));

  // The account exists server-side with the name given in the form.
  const me = await api.get('/api/v1/me', await api.login(user.username, user.password));
  if (me.display_name !== user.displayName) throw new Error(`display name is ${me.display_name}`);
});

browserTest('a wrong password is reported, not accepted', async ({ page }) => {
  await page.goto('/login');
  await settled(page, 'Log in');
  await page.getByLabel('Username or e-mail').fill(member.username);
  await page.getByLabel('Password', { exact: true }).fill('not-the-right-password');
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await waitFor(page.getByRole('alert'));
  await waitFor(mainNav(page).getByRole('link', { name: 'Log in', exact: true }));
});

browserTest('a reload keeps the session', async ({ page }) => {
  await signIn(page, member);
  const nav = mainNav(page);
  await waitFor(nav.getByRole('link', { name: member.displayName, exact: true }));

  await page.reload();
  await settled(page);
  await waitFor(nav.getByRole('link', { name: member.displayName, exact: true }));
  await waitFor(nav.getByRole('button', { name: 'Log out' }));
  if (await nav.getByRole('link', { name: 'Log in', exact: true }).isVisible()) {
    throw new Error('the header offers "Log in" after a reload of a signed-in page');
  }

  // A full navigation to another page, too.
  await page.goto('/me');
  await settled(page, 'Your profile');
  await waitFor(nav.getByRole('button', { name: 'Log out' }));
});

browserTest('a signed-out visitor to /admin is sent to log in', async ({ page }) => {
  await page.goto('/admin');
  await settled(page);
  const main = page.locator('main#main');
  // Either the login page, or the admin page telling the visitor to log in;
  // never the administration links.
  await poll(
    async () =>
      new URL(page.url()).pathname === '/login' ||
      (await main.getByText(/log in|sign in/i).count()) > 0,
    () => `expected /login or a "log in" message at ${page.url()}`,
  );
  if (new URL(page.url()).pathname === '/login') await expectText(page.locator('main#main h1'), 'Log in');
  for (const name of ['Groups', 'Categories']) {
    if ((await main.getByRole('link', { name, exact: true }).count()) > 0) {
      throw new Error(`a signed-out visitor sees the admin link "${name}"`);
    }
  }
  if ((await mainNav(page).getByRole('link', { name: 'Admin', exact: true }).count()) > 0) {
    throw new Error('a signed-out visitor sees the "Admin" header link');
  }
});

test('with an admin created, the site no longer asks for setup', async () => {
  const site = await api.get('/api/v1/site');
  if (site.needs_setup !== false) throw new Error(`GET /api/v1/site answered ${JSON.stringify(site)}`);
});
