// A member downloads their data, then deletes their account from the
// profile page: the page says what happens to their posts (the admin's
// choice, made on the administration page), a wrong password changes
// nothing, the right one signs them out for good, and their post stays as
// by "a former member".

import { readFileSync } from 'node:fs';
import { before } from 'node:test';
import {
  ADMIN,
  api,
  browserTest,
  createCategory,
  createReply,
  createThread,
  createUser,
  mainNav,
  poll,
  postWith,
  screenshot,
  settled,
  signIn,
  suffix,
  waitFor,
} from './lib.mjs';

const id = suffix();
const category = { slug: `leaving-${id}`, name: `Leaving ${id}`, description: 'Where people say goodbye' };
const words = `Thanks for everything ${id}`;
let admin;
let leaver;
let threadId;

before(async () => {
  admin = await api.adminToken();
  leaver = await createUser(admin, 'leaver');
  const stayer = await createUser(admin, 'stayer');
  await createCategory(admin, category);
  const { thread } = await createThread(stayer.token, { category: category.slug, title: `Farewells ${id}`, body: 'Say goodbye here.' });
  threadId = thread.id;
  await createReply(leaver.token, threadId, { body: words });
});

browserTest('a member downloads their data, then deletes their account', async ({ page }) => {
  // The admin chooses what happens to the posts of deleted accounts.
  await signIn(page, ADMIN);
  await page.goto('/admin');
  await settled(page, 'Administration');
  const setting = page.getByRole('region', { name: 'When a member deletes their account' });
  const kept = async (mode) =>
    poll(async () => (await api.get('/api/v1/admin/settings', admin)).deleted_account_posts === mode, `not ${mode}`);
  await setting.getByLabel('Remove them').check();
  await waitFor(setting.getByRole('status').filter({ hasText: 'Saved' }));
  await kept('remove');
  await setting.getByLabel('a former member').check();
  await kept('anonymise');
  await mainNav(page).getByRole('button', { name: 'Log out' }).click();
  await waitFor(mainNav(page).getByRole('link', { name: 'Log in', exact: true }));

  await signIn(page, leaver);
  await page.goto('/me');
  await settled(page, 'Your profile');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download my data' }).click(),
  ]);
  if (!/^quorum-leaver-.*\.json$/.test(download.suggestedFilename())) {
    throw new Error(`named ${download.suggestedFilename()}`);
  }
  const archive = JSON.parse(readFileSync(await download.path(), 'utf8'));
  if (archive.format !== 'quorum.member-export' || archive.account.username !== leaver.username) {
    throw new Error(`not this member's archive: ${JSON.stringify(archive).slice(0, 200)}`);
  }
  if (!archive.posts.some((p) => p.body === words)) throw new Error('the archive lacks their reply');

  const danger = page.getByRole('region', { name: 'Delete your account' });
  await danger.getByRole('button', { name: 'Delete my account', exact: true }).click();
  await waitFor(danger.getByRole('note').filter({ hasText: 'a former member' }));
  await danger.getByLabel('Your password').fill('not my password at all');
  await danger.getByRole('button', { name: 'Delete my account for good' }).click();
  await waitFor(danger.getByText('is not your password'));
  await api.get('/api/v1/me', leaver.token);
  await screenshot(page, 'my-data--confirm-deletion');

  await danger.getByLabel('Your password').fill(leaver.password);
  await danger.getByRole('button', { name: 'Delete my account for good' }).click();
  await waitFor(mainNav(page).getByRole('link', { name: 'Log in', exact: true }));
  await poll(async () => new URL(page.url()).pathname === '/', 'the app did not leave the profile page');

  // Signed out for good, and the reply stays as by a former member.
  await api.get('/api/v1/me', leaver.token, { ok: (s) => s === 401 });
  await api.post('/api/v1/auth/login', { login: leaver.username, password: leaver.password }, undefined, {
    ok: (s) => s === 401,
  });
  await page.goto(`/t/${threadId}`);
  await settled(page, `Farewells ${id}`);
  await waitFor(postWith(page, words).getByText('a former member'));
});
