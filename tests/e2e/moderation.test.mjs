// Moderation in the browser: a member flags a post with a reason, a
// moderator finds it in the review queue and hides the post (the others see
// the notice in its place) or dismisses the flag; the buttons appear exactly
// where the post's can_* flags say.

import { before } from 'node:test';
import {
  expectProfileLink,
  api,
  browserTest,
  createCategory,
  createReply,
  createThread,
  createUser,
  expectCount,
  mainNav,
  newContext,
  poll,
  postWith,
  settled,
  signIn,
  suffix,
  waitFor,
  waitGone,
} from './lib.mjs';

const id = suffix();
const category = { slug: `moderation-${id}`, name: `Moderation ${id}`, description: 'Where the browser tests flag' };
let author;
let reader;
let moderator;

before(async () => {
  const admin = await api.adminToken();
  author = await createUser(admin, 'rude');
  reader = await createUser(admin, 'reporter');
  moderator = await createUser(admin, 'warden', { groups: ['moderators'] });
  await createCategory(admin, category);
});

/** The post's actions row. */
const actions = (page, text) => postWith(page, text).locator('footer.post-actions');

browserTest('flag a post, hide it from the review queue, show it again', async ({ page, context }) => {
  const title = `A heated thread ${id}`;
  const opening = `Let us keep this civil ${id}`;
  const rude = `Buy cheap watches here ${id}`;
  const { thread } = await createThread(reader.token, { category: category.slug, title, body: opening });
  const post = await createReply(author.token, thread.id, { body: rude });

  // The reader flags the author's post; their own post offers no Flag.
  await signIn(page, reader);
  await page.goto(`/t/${thread.id}`);
  await settled(page, title);
  await waitFor(postWith(page, rude));
  await expectCount(actions(page, opening).getByRole('button', { name: 'Flag', exact: true }), 0);
  await expectCount(actions(page, rude).getByRole('button', { name: 'Hide', exact: true }), 0);
  await actions(page, rude).getByRole('button', { name: 'Flag', exact: true }).click();
  const form = page.getByRole('form', { name: 'Flag this post' });
  await form.getByLabel('Spam').check();
  await form.getByLabel('Note for the moderators (optional)').fill(`selling watches ${id}`);
  await form.getByRole('button', { name: 'Send flag' }).click();
  await waitFor(postWith(page, rude).getByText('the moderators will look at this post', { exact: false }));
  await waitFor(actions(page, rude).getByRole('button', { name: 'Flagged', exact: true }));
  if ((await mainNav(page).getByRole('link', { name: 'Review', exact: true }).count()) > 0) {
    throw new Error('a member sees the review queue link');
  }

  // The moderator reviews it from the queue and hides the post.
  const modContext = await newContext(context.browser());
  try {
    const mod = await modContext.newPage();
    await signIn(mod, moderator);
    await mainNav(mod).getByRole('link', { name: 'Review', exact: true }).click();
    await settled(mod, 'Review queue');
    const item = mod.locator('li.flag').filter({ hasText: title });
    await waitFor(item);
    await waitFor(item.getByText('Spam'));
    await waitFor(item.getByText(rude));
    await waitFor(item.getByText(`selling watches ${id}`));
    await item.getByRole('button', { name: 'Hide post and resolve', exact: true }).click();
    await waitGone(item);

    const hidden = await api.get(`/api/v1/posts/${post.id}`, reader.token);
    if (!hidden.hidden || hidden.body !== '') throw new Error(`the reader gets ${JSON.stringify(hidden)}`);
    const flags = await api.get('/api/v1/flags?status=closed', moderator.token);
    if (!flags.items.some((f) => f.post_id === post.id && f.resolution === 'resolved')) {
      throw new Error(`closed flags: ${JSON.stringify(flags.items)}`);
    }

    // The reader sees the notice in the post's place, not its text.
    await page.reload();
    await settled(page, title);
    const notice = page.locator('article.post .hidden-notice');
    await waitFor(notice);
    if ((await page.getByText(rude).count()) !== 0) throw new Error('the hidden text is still shown to the reader');

    // The moderator still reads it, marked hidden, and shows it again.
    await mod.goto(`/t/${thread.id}`);
    await settled(mod, title);
    const modPost = postWith(mod, rude);
    await waitFor(modPost.locator('.hidden-notice'));
    await modPost.getByRole('button', { name: 'Show again', exact: true }).click();
    await waitGone(modPost.locator('.hidden-notice'));
    await waitFor(actions(mod, rude).getByRole('button', { name: 'Hide', exact: true }));
    await page.reload();
    await settled(page, title);
    await waitFor(postWith(page, rude));
  } finally {
    await modContext.close();
  }
});

browserTest('a moderator hides a post with a reason and dismisses a flag', async ({ page }) => {
  const title = `A calmer thread ${id}`;
  const opening = `Nothing to see ${id}`;
  const fine = `A perfectly fine reply ${id}`;
  const offTopic = `My cat likes boxes ${id}`;
  const { thread } = await createThread(author.token, { category: category.slug, title, body: opening });
  const finePost = await createReply(author.token, thread.id, { body: fine });
  await createReply(author.token, thread.id, { body: offTopic });
  await api.post(`/api/v1/posts/${finePost.id}/flags`, { reason: 'abuse', note: '' }, reader.token);

  await signIn(page, moderator);
  await page.goto('/moderation');
  await settled(page, 'Review queue');
  const item = page.locator('li.flag').filter({ hasText: fine });
  await waitFor(item);
  // The post's author and the reporter link to their profiles.
  await expectProfileLink(item, author);
  await expectProfileLink(item, reader);
  await item.getByRole('button', { name: 'Dismiss', exact: true }).click();
  await waitGone(item);
  await page.getByRole('button', { name: 'Closed', exact: true }).click();
  await waitFor(page.locator('li.flag').filter({ hasText: fine }).getByText('dismissed'));
  await expectProfileLink(page.locator('li.flag').filter({ hasText: fine }).locator('p.meta'), moderator);

  // Hide from the thread itself, with a reason the others read.
  await page.goto(`/t/${thread.id}`);
  await settled(page, title);
  await actions(page, offTopic).getByRole('button', { name: 'Hide', exact: true }).click();
  const reason = `Off topic, moved nowhere ${id}`;
  await page.getByLabel('Reason shown in its place').fill(reason);
  await page.getByRole('button', { name: 'Hide post', exact: true }).click();
  await waitFor(postWith(page, offTopic).locator('.hidden-notice').filter({ hasText: reason }));

  const asReader = await api.get(`/api/v1/threads/${thread.id}/posts`, reader.token);
  const seen = asReader.items.find((p) => p.hidden);
  if (!seen || seen.hidden_reason !== reason || seen.body !== '') {
    throw new Error(`the reader gets ${JSON.stringify(asReader.items)}`);
  }
  await poll(async () => {
    const log = await api.get(`/api/v1/admin/audit?action=post.hidden`, await api.adminToken());
    return log.items.some((e) => e.actor?.username === moderator.username);
  }, 'no post.hidden entry by the moderator in the audit log');
});
