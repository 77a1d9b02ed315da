// The thread page's defects of issue 12, each pinned by a test: an
// unfinished "Only some groups" choice, the per-post Reply button, links
// into a long thread, members-only links for signed-out visitors, and the
// smaller ones (reply count, audience reset, drafts, skip link, permalink
// names, autolinked URLs).

import { before } from 'node:test';
import {
  ADMIN,
  GROUPS,
  api,
  assertAbsent,
  browserTest,
  createCategory,
  createReply,
  createThread,
  createUser,
  ensureGroups,
  expectAttribute,
  expectText,
  poll,
  postWith,
  settled,
  signIn,
  suffix,
  waitFor,
} from './lib.mjs';

const id = suffix();
const open = { slug: `thread-page-${id}`, name: `Thread page ${id}` };
const members = { slug: `members-${id}`, name: `Members only ${id}`, audience: ['signed-in'], posters: ['signed-in'] };
const NEEDED = 'Tick at least one group, or choose who can see the whole place.';
let worker;
let other;
let longThread;
let longPosts;

before(async () => {
  const admin = await api.adminToken();
  await ensureGroups(admin);
  worker = await createUser(admin, 'worker', { groups: [GROUPS.workers.slug] });
  other = await createUser(admin, 'other');
  await createCategory(admin, { ...open, description: 'Thread page tests' });
  await createCategory(admin, { ...members, description: 'For signed-in members' });

  const created = await createThread(worker.token, { category: open.slug, title: `Long ${id}`, body: 'Post 1' });
  longThread = created.thread.id;
  longPosts = [created.post.id];
  for (let n = 2; n <= 120; n += 1) {
    longPosts.push((await createReply(worker.token, longThread, { body: `Long post ${n} ${id}` })).id);
  }
});

/** Ids of the posts on the page, in page order. */
const shownIds = (page) =>
  page.locator('article.post').evaluateAll((els) => els.map((el) => Number(el.id.replace('post-', ''))));

async function assertInOrder(page) {
  const ids = await shownIds(page);
  for (let i = 1; i < ids.length; i += 1) {
    if (ids[i] <= ids[i - 1]) throw new Error(`posts out of order: ${ids.join(', ')}`);
  }
  return ids;
}

/** Waits until the post is on screen (its top within the viewport). */
async function expectOnScreen(page, postId) {
  const post = page.locator(`#post-${postId}`);
  await waitFor(post);
  await poll(
    () =>
      post.evaluate((el) => {
        const top = el.getBoundingClientRect().top;
        return top >= -2 && top < window.innerHeight - 20;
      }),
    `post ${postId} is not scrolled into view`,
  );
}

browserTest('"Only some groups" with none ticked cannot be posted, and the choice resets after posting', async ({
  page,
}) => {
  const { thread } = await createThread(worker.token, { category: open.slug, title: `Audience ${id}`, body: 'Hello' });
  // The API refuses an empty audience rather than publishing to everyone.
  const refused = await api.post(`/api/v1/threads/${thread.id}/posts`, { body: 'x', audience: [] }, worker.token, {
    ok: (s) => s === 422,
  });
  if (!refused.errors?.audience) throw new Error(`no audience message in ${JSON.stringify(refused)}`);

  await signIn(page, worker);
  await page.goto(`/t/${thread.id}`);
  await settled(page, `Audience ${id}`);
  await expectText(page.locator('.thread-meta'), /\b0 replies\b/);
  const picker = page.getByRole('group', { name: 'Who can see this' });
  const post = page.getByRole('button', { name: 'Post reply' });
  await page.getByLabel('Your reply').fill(`For some groups ${id}`);
  await picker.getByRole('radio', { name: 'Only some groups' }).check();
  await waitFor(picker.getByText(NEEDED));
  await assertAbsent(page, 'Visible to: everyone who can see this thread');
  if (!(await post.isDisabled())) throw new Error('"Post reply" is enabled with no group ticked');
  await expectAttribute(post, 'aria-describedby', 'audience-sentence');

  await picker.getByRole('checkbox', { name: GROUPS.workers.name, exact: true }).check();
  await waitFor(picker.getByText(`Visible to: ${GROUPS.workers.name}`));
  await post.click();
  await waitFor(postWith(page, `For some groups ${id}`));

  // The header counts the new reply; the next reply starts from the thread's audience.
  await expectText(page.locator('.thread-meta'), /\b1 reply\b/);
  if (!(await picker.getByRole('radio', { name: 'Everyone who can see the thread' }).isChecked())) {
    throw new Error('the audience choice stuck to the next reply');
  }
  await waitFor(picker.getByText('Visible to: everyone who can see this thread'));
  const stored = (await api.get(`/api/v1/threads/${thread.id}/posts`, worker.token)).items;
  if (JSON.stringify(stored.at(-1).audience) !== JSON.stringify([GROUPS.workers.slug])) {
    throw new Error(`stored as ${JSON.stringify(stored.at(-1))}`);
  }
});

browserTest('the Reply button replies to that post, by keyboard too', async ({ page }) => {
  const { thread, post: first } = await createThread(other.token, {
    category: open.slug,
    title: `Reply to ${id}`,
    body: `Opening by other ${id}`,
  });
  const second = await createReply(other.token, thread.id, { body: `Second by other ${id}` });

  await signIn(page, worker);
  await page.goto(`/t/${thread.id}`);
  await settled(page, `Reply to ${id}`);
  const reply = postWith(page, `Opening by other ${id}`).getByRole('button', { name: 'Reply', exact: true });
  await reply.focus();
  await page.keyboard.press('Enter');
  await poll(() => page.evaluate(() => document.activeElement?.name === 'reply'), 'the composer did not get focus');
  const status = page.locator('.replying-to');
  await expectText(status, new RegExp(`Replying to\\s+@${other.username} #1`));

  // Cancelling, then choosing the other post, then the first again by mouse.
  await status.getByRole('button', { name: 'Cancel reply-to' }).click();
  await poll(async () => (await status.count()) === 0, 'the reply-to notice stayed');
  await postWith(page, `Second by other ${id}`).getByRole('button', { name: 'Reply', exact: true }).click();
  await expectText(status, new RegExp(`Replying to\\s+@${other.username} #2`));
  await reply.click();
  await expectText(status, new RegExp(`Replying to\\s+@${other.username} #1`));

  await page.keyboard.type(`Answering the opening ${id}`);
  await page.getByRole('button', { name: 'Post reply' }).click();
  const answer = postWith(page, `Answering the opening ${id}`);
  await waitFor(answer);
  await expectText(answer, 'In reply to');
  const back = answer.locator('.reply-to a');
  await expectAttribute(back, 'href', `#post-${first.id}`);
  const stored = (await api.get(`/api/v1/threads/${thread.id}/posts`, worker.token)).items.at(-1);
  if (stored.reply_to !== first.id) throw new Error(`reply_to is ${stored.reply_to}, not ${first.id} (not ${second.id})`);
});

browserTest('a link to post 60 of 120 opens there and loads both ways in order', async ({ page }) => {
  await signIn(page, worker);
  const target = longPosts[59];
  await page.goto(`/t/${longThread}#post-${target}`);
  await settled(page, `Long ${id}`);
  await expectOnScreen(page, target);
  let ids = await assertInOrder(page);
  if (ids.includes(longPosts[0])) throw new Error('the page also loaded the start of the thread');

  await page.getByRole('button', { name: 'Load earlier posts' }).click();
  await poll(async () => (await shownIds(page)).length > ids.length, 'no earlier posts were loaded');
  ids = await assertInOrder(page);
  await waitFor(page.locator(`#post-${longPosts[0]}`));
  if ((await page.getByRole('button', { name: 'Load earlier posts' }).count()) !== 0) {
    throw new Error('"Load earlier posts" is offered at the first post');
  }
  await page.getByRole('button', { name: 'Load more posts' }).click();
  await waitFor(page.locator(`#post-${longPosts[119]}`));
  ids = await assertInOrder(page);
  if (ids.length !== 120) throw new Error(`${ids.length} posts shown, not 120`);

  // The last post, from another page.
  await page.goto('/');
  await page.goto(`/t/${longThread}#post-${longPosts[119]}`);
  await settled(page, `Long ${id}`);
  await expectOnScreen(page, longPosts[119]);
  await assertInOrder(page);
});

browserTest('a reply posted from the top of a long thread shows after the last post', async ({ page }) => {
  // Someone who has not read the thread: it opens at its first page.
  const admin = await api.adminToken();
  const reader = await createUser(admin, 'reader');
  await signIn(page, reader);
  await page.goto(`/t/${longThread}`);
  await settled(page, `Long ${id}`);
  await waitFor(page.getByRole('button', { name: 'Load more posts' }));
  await page.getByLabel('Your reply').fill(`From the bottom box ${id}`);
  await page.getByRole('button', { name: 'Post reply' }).click();
  const mine = postWith(page, `From the bottom box ${id}`);
  await waitFor(mine);
  const ids = await assertInOrder(page);
  const at = ids.indexOf(Number((await mine.getAttribute('id')).replace('post-', '')));
  const lastBefore = (await api.get(`/api/v1/threads/${longThread}/posts?before=${ids[at]}&limit=1`)).items[0];
  if (ids[at - 1] !== lastBefore.id) {
    throw new Error(`the reply follows post ${ids[at - 1]}, not the thread's last post ${lastBefore.id}`);
  }
});

browserTest('signed out, a members-only link says "Sign in to read this" and comes back after signing in', async ({
  page,
}) => {
  const { thread, post } = await createThread(worker.token, {
    category: members.slug,
    title: `Members only ${id}`,
    body: `For members ${id}`,
  });
  await page.goto(`/t/${thread.id}#post-${post.id}`);
  await settled(page, 'Sign in to read this');
  for (const text of ['no such resource', 'Try again', 'Thread not found']) await assertAbsent(page, text);
  // A thread that does not exist reads the same.
  await page.goto('/t/999999999');
  await settled(page, 'Sign in to read this');
  await page.goto(`/t/${thread.id}#post-${post.id}`);
  await settled(page, 'Sign in to read this');

  await page.getByRole('link', { name: 'Sign in' }).click();
  await settled(page, 'Log in');
  await page.getByLabel('Username or e-mail').fill(worker.username);
  await page.getByLabel('Password', { exact: true }).fill(worker.password);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await settled(page, `Members only ${id}`);
  await poll(() => new URL(page.url()).pathname === `/t/${thread.id}`, () => `at ${page.url()}`);
  await waitFor(postWith(page, `For members ${id}`));
});

browserTest('a half-written reply survives a reload and a trip elsewhere, and goes once posted', async ({ page }) => {
  const { thread } = await createThread(worker.token, { category: open.slug, title: `Drafts ${id}`, body: 'Hi' });
  await signIn(page, worker);
  await page.goto(`/t/${thread.id}`);
  await settled(page, `Drafts ${id}`);
  const box = page.getByLabel('Your reply');
  await box.fill(`Half a thought ${id}`);
  await page.reload();
  await settled(page, `Drafts ${id}`);
  await poll(async () => (await box.inputValue()) === `Half a thought ${id}`, 'the draft was lost on reload');
  await page.getByRole('link', { name: 'Categories' }).first().click();
  await page.goBack();
  await settled(page, `Drafts ${id}`);
  await poll(async () => (await box.inputValue()) === `Half a thought ${id}`, 'the draft was lost on navigation');
  await page.getByRole('button', { name: 'Post reply' }).click();
  await waitFor(postWith(page, `Half a thought ${id}`));
  await page.reload();
  await settled(page, `Drafts ${id}`);
  await waitFor(postWith(page, `Half a thought ${id}`));
  if ((await box.inputValue()) !== '') throw new Error('the posted draft came back');
});

browserTest('skip link, permalink names and pasted URLs', async ({ page }) => {
  const { thread } = await createThread(worker.token, {
    category: open.slug,
    title: `Links ${id}`,
    body: `Minutes at https://coop.example/minutes/${id} for all`,
  });
  await page.goto(`/t/${thread.id}`);
  await settled(page, `Links ${id}`);

  // A pasted URL is a link (made server-side, through the sanitiser).
  const link = postWith(page, 'Minutes at').getByRole('link', { name: `https://coop.example/minutes/${id}` });
  await expectAttribute(link, 'href', `https://coop.example/minutes/${id}`);

  // Each timestamp link's accessible name starts with the text it shows.
  const permalinks = page.locator('a.permalink');
  for (const el of await permalinks.all()) {
    const [visible, label] = await el.evaluate((a) => [a.querySelector('time').innerText, a.getAttribute('aria-label')]);
    if (label !== null && !label.includes(visible)) throw new Error(`name ${label} does not contain ${visible}`);
  }

  // The skip link moves focus to the content.
  await page.keyboard.press('Tab');
  await poll(() => page.evaluate(() => document.activeElement?.classList.contains('skip-link')), 'Tab missed the skip link');
  await page.keyboard.press('Enter');
  await poll(() => page.evaluate(() => document.activeElement?.id === 'main'), 'focus did not move to the content');
});

browserTest('buttons follow the API: no Delete thread once others replied, History only for the author', async ({
  page,
}) => {
  const { thread, post } = await createThread(worker.token, {
    category: open.slug,
    title: `Flags ${id}`,
    body: `First words ${id}`,
  });
  await api.patch(`/api/v1/posts/${post.id}`, { body: `Second words ${id}` }, worker.token);

  await signIn(page, worker);
  await page.goto(`/t/${thread.id}`);
  await settled(page, `Flags ${id}`);
  await waitFor(page.getByRole('button', { name: 'Delete thread' }));
  await waitFor(postWith(page, `Second words ${id}`).getByRole('button', { name: 'History' }));

  await createReply(other.token, thread.id, { body: `A reply by someone else ${id}` });
  await page.reload();
  await settled(page, `Flags ${id}`);
  await waitFor(postWith(page, `A reply by someone else ${id}`));
  if ((await page.getByRole('button', { name: 'Delete thread' }).count()) !== 0) {
    throw new Error('"Delete thread" is offered after others replied');
  }

  await page.getByRole('button', { name: 'Log out' }).click();
  await signIn(page, other);
  await page.goto(`/t/${thread.id}`);
  await settled(page, `Flags ${id}`);
  await waitFor(postWith(page, `Second words ${id}`));
  if ((await postWith(page, `Second words ${id}`).getByRole('button', { name: 'History' }).count()) !== 0) {
    throw new Error('"History" is offered to someone who is not the author');
  }
});

browserTest('a moderator moves a thread to another category', async ({ page }) => {
  // Logging out in the test before ended the worker's sessions.
  worker.token = await api.login(worker.username, worker.password);
  const { thread } = await createThread(worker.token, { category: open.slug, title: `Moving ${id}`, body: 'Where?' });
  await signIn(page, ADMIN);
  await page.goto(`/t/${thread.id}`);
  await settled(page, `Moving ${id}`);
  const move = page.locator('form.move-thread');
  await move.getByLabel('Move to').selectOption(members.slug);
  await move.getByRole('button', { name: 'Move' }).click();
  await waitFor(page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: members.name }));
  const moved = await api.get(`/api/v1/threads/${thread.id}`, worker.token);
  if (moved.category !== members.slug) throw new Error(`the thread is in ${moved.category}`);
});
