// Writing: start a thread, reply to it, like and unlike someone else's post.

import { before } from 'node:test';
import {
  api,
  browserTest,
  createCategory,
  createThread,
  createUser,
  expectAttribute,
  expectCount,
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
const category = { slug: `posting-${id}`, name: `Posting ${id}`, description: 'Where the browser tests write' };
let author;
let liker;

before(async () => {
  const admin = await api.adminToken();
  author = await createUser(admin, 'writer');
  liker = await createUser(admin, 'liker');
  await createCategory(admin, category);
});

browserTest('start a thread from the category page', async ({ page }) => {
  const title = `Started in the browser ${id}`;
  const body = `Why we meet on Thursdays ${id}`;

  await signIn(page, author);
  await page.goto(`/c/${category.slug}`);
  await settled(page, category.name);
  await page.getByRole('link', { name: 'New thread' }).click();
  await settled(page, 'New thread');
  await page.getByLabel('Title', { exact: true }).fill(title);
  await page.getByLabel('Body', { exact: true }).fill(body);
  await page.getByRole('button', { name: 'Create thread' }).click();

  const path = await poll(() => /^\/t\/(\d+)$/.exec(new URL(page.url()).pathname), () => `at ${page.url()}`);
  await settled(page, title);
  await waitFor(postWith(page, body));

  const thread = await api.get(`/api/v1/threads/${path[1]}`, author.token);
  if (thread.title !== title || thread.category !== category.slug) {
    throw new Error(`the API has ${JSON.stringify(thread)}`);
  }
});

browserTest('reply to a thread; the reply appears without a reload', async ({ page }) => {
  const { thread, post } = await createThread(author.token, {
    category: category.slug,
    title: `Replied to in the browser ${id}`,
    body: `Please reply ${id}`,
  });
  const reply = `A reply typed in the browser ${id}`;

  await signIn(page, author);
  await page.goto(`/t/${thread.id}`);
  await settled(page, thread.title);
  await waitFor(page.locator(`#post-${post.id}`));
  // The author gets no like toggle on their own post.
  await expectCount(page.locator(`#post-${post.id}`).getByRole('button', { name: 'Like', exact: true }), 0);

  await page.evaluate(() => {
    window.__quorumSamePage = true;
  });
  await page.getByLabel('Your reply').fill(reply);
  await page.getByRole('button', { name: 'Post reply' }).click();

  await waitFor(postWith(page, reply));
  await expectCount(page.locator('article.post'), 2);
  if (!(await page.evaluate(() => window.__quorumSamePage === true))) {
    throw new Error('the page reloaded to show the reply');
  }
  const posts = await api.get(`/api/v1/threads/${thread.id}/posts`, author.token);
  if (!posts.items.some((p) => p.body === reply)) throw new Error('the reply is not in the API');
});

browserTest('like and unlike another member\'s post', async ({ page }) => {
  const { thread, post } = await createThread(author.token, {
    category: category.slug,
    title: `Worth a like ${id}`,
    body: `Like this post ${id}`,
  });

  await signIn(page, liker);
  await page.goto(`/t/${thread.id}`);
  await settled(page, thread.title);
  const article = page.locator(`#post-${post.id}`);
  const like = article.getByRole('button', { name: 'Like', exact: true });
  const oneLike = article.getByRole('button', { name: '1 Like', exact: true });
  await waitFor(like);
  await expectAttribute(like, 'aria-pressed', 'false');
  await expectCount(oneLike, 0);

  await like.click();
  await expectAttribute(like, 'aria-pressed', 'true');
  await waitFor(oneLike);
  await screenshot(page, 'posting--liked');
  await poll(
    async () => (await api.get(`/api/v1/posts/${post.id}`, liker.token)).like_count === 1,
    'the API does not count the like',
  );

  await like.click();
  await expectAttribute(like, 'aria-pressed', 'false');
  await waitGone(oneLike);
  await poll(
    async () => (await api.get(`/api/v1/posts/${post.id}`, liker.token)).like_count === 0,
    'the API still counts the like',
  );
});
