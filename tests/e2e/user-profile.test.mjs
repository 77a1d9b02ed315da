// Profile pages: an author's name (and initials avatar) on a post leads to
// /u/{username}, which shows their bio, groups, local time in their zone,
// and the posts of theirs the reader may read — not a Board-only reply.

import { before } from 'node:test';
import {
  api,
  browserTest,
  createCategory,
  createReply,
  createThread,
  createUser,
  ensureGroups,
  expectText,
  GROUPS,
  postWith,
  screenshot,
  settled,
  signIn,
  suffix,
  waitFor,
} from './lib.mjs';

const id = suffix();
const category = { slug: `people-${id}`, name: `People ${id}`, description: 'Where members meet' };
const title = `Spring gathering ${id}`;
const opening = `Who is coming to the gathering ${id}?`;
const secret = `Workers-only budget note ${id}`;
let author;
let reader;
let threadId;

before(async () => {
  const admin = await api.adminToken();
  await ensureGroups(admin);
  author = await createUser(admin, 'chair', { groups: [GROUPS.workers.slug] });
  reader = await createUser(admin, 'reader');
  await api.patch('/api/v1/me', { time_zone: 'Asia/Tokyo', bio: `Keeps the minutes ${id}.` }, author.token);
  await createCategory(admin, category);
  const { thread } = await createThread(author.token, { category: category.slug, title, body: opening });
  threadId = thread.id;
  await createReply(author.token, threadId, { body: secret, audience: [GROUPS.workers.slug] });
});

browserTest('an author name leads to their profile: bio, groups, local time, readable posts only', async ({ page }) => {
  await signIn(page, reader);
  await page.goto(`/t/${threadId}`);
  await settled(page, title);
  const post = postWith(page, opening);
  await waitFor(post.locator('a.avatar'));
  await post.getByRole('link', { name: author.displayName, exact: true }).click();

  await settled(page, author.displayName);
  if (!page.url().endsWith(`/u/${author.username}`)) throw new Error(`landed on ${page.url()}`);
  await waitFor(page.getByText(`Keeps the minutes ${id}.`));
  await expectText(page.locator('.local-time'), /^\d\d:\d\d, .*\(Asia\/Tokyo\)$/);
  await waitFor(page.getByRole('list', { name: 'Groups' }).getByText(GROUPS.workers.name));
  const posts = page.locator('.user-post');
  await waitFor(posts.filter({ hasText: title }));
  if ((await posts.count()) !== 1) throw new Error(`expected the one readable post, saw ${await posts.count()}`);
  if ((await page.getByText(secret).count()) !== 0) throw new Error('a workers-only reply shows on the profile');
  await screenshot(page, 'user-profile--reader');

  // The post's link opens it in its thread.
  await posts.getByRole('link', { name: title }).click();
  await settled(page, title);
  await waitFor(postWith(page, opening));
});

browserTest('a member of the group sees the restricted reply on the same profile', async ({ page }) => {
  await signIn(page, author);
  await page.goto(`/u/${author.username}`);
  await settled(page, author.displayName);
  await waitFor(page.locator('.user-post').filter({ hasText: secret }));
  await waitFor(page.locator('.user-post').filter({ hasText: title }));
});

browserTest('an unknown name says so', async ({ page }) => {
  await signIn(page, reader);
  await page.goto(`/u/nobody-${id}`);
  await settled(page, 'No such member');
});
