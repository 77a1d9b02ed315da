// The app on a phone (390 × 844, touch): the main pages fit the width with
// no sideways scrolling, every control one taps is at least 44 × 44 CSS
// pixels, axe finds nothing, and the main flows (reply, search, menu links)
// work.
//
// The 44-pixel rule covers buttons, fields, and links that stand on their
// own (navigation, titles, tabs). Links inside running text — a post's
// body, a sentence, a line of facts such as "in Category · by Name" — are
// exempt, as WCAG 2.5.8's inline exception allows: their size is that of
// the text around them.

import { before } from 'node:test';
import {
  ADMIN,
  api,
  browserTest,
  createCategory,
  createReply,
  createThread,
  createUser,
  expectText,
  newContext,
  postWith,
  screenshot,
  settled,
  signIn,
  suffix,
  waitFor,
} from './lib.mjs';

const id = suffix();
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const category = { slug: `phone-${id}`, name: `On the phone ${id}`, description: `Read on the move ${id}` };
const title = `Rota for the harvest weekend ${id}`;
let member;
let thread;

before(async () => {
  const admin = await api.adminToken();
  member = await createUser(admin, 'pocket', { displayName: `Pocket Member ${id}` });
  await createCategory(admin, category);
  ({ thread } = await createThread(member.token, {
    category: category.slug,
    title,
    body: `Who can drive the van on Saturday? See https://example.org/rota-${id} for the sheet.`,
  }));
  await createReply(await api.adminToken(), thread.id, { body: `@${member.username} I can, after 10. ${id}` });
});

/** Sideways scrolling, and controls smaller than 44 × 44 that are not inline text links. */
async function layoutProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > width + 1) {
      const wide = [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > width + 1)
        .slice(0, 5)
        .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`);
      problems.push(`the page scrolls sideways (${document.documentElement.scrollWidth} > ${width}): ${wide.join(', ')}`);
    }
    const blockOf = (el) => {
      let node = el.parentElement;
      while (node && getComputedStyle(node).display.startsWith('inline')) node = node.parentElement;
      return node;
    };
    // A link in running text: inline, in a block that holds other text too.
    const inlineTextLink = (el) => {
      if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
      const block = blockOf(el);
      if (!block) return false;
      const own = (el.textContent || '').trim().length;
      const all = (block.textContent || '').replace(/\s+/g, ' ').trim().length;
      return all > own + 1;
    };
    const selector =
      'a[href], button, input:not([type="hidden"]), select, textarea, summary, [role="button"], [role="tab"], [tabindex="0"]';
    for (const el of document.querySelectorAll(selector)) {
      if (el.closest('[aria-hidden="true"], [hidden], dialog:not([open])') || el.getAttribute('tabindex') === '-1') continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || style.display === 'none') continue;
      let target = el;
      // A checkbox or radio is tapped through its label.
      if (el.matches('input[type="checkbox"], input[type="radio"]')) target = el.closest('label') || el;
      const box = target.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (el.classList.contains('skip-link')) continue;
      if (inlineTextLink(el)) continue;
      if (box.width < 43.5 || box.height < 43.5) {
        const name = (el.getAttribute('aria-label') || el.textContent || el.getAttribute('name') || '').trim().slice(0, 40);
        const classes = [...el.classList].join('.');
        problems.push(
          `${el.tagName.toLowerCase()}${classes ? `.${classes}` : ''} "${name}" is ${Math.round(box.width)}×${Math.round(box.height)}`,
        );
      }
    }
    return problems;
  });
}

/** Every page's problems, reported together at the end. */
const found = [];

async function checkPhonePage(page, name) {
  const problems = await layoutProblems(page);
  await screenshot(page, `phone--${name}`);
  if (problems.length) found.push(`on ${name} (${new URL(page.url()).pathname}):\n  ${problems.join('\n  ')}`);
}

browserTest('the main pages fit a phone, with touch targets of 44 px', async ({ context }) => {
  const phoneContext = await newContext(context.browser(), PHONE);
  try {
    const page = await phoneContext.newPage();

    // Signed out: home, sign-in, the forgotten-password page.
    await page.goto('/');
    await settled(page, 'Categories');
    await checkPhonePage(page, 'home-signed-out');
    await page.goto('/login');
    await settled(page, 'Log in');
    await checkPhonePage(page, 'login');
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await settled(page, 'Forgot password');
    await checkPhonePage(page, 'forgot-password');

    await signIn(page, ADMIN);
    await page.goto('/');
    await settled(page, 'Categories');
    await checkPhonePage(page, 'home');

    await page.getByRole('link', { name: 'Latest', exact: true }).first().click();
    await settled(page, 'Latest');
    await checkPhonePage(page, 'latest');

    await page.goto(`/c/${category.slug}`);
    await settled(page, category.name);
    await checkPhonePage(page, 'category');

    // A thread, and replying from the phone.
    await page.getByRole('link', { name: title }).click();
    await settled(page, title);
    const reply = `Thanks, see you at the depot ${id}`;
    await page.getByLabel('Your reply').fill(reply);
    await checkPhonePage(page, 'thread-composer');
    await page.getByRole('button', { name: 'Post reply' }).click();
    await waitFor(postWith(page, reply));
    await checkPhonePage(page, 'thread');

    // Search from the header.
    const box = page.getByRole('searchbox', { name: 'Search' });
    await box.fill(`harvest ${id}`);
    await box.press('Enter');
    await settled(page, 'Search');
    await waitFor(page.getByRole('link', { name: title }).first());
    await checkPhonePage(page, 'search');

    await page.goto(`/u/${member.username}`);
    await settled(page, member.displayName);
    await checkPhonePage(page, 'user-profile');

    await page.goto('/me');
    await settled(page);
    await checkPhonePage(page, 'my-profile');

    await page.goto('/notifications');
    await settled(page, 'Notifications');
    await checkPhonePage(page, 'notifications');

    await page.goto('/admin');
    await settled(page, 'Administration');
    await checkPhonePage(page, 'admin');
    await expectText(page.locator('main#main'), 'Administration');
    if (found.length) throw new Error(found.join('\n'));
  } finally {
    await phoneContext.close();
  }
});
