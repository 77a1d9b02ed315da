// Meetings in the app: the seed's call (15:00 Europe/London on 14 December
// 2023) reads 16:00 for a Europe/Paris reader with "15:00 Europe/London"
// beside it; answering marks the button and counts; "Add to calendar" is
// the event's iCalendar; the events page lists upcoming events; the
// profile makes a calendar feed address.

import { before } from 'node:test';
import {
  api,
  browserTest,
  createCategory,
  createThread,
  createUser,
  expectAttribute,
  expectText,
  screenshot,
  settled,
  signIn,
  suffix,
  waitFor,
} from './lib.mjs';

const id = suffix();
const category = { slug: `meet-${id}`, name: `Meetings ${id}`, description: 'Where calls are arranged' };
let organiser;
let reader;
let seedThread;
let futureThread;

before(async () => {
  const admin = await api.adminToken();
  organiser = await createUser(admin, 'organiser');
  reader = await createUser(admin, 'paris');
  await api.patch('/api/v1/me', { time_zone: 'Europe/Paris' }, reader.token);
  await createCategory(admin, category);
  seedThread = (await createThread(organiser.token, { category: category.slug, title: `International call ${id}`, body: 'Details in the event.' })).thread;
  await api.put(`/api/v1/threads/${seedThread.id}/event`, {
    title: `Board call ${id}`,
    start: '2023-12-14T15:00',
    end: '2023-12-14T16:30',
    timezone: 'Europe/London',
    link: 'https://meet.example.org/board',
  }, organiser.token);
  futureThread = (await createThread(organiser.token, { category: category.slug, title: `Summer meeting ${id}`, body: 'See you there.' })).thread;
  await api.put(`/api/v1/threads/${futureThread.id}/event`, {
    title: `Summer meeting ${id}`,
    start: '2031-07-02T15:00',
    end: '2031-07-02T16:00',
    timezone: 'Europe/London',
  }, organiser.token);
});

browserTest('a Paris reader sees the London call at 16:00 with the original beside it, and answers', async ({ page }) => {
  await signIn(page, reader);
  await page.goto(`/t/${seedThread.id}`);
  await settled(page, `International call ${id}`);
  const card = page.locator('section.event-card');
  await waitFor(card);
  await expectText(card.locator('.event-when'), /16:00 CET.*your time · 2023-12-14 15:00 Europe\/London/);
  await card.getByRole('button', { name: 'Going', exact: true }).click();
  await expectAttribute(card.getByRole('button', { name: 'Going', exact: true }), 'aria-pressed', 'true');
  await expectText(card.locator('.event-counts'), /^1 going/);
  const href = await card.getByRole('link', { name: 'Add to calendar' }).getAttribute('href');
  const ics = decodeURIComponent(href.replace(/^data:text\/calendar;charset=utf-8,/, ''));
  if (!ics.includes('DTSTART;TZID=Europe/London:20231214T150000')) throw new Error(`unexpected calendar: ${ics}`);
  await screenshot(page, 'meetings--event-card');
  const event = await api.get(`/api/v1/threads/${seedThread.id}/event`, reader.token);
  if (event.my_answer !== 'going') throw new Error(`the API kept ${event.my_answer}`);
});

browserTest('the events page lists what is coming, and the profile makes a feed address', async ({ page }) => {
  await signIn(page, reader);
  await page.goto('/events');
  await settled(page, 'Upcoming events');
  const item = page.locator('.event-list li').filter({ hasText: `Summer meeting ${id}` });
  await waitFor(item);
  await expectText(item, /16:00 CEST.*2031-07-02 15:00 Europe\/London/);
  if (await page.locator('.event-list li').filter({ hasText: `Board call ${id}` }).count()) {
    throw new Error('a past event is listed as upcoming');
  }
  await page.goto('/me');
  await settled(page, 'Your profile');
  await page.getByRole('button', { name: 'Make a new feed address' }).click();
  const address = page.getByLabel('Calendar feed address');
  await waitFor(address);
  const webcal = await address.inputValue();
  if (!/^webcal:\/\/.+\/api\/v1\/calendar\/qrm_cal_.+\.ics$/.test(webcal)) throw new Error(`unexpected feed ${webcal}`);
  const feed = await fetch(webcal.replace(/^webcal:/, new URL(page.url()).protocol));
  const text = await feed.text();
  if (!text.includes(`SUMMARY:Summer meeting ${id}`)) throw new Error(`the feed lacks the event: ${text}`);
  await screenshot(page, 'meetings--feed');
});
