// The admin pages: create a group, add a member.

import { before } from 'node:test';
import {
  ADMIN,
  api,
  browserTest,
  createUser,
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
  member = await createUser(admin, 'joiner');
});

browserTest('an admin creates a group and adds a member', async ({ page }) => {
  const group = { slug: `board-${id}`, name: `Board ${id}`, description: `The board, created in the browser ${id}` };

  await signIn(page, ADMIN);
  await mainNav(page).getByRole('link', { name: 'Admin', exact: true }).click();
  await settled(page, 'Administration');
  const main = page.locator('main#main');
  await main.getByRole('link', { name: 'Groups', exact: true }).click();
  await settled(page, 'Groups');

  await main.getByLabel('Slug', { exact: true }).fill(group.slug);
  await main.getByLabel('Name', { exact: true }).fill(group.name);
  await main.getByLabel('Description', { exact: true }).fill(group.description);
  await main.getByRole('button', { name: 'Create group' }).click();

  // The app may open the new group's page at once, or list it with a link.
  const groupPath = `/admin/groups/${group.slug}`;
  const link = main.getByRole('link', { name: group.name, exact: true });
  const opened = await poll(
    async () => (new URL(page.url()).pathname === groupPath ? 'page' : (await link.count()) > 0 ? 'link' : null),
    () => `neither ${groupPath} nor a link "${group.name}" after "Create group" (at ${page.url()})`,
  );
  if (opened === 'link') await link.first().click();
  await settled(page, group.name);
  await poll(() => new URL(page.url()).pathname === groupPath, () => `at ${page.url()}`);

  await main.getByLabel('Username to add').fill(member.username);
  await main.getByRole('button', { name: 'Add member' }).click();
  const row = main.locator('li').filter({ hasText: member.username });
  await waitFor(row);
  await waitFor(row.getByRole('button', { name: 'Remove' }));

  const members = await api.get(`/api/v1/groups/${group.slug}/members`, admin);
  if (!members.items.some((m) => m.username === member.username)) {
    throw new Error(`${member.username} is not a member in the API: ${JSON.stringify(members)}`);
  }
  const me = await api.get('/api/v1/me', await api.login(member.username, member.password));
  if (!me.groups.includes(group.slug)) throw new Error(`/me lists groups ${me.groups}`);
});

browserTest('a member who is not an admin gets no admin link', async ({ page }) => {
  await signIn(page, member);
  await waitFor(mainNav(page).getByRole('link', { name: member.displayName, exact: true }));
  if ((await mainNav(page).getByRole('link', { name: 'Admin', exact: true }).count()) > 0) {
    throw new Error('a member sees the "Admin" link');
  }
});
