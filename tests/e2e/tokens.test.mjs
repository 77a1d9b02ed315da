// Personal access tokens: create one on its page, see the secret once, use
// it against the API, revoke it and see it stop working.

import { before } from 'node:test';
import { api, ApiError, browserTest, createUser, poll, settled, signIn, suffix, waitFor, waitGone } from './lib.mjs';

const id = suffix();
let member;

before(async () => {
  const admin = await api.adminToken();
  member = await createUser(admin, 'scripter');
});

/** The status of `GET /api/v1/me` with `secret` as the bearer token. */
async function statusWith(secret) {
  try {
    await api.get('/api/v1/me', secret);
    return 200;
  } catch (error) {
    if (error instanceof ApiError) return error.status;
    throw error;
  }
}

browserTest('create a token, see its secret once, use it, revoke it', async ({ page }) => {
  const name = `member sync ${id}`;
  await signIn(page, member);
  await page.goto('/me');
  await settled(page, 'Your profile');
  await page.getByRole('link', { name: 'Access tokens' }).click();
  await settled(page, 'Access tokens');
  const main = page.locator('main#main');
  await waitFor(main.getByText('No tokens yet.'));

  await main.getByLabel('Name', { exact: true }).fill(name);
  await main.getByLabel(/^Write:/).check();
  await main.getByRole('button', { name: 'Create token' }).click();

  const field = main.getByLabel('Your new token', { exact: true });
  await waitFor(field);
  const secret = await field.inputValue();
  if (!/^qrm_pat_/.test(secret)) throw new Error(`the secret shown is ${JSON.stringify(secret)}`);
  await waitFor(main.getByText('it is shown only this once', { exact: false }));
  await waitFor(main.getByRole('button', { name: 'Copy' }));

  // The token works, as its owner, with the scopes ticked.
  const me = await api.get('/api/v1/me', secret);
  if (me.username !== member.username) throw new Error(`the token acts as ${me.username}`);
  const listed = await api.get('/api/v1/me/tokens', member.token);
  const token = listed.items.find((t) => t.name === name);
  if (!token || token.scopes.slice().sort().join(',') !== 'read,write') {
    throw new Error(`the API lists ${JSON.stringify(listed.items)}`);
  }
  if (!secret.startsWith(token.prefix)) throw new Error(`prefix ${token.prefix} does not start ${secret}`);

  // Listed on the page, with its scopes; after a reload the secret is gone for good.
  const row = main.locator('li.token').filter({ hasText: name });
  await waitFor(row);
  await waitFor(row.getByText(token.prefix));
  await page.reload();
  await settled(page, 'Access tokens');
  await waitFor(row);
  const values = await page.locator('input').evaluateAll((inputs) => inputs.map((i) => i.value));
  if (values.includes(secret) || (await page.locator('body').innerText()).includes(secret)) {
    throw new Error('the secret is shown again after a reload');
  }

  // Revoke: the row goes, and the token stops working at once.
  await row.getByRole('button', { name: 'Revoke' }).click();
  await row.getByRole('button', { name: 'Yes, revoke' }).click();
  await waitGone(row);
  await waitFor(main.getByText('No tokens yet.'));
  const status = await statusWith(secret);
  if (status !== 401) throw new Error(`a revoked token got ${status} from GET /me`);
});

browserTest('a token without a scope is refused with the reason', async ({ page }) => {
  await signIn(page, member);
  await page.goto('/me/tokens');
  await settled(page, 'Access tokens');
  const main = page.locator('main#main');
  await main.getByLabel('Name', { exact: true }).fill(`no scopes ${id}`);
  await main.getByLabel(/^Read:/).uncheck();
  await main.getByRole('button', { name: 'Create token' }).click();
  await waitFor(main.getByText('name at least one scope', { exact: false }));
  await poll(async () => (await main.getByLabel('Your new token', { exact: true }).count()) === 0, 'a secret was shown');
  const listed = await api.get('/api/v1/me/tokens', member.token);
  if (listed.items.some((t) => t.name === `no scopes ${id}`)) throw new Error('a token without scopes was created');
});
