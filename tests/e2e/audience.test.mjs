// Post-level audiences: a reply for worker members only, chosen with the
// audience picker, is invisible to a participant and badged for a worker.

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
  expectText,
  postWith,
  screenshot,
  settled,
  signIn,
  suffix,
  waitFor,
} from './lib.mjs';

const id = suffix();
const members = [GROUPS.workers.slug, GROUPS.enterprises.slug, GROUPS.participants.slug];
const category = { slug: `audience-${id}`, name: `Members ${id}`, audience: members, posters: members };
const title = `Pay scales ${id}`;
const texts = {
  opening: `Opening post for everyone ${id}`,
  apiSecret: `Workers only, via the API ${id}`,
  marker: `A public reply ${id}`,
  uiSecret: `Workers only, via the picker ${id}`,
};
let worker;
let participant;
let threadId;

before(async () => {
  const admin = await api.adminToken();
  await ensureGroups(admin);
  worker = await createUser(admin, 'worker', { groups: [GROUPS.workers.slug] });
  participant = await createUser(admin, 'participant', { groups: [GROUPS.participants.slug] });
  await createCategory(admin, { ...category, description: 'Members of the network' });
  const { thread } = await createThread(worker.token, { category: category.slug, title, body: texts.opening });
  threadId = thread.id;
  await createReply(worker.token, threadId, { body: texts.apiSecret, audience: [GROUPS.workers.slug] });
  await createReply(worker.token, threadId, { body: texts.marker });
});

browserTest('a worker posts a reply for worker members with the audience picker', async ({ page }) => {
  await signIn(page, worker);
  await page.goto(`/t/${threadId}`);
  await settled(page, title);

  const picker = page.getByRole('group', { name: 'Who can see this' });
  await waitFor(picker);
  const everyone = picker.getByRole('radio', { name: 'Everyone who can see the thread' });
  if (!(await everyone.isChecked())) throw new Error('"Everyone who can see the thread" is not the default');
  await waitFor(page.getByText('Visible to: everyone who can see this thread'));

  await picker.getByRole('radio', { name: 'Only some groups' }).check();
  await picker.getByRole('checkbox', { name: GROUPS.workers.name, exact: true }).check();
  await waitFor(page.getByText(new RegExp(`Visible to: ${GROUPS.workers.name}\\s*\\.?$`)));

  await page.getByLabel('Your reply').fill(texts.uiSecret);
  await page.getByRole('button', { name: 'Post reply' }).click();

  const reply = postWith(page, texts.uiSecret);
  await waitFor(reply);
  await expectText(reply, new RegExp(`Visible to:.*${GROUPS.workers.name}`));

  const posts = await api.get(`/api/v1/threads/${threadId}/posts`, worker.token);
  const stored = posts.items.find((p) => p.body === texts.uiSecret);
  if (!stored || JSON.stringify(stored.audience) !== JSON.stringify([GROUPS.workers.slug])) {
    throw new Error(`the reply was stored as ${JSON.stringify(stored)}`);
  }
});

browserTest('a participant does not see the workers-only replies', async ({ page }) => {
  const readable = (await api.get(`/api/v1/threads/${threadId}/posts`, participant.token)).items;

  await signIn(page, participant);
  await page.goto(`/t/${threadId}`);
  await settled(page, title);
  await waitFor(postWith(page, texts.opening));
  await waitFor(postWith(page, texts.marker));
  // The page shows exactly what the API gives this participant...
  await expectCount(page.locator('article.post'), readable.length);
  // ...which has neither restricted reply.
  await assertAbsent(page, texts.apiSecret);
  await assertAbsent(page, texts.uiSecret);
  if (readable.some((p) => p.body === texts.apiSecret || p.body === texts.uiSecret)) {
    throw new Error('the API shows a workers-only reply to a participant');
  }
  await screenshot(page, 'audience--participant-thread');

  // The category page counts only the replies they can read.
  await page.goto(`/c/${category.slug}`);
  await settled(page, category.name);
  const row = page.locator('main li').filter({ has: page.getByRole('link', { name: title, exact: true }) });
  await expectText(row, new RegExp(`\\b${readable.length - 1} repl(y|ies)\\b`));
});

browserTest('a worker member sees them, with the "Visible to:" badge', async ({ page }) => {
  await signIn(page, worker);
  await page.goto(`/t/${threadId}`);
  await settled(page, title);
  for (const text of [texts.apiSecret, texts.uiSecret]) {
    const reply = postWith(page, text);
    await waitFor(reply);
    await expectText(reply, new RegExp(`Visible to:.*${GROUPS.workers.name}`));
  }
  // The public posts carry no badge.
  const opening = postWith(page, texts.opening);
  await waitFor(opening);
  if (/Visible to:/.test(await opening.innerText())) {
    throw new Error('the opening post carries a "Visible to:" badge');
  }
});
