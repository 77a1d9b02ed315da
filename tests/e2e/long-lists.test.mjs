// Lists an admin reads whole go past the API's 100 entries a page: the
// invitations page and the personal access tokens page show every entry.
// Admins also list and revoke anyone's tokens.

import { ADMIN, api, browserTest, createUser, poll, settled, signIn, suffix, waitFor } from './lib.mjs';

const COUNT = 105;

browserTest('the invitations page shows more than 100 invitations', async ({ page }) => {
  const id = suffix();
  const admin = await api.adminToken();
  for (let n = 1; n <= COUNT; n += 1) {
    await api.post('/api/v1/invites', { note: `Invitee ${n} ${id}` }, admin);
  }
  await signIn(page, ADMIN);
  await page.goto('/admin/invites');
  await settled(page, 'Registration and invitations');
  const list = page.locator('ul.invites');
  await waitFor(list.getByText(`Invitee ${COUNT} ${id}`, { exact: true }));
  await waitFor(list.getByText(`Invitee 1 ${id}`, { exact: true }));
});

browserTest('the tokens page shows more than 100 tokens', async ({ page }) => {
  const id = suffix();
  const member = await createUser(await api.adminToken(), 'hoarder');
  for (let n = 1; n <= COUNT; n += 1) {
    await api.post('/api/v1/me/tokens', { name: `Script ${n} ${id}`, scopes: ['read'] }, member.token);
  }
  await signIn(page, member);
  await page.goto('/me/tokens');
  await settled(page);
  await waitFor(page.getByText(`Script ${COUNT} ${id}`, { exact: true }));
  await waitFor(page.getByText(`Script 1 ${id}`, { exact: true }));
});

browserTest("an admin finds a member's token and revokes it", async ({ page }) => {
  const id = suffix();
  const member = await createUser(await api.adminToken(), 'scripter');
  const created = await api.post('/api/v1/me/tokens', { name: `Sync ${id}`, scopes: ['read'] }, member.token);
  await api.get('/api/v1/me', created.secret);

  await signIn(page, ADMIN);
  await page.goto('/admin');
  await settled(page, 'Administration');
  await page.getByRole('link', { name: 'Access tokens', exact: true }).click();
  await settled(page, "Everyone's access tokens");
  await page.getByLabel('Owner (username)').fill(member.username);
  await page.getByRole('button', { name: 'Filter', exact: true }).click();
  const row = page.locator('li.token').filter({ hasText: `Sync ${id}` });
  await waitFor(row);
  await waitFor(row.getByText(`@${member.username}`));
  await row.getByRole('button', { name: 'Revoke' }).click();
  await row.getByRole('button', { name: 'Yes, revoke' }).click();
  await poll(async () => (await row.count()) === 0, 'the revoked token is still listed');
  await api.get('/api/v1/me', created.secret, { ok: (s) => s === 401 });
});
