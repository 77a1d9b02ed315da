// Latest: /latest lists the newest threads across every category the
// reader may read, each with its category; the header links there, and the
// home page shows the latest threads under the categories, with a switch
// between the two views. Threads of a category the reader cannot read are
// not listed.

import { before } from 'node:test';
import {
  api,
  browserTest,
  createCategory,
  createThread,
  createUser,
  ensureGroups,
  expectAttribute,
  GROUPS,
  mainNav,
  screenshot,
  settled,
  signIn,
  suffix,
  waitFor,
} from './lib.mjs';

const id = suffix();
const first = { slug: `latest-a-${id}`, name: `Allotments ${id}` };
const second = { slug: `latest-b-${id}`, name: `Bakery ${id}` };
const closed = { slug: `latest-c-${id}`, name: `Closed ${id}`, audience: [GROUPS.workers.slug], posters: [GROUPS.workers.slug] };
const older = `Seed swap ${id}`;
const newer = `Sourdough rota ${id}`;
const hidden = `Workers pay review ${id}`;
let reader;

before(async () => {
  const admin = await api.adminToken();
  await ensureGroups(admin);
  reader = await createUser(admin, 'latest');
  for (const c of [first, second, closed]) await createCategory(admin, { ...c, description: 'Latest tests' });
  await createThread(admin, { category: first.slug, title: older, body: 'Who has spare seeds?' });
  await createThread(admin, { category: closed.slug, title: hidden, body: 'For workers only.' });
  await createThread(admin, { category: second.slug, title: newer, body: 'Who bakes on Friday?' });
});

browserTest('the header leads to /latest: newest first across categories, readable ones only', async ({ page }) => {
  await signIn(page, reader);
  await mainNav(page).getByRole('link', { name: 'Latest', exact: true }).click();
  await settled(page, 'Latest');
  await expectAttribute(page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Latest' }), 'aria-current', 'page');
  const rows = page.locator('li.thread-row');
  await waitFor(rows.filter({ hasText: newer }));
  const titles = await rows.locator('a.thread-title').allInnerTexts();
  const [a, b] = [titles.indexOf(newer), titles.indexOf(older)];
  if (a < 0 || b < 0 || a > b) throw new Error(`expected ${newer} before ${older}: ${JSON.stringify(titles)}`);
  if (titles.includes(hidden)) throw new Error('a thread of a category the reader cannot read is listed');
  await waitFor(rows.filter({ hasText: newer }).getByRole('link', { name: second.name }));
  await screenshot(page, 'latest--reader');

  // The category link opens that category.
  await rows.filter({ hasText: older }).getByRole('link', { name: first.name }).click();
  await settled(page, first.name);
});

browserTest('the home page shows the latest threads under the categories, and switches views', async ({ page }) => {
  await signIn(page, reader);
  await page.goto('/');
  await settled(page, 'Categories');
  const section = page.getByRole('region', { name: 'Latest threads' });
  await waitFor(section.getByRole('link', { name: newer }));
  if ((await section.getByText(hidden).count()) !== 0) throw new Error('an unreadable thread is on the home page');
  await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Latest' }).click();
  await settled(page, 'Latest');
  await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Categories' }).click();
  await settled(page, 'Categories');
});
