// Search in the browser: `/` focuses the header's box, the results page
// keeps the search in its URL, highlights matches, links to the exact
// post, and shows nothing the reader may not read.

import { before } from 'node:test';
import {
  GROUPS,
  api,
  assertAbsent,
  browserTest,
  createCategory,
  createReply,
  createThread,
  createUser,
  ensureGroups,
  expectCount,
  poll,
  postWith,
  settled,
  signIn,
  suffix,
  waitFor,
} from './lib.mjs';

const id = suffix();
const word = `quorumsearch${id}`;
const category = { slug: `search-${id}`, name: `Search ${id}`, description: 'Where the search is tried' };
const title = `Annual report of the exchange ${id}`;
const texts = {
  opening: `The ${word} figures are in, everyone may read this.`,
  reply: `A reply naming ${word} again, for everyone.`,
  secret: `Workers only: ${word} wage figures.`,
};
let worker;
let participant;
let replyId;

before(async () => {
  const admin = await api.adminToken();
  await ensureGroups(admin);
  worker = await createUser(admin, 'finder', { groups: [GROUPS.workers.slug] });
  participant = await createUser(admin, 'seeker', { groups: [GROUPS.participants.slug] });
  await createCategory(admin, category);
  const { thread } = await createThread(worker.token, { category: category.slug, title, body: texts.opening });
  replyId = (await createReply(worker.token, thread.id, { body: texts.reply })).id;
  await createReply(worker.token, thread.id, { body: texts.secret, audience: [GROUPS.workers.slug] });
});

browserTest('"/" focuses search; results keep the query in the URL and open the exact post', async ({ page }) => {
  await signIn(page, participant);
  await page.goto('/');
  await page.locator('body').press('/');
  const box = page.getByRole('searchbox', { name: 'Search' });
  if (!(await box.evaluate((el) => el === document.activeElement))) throw new Error('"/" did not focus the search box');
  await box.fill(word);
  await box.press('Enter');
  await settled(page, 'Search');
  if (!page.url().includes(`q=${word}`)) throw new Error(`the query is not in the URL: ${page.url()}`);

  // Two hits for the participant, matches highlighted; the workers' reply is not there.
  const hits = page.locator('li.search-hit');
  await expectCount(hits, 2);
  await waitFor(hits.first().locator('mark', { hasText: word }));
  await assertAbsent(page, 'wage figures');

  // A reload keeps the search; the newest-first filter goes into the URL.
  await page.reload();
  await settled(page, 'Search');
  await expectCount(hits, 2);
  await page.getByLabel('Order').selectOption('newest');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await waitFor(page.locator('li.search-hit').first());
  if (!page.url().includes('order=newest')) throw new Error(`the order is not in the URL: ${page.url()}`);

  // A hit opens the thread at that post.
  await page.locator('li.search-hit').filter({ hasText: 'naming' }).locator('a.hit-title').click();
  await settled(page, title);
  await waitFor(postWith(page, texts.reply));
  if (!page.url().includes(`#post-${replyId}`) && !page.url().includes(`/p/${replyId}`)) {
    throw new Error(`the hit did not open the post: ${page.url()}`);
  }
});

browserTest('a worker finds the workers-only reply too', async ({ page }) => {
  await signIn(page, worker);
  await page.goto(`/search?q=${word}&in=posts`);
  await settled(page, 'Search');
  await expectCount(page.locator('li.search-hit'), 3);
  await waitFor(page.locator('li.search-hit').filter({ hasText: 'wage figures' }));
  // The filter from the URL is shown as chosen.
  await poll(async () => (await page.getByLabel('Look in').inputValue()) === 'posts', '"Look in" does not show "Post text"');
});
