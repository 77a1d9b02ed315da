// Keyboard shortcuts: j/k move between posts (and between threads in a
// list) with a visible focus, r replies to the chosen post, ? opens a help
// dialog listing them (/ included), and none act while typing in a field.

import { before } from 'node:test';
import {
  api,
  browserTest,
  createCategory,
  createReply,
  createThread,
  createUser,
  expectText,
  poll,
  postWith,
  screenshot,
  settled,
  signIn,
  suffix,
  waitFor,
  waitGone,
} from './lib.mjs';

const id = suffix();
const category = { slug: `keys-${id}`, name: `Keys ${id}`, description: 'Shortcut tests' };
const title = `Keyboard thread ${id}`;
let member;
let threadId;
let postIds;

before(async () => {
  const admin = await api.adminToken();
  member = await createUser(admin, 'keys');
  await createCategory(admin, category);
  const { thread, post } = await createThread(admin, { category: category.slug, title, body: `First post ${id}` });
  threadId = thread.id;
  postIds = [post.id];
  for (const n of [2, 3]) postIds.push((await createReply(admin, threadId, { body: `Post number ${n} ${id}` })).id);
  await createThread(admin, { category: category.slug, title: `Second thread ${id}`, body: 'Another.' });
});

/** The id of the element holding focus, and whether the chosen item is marked. */
const focused = (page) => page.evaluate(() => document.activeElement?.id ?? '');

browserTest('j and k move between posts with a visible focus, r replies to the chosen post', async ({ page }) => {
  await signIn(page, member);
  await page.goto(`/t/${threadId}`);
  await settled(page, title);
  await waitFor(postWith(page, `Post number 3 ${id}`));
  await page.locator('main h1').click();

  await page.keyboard.press('j');
  await poll(async () => (await focused(page)) === `post-${postIds[0]}`, 'j did not focus the first post');
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await poll(async () => (await focused(page)) === `post-${postIds[2]}`, 'j did not reach the third post');
  await page.keyboard.press('k');
  await poll(async () => (await focused(page)) === `post-${postIds[1]}`, 'k did not go back to the second post');
  const marked = page.locator('article.post.kbd-current');
  await expectText(marked, `Post number 2 ${id}`);
  const outline = await marked.evaluate((el) => getComputedStyle(el).outlineStyle);
  if (outline === 'none') throw new Error('the chosen post has no visible focus ring');
  await screenshot(page, 'shortcuts--post-chosen');

  await page.keyboard.press('r');
  await waitFor(page.getByRole('status').filter({ hasText: 'Replying to' }));
  await poll(async () => (await focused(page)) === 'field-reply', 'r did not move focus to the reply box');

  // Typing in the box types: j, k, r and ? are letters there.
  await page.keyboard.type('jkr?');
  await poll(async () => (await page.locator('#field-reply').inputValue()).endsWith('jkr?'), 'keys were taken from the field');
  if (await page.getByRole('dialog').isVisible()) throw new Error('? opened the help while typing');
});

browserTest('? opens the help listing the shortcuts; Escape closes it and focus returns', async ({ page }) => {
  await signIn(page, member);
  await page.goto(`/t/${threadId}`);
  await settled(page, title);
  await page.locator('main h1').click();
  await page.keyboard.press('j');
  await page.keyboard.press('?');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await waitFor(dialog);
  for (const key of ['j', 'k', 'r', '/', '?']) await waitFor(dialog.locator('kbd', { hasText: key }).first());
  await screenshot(page, 'shortcuts--help');
  await page.keyboard.press('Escape');
  await waitGone(dialog);
  await poll(async () => (await focused(page)) === `post-${postIds[0]}`, 'focus did not return after the help closed');

  // "/" still focuses the search box.
  await page.keyboard.press('/');
  await poll(async () => (await focused(page)) === 'header-search-input', '/ did not focus the search box');
});

browserTest('j and k move between threads in a list; Enter opens the chosen one', async ({ page }) => {
  await signIn(page, member);
  await page.goto(`/c/${category.slug}`);
  await settled(page, category.name);
  await waitFor(page.locator('li.thread-row').filter({ hasText: title }));
  await page.locator('main h1').click();
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await expectText(page.locator('li.thread-row.kbd-current'), title);
  await page.keyboard.press('k');
  await expectText(page.locator('li.thread-row.kbd-current'), `Second thread ${id}`);
  await page.keyboard.press('j');
  await page.keyboard.press('Enter');
  await settled(page, title);
});
