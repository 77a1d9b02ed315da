// Registration by invitation: an admin switches registration to invitations
// only and creates an invitation in the browser; its link opens the
// registration page with the invitation applied, and the new member joins
// its groups. Without it, or once revoked, registering is refused.

import { after, before } from 'node:test';
import {
  expectProfileLink,
  ADMIN,
  api,
  browserTest,
  ensureGroups,
  expectText,
  GROUPS,
  mainNav,
  newContext,
  poll,
  settled,
  signIn,
  suffix,
  waitFor,
} from './lib.mjs';

const id = suffix();
let admin;

before(async () => {
  admin = await api.adminToken();
  await ensureGroups(admin);
});

// Other test files register freely: leave registration open whatever happened.
after(async () => {
  await api.patch('/api/v1/admin/settings', { registration: 'open' }, await api.adminToken());
});

/** Fills the registration form (already open) and submits it. */
async function register(page, user) {
  await page.getByLabel('Username', { exact: true }).fill(user.username);
  await page.getByLabel('E-mail', { exact: true }).fill(`${user.username}@example.org`);
  await page.getByLabel('Display name', { exact: true }).fill(user.displayName);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Create account' }).click();
}

const newcomer = (base) => ({
  username: `${base}-${id}`,
  password: `invited-${id}-passphrase`,
  displayName: `${base[0].toUpperCase()}${base.slice(1)} ${id}`,
});

browserTest('an invitation link registers a member into its groups; revoked, it no longer works', async ({
  page,
  context,
  t,
}) => {
  await signIn(page, ADMIN);
  await mainNav(page).getByRole('link', { name: 'Admin', exact: true }).click();
  await settled(page, 'Administration');
  const main = page.locator('main#main');
  await main.getByRole('link', { name: 'Registration and invitations' }).click();
  await settled(page, 'Registration and invitations');

  // Registration by invitation only.
  await main.getByLabel(/^By invitation/).check();
  await waitFor(main.getByText('Saved'));
  await poll(async () => (await api.get('/api/v1/site')).registration === 'invite', 'the site is not invite-only');

  // An invitation into the worker members, for two people.
  const note = `for the new cohort ${id}`;
  await main.getByLabel('Who it is for (only admins see this)').fill(note);
  await main.getByLabel(GROUPS.workers.name, { exact: true }).check();
  await main.getByLabel('How many accounts it may create').fill('2');
  await main.getByRole('button', { name: 'Create invitation' }).click();
  const field = main.getByLabel('Invitation link', { exact: true });
  await waitFor(field);
  const link = await field.inputValue();
  const url = new URL(link);
  if (url.pathname !== '/register' || !url.searchParams.get('invite')) throw new Error(`the link is ${link}`);
  const row = main.locator('li.invite').filter({ hasText: note });
  await waitFor(row);
  await waitFor(row.getByText('used 0 of 2'));
  // Who made it links to their profile.
  const creator = await api.get('/api/v1/me', admin);
  await expectProfileLink(row, { username: creator.username, displayName: creator.display_name });

  // Someone signed out (another browser profile) opens the link.
  const guestContext = await newContext(context.browser());
  t.after(() => guestContext.close());
  const guest = await guestContext.newPage();
  await guest.goto(`${url.pathname}${url.search}`);
  await settled(guest, 'Create an account');
  await waitFor(guest.getByText('You have been invited', { exact: false }));
  const first = newcomer('invitee');
  await register(guest, first);
  await waitFor(mainNav(guest).getByRole('link', { name: first.displayName, exact: true }));
  const me = await api.get('/api/v1/me', await api.login(first.username, first.password));
  if (!me.groups.includes(GROUPS.workers.slug)) throw new Error(`the invited member has groups ${me.groups}`);

  // Without an invitation, the form says registration needs one and the API refuses.
  await guest.getByRole('button', { name: 'Log out' }).click();
  await waitFor(mainNav(guest).getByRole('link', { name: 'Log in', exact: true }));
  await guest.goto('/register');
  await settled(guest, 'Create an account');
  await waitFor(guest.getByText('This forum takes new members by invitation', { exact: false }));
  const uninvited = newcomer('uninvited');
  await register(guest, uninvited);
  await waitFor(guest.locator('main#main [role="alert"]'));
  if ((await mainNav(guest).getByRole('button', { name: 'Log out' }).count()) > 0) {
    throw new Error('registered without an invitation');
  }

  // Revoked, the invitation's second use is refused.
  await page.reload();
  await settled(page, 'Registration and invitations');
  await waitFor(row.getByText('used 1 of 2'));
  await row.getByRole('button', { name: 'Revoke' }).click();
  await row.getByRole('button', { name: 'Yes, revoke' }).click();
  await waitFor(row.getByText('revoked'));
  await guest.goto(`${url.pathname}${url.search}`);
  await settled(guest, 'Create an account');
  const second = newcomer('latecomer');
  await register(guest, second);
  // The refusal names the invitation, next to its field.
  await expectText(guest.locator('#field-invite-error'), /\S/);
  const refused = await api
    .login(second.username, second.password)
    .then(() => false)
    .catch(() => true);
  if (!refused) throw new Error('a revoked invitation still registered an account');

  // Back to open registration, from the page.
  await main.getByLabel(/^Open/).check();
  await poll(async () => (await api.get('/api/v1/site')).registration === 'open', 'registration is not open again');
});
