// The profile's time-zone picker decides how every time reads: the same
// meeting post shows London time with GMT/BST and, an hour later on the
// clock, Berlin time with CET/CEST — the confusion the zone names prevent.

import { before } from 'node:test';
import {
  api,
  browserTest,
  createCategory,
  createThread,
  createUser,
  poll,
  postWith,
  screenshot,
  settled,
  signIn,
  suffix,
  waitFor,
} from './lib.mjs';

const id = suffix();
const category = { slug: `zones-${id}`, name: `Zones ${id}`, description: 'Where meeting times are posted' };
const body = `The call is at three, London time ${id}`;
let member;
let threadId;

before(async () => {
  const admin = await api.adminToken();
  member = await createUser(admin, 'zoned');
  await createCategory(admin, category);
  const { thread } = await createThread(member.token, { category: category.slug, title: `Meeting ${id}`, body });
  threadId = thread.id;
});

/** Saves `zone` through the profile form and checks the API kept it. */
async function chooseZone(page, zone) {
  await page.goto('/me');
  await settled(page, 'Your profile');
  await page.getByLabel('Time zone').selectOption(zone);
  await page.getByRole('button', { name: 'Save profile' }).click();
  await waitFor(page.getByRole('status').filter({ hasText: 'Saved' }));
  const me = await api.get('/api/v1/me', member.token);
  if (me.time_zone !== zone) throw new Error(`the API kept ${me.time_zone}, not ${zone}`);
}

/** The post's absolute time (its `<time title>`), e.g. "Fri 27 Nov 2026, 15:00 GMT". */
async function postTime(page) {
  await page.goto(`/t/${threadId}`);
  await settled(page, `Meeting ${id}`);
  const time = postWith(page, body).locator('time').first();
  await waitFor(time);
  return time.getAttribute('title');
}

function clock(title, zoneNames) {
  const match = /, (\d\d):(\d\d) (\S+)$/.exec(title ?? '');
  if (!match || !zoneNames.test(match[3])) throw new Error(`unexpected time ${JSON.stringify(title)}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

browserTest('the time-zone picker changes how times read, London against Berlin', async ({ page }) => {
  await signIn(page, member);

  await chooseZone(page, 'Europe/London');
  const london = clock(await postTime(page), /^(GMT|BST)$/);

  await chooseZone(page, 'Europe/Berlin');
  const berlinTitle = await postTime(page);
  const berlin = clock(berlinTitle, /^(CET|CEST)$/);
  await screenshot(page, 'profile--berlin-time');

  const difference = (berlin - london + 24 * 60) % (24 * 60);
  if (difference !== 60) throw new Error(`Berlin should read one hour after London, not ${difference} minutes`);

  // The choice is the account's: a reload keeps it.
  await page.reload();
  await poll(async () => (await postTime(page)) === berlinTitle, 'the zone did not survive a reload');
});
