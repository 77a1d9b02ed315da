// Reading without an account: the category list, a category, a thread.

import { before } from 'node:test';
import {
  api,
  browserTest,
  createCategory,
  createReply,
  createThread,
  createUser,
  expectAttribute,
  expectCount,
  expectText,
  poll,
  postWith,
  settled,
  suffix,
  waitFor,
} from './lib.mjs';

const id = suffix();
const category = { slug: `browse-${id}`, name: `Browsing ${id}`, description: `Open to everyone ${id}` };
const title = `A thread to read ${id}`;
const bodies = [`The opening post ${id}`, `The first reply ${id}`, `The second reply ${id}`];
let author;
let threadId;
let firstPostId;

before(async () => {
  const admin = await api.adminToken();
  author = await createUser(admin, 'author');
  await createCategory(admin, category);
  const created = await createThread(author.token, { category: category.slug, title, body: bodies[0] });
  threadId = created.thread.id;
  firstPostId = created.post.id;
  for (const body of bodies.slice(1)) await createReply(author.token, threadId, { body });
});

browserTest('browse categories and a thread, signed out', async ({ page }) => {
  await page.goto('/');
  await settled(page, 'Categories');

  const item = page.locator('main ul.categories > li').filter({ has: page.getByRole('link', { name: category.name, exact: true }) });
  await waitFor(item);
  await expectText(item, category.description);
  await expectText(item, /\b1 threads?\b/);

  await item.getByRole('link', { name: category.name, exact: true }).click();
  await settled(page, category.name);
  await poll(() => new URL(page.url()).pathname === `/c/${category.slug}`, () => `at ${page.url()}`);

  const row = page.locator('main li').filter({ has: page.getByRole('link', { name: title, exact: true }) });
  await waitFor(row);
  await expectText(row, /\b2 repl(y|ies)\b/);
  await expectText(row, author.displayName);

  await row.getByRole('link', { name: title, exact: true }).click();
  await settled(page, title);
  await poll(() => new URL(page.url()).pathname === `/t/${threadId}`, () => `at ${page.url()}`);

  await expectCount(page.locator('article.post'), 3);
  for (const body of bodies) {
    const post = postWith(page, body);
    await waitFor(post);
    await expectText(post, author.displayName);
    const time = post.locator('time').first();
    await waitFor(time);
    const absolute = await time.getAttribute('title');
    if (!absolute) throw new Error(`the <time> of "${body}" has no title with the absolute time`);
  }
  // Signed out: no like toggle, no reply composer.
  await expectCount(page.getByRole('button', { name: 'Like', exact: true }), 0);
  await expectCount(page.getByLabel('Your reply'), 0);
});

browserTest('a thread opened directly by its address', async ({ page }) => {
  await page.goto(`/t/${threadId}`);
  await settled(page, title);
  await waitFor(postWith(page, bodies[2]));
  await expectAttribute(page.locator('article.post').first(), 'id', `post-${firstPostId}`);
});
