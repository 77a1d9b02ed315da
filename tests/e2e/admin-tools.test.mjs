// Administration and moderation tools in the browser: many members of a
// group at once, and restoring deleted content.

import { before } from 'node:test';
import {
  expectProfileLink,
  ADMIN,
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
const admin = ADMIN;
let adminToken;
let member;
let moderator;

before(async () => {
  adminToken = await api.adminToken();
  member = await createUser(adminToken, 'sync');
  moderator = await createUser(adminToken, 'keeper', { groups: ['moderators'] });
  await createCategory(adminToken, category);
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
  await expectProfileLink(item, moderator);
  await item.getByRole('button', { name: /^Restore/ }).click();
  await waitFor(item.getByText('Restored.'));
  await api.get(`/api/v1/posts/${reply.id}`, member.token);

  // A whole thread, deleted by a moderator, comes back from the Threads tab.
  await api.delete(`/api/v1/threads/${thread.id}`, moderator.token);
  await main.getByRole('button', { name: 'Threads', exact: true }).click();
  const deleted = main.locator('li.deleted-item').filter({ hasText: title });
  await waitFor(deleted);
  await deleted.getByRole('button', { name: /^Restore/ }).click();
  await waitFor(deleted.getByText('Restored.'));
  await deleted.getByRole('link', { name: 'Open it' }).click();
  await settled(page, title);
  await waitFor(postWith(page, `I can host on the 12th ${id}`));
});

