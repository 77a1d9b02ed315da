// Finding a time in the browser: an organiser in Europe/London proposes two
// times; members in Europe/Paris and Africa/Accra see each in their own
// zone beside London's and answer; the organiser's open page counts them
// and names who answered what; the chosen time becomes the thread's event,
// which appears on every open page. Then the composer's time picker: 15:00
// London previewed as 16:00 Paris, CET refused with suggestions, and the
// posted time read in each reader's zone with the original beside it.

import { before } from 'node:test';
import {
  api,
  browserTest,
  createCategory,
  createReply,
  createThread,
  createUser,
  expectAttribute,
  expectCount,
  expectText,
  mainNav,
  newContext,
  poll,
  postWith,
  screenshot,
  settled,
  signIn,
  suffix,
  waitFor,
} from './lib.mjs';

const id = suffix();
const category = { slug: `when-${id}`, name: `Scheduling ${id}`, description: 'Finding times' };
const title = `Spring members' call ${id}`;
let organiser;
let paris;
let accra;
let thread;

before(async () => {
  const admin = await api.adminToken();
  organiser = await createUser(admin, 'london');
  paris = await createUser(admin, 'paris');
  accra = await createUser(admin, 'accra');
  for (const [who, zone] of [[organiser, 'Europe/London'], [paris, 'Europe/Paris'], [accra, 'Africa/Accra']]) {
    await api.patch('/api/v1/me', { time_zone: zone }, who.token);
  }
  await createCategory(admin, category);
  thread = (await createThread(organiser.token, { category: category.slug, title, body: 'Say which times suit you.' })).thread;
  await createReply(paris.token, thread.id, { body: 'Afternoons suit Paris.' });
  await createReply(accra.token, thread.id, { body: 'Mornings are easier in Accra.' });
});

/** Opens the thread for `who` in a page of its own, with its live stream open. */
async function openThread(page, who) {
  await signIn(page, who);
  await page.goto(`/t/${thread.id}`);
  await settled(page, title);
  await expectAttribute(mainNav(page).locator('a.notifications-link'), 'data-live', 'on');
}

const slotRow = (page, n) => page.locator('section.date-poll tr.poll-slot').nth(n);
const answerButton = (page, n, answer) =>
  page.getByRole('group', { name: `Your answer for time ${n + 1}` }).getByRole('button', { name: answer, exact: true });

browserTest('two times proposed in London are answered from Paris and Accra, and one becomes the event', async ({ page, context }) => {
  await openThread(page, organiser);
  await page.getByRole('button', { name: 'Propose times' }).click();
  const form = page.getByRole('form', { name: 'Propose times' });
  const first = form.getByRole('group', { name: 'Time 1' });
  await first.getByLabel('Date').fill('2030-03-12');
  await first.getByLabel('Starts at').fill('15:00');
  const zone = await first.getByLabel('Time zone').inputValue();
  if (zone !== 'Europe/London') throw new Error(`the organiser's zone is not the default: ${zone}`);
  await form.getByRole('button', { name: 'Add a time' }).click();
  const second = form.getByRole('group', { name: 'Time 2' });
  await second.getByLabel('Date').fill('2030-03-14');
  await second.getByLabel('Starts at').fill('10:00');
  await form.getByRole('button', { name: 'Save times' }).click();
  await expectCount(page.locator('section.date-poll tr.poll-slot'), 2);
  await expectText(slotRow(page, 0), /Tue 12 Mar 2030, 15:00–16:00 GMT\s+2030-03-12 15:00–16:00 Europe\/London/);

  // Paris and Accra each read the times on their own clocks, and answer.
  const browser = context.browser();
  const others = [];
  for (const [who, first, second, answers] of [
    [paris, /16:00–17:00 CET\s+2030-03-12 15:00–16:00 Europe\/London/, /11:00–12:00 CET\s+2030-03-14 10:00–11:00 Europe\/London/, ['Yes', 'If need be']],
    [accra, /15:00–16:00 GMT\s+2030-03-12 15:00–16:00 Europe\/London/, /10:00–11:00 GMT\s+2030-03-14 10:00–11:00 Europe\/London/, ['If need be', 'Yes']],
  ]) {
    const other = await newContext(browser);
    const otherPage = await other.newPage();
    others.push([other, otherPage]);
    await openThread(otherPage, who);
    await expectText(slotRow(otherPage, 0), first);
    await expectText(slotRow(otherPage, 1), second);
    for (const [n, answer] of answers.entries()) {
      await answerButton(otherPage, n, answer).click();
      await expectAttribute(answerButton(otherPage, n, answer), 'aria-pressed', 'true');
    }
  }
  // Answers can be changed: Paris turns "If need be" into "No".
  const parisPage = others[0][1];
  await answerButton(parisPage, 1, 'No').click();
  await expectAttribute(answerButton(parisPage, 1, 'No'), 'aria-pressed', 'true');
  await expectAttribute(answerButton(parisPage, 1, 'If need be'), 'aria-pressed', 'false');
  await screenshot(parisPage, 'date-poll--paris');

  // The organiser's open page counts them and names who answered what, without a reload.
  await expectText(slotRow(page, 0).locator('.slot-counts'), '1 yes · 1 if need be · 0 no');
  await expectText(slotRow(page, 1).locator('.slot-counts'), '1 yes · 0 if need be · 1 no');
  const voters = page.locator('table.poll-voters');
  await expectText(voters.locator('tr').filter({ hasText: paris.displayName }), /Yes\s+No/);
  await expectText(voters.locator('tr').filter({ hasText: accra.displayName }), /If need be\s+Yes/);

  // Time 1 becomes the thread's event in one step, on every open page.
  await page.getByRole('button', { name: 'Make this the event (time 1)' }).click();
  const choose = page.getByRole('form', { name: 'Make it the event' });
  if ((await choose.getByLabel('Event title').inputValue()) !== title) throw new Error('the title is not the thread\'s');
  await choose.getByLabel('Place (optional)').fill('Co-op hall');
  await choose.getByRole('button', { name: 'Make it the event' }).click();
  await expectText(page.locator('section.event-card .event-when'), /15:00 GMT.*your time · 2030-03-12 15:00 Europe\/London/);
  await expectText(parisPage.locator('section.event-card .event-when'), /Tue 12 Mar 2030, 16:00 CET.*your time · 2030-03-12 15:00 Europe\/London/);
  await expectText(others[1][1].locator('section.event-card .event-when'), /Tue 12 Mar 2030, 15:00 GMT.*your time · 2030-03-12 15:00 Europe\/London/);
  const event = await api.get(`/api/v1/threads/${thread.id}/event`, accra.token);
  if (event.start_utc !== '2030-03-12T15:00:00Z' || event.place !== 'Co-op hall') throw new Error(`unexpected event ${JSON.stringify(event)}`);

  // The organiser changes it (an abbreviation for the zone is refused, with
  // suggestions), then cancels it; the open pages follow.
  const card = page.locator('section.event-card');
  await card.getByRole('button', { name: 'Change event' }).click();
  const edit = page.getByRole('form', { name: 'Change the event' });
  const zoneField = edit.getByLabel('Time zone of these times');
  if ((await zoneField.inputValue()) !== 'Europe/London') throw new Error('the event form lost the zone');
  await zoneField.fill('CET');
  await edit.getByRole('button', { name: 'Save event' }).click();
  await expectText(edit.locator('#event-timezone-error'), /Europe\/Paris/);
  await zoneField.fill('Europe/London');
  await edit.getByLabel('Place (optional)').fill('Co-op hall, room 2');
  await edit.getByRole('button', { name: 'Save event' }).click();
  await expectText(parisPage.locator('section.event-card'), 'Where: Co-op hall, room 2');
  await card.getByRole('button', { name: 'Cancel event' }).click();
  await card.getByRole('button', { name: 'Yes, cancel it' }).click();
  await expectText(parisPage.locator('section.event-card h2'), /cancelled/i);
  for (const [other] of others) await other.close();
});

browserTest('the composer previews a London time in Paris, refuses CET, and the posted time reads in each zone', async ({ page, context }) => {
  await openThread(page, organiser);
  const picker = page.locator('details.time-picker');
  await picker.locator('summary').click();
  await picker.getByLabel('Date').fill('2023-12-14');
  await picker.getByLabel('Time', { exact: true }).fill('15:00');
  if ((await picker.getByLabel('Time zone').inputValue()) !== 'Europe/London') throw new Error('the picker does not start in the author\'s zone');
  await picker.getByLabel('Also show in').fill('Europe/Paris');
  const preview = picker.locator('.time-preview');
  await expectText(preview, '15:00 Thu 14 Dec 2023 Europe/London');
  await expectText(preview, 'is 16:00 Thu 14 Dec 2023 Europe/Paris (CET)');
  // The poster's computer said CET: the server refuses it and suggests real zones.
  await picker.getByLabel('Time zone').fill('CET');
  await expectText(preview.locator('.time-preview-error'), /Europe\/Paris/);
  await expectAttribute(picker.getByRole('button', { name: 'Insert time' }), 'disabled', '');
  await picker.getByLabel('Time zone').fill('Europe/London');
  await expectText(preview, 'is 16:00 Thu 14 Dec 2023 Europe/Paris (CET)');
  const reply = page.getByLabel('Your reply');
  await reply.fill('The call is at');
  await picker.getByRole('button', { name: 'Insert time' }).click();
  const body = await reply.inputValue();
  if (body !== 'The call is at [date=2023-12-14 time=15:00 timezone="Europe/London"]') throw new Error(`unexpected body: ${body}`);
  await page.getByRole('button', { name: 'Post reply' }).click();
  const posted = postWith(page, 'The call is at').locator('time.quorum-date');
  await expectText(posted, '15:00 Thu 14 Dec 2023 Europe/London');

  const other = await newContext(context.browser());
  const parisPage = await other.newPage();
  await openThread(parisPage, paris);
  const seen = postWith(parisPage, 'The call is at').locator('time.quorum-date');
  await expectText(seen, '16:00 Thu 14 Dec 2023 your time · 15:00 Europe/London');
  // The tooltip has the time on every participant's clock.
  const parts = ['participants:', `Europe/London: ${organiser.displayName}`, `Europe/Paris: ${paris.displayName}`, `Africa/Accra: ${accra.displayName}`];
  await poll(
    async () => {
      const tooltip = (await seen.getAttribute('title')) || '';
      return parts.every((part) => tooltip.includes(part));
    },
    'the tooltip does not name every participant\'s zone',
  );
  await screenshot(parisPage, 'date-poll--posted-time');
  await other.close();
});
