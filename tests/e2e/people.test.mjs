// People administration: an admin finds an account and suspends it with a
// reason; the member cannot sign in and is told why, their session and
// tokens stop; the audit log shows it; lifting it lets them in again.

import { before } from 'node:test';
import {
  ADMIN,
  api,
  ApiError,
  browserTest,
  createUser,
  expectText,
  mainNav,
  newContext,
  poll,
  settled,
  signIn,
  suffix,
  waitFor,
} from './lib.mjs';

const id = suffix();
let member;
let bystander;

before(async () => {
  const admin = await api.adminToken();
  member = await createUser(admin, 'troll');
  bystander = await createUser(admin, 'bystander');
});

async function loginStatus(user) {
  try {
    await api.login(user.username, user.password);
    return { status: 200 };
  } catch (error) {
    if (error instanceof ApiError) return { status: error.status, body: error.body };
    throw error;
  }
}

browserTest('suspend an account: the member cannot sign in and sees why; lift it', async ({ page, context }) => {
  const reason = `Repeated personal attacks ${id}`;
  const memberToken = member.token;

  await signIn(page, ADMIN);
  await mainNav(page).getByRole('link', { name: 'Admin', exact: true }).click();
  await settled(page, 'Administration');
  const main = page.locator('main#main');
  await main.getByRole('link', { name: 'People', exact: true }).click();
  await settled(page, 'People');

  // Search narrows the list to the one account.
  await main.getByLabel('Search', { exact: true }).fill(member.username);
  await main.getByRole('button', { name: 'Search', exact: true }).click();
  const row = main.locator('li.person').filter({ hasText: member.username });
  await waitFor(row);
  await poll(async () => (await main.locator('li.person').filter({ hasText: bystander.username }).count()) === 0, 'the search did not narrow the list');

  await row.getByRole('button', { name: 'Suspend', exact: true }).click();
  await row.getByLabel('Reason (the member is told)').fill(reason);
  await row.getByRole('button', { name: 'Suspend account' }).click();
  await waitFor(row.getByText('Suspended', { exact: true }));
  await waitFor(row.getByText(reason, { exact: false }));

  // The API refuses the password and the existing session, saying why.
  const refused = await loginStatus(member);
  if (refused.status !== 403 || !JSON.stringify(refused.body).includes(reason)) {
    throw new Error(`login of a suspended account: ${JSON.stringify(refused)}`);
  }
  const old = await api.get('/api/v1/me', memberToken, { ok: () => true });
  if (old?.username === member.username) throw new Error('the suspended account’s token still works');

  // In the browser, signing in fails with the reason.
  const memberContext = await newContext(context.browser());
  try {
    const mine = await memberContext.newPage();
    await mine.goto('/login');
    await settled(mine, 'Log in');
    await mine.getByLabel('Username or e-mail').fill(member.username);
    await mine.getByLabel('Password', { exact: true }).fill(member.password);
    await mine.getByRole('button', { name: 'Log in', exact: true }).click();
    const alert = mine.locator('main#main [role="alert"]');
    await waitFor(alert);
    await expectText(alert, reason);
    await expectText(alert, 'suspended');
    if ((await mainNav(mine).getByRole('button', { name: 'Log out' }).count()) > 0) {
      throw new Error('a suspended member is signed in');
    }

    // The audit log names who did it, to whom, and why.
    await page.goto(`/admin/audit?action=user.suspended`);
    await settled(page, 'Audit log');
    const entry = main.locator('table.audit tbody tr').filter({ hasText: `user:${member.username}` });
    await waitFor(entry);
    await expectText(entry, ADMIN.username);
    await expectText(entry, reason);

    // Lifted: the member signs in again.
    await page.goto('/admin/people');
    await settled(page, 'People');
    await main.getByLabel('Search', { exact: true }).fill(member.username);
    await main.getByRole('button', { name: 'Search', exact: true }).click();
    await waitFor(row.getByText('Suspended', { exact: true }));
    await row.getByRole('button', { name: 'Lift suspension' }).click();
    await waitFor(row.getByRole('button', { name: 'Suspend', exact: true }));
    await signIn(mine, member);
  } finally {
    await memberContext.close();
  }
  const back = await loginStatus(member);
  if (back.status !== 200) throw new Error(`after lifting, login answered ${JSON.stringify(back)}`);
});

browserTest('the audit log filters by actor', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto(`/admin/audit`);
  await settled(page, 'Audit log');
  const main = page.locator('main#main');
  await main.getByLabel('Actor (username)').fill(ADMIN.username);
  await main.getByRole('button', { name: 'Filter' }).click();
  const rows = main.locator('table.audit tbody tr');
  await waitFor(rows);
  const actors = await rows.locator('td:nth-child(2)').allInnerTexts();
  if (actors.length === 0 || actors.some((a) => a.trim() !== ADMIN.username)) {
    throw new Error(`actors listed: ${JSON.stringify(actors)}`);
  }
  await main.getByLabel('Actor (username)').fill(`nobody-${id}`);
  await main.getByRole('button', { name: 'Filter' }).click();
  await waitFor(main.locator('[role="alert"]').or(main.getByText('No entries match.')));
});
