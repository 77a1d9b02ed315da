// @ autocomplete in the reply box: typing "@" and letters lists the people
// who wrote in the thread (and the writer's own groups) in a listbox; the
// arrow keys move through it and Enter puts the name in the text.

import { before } from 'node:test';
import {
  api,
  browserTest,
  createCategory,
  createReply,
  createThread,
  createUser,
  expectAttribute,
  poll,
  screenshot,
  settled,
  signIn,
  suffix,
  waitFor,
  waitGone,
} from './lib.mjs';

const id = suffix();
const category = { slug: `mention-${id}`, name: `Mentions ${id}`, description: 'Autocomplete tests' };
const title = `Who brings what ${id}`;
let writer;
let ana;
let anton;
let threadId;

before(async () => {
  const admin = await api.adminToken();
  writer = await createUser(admin, 'writer');
  ana = await createUser(admin, 'ana', { displayName: `Ana Lima ${id}` });
  anton = await createUser(admin, 'anton', { displayName: `Anton Berg ${id}` });
  await createCategory(admin, category);
  const { thread } = await createThread(ana.token, { category: category.slug, title, body: 'I bring bread.' });
  threadId = thread.id;
  await createReply(anton.token, threadId, { body: 'I bring cheese.' });
});

browserTest('typing @ suggests the thread’s people; arrows and Enter insert one', async ({ page }) => {
  await signIn(page, writer);
  await page.goto(`/t/${threadId}`);
  await settled(page, title);
  const box = page.locator('#field-reply');
  await box.click();
  await box.pressSequentially('Thanks @an');
  const list = page.getByRole('listbox', { name: 'People and groups to mention' });
  await waitFor(list.getByRole('option', { name: new RegExp(`Ana Lima ${id}`) }));
  await waitFor(list.getByRole('option', { name: new RegExp(`Anton Berg ${id}`) }));
  await expectAttribute(list.getByRole('option').first(), 'aria-selected', 'true');
  await expectAttribute(box, 'aria-activedescendant', 'mention-option-0');
  await screenshot(page, 'mentions--suggestions');

  // Narrowing, then the keyboard.
  await box.pressSequentially('t');
  await poll(async () => (await list.getByRole('option').count()) === 1, 'typing on did not narrow the list');
  await box.press('Enter');
  await waitGone(list);
  await poll(async () => (await box.inputValue()) === `Thanks @${anton.username} `, 'Enter did not insert the name');

  // Escape closes without inserting; Enter then is a new line again.
  await box.pressSequentially('and @a');
  await waitFor(list);
  await box.press('ArrowDown');
  await expectAttribute(box, 'aria-activedescendant', 'mention-option-1');
  await box.press('Escape');
  await waitGone(list);
  await box.press('Enter');
  await poll(async () => (await box.inputValue()).endsWith('and @a\n'), 'Escape did not leave the text as typed');
});
