// Administration and moderation tools in the browser: every member's access
// tokens for admins, many members at once, the audit log as CSV, restoring
// deleted content, and moving a thread.

import { before } from 'node:test';
import { readFile } from 'node:fs/promises';
import {
  ADMIN,
  BASE_URL,
  api,
  browserTest,
  createCategory,
  createReply,
  createThread,
  createUser,
  expectText,
  poll,
  postWith,
  settled,
  signIn,
  suffix,
  waitFor,
} from './lib.mjs';

const id = suffix();
const category = { slug: `tools-${id}`, name: `Tools ${id}`, description: 'Where the admin tools are tried' };
const elsewhere = { slug: `tools-b-${id}`, name: `Elsewhere ${id}`, description: 'Where threads are moved to' };
const admin = ADMIN;
let adminToken;
let member;
let moderator;

before(async () => {
  adminToken = await api.adminToken();
  member = await createUser(adminToken, 'sync');
  moderator = await createUser(adminToken, 'keeper', { groups: ['moderators'] });
  await createCategory(adminToken, category);
  await createCategory(adminToken, elsewhere);
});

const statusWith = async (token) => {
  const response = await fetch(`${BASE_URL}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
  return response.status;
};

browserTest("an admin finds a member's token and revokes it", async ({ page }) => {
  const created = await api.post('/api/v1/me/tokens', { name: `register sync ${id}`, scopes: ['read'] }, member.token);
  if ((await statusWith(created.secret)) !== 200) throw new Error('the new token does not work');

  await signIn(page, admin);
  await page.goto('/admin');
  await settled(page, 'Administration');
  await page.getByRole('link', { name: 'Access tokens' }).click();
  await settled(page, 'Access tokens');
  const main = page.locator('main#main');
  await main.getByLabel('Member (username)').fill(member.username);
  await main.getByRole('button', { name: 'Filter' }).click();
  const row = main.locator('li.token').filter({ hasText: `register sync ${id}` });
  await waitFor(row);
  await waitFor(row.getByText(`of ${member.username}`));
  await row.getByRole('button', { name: 'Revoke' }).click();
  await row.getByRole('button', { name: 'Yes, revoke' }).click();
  await poll(async () => (await statusWith(created.secret)) === 401, 'the revoked token still works');

  // With revoked tokens shown, it is listed as revoked.
  await main.getByLabel('Revoked tokens too').check();
  await main.getByRole('button', { name: 'Filter' }).click();
  await waitFor(main.locator('li.token').filter({ hasText: `register sync ${id}` }).getByText('revoked'));
});

browserTest('many members at once, then the list as the whole membership', async ({ page }) => {
  const slug = `sync-${id}`;
  await api.post('/api/v1/groups', { slug, name: `Synced ${id}`, description: 'from the register' }, adminToken);
  const a = await createUser(adminToken, 'ana');
  const b = await createUser(adminToken, 'ben');
  await signIn(page, admin);
  await page.goto(`/admin/groups/${slug}`);
  await settled(page, `Synced ${id}`);
  const main = page.locator('main#main');
  await main.getByLabel('Usernames').fill(`${a.username}\n@${b.username}, nobody-${id}`);
  await main.getByRole('button', { name: 'Add them' }).click();
  const result = main.locator('.bulk-result');
  await expectText(result, new RegExp(`Added \\(2\\): ${a.username}, ${b.username}`));
  await expectText(result, new RegExp(`Unknown, nothing done \\(1\\): nobody-${id}`));
  const members = async () => (await api.get(`/api/v1/groups/${slug}/members`, adminToken)).items.map((m) => m.username).sort();
  await poll(async () => (await members()).join() === [a.username, b.username].sort().join(), 'the members were not added');

  await main.getByLabel('Usernames').fill(a.username);
  await main.getByLabel('Make this the whole membership', { exact: false }).check();
  await main.getByRole('button', { name: 'Set the membership' }).click();
  await expectText(result, new RegExp(`Removed \\(1\\): ${b.username}`));
  await poll(async () => (await members()).join() === a.username, 'the membership was not replaced');
});

browserTest('the audit log downloads as CSV with the current filter', async ({ page }) => {
  const slug = `audit-${id}`;
  await api.post('/api/v1/groups', { slug, name: `Audited ${id}`, description: '' }, adminToken);
  await signIn(page, admin);
  await page.goto('/admin/audit?action=group.');
  await settled(page, 'Audit log');
  const main = page.locator('main#main');
  await waitFor(main.getByText(`group:${slug}`));
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    main.getByRole('button', { name: 'Export as CSV' }).click(),
  ]);
  if (!/^audit-\d{4}-\d{2}-\d{2}\.csv$/.test(download.suggestedFilename())) {
    throw new Error(`the file is named ${download.suggestedFilename()}`);
  }
  const csv = await readFile(await download.path(), 'utf8');
  const lines = csv.trimEnd().split('\r\n');
  if (lines[0] !== 'id,created_at,actor,action,target,before,after,client_address') throw new Error(`header: ${lines[0]}`);
  if (!lines.some((l) => l.includes(`group.created,group:${slug}`))) throw new Error(`no entry for the group in\n${csv}`);
  if (lines.slice(1).some((l) => !l.split(',')[3].startsWith('group.'))) throw new Error(`the filter was not applied:\n${csv}`);
  await waitFor(main.getByText(/Exported \d+ entries\./));
});

browserTest('a moderator restores a deleted reply and a deleted thread', async ({ page }) => {
  const title = `Rota for the spring ${id}`;
  const { thread } = await createThread(member.token, { category: category.slug, title, body: `Who can host in March ${id}?` });
  const reply = await createReply(moderator.token, thread.id, { body: `I can host on the 12th ${id}` });
  await api.delete(`/api/v1/posts/${reply.id}`, moderator.token);

  await signIn(page, moderator);
  await page.goto('/moderation');
  await settled(page, 'Review queue');
  await page.getByRole('link', { name: 'Deleted threads and replies' }).click();
  await settled(page, 'Deleted content');
  const main = page.locator('main#main');
  await main.getByRole('button', { name: 'Replies', exact: true }).click();
  const item = main.locator('li.deleted-item').filter({ hasText: `I can host on the 12th ${id}` });
  await waitFor(item);
  await item.getByRole('button', { name: 'Restore', exact: true }).click();
  await waitFor(item.getByText('Restored.'));
  await api.get(`/api/v1/posts/${reply.id}`, member.token);

  // A whole thread, deleted by a moderator, comes back from the Threads tab.
  await api.delete(`/api/v1/threads/${thread.id}`, moderator.token);
  await main.getByRole('button', { name: 'Threads', exact: true }).click();
  const deleted = main.locator('li.deleted-item').filter({ hasText: title });
  await waitFor(deleted);
  await deleted.getByRole('button', { name: 'Restore', exact: true }).click();
  await waitFor(deleted.getByText('Restored.'));
  await deleted.getByRole('link', { name: 'Open it' }).click();
  await settled(page, title);
  await waitFor(postWith(page, `I can host on the 12th ${id}`));
});

browserTest('a moderator moves a thread to another category', async ({ page }) => {
  const title = `Misplaced question ${id}`;
  const { thread } = await createThread(member.token, { category: category.slug, title, body: `Where does this go ${id}?` });
  await signIn(page, moderator);
  await page.goto(`/t/${thread.id}`);
  await settled(page, title);
  await page.getByRole('button', { name: 'Move…' }).click();
  const form = page.getByRole('form', { name: 'Move this thread' });
  await form.getByLabel('Move to category').selectOption({ label: elsewhere.name });
  await form.getByRole('button', { name: 'Move thread' }).click();
  await waitFor(page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: elsewhere.name }));
  const moved = await api.get(`/api/v1/threads/${thread.id}`, member.token);
  if (moved.category !== elsewhere.slug) throw new Error(`the thread is in ${moved.category}`);
});
