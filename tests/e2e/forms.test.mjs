// Forms that must not mislead: the category form refuses contradictory
// choices with a message, and a server's message about a field goes once
// the field is changed.

import {
  ADMIN,
  GROUPS,
  api,
  browserTest,
  ensureGroups,
  expectText,
  poll,
  settled,
  signIn,
  suffix,
  waitFor,
} from './lib.mjs';

const id = suffix();

async function categoryExists(slug) {
  const admin = await api.adminToken();
  const answer = await api.get(`/api/v1/categories/${slug}`, admin, { ok: (s) => s === 200 || s === 404 });
  return Boolean(answer?.slug);
}

browserTest('the category form refuses contradictory choices and says why', async ({ page }) => {
  await ensureGroups(await api.adminToken());
  const slug = `contradictions-${id}`;
  await signIn(page, ADMIN);
  await page.goto('/admin/categories');
  await settled(page, 'Categories');
  const main = page.locator('main#main');
  await main.getByLabel('Slug', { exact: true }).fill(slug);
  await main.getByLabel('Name', { exact: true }).fill(`Contradictions ${id}`);
  const readers = main.getByRole('group', { name: 'Who can read' });
  const posters = main.getByRole('group', { name: 'Who can start threads and reply' });
  const create = main.getByRole('button', { name: 'Create category' });

  // "Everyone" with "Signed-in members" as readers.
  await readers.getByRole('checkbox', { name: 'Everyone', exact: true }).check();
  await readers.getByRole('checkbox', { name: 'Signed-in members', exact: true }).check();
  await create.click();
  await expectText(readers, '“Everyone” already includes every other choice');
  if (await categoryExists(slug)) throw new Error('the contradictory category was created');

  // Readers: worker members only; posters: every signed-in member.
  await readers.getByRole('checkbox', { name: 'Everyone', exact: true }).uncheck();
  await readers.getByRole('checkbox', { name: 'Signed-in members', exact: true }).uncheck();
  await readers.getByRole('checkbox', { name: GROUPS.workers.name, exact: true }).check();
  await posters.getByRole('checkbox', { name: 'Signed-in members', exact: true }).check();
  await create.click();
  await expectText(posters, 'Posters must be able to read the category');
  if (await categoryExists(slug)) throw new Error('a category with posters wider than readers was created');

  await posters.getByRole('checkbox', { name: 'Signed-in members', exact: true }).uncheck();
  await posters.getByRole('checkbox', { name: GROUPS.workers.name, exact: true }).check();
  await create.click();
  await poll(() => new URL(page.url()).pathname === `/c/${slug}`, () => `at ${page.url()}`);
  if (!(await categoryExists(slug))) throw new Error('the consistent category was not created');
});

browserTest("a server's message about a field goes when the field changes", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto('/admin/categories');
  await settled(page, 'Categories');
  const main = page.locator('main#main');
  const slugField = main.getByLabel('Slug', { exact: true });
  await slugField.fill(`Not A Slug ${id}`);
  await main.getByLabel('Name', { exact: true }).fill(`Bad slug ${id}`);
  await main.getByRole('button', { name: 'Create category' }).click();
  const message = main.locator('#field-slug-error');
  await poll(async () => (await message.innerText()).trim() !== '', 'no message under the slug');
  await waitFor(main.locator('#field-slug[aria-invalid="true"]'));
  await slugField.fill(`better-slug-${id}`);
  await poll(async () => (await message.innerText()).trim() === '', 'the stale message stayed under the slug');
  await waitFor(main.locator('#field-slug[aria-invalid="false"]'));
});
