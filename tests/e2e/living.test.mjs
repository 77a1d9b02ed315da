// A living forum in the browser: a mention notifies (badge, list, click
// through), replies arrive live in an open thread, unread markers and the
// jump to the first unread post, the mention warning in the preview, and
// quoting a selection.

import { before } from 'node:test';
import {
  expectProfileLink,
  api,
  browserTest,
  createCategory,
  createReply,
  createThread,
  createUser,
  ensureGroups,
  expectAttribute,
  expectCount,
  expectText,
  GROUPS,
  mainNav,
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
const open = { slug: `living-${id}`, name: `Living ${id}`, description: 'Where the live tests talk' };
const closed = { slug: `living-p-${id}`, name: `Participants only ${id}`, description: 'Restricted' };
let ana;
let bob;

before(async () => {
  const admin = await api.adminToken();
  await ensureGroups(admin);
  ana = await createUser(admin, 'ana');
  bob = await createUser(admin, 'bob', { groups: [GROUPS.participants.slug] });
  await createCategory(admin, open);
  await createCategory(admin, { ...closed, audience: [GROUPS.participants.slug], posters: [GROUPS.participants.slug] });
});

/** The header's notifications link, once its live stream is open. */
async function liveBadge(page) {
  const link = mainNav(page).locator('a.notifications-link');
  await expectAttribute(link, 'data-live', 'on');
  return link;
}

/** Whether the element's top edge is inside the viewport. */
const inViewport = (locator) =>
  locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.top >= -1 && r.top < window.innerHeight;
  });

browserTest('a mention notifies the other member: badge, list, click through to the post', async ({ page }) => {
  const { thread } = await createThread(bob.token, {
    category: open.slug,
    title: `Meeting dates ${id}`,
    body: `Which dates suit? ${id}`,
  });

  await signIn(page, ana);
  await page.goto('/');
  await settled(page, 'Categories');
  const badge = await liveBadge(page);
  await expectCount(badge.locator('.count-badge'), 0);

  const mention = await createReply(bob.token, thread.id, { body: `@${ana.username} can you do Thursday? ${id}` });

  // The badge counts it without a reload.
  await waitFor(mainNav(page).getByRole('link', { name: 'Notifications, 1 unread' }));
  await expectText(badge.locator('.count-badge'), '1');
  await screenshot(page, 'living--badge');

  await badge.click();
  await settled(page, 'Notifications');
  const item = page.locator('li.notification').filter({ hasText: thread.title });
  await waitFor(item);
  await expectText(item, `${bob.displayName} mentioned you`);
  await expectText(item, 'can you do Thursday?');
  // The actor's name opens their profile; the rest of the line, the post.
  await expectProfileLink(item, bob);
  await screenshot(page, 'living--notifications');

  await item.locator('a.notification-link').click();
  await poll(
    () => new URL(page.url()).pathname === `/t/${thread.id}` && new URL(page.url()).hash === `#post-${mention.id}`,
    () => `at ${page.url()}`,
  );
  await settled(page, thread.title);
  const post = page.locator(`#post-${mention.id}`);
  await waitFor(post);
  await poll(() => inViewport(post), 'the mentioning post is not in view');
  // Opening it marked the notification read, in the API and in the badge.
  await poll(async () => (await api.get('/api/v1/notifications/unread', ana.token)).unread === 0, 'still unread in the API');
  await waitFor(mainNav(page).getByRole('link', { name: 'Notifications', exact: true }));
  await expectCount(badge.locator('.count-badge'), 0);
});

browserTest('a reply made through the API appears live in another member\'s open thread', async ({ page }) => {
  const { thread, post } = await createThread(bob.token, {
    category: open.slug,
    title: `Live thread ${id}`,
    body: `First words ${id}`,
  });

  await signIn(page, ana);
  await page.goto(`/t/${thread.id}`);
  await settled(page, thread.title);
  await waitFor(page.locator(`#post-${post.id}`));
  await liveBadge(page);
  await page.evaluate(() => {
    window.__quorumSamePage = true;
  });

  const first = await createReply(bob.token, thread.id, { body: `Live reply one ${id}` });
  const notice = page.getByRole('button', { name: '1 new reply' });
  await waitFor(notice);
  // Announced, not yet shown.
  await expectCount(page.locator('article.post'), 1);
  await createReply(bob.token, thread.id, { body: `Live reply two ${id}` });
  await waitFor(page.getByRole('button', { name: '2 new replies' }));
  await screenshot(page, 'living--new-replies');

  await page.getByRole('button', { name: '2 new replies' }).click();
  await waitFor(postWith(page, `Live reply one ${id}`));
  await waitFor(postWith(page, `Live reply two ${id}`));
  await expectCount(page.locator('article.post'), 3);
  await waitGone(page.locator('.new-replies-button'));
  if (!(await page.evaluate(() => window.__quorumSamePage === true))) throw new Error('the page reloaded');

  // An edit made elsewhere shows in place.
  await api.patch(`/api/v1/posts/${first.id}`, { body: `Live reply one, corrected ${id}` }, bob.token);
  await waitFor(postWith(page, `Live reply one, corrected ${id}`));

  // Watching: the level shown is the API's, and a choice is saved there.
  const controls = page.getByRole('group', { name: 'Notifications for this thread' });
  await expectAttribute(controls.getByRole('button', { name: 'Normal' }), 'aria-pressed', 'true');
  await controls.getByRole('button', { name: 'Watching' }).click();
  await expectAttribute(controls.getByRole('button', { name: 'Watching' }), 'aria-pressed', 'true');
  await expectAttribute(controls.getByRole('button', { name: 'Normal' }), 'aria-pressed', 'false');
  await poll(
    async () => (await api.get(`/api/v1/threads/${thread.id}`, ana.token)).watch_level === 'watching',
    'the API does not have the thread watched',
  );

  // Ana's own reply does not announce itself as new.
  await page.getByLabel('Your reply').fill(`Ana answers ${id}`);
  await page.getByRole('button', { name: 'Post reply' }).click();
  await waitFor(postWith(page, `Ana answers ${id}`));
  await page.waitForTimeout(1000);
  await expectCount(page.locator('.new-replies-button'), 0);
});

browserTest('unread markers, opening at the first unread post, marking read while scrolling and per category', async ({ page }) => {
  const long = (n) => `Reply ${n} ${id}\n\n${Array.from({ length: 8 }, (_, i) => `Paragraph ${i + 1} of reply ${n}, long enough to take room.`).join('\n\n')}`;
  const { thread, post } = await createThread(bob.token, {
    category: open.slug,
    title: `Long discussion ${id}`,
    body: long(0),
  });
  const replies = [];
  for (let n = 1; n <= 10; n += 1) replies.push(await createReply(bob.token, thread.id, { body: long(n) }));
  const { thread: unopened } = await createThread(bob.token, {
    category: open.slug,
    title: `Never opened ${id}`,
    body: `Nobody read me ${id}`,
  });
  // Ana read up to reply 5 earlier.
  await api.put(`/api/v1/threads/${thread.id}/read`, { post_id: replies[4].id }, ana.token);

  await signIn(page, ana);
  await page.goto(`/c/${open.slug}`);
  await settled(page, open.name);
  const row = page.locator('li.thread-row').filter({ hasText: thread.title });
  const fresh = page.locator('li.thread-row').filter({ hasText: unopened.title });
  await expectText(row, /5 unread/i);
  await expectCount(row.locator('.new-badge'), 0);
  await waitFor(fresh.locator('.new-badge'));
  await screenshot(page, 'living--unread-list');

  await row.getByRole('link', { name: thread.title }).click();
  await settled(page, thread.title);
  const firstUnread = page.locator(`#post-${replies[5].id}`);
  await waitFor(firstUnread.locator('.new-badge'));
  await poll(() => inViewport(firstUnread), 'the thread did not open at the first unread post');
  if (await inViewport(page.locator(`#post-${post.id}`))) throw new Error('the first post is in view');
  await expectCount(page.locator(`#post-${replies[4].id} .new-badge`), 0);
  await screenshot(page, 'living--first-unread');

  // Scrolling to the end marks everything read, in one batch or a few.
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  const last = replies[9].id;
  await poll(async () => {
    const t = await api.get(`/api/v1/threads/${thread.id}`, ana.token);
    return t.last_read_post_id === last && t.unread_count === 0;
  }, 'the API was not told the thread was read to the end');

  await page.goto(`/c/${open.slug}`);
  await settled(page, open.name);
  await waitFor(row);
  await expectCount(row.locator('.unread-count'), 0);
  await waitFor(fresh.locator('.new-badge'));

  await page.getByRole('button', { name: 'Mark category read' }).click();
  await waitGone(fresh.locator('.new-badge'));
  await poll(
    async () => (await api.get(`/api/v1/threads/${unopened.id}`, ana.token)).is_new === false,
    'the API still calls the thread new',
  );

  // The category's watch control shows the API's level, and keeps a choice over a reload.
  const categoryControls = page.getByRole('group', { name: 'Notifications for this category' });
  await expectAttribute(categoryControls.getByRole('button', { name: 'Normal' }), 'aria-pressed', 'true');
  await categoryControls.getByRole('button', { name: 'Muted' }).click();
  await expectAttribute(categoryControls.getByRole('button', { name: 'Muted' }), 'aria-pressed', 'true');
  await page.reload();
  await settled(page, open.name);
  await expectAttribute(categoryControls.getByRole('button', { name: 'Muted' }), 'aria-pressed', 'true');
  await expectAttribute(categoryControls.getByRole('button', { name: 'Normal' }), 'aria-pressed', 'false');
  const category = await api.get(`/api/v1/categories/${open.slug}`, ana.token);
  if (category.watch_level !== 'muted') throw new Error(`the API has the category ${category.watch_level}`);
});

browserTest('the preview warns of a mention of someone who cannot read the post; quoting a selection', async ({ page }) => {
  const { thread, post } = await createThread(bob.token, {
    category: closed.slug,
    title: `Participants talk ${id}`,
    body: `The possible dates are Monday and Thursday ${id}`,
  });

  await signIn(page, bob);
  await page.goto(`/t/${thread.id}`);
  await settled(page, thread.title);
  await waitFor(page.locator(`#post-${post.id}`));

  // Select part of the post: a "Quote" button appears and quotes it.
  await page.locator(`#post-${post.id} .post-body p`).selectText();
  await page.locator(`#post-${post.id} .post-body p`).dispatchEvent('mouseup');
  await page.getByRole('button', { name: 'Quote', exact: true }).click();
  const reply = page.getByLabel('Your reply');
  await poll(
    async () => (await reply.inputValue()).startsWith(`[quote=post:${post.id}]\nThe possible dates are Monday and Thursday ${id}\n[/quote]`),
    async () => `the reply holds ${JSON.stringify(await reply.inputValue())}`,
  );

  await reply.press('Control+End');
  await reply.pressSequentially(`@${ana.username} please email ${id}`);
  await page.getByRole('button', { name: 'Preview' }).click();
  const warning = page.locator('.preview-warnings');
  await expectText(warning, `${ana.displayName} (@${ana.username}) cannot read this post`);
  await waitFor(page.locator('.preview blockquote').filter({ hasText: 'The possible dates are Monday' }));
  await screenshot(page, 'living--mention-warning');

  await page.getByRole('button', { name: 'Write' }).click();
  await page.getByRole('button', { name: 'Post reply' }).click();
  await waitFor(postWith(page, `please email ${id}`));
  // Ana is not told, and the quote links back to the post it quotes.
  const quoteLink = postWith(page, `please email ${id}`).locator(`a[href="/p/${post.id}"]`);
  await waitFor(quoteLink);
  await quoteLink.click();
  await poll(() => new URL(page.url()).hash === `#post-${post.id}`, () => `at ${page.url()}`);
  const notes = await api.get('/api/v1/notifications', ana.token);
  if (notes.items.some((n) => n.thread_id === thread.id)) throw new Error('Ana was told of a post she cannot read');
});
